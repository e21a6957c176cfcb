/**
 * End to end, the ARM builds: dist/upsagent-linux-arm64 and dist/upsagent-linux-armv7l
 * (`npm run build -- --target linux-arm64|linux-armv7l`) run under qemu-user (Debian's
 * qemu-user-static, with the arm64 / armhf C and C++ runtimes and libudev/libusb that
 * test/run.sh installs): each is an ELF for its CPU, answers --version, loads its three
 * prebuilt ARM addons from inside itself (doctor), and serves the demo UPS to the REAL
 * NUT upsc (an x86 program talking to the emulated server over loopback).
 *
 * test/run.sh builds both after the host binary; a binary that is missing here is built
 * first, and one that cannot be built fails the test (never a skip). qemu is called
 * explicitly rather than through binfmt_misc, which containers often lack.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VERSION } from '../../src/cli/version';
import { DEMO_UPS_NAME } from '../../src/drivers/dummy/demo';
import { assertAddonsFromExecutable, runFile, SEA_NOISE, type Run, type RunOptions } from '../helpers/binary-run';
import { UPSC, freePort } from '../helpers/real-nut';

const ROOT = resolve(__dirname, '../..');

interface ArmTarget {
  target: 'linux-arm64' | 'linux-armv7l';
  qemu: string;
  /** The dynamic loader the Node base binary asks for; Debian's libc6:arm64 / libc6:armhf put it there. */
  loader: string;
  /** ELF class (1 = 32-bit, 2 = 64-bit) and e_machine (183 = AArch64, 40 = ARM). */
  elfClass: number;
  machine: number;
}

const TARGETS: ArmTarget[] = [
  { target: 'linux-arm64', qemu: '/usr/bin/qemu-aarch64-static', loader: '/lib/ld-linux-aarch64.so.1', elfClass: 2, machine: 183 },
  { target: 'linux-armv7l', qemu: '/usr/bin/qemu-arm-static', loader: '/lib/ld-linux-armhf.so.3', elfClass: 1, machine: 40 },
];

/** Under emulation everything is 5-20x slower than native; these leave room for a slow CI machine. */
const COMMAND_TIMEOUT = 60_000;
const READY_TIMEOUT = 90_000;
const BUILD_TIMEOUT = 170_000;

