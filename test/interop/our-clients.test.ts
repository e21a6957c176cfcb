/**
 * Our upsc, upsrw and upscmd against the REAL upsd + dummy-ups (NUT 2.8.0),
 * side by side with the real /usr/bin/upsc, upsrw and upscmd: for the same
 * arguments both must print the same stdout and stderr and exit with the
 * same code. Then `upsagent status` against the same real server.
 *
 * The one difference allowed: Debian's upsc (built with NSS) prints
 * "Init SSL without certificate database" on stderr; ours has no such
 * library message, so that line is dropped from the real tool's stderr.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { MemoryIO, type CliIO } from '../../src/cli/io';
import { runUpsc } from '../../src/cli/commands/upsc';
import { runUpsrw } from '../../src/cli/commands/upsrw';
import { runUpscmd } from '../../src/cli/commands/upscmd';
import { runStatus } from '../../src/cli/commands/status';
import { freePort, startRealNut, UPSC, UPSCMD, UPSRW, type RealNut } from '../helpers/real-nut';

const FIXTURE = resolve(__dirname, '../fixtures/interop/basic.dev');

type Tool = 'upsc' | 'upsrw' | 'upscmd';
const OURS: Record<Tool, (args: string[], io: CliIO) => Promise<number>> = { upsc: runUpsc, upsrw: runUpsrw, upscmd: runUpscmd };
const REAL: Record<Tool, string> = { upsc: UPSC, upsrw: UPSRW, upscmd: UPSCMD };

interface Outcome {
  stdout: string;
  stderr: string;
  code: number;
}

function runReal(tool: Tool, args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    const child = execFile(REAL[tool], args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const kept = String(stderr)
        .split('\n')
        .filter((l) => l !== 'Init SSL without certificate database')
        .join('\n');
      done({ stdout: String(stdout), stderr: kept, code });
    });
    // No terminal: a real tool that wanted to prompt would read EOF.
    child.stdin?.end();
  });
}

async function runOurs(tool: Tool, args: string[]): Promise<Outcome> {
  const io = new MemoryIO();
  const code = await OURS[tool](args, io);
  return { stdout: io.stdout, stderr: io.stderr, code };
}

/** Runs both with the same arguments and asserts the same bytes and exit code; returns ours. */
async function same(tool: Tool, args: string[]): Promise<Outcome> {
  const real = await runReal(tool, args);
  const ours = await runOurs(tool, args);
  assert.deepEqual(ours, real, `${tool} ${args.join(' ')}`);
  return ours;
}

