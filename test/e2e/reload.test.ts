/**
 * Reload end to end: a real `upsagent run` (the sources under tsx) serving
 * dummy UPSes, real NUT clients (upsc, and raw NUT sessions on TCP sockets
 * kept open the whole time), and `upsagent reload` / SIGHUP.
 *
 * - a broken file changes nothing: the CLI refuses it without signalling
 *   and prints every problem; a SIGHUP sent anyway is refused by the agent,
 *   which logs every problem with the file's path and keeps serving;
 * - a good file: an added UPS appears in LIST UPS, a removed one disappears
 *   (its client gets ERR UNKNOWN-UPS, on the same connection), a changed
 *   one gets a new driver whose data its still-connected client reads, and
 *   the client logged in to the UPS that did not change keeps its socket
 *   and its login (NUMLOGINS stays 1) even though the users changed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UPSC, freePort } from '../helpers/real-nut';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const BASIC = join(ROOT, 'test/fixtures/dummy/basic.dev');

let dir: string;
let cfg: string;
let pidFile: string;
let port: number;
let agent: ChildProcess;
let output = '';

function configText(o: { ups: Record<string, string>; password: string; extra?: string }): string {
  return [
    'ups:',
    ...Object.entries(o.ups).map(([name, file]) => `  ${name}: { driver: dummy, port: ${file}, pollInterval: 0.5 }`),
    `server: { listen: ["127.0.0.1:${port}"] }`,
    'users:',
    `  mon: { password: ${o.password}, upsmon: primary, actions: [set] }`,
    'run: { user: root }',
    o.extra ?? '',
    '',
  ].join('\n');
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

function upsc(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(UPSC, args, { timeout: 10_000, encoding: 'utf8' }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

/** A NUT session on one TCP connection: one request, one reply line. */
class Session {
  private buf = '';
  private waiters: Array<(line: string) => void> = [];
  closed = false;
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.waiters.shift()?.(line);
      }
    });
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => undefined);
  }
  static open(): Promise<Session> {
    return new Promise((res, rej) => {
      const s = connect({ host: '127.0.0.1', port }, () => res(new Session(s)));
      s.once('error', rej);
    });
  }
  ask(line: string): Promise<string> {
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no reply to ${line} (closed: ${this.closed})`)), 5000);
      this.waiters.push((l) => {
        clearTimeout(t);
        res(l);
      });
      this.sock.write(`${line}\n`);
    });
  }
  end(): void {
    this.sock.destroy();
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nagent output:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function listUps(): Promise<string[]> {
  const r = await upsc(['-l', `127.0.0.1:${port}`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

const sessions: Session[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upsagent-reload-'));
  cfg = join(dir, 'upsagent.yaml');
  pidFile = join(dir, 'agent.pid');
  for (const n of ['a', 'b', 'c', 'd']) copyFileSync(BASIC, join(dir, `${n}.dev`));
  // b's new file: what its new driver reads after the reload.
  writeFileSync(join(dir, 'b2.dev'), readFileSync(BASIC, 'utf8').replace('battery.charge: 100', 'battery.charge: 42'));
  port = await freePort();
  writeFileSync(cfg, configText({ ups: { a: 'a.dev', b: 'b.dev', d: 'd.dev' }, password: 'first-pw' }));
  agent = spawn(process.execPath, ['--import', TSX, MAIN, 'run', '--config', cfg, '--pid-file', pidFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  agent.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  agent.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  await until('a, b and d served', async () => {
    const r = await upsc([`d@127.0.0.1:${port}`, 'battery.charge']);
    return r.code === 0 && r.stdout.trim() === '100' ? true : undefined;
  }, 60_000);
});

after(async () => {
  for (const s of sessions) s.end();
  if (agent && agent.exitCode === null) {
    agent.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    if (agent.exitCode === null) agent.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the pid file names the agent', () => {
  assert.equal(readFileSync(pidFile, 'utf8').trim(), String(agent.pid));
});

test('reload across a broken file, then a good one: clients stay, UPSes come and go', async () => {
  // Clients connected before any reload, kept open to the end.
  const onA = await Session.open();
  const onB = await Session.open();
  const onD = await Session.open();
  sessions.push(onA, onB, onD);
  assert.equal(await onA.ask('USERNAME mon'), 'OK');
  assert.equal(await onA.ask('PASSWORD first-pw'), 'OK');
  assert.equal(await onA.ask('LOGIN a'), 'OK');
  assert.equal(await onA.ask('GET NUMLOGINS a'), 'NUMLOGINS a 1');
  // A value only a's running driver holds: a restarted driver would read its file again.
  assert.equal(await onA.ask('SET VAR a battery.charge 77'), 'OK');
  await until('the SET applied', async () => ((await onA.ask('GET VAR a battery.charge')) === 'VAR a battery.charge "77"' ? true : undefined));
  assert.equal(await onB.ask('GET VAR b battery.charge'), 'VAR b battery.charge "100"');
  assert.equal(await onD.ask('GET VAR d battery.charge'), 'VAR d battery.charge "100"');

  // 1. A broken file: an unknown driver and a limit out of range.
  const good = readFileSync(cfg, 'utf8');
  writeFileSync(
    cfg,
    configText({ ups: { a: 'a.dev', b: 'b.dev', d: 'd.dev' }, password: 'first-pw' })
      .replace('ups:\n', 'ups:\n  e: { driver: nosuchdriver, port: x }\n')
      .replace(`["127.0.0.1:${port}"] }`, `["127.0.0.1:${port}"], maxClients: 0 }`),
  );
  const refused = await cli(['reload', '--config', cfg, '--pid-file', pidFile]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /ups\.e\.driver/);
  assert.match(refused.stderr, /server\.maxClients/);
  assert.match(refused.stderr, /not signalled/);
  // The agent itself refuses it too (a SIGHUP from elsewhere: kill -HUP, systemctl reload), and logs every problem with the path.
  const mark = output.length;
  process.kill(agent.pid!, 'SIGHUP');
  await until('the refusal in the log', async () => (/reload refused: \d+ problem/.test(output.slice(mark)) ? true : undefined));
  const refusal = output.slice(mark);
  assert.ok(refusal.includes(`reload refused: ${cfg}: ups.e.driver`), refusal);
  assert.ok(refusal.includes(`reload refused: ${cfg}: server.maxClients`), refusal);
  const outcome = JSON.parse(readFileSync(join(dir, 'agent.reload.json'), 'utf8')) as { applied: boolean; problems: string[] };
  assert.equal(outcome.applied, false);
  assert.ok(outcome.problems.length >= 2);
  // Nothing changed: the same UPSes, the same clients, the same answers.
  assert.deepEqual(await listUps(), ['a', 'b', 'd']);
  assert.equal(await onA.ask('GET NUMLOGINS a'), 'NUMLOGINS a 1');
  assert.equal(await onD.ask('GET VAR d battery.charge'), 'VAR d battery.charge "100"');
  assert.ok(!/reload: UPS/.test(refusal), 'no change was applied');
  writeFileSync(cfg, good);

  // 2. A good file: d removed, c added, b changed (another file), a untouched; the password changed.
  writeFileSync(cfg, configText({ ups: { a: 'a.dev', b: 'b2.dev', c: 'c.dev' }, password: 'second-pw' }));
  const r = await cli(['reload', '--config', cfg, '--pid-file', pidFile]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${output}`);
  assert.match(r.stdout, /UPS added: c/);
  assert.match(r.stdout, /UPS removed: d/);
  assert.match(r.stdout, /UPS changed \(driver restarted\): b/);
  assert.match(r.stdout, /users: table replaced/);
  assert.match(r.stdout, /reloaded \(pid \d+\)/);

  assert.deepEqual(await listUps(), ['a', 'b', 'c']);
  const c = await until('c served', async () => {
    const x = await upsc([`c@127.0.0.1:${port}`, 'battery.charge']);
    return x.code === 0 ? x.stdout.trim() : undefined;
  });
  assert.equal(c, '100');
  // The removed UPS: unknown, on the connection that was reading it, which stays open (as upsd after a reload).
  assert.equal(await onD.ask('GET VAR d battery.charge'), 'ERR UNKNOWN-UPS');
  assert.equal(await onD.ask('GET VAR a battery.charge'), 'VAR a battery.charge "77"');
  // The changed UPS: same connection, the new driver's data.
  const fresh = await until('b from its new file', async () => {
    const line = await onB.ask('GET VAR b battery.charge');
    return line === 'VAR b battery.charge "42"' ? line : undefined;
  });
  assert.equal(fresh, 'VAR b battery.charge "42"');
  // The unchanged UPS: its logged-in client is still there and still counted, though its password is no longer the configured one.
  assert.equal(await onA.ask('GET NUMLOGINS a'), 'NUMLOGINS a 1');
  // ... and its driver was left alone: the value it was SET to is still there.
  assert.equal(await onA.ask('GET VAR a battery.charge'), 'VAR a battery.charge "77"');
  for (const s of [onA, onB, onD]) assert.equal(s.closed, false);
  // New sessions get the new users table.
  const late = await Session.open();
  sessions.push(late);
  assert.equal(await late.ask('USERNAME mon'), 'OK');
  assert.equal(await late.ask('PASSWORD first-pw'), 'OK');
  assert.equal(await late.ask('LOGIN b'), 'ERR ACCESS-DENIED');
  const late2 = await Session.open();
  sessions.push(late2);
  assert.equal(await late2.ask('USERNAME mon'), 'OK');
  assert.equal(await late2.ask('PASSWORD second-pw'), 'OK');
  assert.equal(await late2.ask('LOGIN b'), 'OK');
  assert.ok(!output.includes('second-pw') && !output.includes('first-pw'), 'no password in the log');

  // 3. The same file again: nothing to do, said so.
  const same = await cli(['reload', '--config', cfg, '--pid-file', pidFile]);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /nothing changed/);
});

