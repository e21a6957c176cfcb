 
/**
 * Sessions and writes over real TCP: USERNAME/PASSWORD/LOGIN/LOGOUT,
 * PRIMARY/MASTER, FSD, SET VAR, INSTCMD and tracking, with upsd 2.8.0's
 * order of checks and the fake driver receiving what passes them.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeDriver, startHarness, type Harness, publishSampleVars } from '../helpers/fake-driver';

function populate(d: FakeDriver): void {
  const p = d.pub;
  publishSampleVars(p);
  p.setVar('ups.load', '23');
  p.setFlags('ups.load', { rw: true });
  p.setVar('device.model', 'M1');
  p.setFlags('device.model', { rw: true, string: true }, 32);
  p.dataOk();
}

describe('NUT server: sessions and writes', () => {
  let h: Harness;

  before(async () => {
    // Many refusals from one address on purpose: the login delay is tested in server-throttle.test.ts.
    h = await startHarness({ ups: { ups1: 'One', ups2: 'Two', dead: '' }, server: { loginThrottle: { enabled: false } }, extra: { requestWaitMs: 2000 } });
    populate(h.drivers.ups1!);
    populate(h.drivers.ups2!);
  });
  after(() => h.stop());
  afterEach(() => {
    for (const d of Object.values(h.drivers)) {
      d.calls.length = 0;
      d.failWith = null;
      d.hold = false;
      d.release();
    }
  });

  test('commands that need a user say USERNAME-REQUIRED, then PASSWORD-REQUIRED, before looking at arguments', async () => {
    const c = await h.client();
    for (const r of ['LOGIN ups1', 'SET VAR ups1 ups.load 5', 'SET TRACKING ON', 'SET', 'INSTCMD ups1 load.off', 'INSTCMD', 'FSD ups1', 'MASTER ups1', 'PRIMARY ups1', 'LOGIN']) {
      assert.equal(await c.request(r), 'ERR USERNAME-REQUIRED', r);
    }
    assert.equal(await c.request('USERNAME admin'), 'OK');
    for (const r of ['LOGIN ups1', 'SET VAR ups1 ups.load 5', 'FSD']) assert.equal(await c.request(r), 'ERR PASSWORD-REQUIRED', r);
    assert.equal(h.drivers.ups1!.calls.length, 0);
  });

  test('USERNAME and PASSWORD take one word, answer OK once, then ALREADY-SET-*', async () => {
    const c = await h.client();
    assert.equal(await c.request('USERNAME'), 'ERR INVALID-ARGUMENT');
    assert.equal(await c.request('USERNAME a b'), 'ERR INVALID-ARGUMENT');
    assert.equal(await c.request('PASSWORD'), 'ERR INVALID-ARGUMENT');
    assert.equal(await c.request('username "with space"'), 'OK');
    assert.equal(await c.request('USERNAME again'), 'ERR ALREADY-SET-USERNAME');
    assert.equal(await c.request('PASSWORD wrong'), 'OK'); // not checked yet
    assert.equal(await c.request('PASSWORD again'), 'ERR ALREADY-SET-PASSWORD');
  });

  test('a wrong password or unknown user is ACCESS-DENIED, after UNKNOWN-UPS', async () => {
    for (const [u, p] of [
      ['admin', 'bad'],
      ['nobody', 'secret'],
      ['ADMIN', 'secret'],
    ] as const) {
      const c = await h.client();
      await c.auth(u, p);
      assert.equal(await c.request('LOGIN nosuch'), 'ERR UNKNOWN-UPS');
      assert.equal(await c.request('LOGIN ups1'), 'ERR ACCESS-DENIED');
      assert.equal(await c.request('MASTER nosuch'), 'ERR UNKNOWN-UPS');
      assert.equal(await c.request('MASTER ups1'), 'ERR ACCESS-DENIED');
      assert.equal(await c.request('FSD nosuch'), 'ERR UNKNOWN-UPS');
      assert.equal(await c.request('FSD ups1'), 'ERR ACCESS-DENIED');
      assert.equal(await c.request('SET VAR nosuch x 1'), 'ERR UNKNOWN-UPS');
      // No SET right: ACCESS-DENIED comes before anything about the variable.
      assert.equal(await c.request('SET VAR ups1 no.such 1'), 'ERR ACCESS-DENIED');
      assert.equal(await c.request('INSTCMD nosuch load.off'), 'ERR UNKNOWN-UPS');
      // ...but INSTCMD checks the command exists first.
      assert.equal(await c.request('INSTCMD ups1 no.such'), 'ERR CMD-NOT-SUPPORTED');
      assert.equal(await c.request('INSTCMD ups1 load.off'), 'ERR ACCESS-DENIED');
    }
    assert.equal(h.drivers.ups1!.calls.length, 0);
    assert.equal((await (await h.client()).request('GET VAR ups1 ups.status')), 'VAR ups1 ups.status "OL"');
  });

  test('LOGIN needs an upsmon role; counts in NUMLOGINS and LIST CLIENT until the client goes', async () => {
    const plain = await h.client();
    await plain.auth('plain', 'pp');
    assert.equal(await plain.request('LOGIN ups1'), 'ERR ACCESS-DENIED');

    const mon = await h.client();
    await mon.auth('mon', 'pw');
    assert.equal(await mon.request('LOGIN'), 'ERR INVALID-ARGUMENT');
    assert.equal(await mon.request('LOGIN a b'), 'ERR INVALID-ARGUMENT');
    assert.equal(await mon.request('LOGIN nosuch'), 'ERR UNKNOWN-UPS');
    assert.equal(await mon.request('login UPS2'), 'OK');
    assert.equal(await mon.request('LOGIN ups2'), 'ERR ALREADY-LOGGED-IN');
    assert.equal(await mon.request('LOGIN ups1'), 'ERR ALREADY-LOGGED-IN');

    const admin = await h.client();
    await admin.auth('admin', 'secret');
    assert.equal(await admin.request('LOGIN ups2'), 'OK');
    // LOGIN works on a UPS whose driver is not running, as in upsd.
    const admin2 = await h.client();
    await admin2.auth('admin', 'secret');
    assert.equal(await admin2.request('LOGIN dead'), 'OK');

    assert.equal(await plain.request('GET NUMLOGINS ups2'), 'NUMLOGINS ups2 2');
    assert.equal(await plain.request('GET NUMLOGINS UPS2'), 'NUMLOGINS UPS2 2');
    assert.equal(await plain.request('GET NUMLOGINS ups1'), 'NUMLOGINS ups1 0');
    // Newest connection first; the UPS in its configured spelling.
    assert.equal(await plain.request('LIST CLIENT UPS2'), 'BEGIN LIST CLIENT UPS2\nCLIENT ups2 127.0.0.1\nCLIENT ups2 127.0.0.1\nEND LIST CLIENT UPS2');
    assert.equal(await plain.request('LIST CLIENT dead'), 'BEGIN LIST CLIENT dead\nCLIENT dead 127.0.0.1\nEND LIST CLIENT dead');

    mon.destroy();
    await mon.waitClosed();
    for (let i = 0; i < 50 && (await plain.request('GET NUMLOGINS ups2')) !== 'NUMLOGINS ups2 1'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await plain.request('GET NUMLOGINS ups2'), 'NUMLOGINS ups2 1');
    assert.equal(await admin.request('LOGOUT'), 'OK Goodbye');
    await admin.waitClosed();
    for (let i = 0; i < 50 && (await plain.request('GET NUMLOGINS ups2')) !== 'NUMLOGINS ups2 0'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await plain.request('GET NUMLOGINS ups2'), 'NUMLOGINS ups2 0');
    assert.equal(await plain.request('LIST CLIENT ups2'), 'BEGIN LIST CLIENT ups2\nEND LIST CLIENT ups2');
  });

  test('PRIMARY and MASTER need upsmon primary and answer in the spelling asked', async () => {
    const sec = await h.client();
    await sec.auth('mon', 'pw');
    assert.equal(await sec.request('PRIMARY ups1'), 'ERR ACCESS-DENIED');
    assert.equal(await sec.request('MASTER ups1'), 'ERR ACCESS-DENIED');
    const pri = await h.client();
    await pri.auth('admin', 'secret');
    assert.equal(await pri.request('PRIMARY ups1'), 'OK PRIMARY-GRANTED');
    assert.equal(await pri.request('master UPS1'), 'OK MASTER-GRANTED');
    assert.equal(await pri.request('MASTER'), 'ERR INVALID-ARGUMENT');
    assert.equal(await pri.request('PRIMARY a b'), 'ERR INVALID-ARGUMENT');
    assert.equal(await pri.request('PRIMARY nosuch'), 'ERR UNKNOWN-UPS');
  });

  test('LOGOUT answers OK Goodbye and closes; with an argument it is INVALID-ARGUMENT', async () => {
    const c = await h.client();
    assert.equal(await c.request('LOGOUT now'), 'ERR INVALID-ARGUMENT');
    // upsd finishes the chunk that held LOGOUT, then hangs up.
    c.send('LOGOUT\nNETVER\n');
    assert.equal(await c.readReply(), 'OK Goodbye');
    assert.equal(await c.readReply(), '1.3');
    await c.waitClosed();
  });

  test('FSD: primary or the fsd action; latches FSD into ups.status for every client', async () => {
    const other = await h.client();
    const c = await h.client();
    await c.auth('mon', 'pw');
    assert.equal(await c.request('FSD ups2'), 'ERR ACCESS-DENIED');
    const f = await h.client();
    await f.auth('fsder', 'ff');
    assert.equal(await f.request('FSD'), 'ERR INVALID-ARGUMENT');
    assert.equal(await f.request('FSD ups2 now'), 'ERR INVALID-ARGUMENT');
    const events: string[] = [];
    h.bus.on('ups.fsd', events, (e) => events.push(`${e.ups} by ${e.by}`));
    assert.equal(await f.request('FSD UPS2'), 'OK FSD-SET');
    assert.deepEqual(events, ['ups2 by fsder']);
    assert.equal(h.store.get('ups2')!.fsd, true);
    assert.equal(await other.request('GET VAR ups2 ups.status'), 'VAR ups2 ups.status "FSD OL"');
    assert.match(await other.request('LIST VAR ups2'), /^VAR ups2 ups\.status "FSD OL"$/m);
    // LIST RW shows the plain value, as upsd does.
    assert.match(await other.request('LIST RW ups2'), /^BEGIN LIST RW ups2\nRW ups2 device\.model/);
    h.drivers.ups2!.pub.setVar('ups.status', 'OB LB');
    assert.equal(await other.request('GET VAR ups2 ups.status'), 'VAR ups2 ups.status "FSD OB LB"');
    // FSD on a UPS without a running driver is still accepted.
    const a = await h.client();
    await a.auth('admin', 'secret');
    assert.equal(await a.request('FSD dead'), 'OK FSD-SET');
  });

  test('SET VAR: argument count, READONLY, TOO-LONG, SET-FAILED, enum and range checks in upsd order', async () => {
    const c = await h.client();
    await c.auth('admin', 'secret');
    const d = h.drivers.ups1!;
    const cases: Array<[string, string]> = [
      ['SET', 'ERR INVALID-ARGUMENT'],
      ['SET VAR', 'ERR INVALID-ARGUMENT'],
      ['SET VAR ups1', 'ERR INVALID-ARGUMENT'],
      ['SET VAR ups1 ups.load', 'ERR INVALID-ARGUMENT'],
      ['SET FOO ups1 x y', 'ERR INVALID-ARGUMENT'],
      ['SET VAR nosuch ups.load 1', 'ERR UNKNOWN-UPS'],
      ['SET VAR ups1 no.such 1', 'ERR VAR-NOT-SUPPORTED'],
      ['SET VAR ups1 ups.str x', 'ERR READONLY'],
      ['SET VAR ups1 ups.status OB', 'ERR READONLY'],
      ['SET VAR ups1 ups.strrw0 x', 'ERR SET-FAILED'],
      ['SET VAR ups1 input.sensitivity 123456789', 'ERR TOO-LONG'],
      ['SET VAR ups1 input.sensitivity X', 'ERR INVALID-VALUE'],
      ['SET VAR ups1 input.sensitivity h', 'ERR INVALID-VALUE'],
      ['SET VAR ups1 input.sensitivity ""', 'ERR INVALID-VALUE'],
      // upsd compares with the escaped enum value: a"b is refused, a\"b accepted.
      ['SET VAR ups1 input.sensitivity "a\\"b"', 'ERR INVALID-VALUE'],
      ['SET VAR ups1 input.transfer.low 195', 'ERR INVALID-VALUE'],
      ['SET VAR ups1 input.transfer.low abc', 'ERR INVALID-VALUE'],
      ['SET VAR ups1 ups.both 6', 'ERR INVALID-VALUE'],
      ['SET VAR dead ups.load 1', 'ERR DRIVER-NOT-CONNECTED'],
    ];
    for (const [r, want] of cases) assert.equal(await c.request(r), want, r);
    assert.equal(d.calls.length, 0);

    const ok: Array<[string, string, string]> = [
      ['SET VAR ups1 input.sensitivity H', 'input.sensitivity', 'H'],
      ['SET VAR ups1 input.sensitivity "a\\\\\\"b"', 'input.sensitivity', 'a\\"b'],
      ['SET VAR ups1 input.transfer.low 205', 'input.transfer.low', '205'],
      ['SET VAR ups1 input.transfer.low 205abc', 'input.transfer.low', '205abc'], // atoi("205abc") = 205
      ['SET VAR ups1 ups.both 5', 'ups.both', '5'],
      ['SET VAR UPS1 UPS.LOAD "42" extra', 'ups.load', '42'],
      ['SET VAR ups1 device.model "New \\"Model\\" \\#1"', 'device.model', 'New "Model" #1'],
    ];
    for (const [r, name, value] of ok) {
      assert.equal(await c.request(r), 'OK', r);
      assert.deepEqual(d.calls.at(-1), { kind: 'setvar', ups: 'ups1', name, value }, r);
    }
    // An unescaped # inside quotes is a parse error in upsd: no reply at all, and the rest of that
    // 512-byte read is lost; a request after it, in the next 512 bytes, is answered.
    c.send('SET VAR ups1 device.model "x#y"\n'.padEnd(512, ' ') + 'NETVER\n');
    assert.equal(await c.readReply(), '1.3');
    // The fake driver applies it (as dummy-ups does); readers see the escaped value.
    assert.equal(await c.request('GET VAR ups1 device.model'), 'VAR ups1 device.model "New \\"Model\\" \\#1"');
  });

  test('SET VAR needs the set action; upsmon primary alone is not enough', async () => {
    for (const [u, p, want] of [
      ['admin', 'secret', 'OK'],
      ['setter', 'so', 'OK'],
      ['mon', 'pw', 'ERR ACCESS-DENIED'],
      ['fsder', 'ff', 'ERR ACCESS-DENIED'],
      ['plain', 'pp', 'ERR ACCESS-DENIED'],
    ] as const) {
      const c = await h.client();
      await c.auth(u, p);
      assert.equal(await c.request('SET VAR ups1 ups.load 7'), want, u);
    }
    const prim = await startHarness({ users: { p: { password: 'x', actions: [], instcmds: [], upsmon: 'primary' } } });
    try {
      populate(prim.drivers.ups1!);
      const c = await prim.client();
      await c.auth('p', 'x');
      assert.equal(await c.request('SET VAR ups1 ups.load 7'), 'ERR ACCESS-DENIED');
      assert.equal(await c.request('FSD ups1'), 'OK FSD-SET');
    } finally {
      await prim.stop();
    }
  });

  test('INSTCMD: CMD-NOT-SUPPORTED before ACCESS-DENIED; instcmds by name (any case) or all; the parameter is passed', async () => {
    const d = h.drivers.ups1!;
    const s = await h.client();
    await s.auth('setter', 'so'); // instcmds: [LOAD.OFF]
    assert.equal(await s.request('INSTCMD'), 'ERR INVALID-ARGUMENT');
    assert.equal(await s.request('INSTCMD ups1'), 'ERR INVALID-ARGUMENT');
    assert.equal(await s.request('INSTCMD nosuch load.off'), 'ERR UNKNOWN-UPS');
    assert.equal(await s.request('INSTCMD dead load.off'), 'ERR DRIVER-NOT-CONNECTED');
    assert.equal(await s.request('INSTCMD ups1 no.such'), 'ERR CMD-NOT-SUPPORTED');
    assert.equal(await s.request('INSTCMD ups1 beeper.toggle'), 'ERR ACCESS-DENIED');
    assert.equal(await s.request('INSTCMD ups1 load.off'), 'OK');
    assert.deepEqual(d.calls.at(-1), { kind: 'instcmd', ups: 'ups1', name: 'Load.Off' });

    const a = await h.client();
    await a.auth('admin', 'secret');
    assert.equal(await a.request('instcmd UPS1 BEEPER.TOGGLE'), 'OK');
    assert.deepEqual(d.calls.at(-1), { kind: 'instcmd', ups: 'ups1', name: 'beeper.toggle' });
    assert.equal(await a.request('INSTCMD ups1 test.battery.start "p a r"'), 'OK');
    assert.deepEqual(d.calls.at(-1), { kind: 'instcmd', ups: 'ups1', name: 'test.battery.start', param: 'p a r' });
    assert.equal(await a.request('INSTCMD ups1 test.battery.start ""'), 'OK');
    assert.deepEqual(d.calls.at(-1), { kind: 'instcmd', ups: 'ups1', name: 'test.battery.start', param: '' });
    // More than one parameter: upsd sends none.
    assert.equal(await a.request('INSTCMD ups1 test.battery.start 5 6'), 'OK');
    assert.deepEqual(d.calls.at(-1), { kind: 'instcmd', ups: 'ups1', name: 'test.battery.start' });
  });

  test("a driver's RequestError becomes the matching ERR code; other failures SET-FAILED / INSTCMD-FAILED", async () => {
    const d = h.drivers.ups1!;
    const c = await h.client();
    await c.auth('admin', 'secret');
    d.failWith = 'INVALID-VALUE';
    assert.equal(await c.request('SET VAR ups1 ups.load 1'), 'ERR INVALID-VALUE');
    d.failWith = 'READONLY';
    assert.equal(await c.request('SET VAR ups1 ups.load 1'), 'ERR READONLY');
    d.failWith = 'crash';
    assert.equal(await c.request('SET VAR ups1 ups.load 1'), 'ERR SET-FAILED');
    assert.equal(await c.request('INSTCMD ups1 load.off'), 'ERR INSTCMD-FAILED');
    d.failWith = 'CMD-NOT-SUPPORTED';
    assert.equal(await c.request('INSTCMD ups1 load.off'), 'ERR CMD-NOT-SUPPORTED');
    // No driver answering on the bus at all.
    h.bus.removeAll(d);
    try {
      assert.equal(await c.request('INSTCMD ups1 load.off'), 'ERR DRIVER-NOT-CONNECTED');
    } finally {
      h.drivers.ups1 = new FakeDriver(h.bus, d.pub);
    }
    assert.ok(h.log.lines.some((l) => l.includes('INSTCMD Load.Off on ups1 failed')));
  });

  test('a driver slower than requestWaitMs gets OK (queued, as upsd answers); later requests wait their turn', async () => {
    const quick = await startHarness({ extra: { requestWaitMs: 50 } });
    try {
      populate(quick.drivers.ups1!);
      const d = quick.drivers.ups1!;
      const c = await quick.client();
      await c.auth('admin', 'secret');
      d.hold = true;
      c.send('INSTCMD ups1 load.off\nNETVER\n');
      assert.equal(await c.readReply(), 'OK');
      assert.equal(await c.readReply(), '1.3');
      d.release();
    } finally {
      await quick.stop();
    }
  });

  test('replies stay in request order while a driver works', async () => {
    const d = h.drivers.ups1!;
    const c = await h.client();
    await c.auth('admin', 'secret');
    d.hold = true;
    c.send('VER\nSET VAR ups1 ups.load 9\nNETVER\nGET VAR ups1 ups.load\n');
    assert.match(await c.readReply(), /^Network UPS Tools upsd/);
    // Nothing after the SET until the driver answers.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.pending, '');
    d.release();
    assert.equal(await c.readReply(), 'OK');
    assert.equal(await c.readReply(), '1.3');
    assert.equal(await c.readReply(), 'VAR ups1 ups.load "9"');
  });

  test('tracking: SET TRACKING ON/OFF, OK TRACKING <id>, then PENDING, SUCCESS or the driver error', async () => {
    const d = h.drivers.ups1!;
    const c = await h.client();
    await c.auth('admin', 'secret');
    assert.equal(await c.request('SET TRACKING'), 'ERR INVALID-ARGUMENT');
    assert.equal(await c.request('SET TRACKING maybe'), 'ERR INVALID-ARGUMENT');
    assert.equal(await c.request('set tracking on'), 'OK');
    assert.equal(await c.request('GET TRACKING'), 'ON');
    assert.equal(await c.request('GET TRACKING 00000000-0000-4000-8000-000000000000'), 'ERR UNKNOWN');

    const idOf = (reply: string) => {
      const m = /^OK TRACKING ([0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12})$/.exec(reply);
      assert.ok(m, reply);
      return m[1]!;
    };
    d.hold = true;
    const id = idOf(await c.request('SET VAR ups1 ups.load 11'));
    assert.equal(await c.request(`GET TRACKING ${id}`), 'PENDING');
    assert.equal(await c.request(`GET TRACKING ${id.toLowerCase()} extra`), 'PENDING');
    d.hold = false;
    d.release();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await c.request(`GET TRACKING ${id}`), 'SUCCESS');
    assert.equal(await c.request('GET VAR ups1 ups.load'), 'VAR ups1 ups.load "11"');

    const expect: Array<[typeof d.failWith, string]> = [
      ['INSTCMD-FAILED', 'ERR FAILED'],
      ['INVALID-ARGUMENT', 'ERR INVALID-ARGUMENT'],
      ['CMD-NOT-SUPPORTED', 'ERR UNKNOWN'],
      ['crash', 'ERR FAILED'],
    ];
    for (const [fail, status] of expect) {
      d.failWith = fail;
      const t = idOf(await c.request('INSTCMD ups1 beeper.toggle'));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await c.request(`GET TRACKING ${t}`), status, String(fail));
    }

    // The table is shared: another client with tracking on can read the id; one without cannot.
    const other = await h.client();
    assert.equal(await other.request(`GET TRACKING ${id}`), 'ERR FEATURE-NOT-CONFIGURED');
    await other.auth('plain', 'pp');
    assert.equal(await other.request('SET TRACKING ON'), 'OK');
    assert.equal(await other.request(`GET TRACKING ${id}`), 'SUCCESS');

    assert.equal(await c.request('SET TRACKING OFF'), 'OK');
    assert.equal(await c.request('GET TRACKING'), 'OFF');
    assert.equal(await c.request(`GET TRACKING ${id}`), 'ERR FEATURE-NOT-CONFIGURED');
    d.failWith = null;
    assert.equal(await c.request('SET VAR ups1 ups.load 12'), 'OK');
  });

  test('tracking results are forgotten after TRACKINGDELAY (an hour)', async () => {
    const t = await startHarness({ extra: { sweepIntervalMs: 10 } });
    try {
      populate(t.drivers.ups1!);
      const c = await t.client();
      await c.auth('admin', 'secret');
      await c.request('SET TRACKING ON');
      const id = (await c.request('INSTCMD ups1 load.off')).split(' ')[2]!;
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await c.request(`GET TRACKING ${id}`), 'SUCCESS');
      t.clock.t += 3600_000 + 1000;
      t.drivers.ups1!.pub.dataOk(); // keep the UPS fresh on the new clock
      for (let i = 0; i < 100 && (await c.request(`GET TRACKING ${id}`)) !== 'ERR UNKNOWN'; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await c.request(`GET TRACKING ${id}`), 'ERR UNKNOWN');
    } finally {
      await t.stop();
    }
  });

  test('passwords never reach the log', async () => {
    const c = await h.client();
    await c.auth('admin', 'secret');
    assert.equal(await c.request('LOGIN ups1'), 'OK');
    await c.request('SET VAR ups1 ups.load 3');
    await c.request('INSTCMD ups1 load.off');
    assert.ok(h.log.lines.some((l) => l.includes('admin@127.0.0.1')));
    assert.ok(!h.log.lines.some((l) => l.includes('secret')), h.log.lines.join('\n'));
  });
});