function run(file: string, args: string[], opts: RunOptions = {}): Promise<Run> {
  return runFile(file, args, opts, COMMAND_TIMEOUT);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function elfHeader(file: string): { elfClass: number; machine: number } {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(20);
    readSync(fd, b, 0, 20, 0);
    assert.equal(b.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is not an ELF file`);
    return { elfClass: b[4]!, machine: b.readUInt16LE(18) };
  } finally {
    closeSync(fd);
  }
}

for (const t of TARGETS) {
  const built = join(ROOT, 'dist', `upsagent-${t.target}`);

  void describe(`dist/upsagent-${t.target} under ${t.qemu.split('/').pop()}`, () => {
    let scratch: string;
    let env: NodeJS.ProcessEnv;
    /** The executable under qemu-user: qemu's path first, then the binary and its arguments. */
    const arm = (args: string[]) => [built, ...args];

    before(() => {
      for (const f of [t.qemu, t.loader]) assert.ok(existsSync(f), `${f} is missing: test/run.sh installs qemu-user-static and the arm64/armhf runtime libraries`);
      if (!existsSync(built)) {
        try {
          execFileSync(process.execPath, [join(ROOT, 'build/build.mjs'), '--no-typecheck', '--target', t.target], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: BUILD_TIMEOUT });
        } catch (err) {
          const e = err as { stdout?: Buffer; stderr?: Buffer };
          throw new Error(`dist/upsagent-${t.target} is missing and \`npm run build -- --target ${t.target}\` failed:\n${String(e.stdout ?? '')}${String(e.stderr ?? '')}`);
        }
      }
      assert.ok(existsSync(built), `dist/upsagent-${t.target} was not built`);
      scratch = mkdtempSync(join(tmpdir(), `upsagent-${t.target}-`));
      // A machine without Node: no NODE_* variables; the addons' cache goes to the scratch folder (non-root) or /var/cache (root).
      env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: scratch, XDG_CACHE_HOME: join(scratch, '.cache'), LANG: 'C' };
    });

    after(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    void test(`is an ELF executable for ${t.target === 'linux-arm64' ? 'AArch64' : '32-bit ARM'}`, () => {
      assert.deepEqual(elfHeader(built), { elfClass: t.elfClass, machine: t.machine });
    });

    void test('--version prints the package version and nothing on stderr', async () => {
      const r = await run(t.qemu, arm(['--version']), { cwd: scratch, env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), VERSION, `dist/upsagent-${t.target} is stale: run \`npm run build -- --target ${t.target}\``);
      assert.equal(r.stderr, '');
    });

    void test('doctor loads the prebuilt ARM serialport, node-hid and usb addons from inside the executable', async () => {
      const r = await run(t.qemu, arm(['doctor']), { cwd: scratch, env });
      assert.equal(r.code, 0, `doctor failed:\n${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, SEA_NOISE);
      assertAddonsFromExecutable(r.stdout, /^warn\s+usb\s+loaded, but listing failed: /);
    });

    void test('run --demo serves the demo UPS to the real upsc and stops cleanly on SIGTERM', async (tt) => {
      const port = await freePort();
      const target = `127.0.0.1:${port}`;
      const agent: ChildProcess = spawn(t.qemu, arm(['run', '--demo', '--listen', target]), { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      agent.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      agent.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => agent.once('exit', (code, signal) => r({ code, signal })));
      tt.after(() => {
        if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
      });

      // The real upsc -l prints one UPS name per line once the emulated server listens.
      let names: string[] = [];
      const deadline = Date.now() + READY_TIMEOUT;
      while (Date.now() < deadline) {
        if (agent.exitCode !== null) assert.fail(`agent exited early (${agent.exitCode}):\n${output}`);
        const r = await run(UPSC, ['-l', target], { timeout: 10_000 });
        names = r.stdout.split('\n').filter((l) => l.trim() !== '');
        if (r.code === 0 && names.length > 0) break;
        await sleep(250);
      }
      assert.deepEqual(names, [DEMO_UPS_NAME], `upsc -l ${target} should list the demo UPS; agent output:\n${output}`);

      // The demo starts on mains (OL) and then loops through its states; any of them is its driver's data.
      let status = '';
      while (Date.now() < deadline) {
        const r = await run(UPSC, [`${DEMO_UPS_NAME}@${target}`, 'ups.status'], { timeout: 10_000 });
        status = r.stdout.trim();
        if (r.code === 0 && status !== '' && status !== 'WAIT') break;
        await sleep(250);
      }
      assert.match(status, /^(OL|OB)( |$)/, `ups.status of ${DEMO_UPS_NAME}: ${JSON.stringify(status)}\n${output}`);
      const all = await run(UPSC, [`${DEMO_UPS_NAME}@${target}`], { timeout: 10_000 });
      assert.equal(all.code, 0, all.stderr);
      const vars = new Map(all.stdout.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      for (const v of ['ups.status', 'battery.charge', 'battery.runtime', 'ups.load', 'device.model']) assert.ok(vars.has(v), `upsc ${DEMO_UPS_NAME} lacks ${v}:\n${all.stdout}`);
      assert.match(vars.get('battery.charge') ?? '', /^\d+(\.\d+)?$/);

      agent.kill('SIGTERM');
      // A cleared timer: a pending one would keep the test process alive for its whole 30 s.
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), 30_000)))]);
      clearTimeout(timer);
      assert.ok(result, `agent did not exit within 30 s of SIGTERM:\n${output}`);
      assert.deepEqual(result, { code: 0, signal: null }, output);
      assert.doesNotMatch(output, SEA_NOISE);
    });
  });
}