test('reload without a running agent: says so, exit 1', async () => {
  const r = await cli(['reload', '--config', cfg, '--pid-file', join(dir, 'none.pid')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot read the pid file/);
});

test('SIGHUP to the demo (no file): logged, and the demo goes on serving', async () => {
  const demoPort = await freePort();
  const demo = spawn(process.execPath, ['--import', TSX, MAIN, 'run', '--demo', '--listen', `127.0.0.1:${demoPort}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let said = '';
  demo.stdout!.on('data', (c: Buffer) => (said += c.toString()));
  demo.stderr!.on('data', (c: Buffer) => (said += c.toString()));
  try {
    await until('the demo served', async () => ((await upsc(['-l', `127.0.0.1:${demoPort}`])).code === 0 ? true : undefined), 60_000);
    demo.kill('SIGHUP');
    await until('the SIGHUP logged', async () => (said.includes('the demo has no configuration file to reload') ? true : undefined));
    assert.equal(demo.exitCode, null);
    assert.equal((await upsc(['-l', `127.0.0.1:${demoPort}`])).code, 0);
  } finally {
    demo.kill('SIGKILL');
  }
});

test('a pid file naming another process: refused, and that process is not signalled', async () => {
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const stale = join(dir, 'stale.pid');
    writeFileSync(stale, `${other.pid}\n`);
    const r = await cli(['reload', '--config', cfg, '--pid-file', stale]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not `upsagent run`/);
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(other.exitCode, null);
    assert.equal(other.signalCode, null, 'sleep got no SIGHUP');
  } finally {
    other.kill('SIGKILL');
  }
});

test('on SIGTERM the agent removes its pid file', async () => {
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  assert.equal(existsSync(pidFile), false);
});
