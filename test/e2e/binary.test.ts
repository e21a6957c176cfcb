/**
 * End to end: the built single executable `dist/upsagent` itself — not the
 * sources under tsx — answers --version and --help, loads its three native
 * addons from inside itself, and serves the demo UPS to the REAL NUT `upsc`.
 *
 * If dist/upsagent is missing it is built first (`node build/build.mjs`);
 * test/run.sh builds before testing, so that is the exception.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VERSION } from '../../src/cli/version';
import { DEMO_UPS_NAME } from '../../src/drivers/dummy/demo';
import { assertAddonsFromExecutable, runFile, SEA_NOISE, type Run, type RunOptions } from '../helpers/binary-run';
import { UPSC, freePort } from '../helpers/real-nut';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');

function run(file: string, args: string[], opts: RunOptions = {}): Promise<Run> {
  return runFile(file, args, opts, 30_000);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

void describe('dist/upsagent (single executable)', () => {
  let scratch: string;
  /** A copy outside the repository: no node_modules anywhere above it. */
  let bin: string;
  /** Environment of a machine without Node: no NODE_* variables, no node on PATH but the system tools. */
  let env: NodeJS.ProcessEnv;

  before(() => {
    if (!existsSync(BUILT)) {
      try {
        execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
      } catch (err) {
        const e = err as { stdout?: Buffer; stderr?: Buffer };
        throw new Error(`dist/upsagent is missing and \`npm run build\` failed:\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`);
      }
    }
    scratch = mkdtempSync(join(tmpdir(), 'upsagent-e2e-'));
    bin = join(scratch, 'upsagent');
    copyFileSync(BUILT, bin);
    // udevadm (serialport's port listing) lives in /usr/bin or /bin; the executable never looks for `node`.
    env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: scratch, LANG: 'C' };
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Starts the executable, collects what it prints, kills it if the test ends first. */
  function startBinary(t: { after(fn: () => void): void }, args: string[]) {
    const agent: ChildProcess = spawn(bin, args, { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = { agent, output: '', exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => agent.once('exit', (code, signal) => r({ code, signal }))) };
    agent.stdout?.on('data', (d: Buffer) => (started.output += d.toString()));
    agent.stderr?.on('data', (d: Buffer) => (started.output += d.toString()));
    t.after(() => {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
    });
    return started;
  }

  void test('--version prints the package version', async () => {
    const r = await run(bin, ['--version'], { cwd: scratch, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), VERSION, 'dist/upsagent is stale or not built from src/cli/main.ts: run `npm run build`');
    assert.equal(r.stderr, '');
  });

  void test('--help lists the commands and prints no warnings', async () => {
    const r = await run(bin, ['--help'], { cwd: scratch, env });
    assert.equal(r.code, 0, r.stderr);
    for (const cmd of ['run', 'doctor', 'upsc', 'upsrw', 'upscmd', 'status', 'config']) {
      assert.match(r.stdout, new RegExp(`upsagent ${cmd}\\b`), `--help does not list ${cmd}`);
    }
    assert.doesNotMatch(r.stdout + r.stderr, SEA_NOISE);
    assert.equal(r.stderr, '');
  });

  void test('doctor loads serialport, node-hid and usb from inside the executable', async () => {
    const r = await run(bin, ['doctor'], { cwd: scratch, env });
    assert.equal(r.code, 0, `doctor failed:\n${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, SEA_NOISE);
    assertAddonsFromExecutable(r.stdout, /^warn\s+usb\s+loaded, but listing failed: .*\/sys\/bus\/usb\/devices\/ not found/);
  });

  void test('run --demo serves the demo UPS to the real upsc and stops cleanly on SIGTERM', async (t) => {
    const port = await freePort();
    const target = `127.0.0.1:${port}`;
    const a = startBinary(t, ['run', '--demo', '--listen', target]);
    const { agent, exited } = a;

    // The real upsc -l prints one UPS name per line once the server listens.
    let names: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (agent.exitCode !== null) assert.fail(`agent exited early (${agent.exitCode}):\n${a.output}`);
      const r = await run(UPSC, ['-l', target], { timeout: 5000 });
      names = r.stdout.split('\n').filter((l) => l.trim() !== '');
      if (r.code === 0 && names.length > 0) break;
      await sleep(200);
    }
    assert.deepEqual(names, [DEMO_UPS_NAME], `upsc -l ${target} should list the demo UPS; agent a.output:\n${a.output}`);
    const ups = DEMO_UPS_NAME;

    // Every variable, then one: the demo is driven, so its status is one of the loop's states (never WAIT for long).
    let status = '';
    while (Date.now() < deadline) {
      const r = await run(UPSC, [`${ups}@${target}`, 'ups.status'], { timeout: 5000 });
      status = r.stdout.trim();
      if (r.code === 0 && status !== '' && status !== 'WAIT') break;
      await sleep(200);
    }
    assert.match(status, /^(OL|OB)( LB)?$|^(OL|OB) /, `ups.status of ${ups}: ${JSON.stringify(status)}`);
    const all = await run(UPSC, [`${ups}@${target}`], { timeout: 5000 });
    assert.equal(all.code, 0, all.stderr);
    const vars = new Map(all.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    for (const v of ['ups.status', 'battery.charge', 'battery.runtime', 'ups.load', 'device.model']) assert.ok(vars.has(v), `upsc ${ups} lacks ${v}:\n${all.stdout}`);

    agent.kill('SIGTERM');
    const result = await Promise.race([exited, sleep(10_000).then(() => null)]);
    assert.ok(result, `agent did not exit within 10 s of SIGTERM:\n${a.output}`);
    assert.deepEqual(result, { code: 0, signal: null }, a.output);
    assert.doesNotMatch(a.output, SEA_NOISE);
  });

  void test('with a dummy file that is a FIFO nobody writes: the other UPS is served, the hung one is Driver not connected, clients stay connected, SIGTERM exits', async (t) => {
    const port = await freePort();
    const target = `127.0.0.1:${port}`;
    writeFileSync(join(scratch, 'good.dev'), 'ups.status: OL\nbattery.charge: 100\n');
    execFileSync('mkfifo', [join(scratch, 'silent.dev')]);
    writeFileSync(
      join(scratch, 'hung.yaml'),
      `ups:\n  good: { driver: dummy, port: good.dev }\n  silent: { driver: dummy, port: silent.dev, timeout: 1 }\nserver:\n  listen: ["${target}"]\n`,
    );
    const a = startBinary(t, ['run', '--config', join(scratch, 'hung.yaml')]);
    const { agent, exited } = a;
    let good: Run = { code: null, stdout: '', stderr: '' };
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (agent.exitCode !== null) assert.fail(`agent exited early (${agent.exitCode}):\n${a.output}`);
      good = await run(UPSC, [`good@${target}`, 'ups.status'], { timeout: 5000 });
      if (good.code === 0) break;
      await sleep(100);
    }
    assert.equal(good.stdout, 'OL\n', `${good.stderr}\n${a.output}`);
    // Several timed-out reads of the FIFO later (1 s deadline, 3 s to open, retries), clients are still answered.
    for (let i = 0; i < 4; i++) {
      const silent = await run(UPSC, [`silent@${target}`], { timeout: 5000 });
      assert.equal(silent.code, 1);
      assert.match(silent.stderr, /Driver not connected/);
      const again = await run(UPSC, [`good@${target}`, 'battery.charge'], { timeout: 5000 });
      assert.equal(again.stdout, '100\n', `${again.stderr}\n${a.output}`);
      await sleep(1000);
    }
    agent.kill('SIGTERM');
    const result = await Promise.race([exited, sleep(10_000).then(() => null)]);
    assert.deepEqual(result, { code: 0, signal: null }, a.output);
    assert.doesNotMatch(a.output, /Closing file descriptor|DEP0137/, 'no descriptor left to the garbage collector');
  });
  void test('the monitor inside the executable: OB LB on a local UPS runs the shutdown command; events, status and killpower check read what it left', async (t) => {
    const port = await freePort();
    const target = `127.0.0.1:${port}`;
    const dev = join(scratch, 'mon.dev');
    writeFileSync(dev, 'ups.status: OL\nbattery.charge: 100\n');
    const cfg = join(scratch, 'mon.yaml');
    writeFileSync(
      cfg,
      [
        'ups:',
        '  mon: { driver: dummy, port: mon.dev, pollInterval: 1 }',
        'server:',
        `  listen: ["${target}"]`,
        'monitor:',
        '  ups: [{ name: mon }]',
        '  finalDelay: 1',
        `  shutdownCommand: "touch ${join(scratch, 'mon.down')}"`,
        `  powerDownFlag: ${join(scratch, 'mon.killpower')}`,
        `  stateFile: ${join(scratch, 'mon-state.json')}`,
        '  notify: { routes: { ONBATT: [log], LOWBATT: [log], FSD: [log], SHUTDOWN: [log] } }',
        '',
      ].join('\n'),
    );
    const a = startBinary(t, ['run', '--config', cfg]);
    const { agent, exited } = a;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !/watching mon/.test(a.output)) await sleep(100);
    assert.match(a.output, /watching mon \(primary, power value 1\)/);
    const idle = await run(bin, ['killpower', 'check', '--config', cfg], { cwd: scratch, env });
    assert.equal(idle.code, 1, 'no flag before a power failure');
    writeFileSync(dev, 'ups.status: OB LB\nbattery.charge: 9\n');
    while (Date.now() < deadline && !existsSync(join(scratch, 'mon.down'))) await sleep(100);
    assert.ok(existsSync(join(scratch, 'mon.down')), `the shutdown command ran:\n${a.output}`);
    const upsc = await run(UPSC, [`mon@${target}`, 'ups.status'], { timeout: 5000 });
    assert.equal(upsc.stdout, 'FSD OB LB\n', 'the primary set FSD, as real upsc sees it');
    const check = await run(bin, ['killpower', 'check', '--config', cfg], { cwd: scratch, env });
    assert.equal(check.code, 0, check.stderr);
    const events = await run(bin, ['events', '--config', cfg, '--json'], { cwd: scratch, env });
    assert.equal(events.code, 0, events.stderr);
    const types = (JSON.parse(events.stdout) as { events: Array<{ type: string }> }).events.map((e) => e.type);
    assert.deepEqual(types, ['ONBATT', 'LOWBATT', 'FSD', 'SHUTDOWN']);
    const status = await run(bin, ['status', `@${target}`, '--config', cfg], { cwd: scratch, env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Monitor: 0 of at least 1 power supplies healthy/);
    agent.kill('SIGTERM');
    const result = await Promise.race([exited, sleep(10_000).then(() => null)]);
    assert.deepEqual(result, { code: 0, signal: null }, a.output);
  });
});
