/**
 * The relay driver against a fake upsd (test/helpers/fake-upsd.ts) that
 * keeps a UPS's variables with their types, enums, ranges and descriptions,
 * its commands, and a user: what our clients read through our server, what
 * reaches the upstream, and how the relay goes stale and comes back.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { NutClient } from '../../src/client/client';
import { parseConfig } from '../../src/app/config';
import { createDriver } from '../../src/drivers/registry';
import { RelayDriver } from '../../src/drivers/relay/driver';
import { EventBus } from '../../src/core/bus';
import type { UserConfig } from '../../src/core/config';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { splitWords } from '../../src/protocol/wire';
import { startFakeUpsd, type FakeUpsd } from '../helpers/fake-upsd';
import { errCode } from '../helpers/nut-error';
import { startRelayRig, until, type RelayRig } from '../helpers/relay-rig';

interface FakeVar {
  value: string;
  /** GET TYPE's words after the name, e.g. "RW ENUM STRING:8". */
  type?: string;
  enums?: string[];
  ranges?: Array<[string, string]>;
  desc?: string;
}

/** One UPS `ups1` on a fake upsd, answering as upsd 2.8.0 does; `relay`/`pw` may SET and run every command. */
class FakeUpstream {
  vars: Record<string, FakeVar> = {
    'battery.charge': { value: '100', type: 'NUMBER', desc: 'Battery charge (percent of full)' },
    'ups.status': { value: 'OL', type: 'NUMBER', desc: 'UPS status' },
    'input.transfer.low': { value: '170', type: 'RW ENUM STRING:3', enums: ['160', '170', '180'], desc: 'Low voltage transfer point (V)' },
    'ups.delay.shutdown': { value: '20', type: 'RW RANGE NUMBER', ranges: [['0', '600']], desc: 'Interval to wait after shutdown with delay command (seconds)' },
    'ups.id': { value: 'rack 4', type: 'RW STRING:16', desc: 'A description only this upstream has' },
    'driver.name': { value: 'usbhid-ups', type: 'NUMBER' },
  };
  cmds: Record<string, string> = { 'load.off': 'Turn off the load immediately', 'beeper.toggle': 'Toggle the UPS beeper' };
  stale = false;
  /** Set and commands the upstream accepted, as `SET name value` / `INSTCMD name [param]`. */
  done: string[] = [];
  private user = '';
  private authed = false;
  fake!: FakeUpsd;

  async start(): Promise<this> {
    this.fake = await startFakeUpsd((line) => this.answer(line));
    return this;
  }

  get port(): string {
    return `ups1@127.0.0.1:${this.fake.port}`;
  }

  /** Lines the upstream received that are not the relay's reads. */
  writes(): string[] {
    return this.fake.received.filter((l) => /^(SET|INSTCMD)\b/.test(l));
  }

  private answer(line: string): string | undefined {
    const w = splitWords(line) ?? [];
    const [a, b, c, d] = w;
    if (a === 'USERNAME') {
      this.user = b ?? '';
      return 'OK';
    }
    if (a === 'PASSWORD') {
      this.authed = this.user === 'relay' && b === 'pw';
      return this.authed ? 'OK' : 'ERR ACCESS-DENIED';
    }
    if (a === 'LOGIN') {
      if (!this.authed) return 'ERR USERNAME-REQUIRED';
      return b === 'ups1' ? 'OK' : 'ERR UNKNOWN-UPS';
    }
    const ups = a === 'GET' || a === 'LIST' || a === 'SET' ? c : b;
    if (ups !== undefined && ups !== 'ups1' && a !== 'INSTCMD') return 'ERR UNKNOWN-UPS';
    if (a === 'INSTCMD' && b !== 'ups1') return 'ERR UNKNOWN-UPS';
    if (this.stale && !(a === 'GET' && (b === 'DESC' || b === 'CMDDESC'))) return 'ERR DATA-STALE';
    const v = d !== undefined ? this.vars[d] : undefined;
    if (a === 'LIST' && b === 'VAR') return this.list('VAR ups1', Object.entries(this.vars).map(([n, x]) => `${n} "${x.value}"`));
    if (a === 'LIST' && b === 'CMD') return this.list('CMD ups1', Object.keys(this.cmds));
    if (a === 'LIST' && b === 'ENUM') return v ? this.list(`ENUM ups1 ${d}`, (v.enums ?? []).map((e) => `"${e}"`)) : 'ERR VAR-NOT-SUPPORTED';
    if (a === 'LIST' && b === 'RANGE') return v ? this.list(`RANGE ups1 ${d}`, (v.ranges ?? []).map(([lo, hi]) => `"${lo}" "${hi}"`)) : 'ERR VAR-NOT-SUPPORTED';
    if (a === 'GET' && b === 'TYPE') return v ? `TYPE ups1 ${d} ${v.type ?? 'NUMBER'}` : 'ERR VAR-NOT-SUPPORTED';
    if (a === 'GET' && b === 'DESC') return `DESC ups1 ${d} "${v?.desc ?? 'Description unavailable'}"`;
    if (a === 'GET' && b === 'CMDDESC') return `CMDDESC ups1 ${d} "${(d !== undefined && this.cmds[d]) || 'Description unavailable'}"`;
    if (a === 'SET' && b === 'VAR') {
      if (!this.authed) return 'ERR USERNAME-REQUIRED';
      if (!v) return 'ERR VAR-NOT-SUPPORTED';
      if (!(v.type ?? '').includes('RW')) return 'ERR READONLY';
      v.value = w[4] ?? '';
      this.done.push(`SET ${d} ${v.value}`);
      return 'OK';
    }
    if (a === 'INSTCMD') {
      if (!this.authed) return 'ERR USERNAME-REQUIRED';
      if (c === undefined || !this.cmds[c]) return 'ERR CMD-NOT-SUPPORTED';
      this.done.push(`INSTCMD ${c}${d !== undefined ? ` ${d}` : ''}`);
      return 'OK';
    }
    return undefined;
  }

