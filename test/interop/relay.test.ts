/**
 * The relay against the REAL NUT 2.8.0 upstream: Debian's upsd serving a
 * dummy-ups UPS, our relay (driver: relay) serving it again, and the real
 * clients (upsc, upsrw, upscmd) plus 1,000 of ours on the relay. The real
 * upsd sees one connection; what it serves is what the relay serves (types
 * and descriptions included); writes and commands reach it with the relay's
 * login; a client without the right is refused by the relay with no
 * upstream traffic; upsd stopped -> ERR DATA-STALE -> values back when it
 * returns.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NutClient } from '../../src/client/client';
import { describeCmd, describeVar } from '../../src/protocol/descriptions';
import { startRealNut, UPSC, UPSCMD, UPSRW, type RealNut } from '../helpers/real-nut';
import { errCode } from '../helpers/nut-error';
import { runTool } from '../helpers/real-nut-serial';
import { startRelayRig, until, type RelayRig } from '../helpers/relay-rig';

const CLIENTS = 1000;
/** Texts only the upstream's cmdvartab has: what the relay serves for them can only come from there. */
const UPSTREAM_VARDESC = 'Self-test result, as the upstream server words it';
const UPSTREAM_CMDDESC = 'Cut the load, as the upstream server words it';

/** TCP connections from this process to `port` (ss: established, with our pid). */
async function connectionsTo(port: number): Promise<number> {
  const r = await runTool('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`]);
  assert.equal(r.code, 0, r.err);
  return r.out.split('\n').filter((l) => l.includes(`pid=${process.pid},`)).length;
}

/** upsd's own log lines of accepted writes and commands (it logs each at LOG_INFO, to stderr with -F). */
function upsdWrites(nut: RealNut): string[] {
  return readFileSync(join(nut.dir, 'upsd.log'), 'utf8')
    .split('\n')
    .filter((l) => /Set variable:|Instant command:/.test(l));
}

describe('relay against real upsd 2.8.0 + dummy-ups', { timeout: 180_000 }, () => {
  let nut: RealNut;
  let relay: RelayRig;
  const ours = (): string => `relayed@127.0.0.1:${relay.port}`;

  before(async () => {
    // Both ends of 1,000 connections live in this process.
    const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
    assert.ok(limit >= 2 * CLIENTS + 100, `this test needs ${2 * CLIENTS + 100} file descriptors (ulimit -n is ${limit}): run it after ulimit -n 4096`);
    nut = await startRealNut({
      devices: { ups1: { file: 'test/fixtures/dummy/basic.dev' } },
      users: { relayuser: { password: 'relaypw', actions: ['SET'], instcmds: ['ALL'], upsmon: 'secondary' } },
      maxAge: 5,
    });
    // upsd reads its descriptions from DATAPATH/cmdvartab: Debian's, plus two of our own words.
    const table = readFileSync('/usr/share/nut/cmdvartab', 'utf8');
    writeFileSync(join(nut.dir, 'cmdvartab'), `${table}\nVARDESC ups.test.result "${UPSTREAM_VARDESC}"\nCMDDESC load.off "${UPSTREAM_CMDDESC}"\n`);
    appendFileSync(join(nut.dir, 'upsd.conf'), `DATAPATH ${nut.dir}\n`);
    await nut.stopUpsd();
    await nut.startUpsd();
    relay = await startRelayRig({
      port: `ups1@127.0.0.1:${nut.port}`,
      entry: { user: 'relayuser', password: 'relaypw', login: true, pollInterval: 0.5, pollfreq: 5 },
      users: {
        admin: { password: 'adminpw', actions: ['set'], instcmds: ['all'] },
        viewer: { password: 'viewerpw', actions: [], instcmds: [] },
      },
    });
    await until('relay has data', () => relay.store.get('relayed')?.health.dumpDone);
  });

  after(async () => {
    await relay?.stop();
    await nut?.stop();
  });

  test('what the relay serves is what upsd serves: values, types, descriptions, enums, ranges, commands (driver.* is the relay\'s own)', async () => {
    const up = await NutClient.connect({ host: '127.0.0.1', port: nut.port });
    const c = await NutClient.connect({ host: '127.0.0.1', port: relay.port });
    try {
      const real = (await up.listVars('ups1')).filter(([n]) => !n.startsWith('driver.'));
      const relayed = (await c.listVars('relayed')).filter(([n]) => !n.startsWith('driver.'));
      assert.deepEqual(relayed, real);
      for (const [name] of real) {
        const type = await up.getType('ups1', name);
        assert.deepEqual(await c.getType('relayed', name), type, `GET TYPE ${name}`);
        // The upstream's words; where its table has none, ours (upsd's answer then says nothing).
        const desc = await up.getDesc('ups1', name);
        assert.equal(await c.getDesc('relayed', name), desc === 'Description unavailable' ? describeVar(name) : desc, `GET DESC ${name}`);
        if (type.includes('ENUM')) assert.deepEqual(await c.listEnum('relayed', name), await up.listEnum('ups1', name));
        if (type.includes('RANGE')) assert.deepEqual(await c.listRange('relayed', name), await up.listRange('ups1', name));
      }
      assert.deepEqual(await c.listRw('relayed'), (await up.listRw('ups1')).filter(([n]) => !n.startsWith('driver.')));
      const cmds = await up.listCmd('ups1');
      assert.ok(cmds.length > 0);
      assert.deepEqual(await c.listCmd('relayed'), cmds);
      for (const cmd of cmds) {
        const desc = await up.getCmdDesc('ups1', cmd);
        assert.equal(await c.getCmdDesc('relayed', cmd), desc === 'Description unavailable' ? describeCmd(cmd) : desc);
      }
      assert.equal(await c.getDesc('relayed', 'ups.test.result'), UPSTREAM_VARDESC);
      assert.equal(await c.getCmdDesc('relayed', 'load.off'), UPSTREAM_CMDDESC);
      assert.equal(await c.getVar('relayed', 'driver.name'), 'relay');
    } finally {
      up.destroy();
      c.destroy();
    }
  });

  test(`${CLIENTS} clients on the relay; the real upsd sees one connection from it, logged in once (LIST CLIENT)`, async () => {
    const clients: NutClient[] = [];
    try {
      for (let i = 0; i < CLIENTS; i += 100) {
        clients.push(...(await Promise.all(Array.from({ length: 100 }, () => NutClient.connect({ host: '127.0.0.1', port: relay.port, timeoutMs: 20_000 })))));
      }
      const status = await Promise.all(clients.map((c) => c.getVar('relayed', 'ups.status')));
      assert.deepEqual(new Set(status), new Set(['OL CHRG']));
      const lists = await Promise.all(clients.map((c) => c.listVars('relayed')));
      assert.ok(lists.every((l) => l.length === lists[0]!.length && l.length > 20));
      assert.equal(await connectionsTo(relay.port), CLIENTS);
      assert.equal(await connectionsTo(nut.port), 1);
      assert.equal(relay.connections, 1);
      // login: true: upsd counts the relay as one upsmon client of ups1, whatever the number of ours.
      const up = await NutClient.connect({ host: '127.0.0.1', port: nut.port });
      try {
        assert.deepEqual(await up.listClients('ups1'), ['127.0.0.1']);
        assert.equal(await up.getNumLogins('ups1'), 1);
      } finally {
        up.destroy();
      }
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  test('values change when dummy-ups\' .dev file changes', async () => {
    const file = nut.deviceFiles.ups1!;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('battery.charge: 100', 'battery.charge: 57').replace('ups.status: OL CHRG', 'ups.status: OB DISCHRG'));
    // dummy-ups re-reads a dummy-once file when its mtime changes; make sure it does within the same second.
    const later = new Date(Date.now() + 2000);
    utimesSync(file, later, later);
    const c = await NutClient.connect({ host: '127.0.0.1', port: relay.port });
    try {
      await until('new values through the relay', async () => (await c.getVar('relayed', 'battery.charge')) === '57', 20_000);
      assert.equal(await c.getVar('relayed', 'ups.status'), 'OB DISCHRG');
      const r = await runTool(UPSC, [ours(), 'battery.charge']);
      assert.equal(r.out.trim(), '57');
    } finally {
      writeFileSync(file, text);
      const later2 = new Date(Date.now() + 4000);
      utimesSync(file, later2, later2);
      await until('the first values back', async () => (await c.getVar('relayed', 'ups.status')) === 'OL CHRG', 20_000);
      c.destroy();
    }
  });

  test('upsrw and upscmd through the relay reach upsd with the relay\'s login; a user without rights is refused here, nothing sent upstream', async () => {
    const before = upsdWrites(nut).length;
    const set = await runTool(UPSRW, ['-s', 'ups.delay.shutdown=45', '-u', 'admin', '-p', 'adminpw', ours()]);
    assert.equal(set.code, 0, set.err + set.out);
    await until('the value upstream', async () => (await runTool(UPSC, [`ups1@127.0.0.1:${nut.port}`, 'ups.delay.shutdown'])).out.trim() === '45', 10_000);
    await until('the value on the relay', async () => (await runTool(UPSC, [ours(), 'ups.delay.shutdown'])).out.trim() === '45', 10_000);
    const cmd = await runTool(UPSCMD, ['-u', 'admin', '-p', 'adminpw', ours(), 'load.off']);
    assert.equal(cmd.code, 0, cmd.err + cmd.out);
    await until('upsd logged both', () => upsdWrites(nut).length >= before + 2);
    const logged = upsdWrites(nut).slice(before);
    assert.match(logged[0]!, /Set variable: relayuser@127\.0\.0\.1 set ups\.delay\.shutdown on ups1 to 45/);
    assert.match(logged[1]!, /Instant command: relayuser@127\.0\.0\.1 did load\.off on ups1/);

    const n = upsdWrites(nut).length;
    const denied = await runTool(UPSRW, ['-s', 'ups.delay.shutdown=99', '-u', 'viewer', '-p', 'viewerpw', ours()]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.err + denied.out, /ACCESS-DENIED/);
    const deniedCmd = await runTool(UPSCMD, ['-u', 'viewer', '-p', 'viewerpw', ours(), 'load.off']);
    assert.notEqual(deniedCmd.code, 0);
    assert.match(deniedCmd.err + deniedCmd.out, /ACCESS-DENIED/);
    // No upstream traffic for them: upsd logged nothing new, the value is unchanged, and the relay still has one connection.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(upsdWrites(nut).length, n);
    assert.equal((await runTool(UPSC, [`ups1@127.0.0.1:${nut.port}`, 'ups.delay.shutdown'])).out.trim(), '45');
    assert.equal(await connectionsTo(nut.port), 1);
  });

  test('upsd stopped: ERR DATA-STALE on the relay; upsd back: values back, on a new single connection', async () => {
    const c = await NutClient.connect({ host: '127.0.0.1', port: relay.port });
    try {
      assert.equal(await c.getVar('relayed', 'ups.status'), 'OL CHRG');
      await nut.stopUpsd();
      await until('stale', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'DATA-STALE');
      const upsc = await runTool(UPSC, [ours(), 'ups.status']);
      assert.notEqual(upsc.code, 0);
      assert.match(upsc.err, /Data stale/i);
      assert.match(await c.getVar('relayed', 'upsagent.driver.error'), new RegExp(`ups1@127\\.0\\.0\\.1:${nut.port}`));
      await nut.startUpsd();
      await until('fresh', async () => (await errCode(c.getVar('relayed', 'ups.status'))) === 'OK', 40_000);
      assert.equal(await c.getVar('relayed', 'ups.status'), 'OL CHRG');
      assert.equal(await connectionsTo(nut.port), 1);
    } finally {
      c.destroy();
    }
  });
});
