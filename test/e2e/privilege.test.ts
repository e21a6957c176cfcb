/**
 * Privilege separation, end to end with the built executable started as
 * root (as systemd starts it; this suite runs as root here and in CI): once
 * its port and device are open the agent runs as a throwaway system account
 * made for this test, still reads its device and serves the real upsc, and
 * a power failure still gets the shutdown command run, and the power-down
 * flag written, as root by the privileged helper.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SDMAGIC } from '../../src/monitor/killpower';
import { UPSC, freePort } from '../helpers/real-nut';
import { addRoleAccount, binaryInScratch, removeRoleAccount } from '../helpers/role-account';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function upsc(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    // stdout only: NUT 2.8's upsc says "Init SSL without certificate database" on stderr.
    execFile(UPSC, args, { timeout: 5000, encoding: 'utf8' }, (err, stdout) => done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: stdout }));
  });
}

/** Uid/Gid lines of /proc/PID/status: real, effective, saved, filesystem. */
function ids(pid: number): { uid: number[]; gid: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const nums = (key: string) => (new RegExp(`^${key}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).map(Number);
  return { uid: nums('Uid'), gid: nums('Gid') };
}

/** The processes whose parent is `pid`. */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, output: () => string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what} did not happen in ${ms} ms; agent output:\n${output()}`);
    await sleep(100);
  }
}

void describe('privilege separation (dist/upsagent started as root)', () => {
  const user = `upsagent-e2e-${process.pid}`;
  let uid = -1;
  let gid = -1;
  let scratch: string;
  let bin: string;

  before(() => {
    assert.equal(process.getuid?.(), 0, 'this test starts the agent as root (as CI and test/run.sh run it)');
    if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
    ({ uid, gid } = addRoleAccount(user));
    // Root's folder, readable by all: the role account can read the device and config here but write nothing.
    ({ scratch, bin } = binaryInScratch(BUILT, '/tmp/upsagent-priv-'));
  });

  after(() => {
    removeRoleAccount(user);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  void test('runs as the role account, reads the device, serves upsc; the helper runs the shutdown and writes the flag as root', async (t) => {
    const port = await freePort();
    const dev = join(scratch, 'ups.dev');
    writeFileSync(dev, 'ups.status: OL\nbattery.charge: 100\nups.mfr: Before\n');
    chmodSync(dev, 0o644);
    const state = join(scratch, 'state');
    mkdirSync(state);
    chownSync(state, uid, gid);
    const ran = join(scratch, 'shutdown-ran');
    const flag = join(scratch, 'killpower');
    const cfg = join(scratch, 'upsagent.yaml');
    writeFileSync(
      cfg,
      [
        'ups:',
        '  testups:',
        '    driver: dummy',
        `    port: ${dev}`,
        'server:',
        `  listen: ["127.0.0.1:${port}"]`,
        'monitor:',
        '  ups: [{ name: testups, role: primary }]',
        '  finalDelay: 0',
        '  hostSync: 0',
        '  shutdownExit: -1',
        // Harmless: records who ran it. The file's owner tells the rest.
        `  shutdownCommand: "id -u > ${ran}"`,
        `  powerDownFlag: ${flag}`,
        `  stateFile: ${join(state, 'monitor.json')}`,
        '  notify: { routes: { ONBATT: [log], LOWBATT: [log], FSD: [log], SHUTDOWN: [log], ONLINE: [log], COMMOK: [log], COMMBAD: [log] } }',
        '',
      ].join('\n'),
    );
    chmodSync(cfg, 0o644);

    const agent: ChildProcess = spawn(bin, ['run', '-c', cfg, '--user', user], { cwd: scratch, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    agent.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => agent.once('exit', () => r()));
    t.after(async () => {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
      await exited;
    });
    const out = () => output;
    const pid = agent.pid!;

    await until('the drop', () => (output.includes(`running as ${user}`) ? true : undefined), out);
    const mine = ids(pid);
    assert.deepEqual(mine.uid, [uid, uid, uid, uid], 'real, effective, saved and filesystem uid are the role account');
    assert.deepEqual(mine.gid, [gid, gid, gid, gid]);
    const helpers = children(pid).filter((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('privileged-helper'));
    assert.equal(helpers.length, 1, `one privileged helper child; children: ${children(pid).join(', ')}`);
    const helper = helpers[0]!;
    assert.deepEqual(ids(helper).uid, [0, 0, 0, 0], 'the helper stays root');

    // The real upsc, and a change to the device file read after the drop.
    const mfr = await until('upsc', async () => {
      const r = await upsc([`testups@127.0.0.1:${port}`, 'ups.mfr']);
      return r.code === 0 ? r.out.trim() : undefined;
    }, out);
    assert.equal(mfr, 'Before');
    writeFileSync(dev, 'ups.status: OL\nbattery.charge: 100\nups.mfr: After\n');
    await until('the re-read device file', async () => ((await upsc([`testups@127.0.0.1:${port}`, 'ups.mfr'])).out.trim() === 'After' ? true : undefined), out);
    assert.equal((await upsc(['-l', `127.0.0.1:${port}`])).out.trim(), 'testups');

    // The role account could not have written these itself: the folder is root's.
    const probe = spawnSync('runuser', ['-u', user, '--', 'touch', join(scratch, 'probe')]);
    assert.notEqual(probe.status, 0, 'the role account cannot write in the scratch folder');
    assert.equal(existsSync(flag), false);

    // Power fails: OB LB on the only supply, so the primary shuts down.
    writeFileSync(dev, 'ups.status: OB LB\nbattery.charge: 5\nups.mfr: After\n');
    await until('the shutdown command', () => (existsSync(ran) && readFileSync(ran, 'utf8').endsWith('\n') ? true : undefined), out);
    assert.equal(readFileSync(ran, 'utf8').trim(), '0', 'the shutdown command ran as uid 0');
    assert.equal(statSync(ran).uid, 0, 'the file it wrote is root\'s');
    assert.equal(readFileSync(flag, 'latin1'), SDMAGIC, 'the power-down flag holds upsmon\'s magic');
    assert.equal(statSync(flag).uid, 0);
    assert.deepEqual(ids(pid).uid, [uid, uid, uid, uid], 'the agent itself is still the role account');
    assert.match(output, /privileged-helper\] running the shutdown command as root/);

    agent.kill('SIGTERM');
    await exited;
    assert.throws(() => process.kill(helper, 0), /ESRCH/, 'the helper ends with the agent');
  });
});