  private list(head: string, rows: string[]): string {
    return [`BEGIN LIST ${head}`, ...rows.map((r) => `${head} ${r}`), `END LIST ${head}`].join('\n');
  }
}

const USERS: Record<string, UserConfig> = {
  admin: { password: 'secret', actions: ['set'], instcmds: ['all'] },
  viewer: { password: 'look', actions: [], instcmds: [] },
};

const opened: Array<{ stop(): unknown }> = [];
after(async () => {
  for (const o of opened.reverse()) await o.stop();
});

async function rig(up: FakeUpstream, entry: Record<string, unknown> = { user: 'relay', password: 'pw' }): Promise<RelayRig> {
  const r = await startRelayRig({ port: up.port, entry, users: USERS });
  opened.push(r);
  return r;
}

async function upstream(): Promise<FakeUpstream> {
  const u = await new FakeUpstream().start();
  opened.push({ stop: () => u.fake.close() });
  return u;
}

async function client(r: RelayRig, user?: [string, string]): Promise<NutClient> {
  const c = await NutClient.connect({ host: '127.0.0.1', port: r.port, timeoutMs: 5000 });
  opened.push({ stop: () => c.destroy() });
  if (user) {
    await c.username(user[0]);
    await c.password(user[1]);
  }
  return c;
}

