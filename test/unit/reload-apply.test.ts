/**
 * Carrying out a reload (src/app/reload-apply.ts): the order of the steps and
 * what a process that gave up root says it cannot do (with recording
 * hooks); then on a real in-process agent: server.listen rebound without
 * dropping the client of the old address, the web listener added and
 * removed, a logged-in session kept across a users change, the clients of a
 * removed UPS disconnected (its login count gone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent } from '../../src/app/agent';
import { validateConfig, type AgentConfig } from '../../src/app/config';
import { applyReload, type ReloadHooks } from '../../src/app/reload-apply';
import { MemoryLogger } from '../../src/core/logger';
import { SessionRegistry } from '../../src/server/session';
import { freePort } from '../helpers/real-nut';

const BASIC = resolve(__dirname, '../fixtures/dummy/basic.dev');

function cfg(doc: Record<string, unknown>): AgentConfig {
  return validateConfig({ server: { listen: ['127.0.0.1:0'] }, ...doc });
}

function recorder(dropped = false): { hooks: ReloadHooks; calls: string[]; log: MemoryLogger } {
  const calls: string[] = [];
  const log = new MemoryLogger();
  return {
    calls,
    log,
    hooks: {
      log,
      dropped,
      store: { removeUps: (n) => calls.push(`store.remove ${n}`), setDesc: (n, d) => calls.push(`store.desc ${n}=${d}`) },
      server: {
        relisten: (l) => {
          calls.push(`relisten ${l.join(',')}`);
          return Promise.resolve(l.filter((x) => x.endsWith(':1')).map((address) => ({ address, reason: 'EADDRINUSE' })));
        },
        setUsers: (u) => calls.push(`users ${Object.keys(u).join(',')}`),
        applyLimits: (s) => calls.push(`limits ${JSON.stringify(s)}`),
      },
      stopDriver: (n) => Promise.resolve(void calls.push(`stop ${n}`)),
      startDriver: (n) => Promise.resolve(void calls.push(`start ${n}`)),
      stopModule: (k) => Promise.resolve(void calls.push(`stop module ${k}`)),
      startModule: (k) => Promise.resolve(calls.push(`start module ${k}`) > 0),
    },
  };
}

const mon = { ups: [{ name: 'a', role: 'primary' }], dryRun: true };

test('the steps in order: modules built on the old file stop first, UPSes go, change, come, then the server, then the modules start', async () => {
  const http = { listen: ['127.0.0.1:0'] };
  const from = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' }, b: { driver: 'dummy', port: '/x/b.dev' }, d: { driver: 'dummy', port: '/x/d.dev' } }, monitor: mon, http });
  const to = cfg({
    ups: { a: { driver: 'dummy', port: '/x/a.dev', desc: 'new' }, b: { driver: 'dummy', port: '/x/b2.dev' }, c: { driver: 'dummy', port: '/x/c.dev' } },
    monitor: { ...mon, minSupplies: 0 },
    http,
    users: { mon: { password: 'pw-x', upsmon: 'primary' } },
    server: { listen: ['127.0.0.1:0', '127.0.0.1:1'], maxClients: 7 },
  });
  const r = recorder();
  const out = await applyReload(from, to, r.hooks);
  assert.deepEqual(r.calls, [
    'stop module http',
    'stop module monitor',
    'stop d',
    'store.remove d',
    'stop b',
    'store.desc b=',
    'start b',
    'store.desc a=new',
    'start c',
    'users mon',
    'limits {"maxClients":7}',
    'relisten 127.0.0.1:0,127.0.0.1:1',
    // The web listener is built with the new monitor, so after it.
    'start module monitor',
    'start module http',
  ]);
  assert.equal(out.applied, true);
  assert.deepEqual(out.problems, ['server.listen 127.0.0.1:1: EADDRINUSE']);
  assert.ok(r.log.lines.some((l) => l.startsWith('error') && l.includes('server.listen 127.0.0.1:1: EADDRINUSE')), r.log.lines.join('\n'));
});

test('a shutdown under way: the monitor is not restarted, and the configuration kept says so', async () => {
  const r = recorder();
  let running: AgentConfig | undefined;
  r.hooks.shutdownStarted = () => true;
  r.hooks.commit = (c) => (running = c);
  const from = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' } }, monitor: mon });
  const to = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' }, c: { driver: 'dummy', port: '/x/c.dev' } }, monitor: { ...mon, minSupplies: 0 } });
  const out = await applyReload(from, to, r.hooks);
  assert.ok(!r.calls.some((c) => c.includes('module monitor')), r.calls.join('\n'));
  assert.ok(r.calls.includes('start c'));
  assert.match(out.problems.join('\n'), /shutdown sequence has begun/);
  assert.equal(running?.monitor, from.monitor);
  assert.ok(running?.ups.c);
});

test('a step that fails is reported and the others still run', async () => {
  const r = recorder();
  r.hooks.startDriver = (n) => (n === 'c' ? Promise.reject(new Error('no such device')) : Promise.resolve());
  const from = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' } } });
  const to = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' }, c: { driver: 'dummy', port: '/x/c.dev' } }, monitor: mon });
  const out = await applyReload(from, to, r.hooks);
  assert.deepEqual(out.problems, ['starting the driver of c: no such device']);
  assert.ok(r.calls.includes('start module monitor'));
});

test('after the drop to the role account: a port below 1024 and a new shutdown helper need a restart, and it says so', async () => {
  const r = recorder(true);
  const from = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' } } });
  const to = cfg({ ups: { a: { driver: 'dummy', port: '/x/a.dev' } }, server: { listen: ['127.0.0.1:0', '127.0.0.1:493'] }, monitor: { ups: [{ name: 'a', role: 'primary' }] }, log: { level: 'debug' } });
  const out = await applyReload(from, to, r.hooks);
  const notes = out.needsRestart.join('\n');
  assert.match(notes, /127\.0\.0\.1:493: a port below 1024 needs root/);
  assert.match(notes, /privileged helper .* started only at start/);
  assert.match(notes, /^log: section changed/m);
  assert.ok(r.log.lines.some((l) => l.startsWith('warn') && l.includes('port below 1024')));
  // The same reload as root: only the log note.
  const root = await applyReload(from, to, recorder(false).hooks);
  assert.deepEqual(root.needsRestart, ['log: section changed; only a restart of the agent applies it']);
});

function line(sock: Socket, req: string): Promise<string> {
  return new Promise((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error(`no reply to ${req}`)), 3000);
    const on = (d: Buffer): void => {
      buf += d.toString();
      if (buf.includes('\n')) {
        clearTimeout(t);
        sock.off('data', on);
        res(buf.slice(0, buf.indexOf('\n')));
      }
    };
    sock.on('data', on);
    sock.write(`${req}\n`);
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ host: '127.0.0.1', port }, () => res(s));
    s.once('error', rej);
  });
}

test('a real agent: listen moved, the client of the old address stays; web listener added then removed; a login survives a users change', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-reload-apply-'));
  copyFileSync(BASIC, join(dir, 'a.dev'));
  const [p1, p2] = [await freePort(), await freePort()];
  const base = { ups: { a: { driver: 'dummy', port: join(dir, 'a.dev') } }, run: { user: 'root' } };
  const first = validateConfig({ ...base, server: { listen: [`127.0.0.1:${p1}`] }, users: { mon: { password: 'one-pw', upsmon: 'primary' } } });
  const log = new MemoryLogger();
  const agent = await startAgent({ config: first, log, version: 'test' });
  const socks: Socket[] = [];
  try {
    const old = await open(p1);
    socks.push(old);
    assert.equal(await line(old, 'USERNAME mon'), 'OK');
    assert.equal(await line(old, 'PASSWORD one-pw'), 'OK');
    assert.equal(await line(old, 'LOGIN a'), 'OK');

    const second = validateConfig({
      ...base,
      server: { listen: [`127.0.0.1:${p2}`] },
      users: { mon: { password: 'two-pw', upsmon: 'primary' } },
      http: { listen: ['127.0.0.1:0'] },
      monitor: { ups: [{ name: 'a', role: 'primary' }], dryRun: true, stateFile: join(dir, 'monitor.json') },
    });
    const out = await agent.reload(second);
    assert.deepEqual(out.problems, []);
    assert.deepEqual(
      agent.addresses().map((a) => a.port),
      [p2],
    );
    await assert.rejects(open(p1), /ECONNREFUSED/);
    const fresh = await open(p2);
    socks.push(fresh);
    assert.equal(await line(fresh, 'GET NUMLOGINS a'), 'NUMLOGINS a 1');
    assert.equal(await line(old, 'GET NUMLOGINS a'), 'NUMLOGINS a 1', 'the client of the closed address is still served');
    const web = agent.httpAddresses();
    assert.equal(web.length, 1);
    const r = await fetch(`http://127.0.0.1:${web[0]!.port}/api/v1/devices`);
    assert.equal(r.status, 200);
    await r.body?.cancel();
    // Monitor and web listener added by one reload: the web listener shows that monitor.
    assert.ok(agent.monitor, 'the monitor runs');
    const m = (await (await fetch(`http://127.0.0.1:${web[0]!.port}/api/v1/monitor`)).json()) as { enabled: boolean };
    assert.equal(m.enabled, true);

    const third = validateConfig({ ...base, server: { listen: [`127.0.0.1:${p2}`] }, users: { mon: { password: 'two-pw', upsmon: 'primary' } } });
    const out3 = await agent.reload(third);
    assert.deepEqual(out3.changes, ['restarted: monitor, http']);
    assert.deepEqual(agent.httpAddresses(), []);
    assert.equal(agent.monitor, null);
    await assert.rejects(fetch(`http://127.0.0.1:${web[0]!.port}/api/v1/devices`));
  } finally {
    for (const s of socks) s.destroy();
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a monitor replaced by a reload no longer hears that the privileged helper is gone; the new one does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-reload-lost-'));
  copyFileSync(BASIC, join(dir, 'a.dev'));
  const lost: Array<(why: string) => void> = [];
  const actions = {
    runShutdown: () => Promise.resolve(0),
    writeFlag: () => Promise.resolve(),
    clearFlag: () => Promise.resolve(),
    onLost: (l: (why: string) => void) => void lost.push(l),
  };
  const conf = (minSupplies: number) =>
    validateConfig({
      ups: { a: { driver: 'dummy', port: join(dir, 'a.dev') } },
      server: { listen: ['127.0.0.1:0'] },
      monitor: { ups: [{ name: 'a', role: 'primary' }], minSupplies, stateFile: join(dir, 'monitor.json'), notify: { routes: { NOPARENT: ['log'] } } },
    });
  const agent = await startAgent({ config: conf(1), log: new MemoryLogger(), version: 'test', monitorDeps: { actions } });
  try {
    const heard: string[] = [];
    agent.bus.on('monitor.notify', heard, (n) => void heard.push(n.type));
    const out = await agent.reload(conf(0));
    assert.deepEqual(out.changes, ['restarted: monitor']);
    assert.equal(lost.length, 2, 'each monitor asked to hear it');
    for (const l of lost) l('helper exited');
    assert.deepEqual(heard, ['NOPARENT'], 'one NOPARENT: the current monitor\'s');
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SessionRegistry.removeUps: the count goes (told as 0), its clients are handed back, other UPSes keep theirs', () => {
  const heard: Array<[string, number]> = [];
  const reg = new SessionRegistry((ups, n) => void heard.push([ups, n]));
  const [x, y, z] = [reg.open('10.0.0.1'), reg.open('10.0.0.2'), reg.open('10.0.0.3')];
  reg.login(x, 'b');
  reg.login(y, 'B');
  reg.login(z, 'a');
  heard.length = 0;
  assert.deepEqual(reg.removeUps('b'), [y, x]);
  assert.deepEqual(heard, [['b', 0]]);
  assert.equal(reg.count('b'), 0);
  assert.equal(reg.count('a'), 1);
  // Closing a kicked client later does not count down a UPS of the same name added again.
  reg.login(reg.open('10.0.0.4'), 'b');
  reg.close(x);
  assert.equal(reg.count('b'), 1);
  assert.deepEqual(reg.removeUps('nothing'), []);
});

test('a real agent: a UPS removed by a reload disconnects the clients logged into it, as upsd does; added again, it has no login', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-reload-logins-'));
  copyFileSync(BASIC, join(dir, 'a.dev'));
  copyFileSync(BASIC, join(dir, 'b.dev'));
  const port = await freePort();
  const a = { driver: 'dummy', port: join(dir, 'a.dev') };
  const b = { driver: 'dummy', port: join(dir, 'b.dev') };
  const conf = (ups: Record<string, unknown>) => validateConfig({ ups, server: { listen: [`127.0.0.1:${port}`] }, users: { mon: { password: 'mon-pw', upsmon: 'primary' } }, run: { user: 'root' } });
  const agent = await startAgent({ config: conf({ a, b }), log: new MemoryLogger(), version: 'test' });
  const socks: Socket[] = [];
  try {
    const onB = await open(port);
    const onA = await open(port);
    socks.push(onB, onA);
    for (const [s, ups] of [[onB, 'b'], [onA, 'a']] as const) {
      assert.equal(await line(s, 'USERNAME mon'), 'OK');
      assert.equal(await line(s, 'PASSWORD mon-pw'), 'OK');
      assert.equal(await line(s, `LOGIN ${ups}`), 'OK');
    }
    assert.equal(await line(onA, 'GET NUMLOGINS b'), 'NUMLOGINS b 1');
    const closed = new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error('the client of the removed UPS was not disconnected')), 3000);
      onB.once('close', () => res(void clearTimeout(t)));
    });

    assert.deepEqual((await agent.reload(conf({ a }))).problems, []);
    await closed;
    assert.equal(await line(onA, 'GET NUMLOGINS a'), 'NUMLOGINS a 1', 'a client of another UPS stays');
    assert.equal(await line(onA, 'GET NUMLOGINS b'), 'ERR UNKNOWN-UPS');

    assert.deepEqual((await agent.reload(conf({ a, b }))).problems, []);
    assert.equal(await line(onA, 'GET NUMLOGINS b'), 'NUMLOGINS b 0');
  } finally {
    for (const s of socks) s.destroy();
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