/** dummy-ups applies a SET a moment after upsd said OK: read (bounded) until `ok` accepts the value. */
async function readUntil(nut: RealNut, ups: string, name: string, ok: (value: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  let got = '';
  while (Date.now() < deadline) {
    got = (await runReal('upsc', [`${ups}@${nut.host}:${nut.port}`, name])).stdout.replace(/\n$/, '');
    if (ok(got)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}

void describe('our upsc/upsrw/upscmd vs the real ones, against real upsd + dummy-ups', () => {
  let nut: RealNut;
  let H: string;
  let deadPort: number;

  before(async () => {
    nut = await startRealNut({
      devices: {
        ups1: { file: FIXTURE, desc: 'First UPS' },
        ups2: { file: FIXTURE },
      },
      users: {
        admin: { password: 'adm1n', actions: ['SET'], instcmds: ['ALL'] },
        viewer: { password: 'v1ew' },
        cmdonly: { password: 'c0md', instcmds: ['load.off'] },
      },
    });
    H = `${nut.host}:${nut.port}`;
    deadPort = await freePort();
  });
  after(async () => {
    await nut?.stop();
  });

  void test('upsc: every form that reads', async () => {
    const all = await same('upsc', [`ups1@${H}`]);
    assert.match(all.stdout, /^battery\.charge: 87\n/);
    assert.match(all.stdout, /\nups\.status: OL CHRG\n/);
    await same('upsc', [`ups1@${H}`, 'ups.status']);
    await same('upsc', [`UPS1@${H}`, 'battery.runtime']);
    await same('upsc', ['-l', H]);
    await same('upsc', ['-L', H]);
    await same('upsc', ['-c', `ups1@${H}`]);
    await same('upsc', ['--', `ups2@[${nut.host}]:${nut.port}`, 'ups.load']);
    await same('upsc', ['-lc', H]);
  });

  void test('upsc: errors scripts grep for', async () => {
    const unknown = await same('upsc', [`nope@${H}`]);
    assert.equal(unknown.stderr, 'Error: Unknown UPS\n');
    assert.equal(unknown.code, 1);
    await same('upsc', [`nope@${H}`, 'ups.status']);
    const unknownVar = await same('upsc', [`ups1@${H}`, 'no.such.var']);
    assert.equal(unknownVar.stderr, 'Error: Variable not supported by UPS\n');
    await same('upsc', [`ups1@${H}`, 'oldname']);
    await same('upsc', [`ups1@${H}`, '-l']);
    await same('upsc', ['-c', `nope@${H}`]);
    await same('upsc', [`@${H}`]);
  });

  void test('upsc: bad arguments and unreachable servers', async () => {
    await same('upsc', []);
    await same('upsc', ['']);
    await same('upsc', [`ups1@${nut.host}:`]);
    await same('upsc', [`ups1@${nut.host}:abc`]);
    await same('upsc', [`ups1@${nut.host}:70000`]);
    await same('upsc', ['-l', `[${nut.host}`]);
    await same('upsc', ['-l', '']);
    const refused = await same('upsc', [`ups1@${nut.host}:${deadPort}`]);
    assert.equal(refused.stderr, 'Error: Connection failure: Connection refused\n');
    await same('upsc', ['-L', `${nut.host}:${deadPort}`]);
    // A host that does not resolve, without asking DNS (tests stay on loopback): a name with an
    // empty label is not in /etc/hosts and cannot be put into a DNS query, so glibc's getaddrinfo
    // (the real upsc's and Node's) answers EAI_NONAME before any packet (checked with strace: no
    // connect to port 53). Both tools must then say NUT's "No such host".
    const noHost = await same('upsc', ['ups1@no..such..host']);
    assert.equal(noHost.stderr, 'Error: No such host\n');
    assert.equal(noHost.code, 1);
  });

  void test('upsrw: listing the writable variables', async () => {
    const list = await same('upsrw', [`ups1@${H}`]);
    assert.match(list.stdout, /\[ups\.load\]\nLoad on UPS \(percent of full\)\nType: NUMBER\nValue: \d+\n/);
    await same('upsrw', ['-l', `ups2@${H}`]);
    await same('upsrw', ['-s', 'ups.load=5', '-l', `ups2@${H}`]);
    await same('upsrw', [`nope@${H}`]);
    await same('upsrw', [`ups1@${nut.host}:${deadPort}`]);
    await same('upsrw', ['']);
    await same('upsrw', ['-t', 'abc', `ups1@${H}`]);
    await same('upsrw', ['-t', '99999999999', `ups1@${H}`]);
  });

  void test('upsrw: set a value and read it back, ours then the real one', async () => {
    const ours = await runOurs('upsrw', ['-s', 'ups.load=61', '-u', 'admin', '-p', 'adm1n', `ups1@${H}`]);
    assert.equal(await readUntil(nut, 'ups1', 'ups.load', (v) => v === '61'), '61');
    const real = await runReal('upsrw', ['-s', 'ups.load=62', '-u', 'admin', '-p', 'adm1n', `ups1@${H}`]);
    assert.equal(await readUntil(nut, 'ups1', 'ups.load', (v) => v === '62'), '62');
    assert.deepEqual(ours, real);
    assert.deepEqual(ours, { stdout: '', stderr: 'OK\n', code: 0 });
    // Both read the value the other one wrote.
    await same('upsc', [`ups1@${H}`, 'ups.load']);

    // A value with spaces, quotes and a backslash: whatever upsd and dummy-ups
    // make of it, they must make the same of ours as of the real upsrw's.
    const model = 'Rack "A" \\ 2';
    const set = (tool: 'ours' | 'real', value: string) =>
      (tool === 'ours' ? runOurs : runReal)('upsrw', ['-s', `ups.model=${value}`, '-u', 'admin', '-p', 'adm1n', `ups2@${H}`]);
    await set('ours', model);
    const viaOurs = await readUntil(nut, 'ups2', 'ups.model', (v) => v !== 'Dummy UPS');
    await set('real', 'Dummy UPS');
    assert.equal(await readUntil(nut, 'ups2', 'ups.model', (v) => v === 'Dummy UPS'), 'Dummy UPS');
    await set('real', model);
    const viaReal = await readUntil(nut, 'ups2', 'ups.model', (v) => v !== 'Dummy UPS');
    assert.equal(viaOurs, viaReal);
  });

  void test('upsrw: refusals', async () => {
    const denied = await same('upsrw', ['-s', 'ups.load=50', '-u', 'viewer', '-p', 'v1ew', `ups1@${H}`]);
    assert.equal(denied.stderr, 'Unexpected response from upsd: ERR ACCESS-DENIED\n');
    const badPassword = await same('upsrw', ['-s', 'ups.load=50', '-u', 'admin', '-p', 'wrong', `ups1@${H}`]);
    assert.equal(badPassword.stderr, 'Unexpected response from upsd: ERR ACCESS-DENIED\n');
    await same('upsrw', ['-s', 'ups.load=50', '-u', 'nobody', '-p', 'x', `ups1@${H}`]);
    await same('upsrw', ['-s', 'ups.load=50', '-u', 'admin', '-p', '', `ups1@${H}`]);
    const unknownVar = await same('upsrw', ['-s', 'no.such.var=5', '-u', 'admin', '-p', 'adm1n', `ups1@${H}`]);
    assert.equal(unknownVar.stderr, 'Unexpected response from upsd: ERR VAR-NOT-SUPPORTED\n');
    await same('upsrw', ['-s', 'driver.name=x', '-u', 'admin', '-p', 'adm1n', `ups1@${H}`]);
    await same('upsrw', ['-s', `ups.mfr=${'x'.repeat(40)}`, '-u', 'admin', '-p', 'adm1n', `ups1@${H}`]);
    await same('upsrw', ['-s', 'load=5', '-u', 'admin', '-p', 'adm1n', `ups1@${H}`]);
    await same('upsrw', ['-s', 'ups.load=5', '-u', 'admin', '-p', 'adm1n', `nope@${H}`]);
    await same('upsrw', ['-w', '-s', 'ups.load=5', '-u', 'admin', '-p', 'adm1n', `nope@${H}`]);
  });

  void test('upsrw -w: the tracked result', async () => {
    const ours = await runOurs('upsrw', ['-w', '-s', 'ups.delay.shutdown=30', '-u', 'admin', '-p', 'adm1n', `ups2@${H}`]);
    const real = await runReal('upsrw', ['-w', '-s', 'ups.delay.shutdown=31', '-u', 'admin', '-p', 'adm1n', `ups2@${H}`]);
    assert.deepEqual(ours, real);
  });

  void test('upscmd: listing and running instant commands', async () => {
    const list = await same('upscmd', ['-l', `ups1@${H}`]);
    assert.match(list.stdout, /^Instant commands supported on UPS \[ups1\]:\n\nload\.off - /);
    await same('upscmd', ['-l', `nope@${H}`]);
    await same('upscmd', ['-l', `ups1@${nut.host}:${deadPort}`]);
    const ok = await same('upscmd', ['-u', 'admin', '-p', 'adm1n', `ups1@${H}`, 'load.off']);
    assert.deepEqual(ok, { stdout: '', stderr: 'OK\n', code: 0 });
    await same('upscmd', ['-u', 'admin', '-p', 'adm1n', `ups1@${H}`, 'load.off', '5']);
    await same('upscmd', ['-u', 'cmdonly', '-p', 'c0md', `ups1@${H}`, 'load.off']);
    await same('upscmd', ['-w', '-u', 'admin', '-p', 'adm1n', `ups1@${H}`, 'load.off']);
  });

  void test('upscmd: refusals', async () => {
    const unknownCmd = await same('upscmd', ['-u', 'admin', '-p', 'adm1n', `ups1@${H}`, 'no.such.cmd']);
    assert.equal(unknownCmd.stderr, 'Unexpected response from upsd: ERR CMD-NOT-SUPPORTED\n');
    const denied = await same('upscmd', ['-u', 'viewer', '-p', 'v1ew', `ups1@${H}`, 'load.off']);
    assert.equal(denied.stderr, 'Unexpected response from upsd: ERR ACCESS-DENIED\n');
    await same('upscmd', ['-u', 'admin', '-p', 'wrong', `ups1@${H}`, 'load.off']);
    await same('upscmd', ['-u', 'cmdonly', '-p', 'c0md', `ups1@${H}`, 'load.on']);
    await same('upscmd', ['-u', 'admin', '-p', '', `ups1@${H}`, 'load.off']);
    await same('upscmd', ['-u', 'admin', '-p', 'adm1n', `nope@${H}`, 'load.off']);
    await same('upscmd', ['-u', 'admin', '-p', 'adm1n', `ups1@${H}`, 'oldcmd']);
    await same('upscmd', ['-t', '5x', `ups1@${H}`, 'load.off']);
    await same('upscmd', ['-l', '']);
  });

  void test('status against the real upsd', async () => {
    const text = new MemoryIO();
    assert.equal(await runStatus({ target: `@${H}`, json: false }, text), 0);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^UPS\s+STATE\s+CHARGE\s+RUNTIME\s+LOAD\s+INPUT\s+MODEL$/);
    assert.match(lines[1]!, /^ups1\s+On line power, charging \[OL CHRG\]\s+87 %\s+25 min 30 s\s+\d+ %\s+229\.8 V\s+Dummy Manufacturer /);
    assert.match(lines[2]!, /^ups2\s+On line power, charging \[OL CHRG\]/);

    const json = new MemoryIO();
    assert.equal(await runStatus({ target: `ups1@${H}`, json: true }, json), 0);
    const doc = JSON.parse(json.stdout) as { error: unknown; upses: Array<Record<string, unknown>> };
    assert.equal(doc.error, null);
    assert.equal(doc.upses.length, 1);
    const u = doc.upses[0]!;
    assert.equal(u.name, 'ups1');
    assert.equal(u.description, 'First UPS');
    assert.equal(u.available, true);
    assert.equal(u.stale, false);
    assert.deepEqual(u.status, { raw: 'OL CHRG', flags: ['OL', 'CHRG'], text: 'On line power, charging' });
    assert.deepEqual(u.battery, { chargePercent: 87, runtimeSeconds: 1530 });
    assert.equal(u.inputVoltage, 229.8);

    const unknown = new MemoryIO();
    assert.equal(await runStatus({ target: `nope@${H}`, json: false }, unknown), 1);
    assert.equal(unknown.stderr, 'Error: Unknown UPS\n');
    const dead = new MemoryIO();
    assert.equal(await runStatus({ target: `@${nut.host}:${deadPort}`, json: false }, dead), 1);
  });
});
