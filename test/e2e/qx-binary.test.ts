/**
 * End to end: the built single executable drives a Megatec UPS (our
 * simulator on a pty) with `driver: qx` — the serial addon and the qx
 * driver from inside the executable — and the real NUT upsc and upscmd
 * read and command it: values online and on battery, a command's bytes.
 *
 * Skipped when dist/upsagent is not built (test/run.sh builds first), or
 * socat / the real upsc are missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { socatAvailable, startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { ON_BATTERY, Q1Simulator } from '../helpers/q1-simulator';
import { UPSC, UPSCMD, freePort } from '../helpers/real-nut';

const BUILT = resolve(__dirname, '../../dist/upsagent');
const skip = !existsSync(BUILT) ? 'dist/upsagent is not built (npm run build)' : !socatAvailable() || !existsSync(UPSC) ? 'socat or the real upsc is not installed' : false;

function run(file: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: stdout, err: stderr }));
  });
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('dist/upsagent with driver qx on a pty', { skip, timeout: 60_000 }, () => {
  let scratch: string;
  let pty: PtyPair;
  let sim: Q1Simulator;
  let agent: ChildProcess;
  let port: number;
  let output = '';
  const at = (): string => `megatec@127.0.0.1:${port}`;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'upsagent-qx-e2e-'));
    const bin = join(scratch, 'upsagent');
    copyFileSync(BUILT, bin);
    pty = await startPtyPair();
    sim = new Q1Simulator(pty.peer);
    await sim.start();
    port = await freePort();
    const cfg = join(scratch, 'qx.yaml');
    writeFileSync(
      cfg,
      [
        'ups:',
        '  megatec:',
        '    driver: qx',
        `    port: ${pty.device}`,
        '    pollInterval: 1',
        '    pollfreq: 2',
        'server:',
        `  listen: ["127.0.0.1:${port}"]`,
        'users:',
        '  admin:',
        '    password: sekret',
        '    instcmds: [all]',
        '',
      ].join('\n'),
    );
    agent = spawn(bin, ['run', '--config', cfg], { cwd: scratch, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: scratch, LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    agent.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const end = Date.now() + 20_000;
    while ((await run(UPSC, [at(), 'ups.status'])).out.trim() !== 'OL') {
      if (Date.now() > end) throw new Error(`no OL from the executable within 20 s:\n${output}`);
      await sleep(200);
    }
  });

  after(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await sim?.stop();
    await pty?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('the real upsc reads the Megatec values; on battery follows', async () => {
    const r = await run(UPSC, [at()]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^driver\.version\.data: Megatec 0\.10$/m);
    assert.match(r.out, /^input\.voltage: 229\.8$/m);
    assert.match(r.out, /^device\.model: Q1-1000$/m);
    assert.match(r.out, /^battery\.charge: 100$/m);
    sim.set(ON_BATTERY);
    const end = Date.now() + 10_000;
    while ((await run(UPSC, [at(), 'ups.status'])).out.trim() !== 'OB') {
      if (Date.now() > end) assert.fail(`not OB within 10 s:\n${output}`);
      await sleep(200);
    }
  });

  test('the real upscmd: test.battery.start.quick puts T\\r on the wire', async () => {
    const before = sim.actions().length;
    const r = await run(UPSCMD, ['-u', 'admin', '-p', 'sekret', at(), 'test.battery.start.quick']);
    assert.equal(r.code, 0, r.err + r.out);
    assert.deepEqual(sim.actions().slice(before), ['T\r']);
  });
});