describe('relay: what clients read', () => {
  test('values, types, enums, ranges, descriptions and commands of the upstream; its driver.* stays its own', async () => {
    const up = await upstream();
    const r = await rig(up);
    const c = await client(r);
    assert.equal(await c.getVar('relayed', 'battery.charge'), '100');
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OL');
    assert.deepEqual(await c.getType('relayed', 'input.transfer.low'), ['RW', 'ENUM', 'STRING:3']);
    assert.deepEqual(await c.listEnum('relayed', 'input.transfer.low'), ['160', '170', '180']);
    assert.deepEqual(await c.getType('relayed', 'ups.delay.shutdown'), ['RW', 'RANGE', 'NUMBER']);
    assert.deepEqual(await c.listRange('relayed', 'ups.delay.shutdown'), [['0', '600']]);
    assert.deepEqual(await c.getType('relayed', 'ups.id'), ['RW', 'STRING:16']);
    assert.deepEqual(await c.getType('relayed', 'battery.charge'), ['NUMBER']);
    assert.equal(await c.getDesc('relayed', 'ups.id'), 'A description only this upstream has');
    assert.deepEqual((await c.listRw('relayed')).map(([n]) => n).sort(), ['input.transfer.low', 'ups.delay.shutdown', 'ups.id']);
    assert.deepEqual((await c.listCmd('relayed')).sort(), ['beeper.toggle', 'load.off']);
    assert.equal(await c.getCmdDesc('relayed', 'beeper.toggle'), 'Toggle the UPS beeper');
    // driver.* is this driver's, as in dummy-ups' repeater mode.
    assert.equal(await c.getVar('relayed', 'driver.name'), 'relay');
    assert.equal(await c.getVar('relayed', 'driver.parameter.port'), up.port);
  });

  test('changes upstream show: a value, a new variable with its type, a variable and a command gone', async () => {
    const up = await upstream();
    const r = await rig(up, { user: 'relay', password: 'pw', pollfreq: 1 });
    const c = await client(r);
    assert.equal(await c.getVar('relayed', 'battery.charge'), '100');
    up.vars['battery.charge']!.value = '42';
    up.vars['ups.beeper.status'] = { value: 'enabled', type: 'RW ENUM STRING:8', enums: ['enabled', 'disabled'] };
    delete up.vars['ups.id'];
    delete up.cmds['beeper.toggle'];
    await until('the new value', async () => (await c.getVar('relayed', 'battery.charge')) === '42');
    await until('the new variable', async () => (await errCode(c.getVar('relayed', 'ups.beeper.status'))) !== 'VAR-NOT-SUPPORTED');
    assert.deepEqual(await c.getType('relayed', 'ups.beeper.status'), ['RW', 'ENUM', 'STRING:8']);
    assert.deepEqual(await c.listEnum('relayed', 'ups.beeper.status'), ['enabled', 'disabled']);
    assert.equal(await errCode(c.getVar('relayed', 'ups.id')), 'VAR-NOT-SUPPORTED');
    // Commands are read again at the full poll (pollfreq 1 s).
    await until('the command gone', async () => !(await c.listCmd('relayed')).includes('beeper.toggle'), 5000);
  });

  test('one upstream connection for 50 clients; their reads never reach the upstream', async () => {
    const up = await upstream();
    const r = await rig(up);
    const clients = await Promise.all(Array.from({ length: 50 }, () => client(r)));
    const before = up.fake.received.length;
    const values = await Promise.all(clients.map((c) => c.getVar('relayed', 'battery.charge')));
    assert.deepEqual(new Set(values), new Set(['100']));
    await Promise.all(clients.map((c) => c.listVars('relayed')));
    assert.equal(r.connections, 1);
    // What reached the upstream meanwhile is the driver's own polls (LIST VAR), not 100 client requests.
    const during = up.fake.received.slice(before);
    assert.ok(during.every((l) => /^LIST (VAR|CMD) ups1$|^GET (TYPE|DESC|CMDDESC) /.test(l)), during.join('\n'));
    assert.ok(!during.some((l) => l.startsWith('GET VAR')));
  });
});

describe('relay: writes and commands', () => {
  test('SET VAR and INSTCMD pass upstream with the relay\'s login; the new value is served', async () => {
    const up = await upstream();
    const r = await rig(up);
    const c = await client(r, ['admin', 'secret']);
    await c.setVar('relayed', 'ups.id', 'rack 5');
    assert.deepEqual(up.done, ['SET ups.id rack 5']);
    await until('the value set', async () => (await c.getVar('relayed', 'ups.id')) === 'rack 5');
    await c.instCmd('relayed', 'load.off');
    await c.instCmd('relayed', 'beeper.toggle', '10');
    assert.deepEqual(up.done.slice(1), ['INSTCMD load.off', 'INSTCMD beeper.toggle 10']);
  });

  test('a user without the right, a value outside the enum or range: refused here, nothing sent upstream', async () => {
    const up = await upstream();
    const r = await rig(up);
    const viewer = await client(r, ['viewer', 'look']);
    assert.equal(await errCode(viewer.setVar('relayed', 'ups.id', 'x')), 'ACCESS-DENIED');
    assert.equal(await errCode(viewer.instCmd('relayed', 'load.off')), 'ACCESS-DENIED');
    const anon = await client(r);
    assert.equal(await errCode(anon.setVar('relayed', 'ups.id', 'x')), 'USERNAME-REQUIRED');
    const admin = await client(r, ['admin', 'secret']);
    assert.equal(await errCode(admin.setVar('relayed', 'input.transfer.low', '175')), 'INVALID-VALUE');
    assert.equal(await errCode(admin.setVar('relayed', 'ups.delay.shutdown', '601')), 'INVALID-VALUE');
    assert.equal(await errCode(admin.setVar('relayed', 'battery.charge', '5')), 'READONLY');
    assert.equal(await errCode(admin.instCmd('relayed', 'shutdown.stayoff')), 'CMD-NOT-SUPPORTED');
    assert.deepEqual(up.writes(), []);
  });

  test('a relay without an upstream login: the write reaches the upstream, which refuses it; the client hears SET-FAILED', async () => {
    const up = await upstream();
    const r = await rig(up, {});
    const admin = await client(r, ['admin', 'secret']);
    assert.equal(await errCode(admin.setVar('relayed', 'ups.id', 'x')), 'SET-FAILED');
    assert.equal(await errCode(admin.instCmd('relayed', 'load.off')), 'INSTCMD-FAILED');
    assert.deepEqual(up.done, []);
    assert.ok(r.log.lines.some((l) => /lacks the right/.test(l)), r.log.lines.join('\n'));
    assert.ok(!r.log.lines.some((l) => l.includes('pw')));
  });
});

