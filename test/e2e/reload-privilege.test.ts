/**
 * Reload after the drop to the role account, with the built executable
 * (dist/upsagent) started as root with --user: the agent re-reads its file as
 * that account, starts the new UPS's driver, keeps its clients, and says that
 * the new listen port below 1024 needs a restart (it no longer may bind it);
 * the outcome reaches `upsagent reload` through the file the agent opened
 * while it was root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { runFile, type Run } from '../helpers/binary-run';
import { UPSC, freePort } from '../helpers/real-nut';
import { addRoleAccount, binaryInScratch, removeRoleAccount } from '../helpers/role-account';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function run(file: string, args: string[]): Promise<Run> {
  return runFile(file, args, {}, 30_000);
}

function uidOf(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]);
}

const user = `upsagent-rl-${process.pid}`;
let uid = -1;
let scratch: string;
let bin: string;
let agent: ChildProcess | undefined;
let output = '';

before(() => {
  assert.equal(process.getuid?.(), 0, 'this test starts the agent as root (as CI and test/run.sh run it)');
  if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
  ({ uid } = addRoleAccount(user));
  // Root's folder, readable by all: the account reads the devices and the file here, and can write nothing.
  ({ scratch, bin } = binaryInScratch(BUILT, '/tmp/upsagent-reload-priv-'));
});

after(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    agent.kill('SIGKILL');
    await new Promise((r) => agent!.once('exit', r));
  }
  removeRoleAccount(user);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`${what} did not happen in ${ms} ms; agent output:\n${output}`);
    await sleep(100);
  }
}

function ask(sock: Socket, req: string): Promise<string> {
  return new Promise((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error(`no reply to ${req}`)), 5000);
    const on = (d: Buffer): void => {
      buf += d.toString();
      if (!buf.includes('\n')) return;
      clearTimeout(t);
      sock.off('data', on);
      res(buf.slice(0, buf.indexOf('\n')));
    };
    sock.on('data', on);
    sock.write(`${req}\n`);
  });
}

test('after the drop: a UPS added, its client kept, a port below 1024 said to need a restart', async () => {
  const port = await freePort();
  for (const n of ['a', 'b']) {
    writeFileSync(join(scratch, `${n}.dev`), `ups.status: OL\nbattery.charge: ${n === 'a' ? 100 : 55}\n`);
    chmodSync(join(scratch, `${n}.dev`), 0o644);
  }
  const cfg = join(scratch, 'upsagent.yaml');
  const pidFile = join(scratch, 'agent.pid');
  const write = (ups: string[], listen: string[]): void => {
    writeFileSync(cfg, ['ups:', ...ups.map((u) => `  ${u}: { driver: dummy, port: ${join(scratch, `${u}.dev`)} }`), `server: { listen: [${listen.map((l) => `"${l}"`).join(', ')}] }`, ''].join('\n'));
    chmodSync(cfg, 0o644);
  };
  write(['a'], [`127.0.0.1:${port}`]);
  agent = spawn(bin, ['run', '-c', cfg, '--user', user, '--pid-file', pidFile], { cwd: scratch, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  agent.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const pid = agent.pid!;
  await until('the drop', () => (output.includes(`running as ${user}`) ? true : undefined));
  assert.equal(uidOf(pid), uid);
  const sock = await until('a served', () => new Promise<Socket | undefined>((res) => {
    const s = connect({ host: '127.0.0.1', port }, () => res(s));
    s.once('error', () => res(undefined));
  }));
  try {
    await until('a read', async () => ((await ask(sock, 'GET VAR a battery.charge')) === 'VAR a battery.charge "100"' ? true : undefined));

    write(['a', 'b'], [`127.0.0.1:${port}`, '127.0.0.1:999']);
    const r = await run(bin, ['reload', '-c', cfg, '--pid-file', pidFile]);
    // The port could not be bound: a part failed, so non-zero; the rest applied.
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}\n${output}`);
    assert.match(r.stdout, /UPS added: b/);
    assert.match(r.stderr, /needs a restart: server\.listen 127\.0\.0\.1:999: a port below 1024 needs root/);
    assert.match(r.stderr, /failed: server\.listen 127\.0\.0\.1:999: .*EACCES/);
    assert.match(output, /reload: server\.listen 127\.0\.0\.1:999: a port below 1024 needs root/);
    // Still the account, still serving a on the same connection, and b is read by a driver started as the account.
    assert.equal(uidOf(pid), uid);
    assert.equal(await ask(sock, 'GET VAR a battery.charge'), 'VAR a battery.charge "100"');
    const b = await until('b served', async () => {
      const x = await run(UPSC, [`b@127.0.0.1:${port}`, 'battery.charge']);
      return x.code === 0 ? x.stdout.trim() : undefined;
    });
    assert.equal(b, '55');
  } finally {
    sock.destroy();
  }
});