describe('relay: stale and back', () => {
  test('upstream answers ERR DATA-STALE: stale here; fresh again: values back', async () => {
    const up = await upstream();
    const r = await rig(up);
    const c = await client(r);
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OL');
    up.stale = true;
    await until('stale', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'DATA-STALE');
    assert.match(await c.getVar('relayed', 'upsagent.driver.error'), /ERR DATA-STALE/);
    up.stale = false;
    up.vars['ups.status']!.value = 'OB';
    await until('fresh', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'OK');
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OB');
  });

  test('upstream\'s ups.status WAIT (its driver has not dumped yet) is no data: not attached at start, stale later', async () => {
    const up = await upstream();
    up.vars['ups.status']!.value = 'WAIT';
    const r = await rig(up);
    const c = await client(r);
    assert.equal(await errCode(c.getVar('relayed', 'ups.status')), 'DRIVER-NOT-CONNECTED');
    up.vars['ups.status']!.value = 'OL';
    await until('data', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'OK', 10_000);
    up.vars['ups.status']!.value = 'WAIT';
    await until('stale', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'DATA-STALE');
    assert.match(await c.getVar('relayed', 'upsagent.driver.error'), /no data yet/);
  });

  test('upstream connection lost: stale at once, reconnected (one connection at a time), values back', async () => {
    const up = await upstream();
    const r = await rig(up);
    const c = await client(r);
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OL');
    // The server side of the connection goes (as upsd restarting does): destroy it from our end.
    r.clients[0]!.destroy();
    await until('stale', () => r.store.get('relayed')!.health.staleFlag);
    await until('reconnected', () => r.connections === 2 && !r.store.get('relayed')!.health.staleFlag);
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OL');
  });

  test('upstream unreachable: stale, retried with backoff; the server back (elsewhere) -> fresh', async () => {
    const up = await upstream();
    const moved: { to?: { host: string; port: number } } = {};
    const r = await startRelayRig({ port: up.port, users: USERS, redirect: () => moved.to });
    opened.push(r);
    const c = await client(r);
    up.fake.close();
    r.clients[0]!.destroy();
    await until('stale', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'DATA-STALE');
    const tries = r.connections;
    await until('retries', () => r.connections >= tries + 2, 5000);
    const second = await upstream();
    second.vars['ups.status']!.value = 'OL CHRG';
    moved.to = { host: '127.0.0.1', port: second.fake.port };
    await until('fresh', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'OK', 15_000);
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OL CHRG');
    // Backoff: each retry waits longer than the one before (the runtime's, from pollInterval up).
    const waits = r.log.lines.flatMap((l) => /retrying in ([\d.]+) s/.exec(l)?.[1] ?? []).map(Number);
    assert.ok(waits.length >= 2 && waits.every((w, i) => i === 0 || w > waits[i - 1]!), waits.join(', '));
    assert.ok(r.log.lines.some((l) => /warn .*lost ups1@/.test(l)), r.log.lines.join('\n'));
  });

  test('an upstream that stops answering (accepts, never replies) or talks garbage: stale within the timeout, never hung; stop is prompt', async () => {
    // A server that accepts and never says a word.
    const silent = createServer((sock) => sock.on('error', () => undefined));
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    opened.push({ stop: () => silent.close() });
    const silentPort = (silent.address() as { port: number }).port;
    const hang = await startRelayRig({ port: `ups1@127.0.0.1:${silentPort}`, entry: { timeout: 0.5 }, users: USERS });
    opened.push(hang);
    // Never answered: not attached (DRIVER-NOT-CONNECTED), and the reason is served.
    const h = await client(hang);
    assert.equal(await errCode(h.getVar('relayed', 'ups.status')), 'DRIVER-NOT-CONNECTED');
    assert.match(await h.getVar('relayed', 'upsagent.driver.error'), /no reply|within/);
    // Garbage from the upstream mid-session: the connection is dropped, the data stale, then back on a new one.
    const garbled = await upstream();
    const g = await rig(garbled);
    const gc = await client(g);
    assert.equal(await gc.getVar('relayed', 'ups.status'), 'OL');
    garbled.vars['ups.status']!.value = 'OL"unbalanced';
    await until('stale on garbage', () => g.store.get('relayed')!.health.staleFlag);
    garbled.vars['ups.status']!.value = 'OB';
    await until('back', async () => (await errCode(gc.getVar('relayed', 'ups.status'))) === 'OK' && (await gc.getVar('relayed', 'ups.status')) === 'OB');
    assert.ok(g.connections >= 2);
    const t0 = Date.now();
    await hang.stop();
    assert.ok(Date.now() - t0 < 2000, `stop took ${Date.now() - t0} ms`);
  });

  test('login: true logs in upstream as a upsmon client once per connection, after USERNAME/PASSWORD; refused: not attached, the reason served', async () => {
    const up = await upstream();
    const r = await rig(up, { user: 'relay', password: 'pw', login: true });
    const c = await client(r);
    assert.equal(await c.getVar('relayed', 'ups.status'), 'OL');
    const head = up.fake.received.slice(0, 3);
    assert.deepEqual([head[0], head[1]?.startsWith('PASSWORD '), head[2]], ['USERNAME relay', true, 'LOGIN ups1']);
    const bad = await upstream();
    const refused = await rig(bad, { user: 'relay', password: 'wrong', login: true });
    const rc = await client(refused);
    assert.equal(await errCode(rc.getVar('relayed', 'ups.status')), 'DRIVER-NOT-CONNECTED');
    assert.match(await rc.getVar('relayed', 'upsagent.driver.error'), /logging in as relay.*ERR ACCESS-DENIED/);
    assert.ok(!refused.log.lines.some((l) => l.includes('wrong')), 'the password is never logged');
  });

  test('a stop closes the upstream connection politely (LOGOUT)', async () => {
    const up = await upstream();
    const r = await rig(up);
    await r.stop();
    await until('LOGOUT upstream', () => up.fake.received.includes('LOGOUT'));
  });
});

describe('relay: configuration', () => {
  const yaml = (entry: string) => `ups:\n  rack:\n${entry}`;

  test('driver: relay takes ups@host[:port] with user and password; refuses a port that is not one, or a user without password', async () => {
    const cfg = await parseConfig(yaml('    driver: relay\n    port: ups1@nut.example:3493\n    user: relay\n    password: pw\n    pollfreq: 10\n'));
    assert.equal(cfg.ups.rack!.port, 'ups1@nut.example:3493');
    await assert.rejects(parseConfig(yaml('    driver: relay\n    port: /dev/ttyS0\n')), /does not name a UPS of another server/);
    await assert.rejects(parseConfig(yaml('    driver: relay\n    port: ups1@nut\n    user: relay\n')), /give both user and password/);
    await assert.rejects(parseConfig(yaml('    driver: relay\n    port: ups1@nut\n    login: true\n')), /login needs user and password/);
  });

  test('dummy-ups with port ups@host is the relay, as dummy-ups picks repeater mode; with a file it is the simulation', async () => {
    const cfg = await parseConfig(yaml('    driver: dummy-ups\n    port: ups1@127.0.0.1:1\n    user: relay\n    password: pw\n'));
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const m = await createDriver(cfg.ups.rack!, { ups: 'rack', bus, publisher: store.addUps('rack'), log: new MemoryLogger() });
    assert.ok(m instanceof RelayDriver);
    const sim = await createDriver({ driver: 'dummy-ups', port: '/tmp/x.dev' }, { ups: 'sim', bus, publisher: store.addUps('sim'), log: new MemoryLogger() });
    assert.ok(!(sim instanceof RelayDriver));
    await assert.rejects(parseConfig(yaml('    driver: dummy-ups\n    port: x.dev\n    user: relay\n    password: pw\n')), /user is for a UPS of another server/);
  });

  test('under dummy-ups the relay names itself as dummy-ups does in repeater mode', async () => {
    const up = await upstream();
    const r = await startRelayRig({ port: up.port, entry: { driver: 'dummy-ups' }, users: USERS });
    opened.push(r);
    const c = await client(r);
    assert.equal(await c.getVar('relayed', 'driver.name'), 'dummy-ups');
    assert.equal(await c.getVar('relayed', 'driver.parameter.mode'), 'repeater');
  });
});
