/**
 * The qx driver core over a scripted transport (no pty): autodetection,
 * what an echoed, refused, garbled or silent reply costs, withdrawal of
 * values a unit stops giving, NUT's quick/full status rules, static queries
 * dropped after failing at open, and the battery estimate.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { RequestError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { BatteryEstimator, parseRuntimeCal } from '../../src/drivers/qx/battery';
import { createQxDriver } from '../../src/drivers/qx/index';
import { DeviceTimeoutError } from '../../src/drivers/runtime/errors';
import type { QxTransport } from '../../src/drivers/qx/transport';
import type { QxProtocol, QxQuery } from '../../src/drivers/qx/protocol';
import { bestups } from '../../src/drivers/qx/protocols/bestups';
import { megatec } from '../../src/drivers/qx/protocols/megatec';

/** Answers each command (without \r) from `unit`; undefined = echo it, null = silence. */
type Unit = Record<string, string | null | undefined>;

class ScriptedTransport implements QxTransport {
  readonly description = '/dev/ttyFAKE';
  readonly sent: string[] = [];
  waitOnSilence = false;
  constructor(public unit: Unit) {}
  query(command: string, opts: { timeoutMs: number }): Promise<string> {
    this.sent.push(command);
    const key = command.replace(/\r$/, '');
    const r = key in this.unit ? this.unit[key] : key;
    if (r === null || r === undefined) {
      const err = new DeviceTimeoutError(`read ${key}`, opts.timeoutMs);
      // Silence takes the whole reply deadline on a real line; `waitOnSilence` makes it so here.
      return this.waitOnSilence ? new Promise((_, reject) => setTimeout(() => reject(err), opts.timeoutMs)) : Promise.reject(err);
    }
    return Promise.resolve(r);
  }
  send(command: string): Promise<void> {
    this.sent.push(command);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const Q1_OL = '(230.0 140.0 230.0 010 50.0 27.0 30.0 00001001';
const MEGATEC: Unit = { Q1: Q1_OL, F: '#230.0 004 024.0 50.0', I: '#ACME            UPS-1000   V1.0      ' };

async function start(unit: Unit, cfg: Record<string, unknown> = {}, protocols?: readonly QxProtocol[], waitOnSilence = false) {
  const t = new ScriptedTransport({ ...unit });
  t.waitOnSilence = waitOnSilence;
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const lines: string[] = [];
  const driver = createQxDriver({ driver: 'qx', port: '/dev/ttyFAKE', pollInterval: 0.1, pollfreq: 1, timeout: 1, ...cfg }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger(lines) }, { openTransport: () => Promise.resolve(t), ...(protocols ? { protocols } : {}) });
  await driver.start();
  const v = (name: string): string | undefined => {
    store.flush();
    return store.get('u')?.getVar(name)?.value;
  };
  const health = () => {
    store.flush();
    return store.get('u')!.health;
  };
  const until = async (what: string, ok: () => boolean, ms = 5000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}; status ${String(v('ups.status'))}\n${lines.slice(-6).join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { t, bus, store, driver, v, health, until, lines, stop: () => driver.stop() };
}

describe('qx core', () => {
  test('a unit that answers only Q1 is the q1 fallback, after every other protocol was tried in order', async () => {
    const r = await start({ Q1: Q1_OL });
    try {
      assert.equal(r.v('driver.version.data'), 'Q1 0.08');
      assert.equal(r.v('input.voltage'), '230.0');
      assert.equal(r.v('input.voltage.nominal'), undefined);
      // Mustek's QS first, then megatec/old's D, ... each echoed.
      const firsts = r.t.sent.filter((c, i) => r.t.sent.indexOf(c) === i);
      assert.ok(firsts.indexOf('QS\r') < firsts.indexOf('D\r') && firsts.indexOf('D\r') < firsts.indexOf('ID\r'), JSON.stringify(firsts));
      assert.ok(firsts.includes('FW?\r'), 'zinto was tried');
    } finally {
      await r.stop();
    }
  });

  test('protocol set: only that one is tried; a unit that does not speak it is never attached', async () => {
    const r = await start({ Q1: Q1_OL }, { protocol: 'megatec' });
    try {
      await r.until('open failed', () => r.lines.some((l) => /does not answer as protocol megatec/.test(l)));
      assert.equal(r.health().attached, false);
      assert.equal(r.t.sent.includes('QS\r'), false);
    } finally {
      await r.stop();
    }
    const n = await start({ Q1: Q1_OL }, { protocol: 'megatec', novendor: true });
    try {
      assert.equal(n.v('driver.version.data'), 'Megatec 0.10');
      assert.equal(n.t.sent.includes('I\r'), false, 'novendor: no I at all');
      assert.equal(n.v('ups.firmware'), undefined);
    } finally {
      await n.stop();
    }
  });

  test('an echoed, garbled or truncated status reply is a missed poll (stale), never a value; then fresh again', async () => {
    const r = await start(MEGATEC, { protocol: 'megatec' });
    try {
      assert.equal(r.v('ups.status'), 'OL');
      for (const bad of ['Q1', '(230.0 140.0 230.0 010 50.0 27.0 30.0 0000100', '(999.9 140.0 230.0 010 50.0 27.0 30.0 x0001001', '\u0000\u0000\u0000']) {
        r.t.unit.Q1 = bad;
        await r.until(`stale on ${JSON.stringify(bad)}`, () => r.health().staleFlag);
        assert.equal(r.v('input.voltage'), '230.0', 'nothing from the bad reply was published');
        r.t.unit.Q1 = Q1_OL;
        await r.until('fresh again', () => !r.health().staleFlag);
      }
    } finally {
      await r.stop();
    }
  });

  test('a value the unit stops giving is withdrawn; it comes back with the unit', async () => {
    const r = await start(MEGATEC, { protocol: 'megatec' });
    try {
      assert.equal(r.v('ups.temperature'), '30.0');
      r.t.unit.Q1 = '(230.0 140.0 230.0 010 50.0 27.0 @@@@ 00001001';
      await r.until('temperature withdrawn', () => r.v('ups.temperature') === undefined);
      assert.equal(r.v('input.voltage'), '230.0');
      r.t.unit.Q1 = Q1_OL;
      await r.until('temperature back', () => r.v('ups.temperature') === '30.0');
    } finally {
      await r.stop();
    }
  });

  test('status between full updates: OB set at once; TRIM cleared at once (NUT keeps it until the next full update)', async () => {
    const r = await start(MEGATEC, { protocol: 'megatec', pollfreq: 3600 });
    try {
      r.t.unit.Q1 = '(240.0 140.0 220.0 010 50.0 27.0 30.0 00101001';
      await r.until('TRIM', () => r.v('ups.status') === 'OL TRIM');
      r.t.unit.Q1 = Q1_OL;
      await r.until('TRIM cleared on a quick poll', () => r.v('ups.status') === 'OL');
      r.t.unit.Q1 = '(000.0 000.0 229.0 010 50.0 24.0 30.0 10001011';
      await r.until('OB FSD with its alarm', () => r.v('ups.status') === 'ALARM OB FSD');
      assert.equal(r.v('ups.alarm'), 'Shutdown imminent!');
    } finally {
      await r.stop();
    }
  });

  test('F silent at open: dropped for the connection (NUT skips it), the rest goes on', async () => {
    const r = await start({ ...MEGATEC, F: null }, { protocol: 'megatec' });
    try {
      const before = r.t.sent.filter((c) => c === 'F\r').length;
      assert.equal(before, 1);
      await r.until('a few full polls', () => r.t.sent.filter((c) => c === 'Q1\r').length > 25, 8000);
      assert.equal(r.t.sent.filter((c) => c === 'F\r').length, 1);
      assert.equal(r.v('input.voltage.nominal'), undefined);
      // No nominal voltage, no default.*: no charge guess.
      assert.equal(r.v('battery.charge'), undefined);
    } finally {
      await r.stop();
    }
  });

  test('default.battery.voltage.high/low give the charge where the unit has no rating', async () => {
    const r = await start({ ...MEGATEC, F: null }, { protocol: 'megatec', 'default.battery.voltage.high': 27.4, 'default.battery.voltage.low': 21.0 });
    try {
      assert.equal(r.v('battery.voltage.high'), '27.4');
      assert.equal(r.v('battery.voltage.low'), '21');
      await r.until('charge', () => r.v('battery.charge') === '94');
    } finally {
      await r.stop();
    }
  });

  test('override.battery.voltage.nominal wins over F; default.battery.voltage.nominal stands in for a missing F', async () => {
    const o = await start({ ...MEGATEC, Q1: '(230.0 140.0 230.0 010 50.0 52.0 30.0 00001001' }, { protocol: 'megatec', 'override.battery.voltage.nominal': 48 });
    try {
      assert.equal(o.v('battery.voltage.nominal'), '48');
      // 52 V against 41.6..52 V (the 48 V guesses): full.
      await o.until('charge', () => o.v('battery.charge') === '100');
      assert.equal(o.v('battery.voltage.high'), '52.00');
    } finally {
      await o.stop();
    }
    const d = await start({ ...MEGATEC, F: null }, { protocol: 'megatec', 'default.battery.voltage.nominal': 24 });
    try {
      assert.equal(d.v('battery.voltage.nominal'), '24');
      await d.until('charge from the default nominal', () => d.v('battery.charge') === '100');
    } finally {
      await d.stop();
    }
  });

  test('ignorelb without any charge or runtime low mark: the unit\'s LB is kept and the reason logged once (NUT refuses to start)', async () => {
    const r = await start({ ...MEGATEC, Q1: '(000.0 000.0 229.0 010 50.0 21.2 30.0 11001001' }, { protocol: 'megatec', ignorelb: true });
    try {
      await r.until('OB LB from the unit', () => r.v('ups.status') === 'OB LB');
      assert.equal(r.v('battery.charge.low'), undefined);
      await r.until('a few polls', () => r.lines.filter((l) => /Q1/.test(l)).length >= 4);
      assert.equal(r.lines.filter((l) => /ignorelb is set, but neither/.test(l)).length, 1, r.lines.join('\n'));
    } finally {
      await r.stop();
    }
  });

  test('ignorelb: the unit\'s LB is ignored; LB comes from battery.charge below battery.charge.low (override/default), appended last as NUT does', async () => {
    // OB with the unit's LB bit set, 27.0 V on a 24 V battery (20.8..26 V guessed): 100 % charge.
    const OB_LB = '(000.0 000.0 229.0 010 50.0 27.0 30.0 11001001';
    const r = await start({ ...MEGATEC, Q1: OB_LB }, { protocol: 'megatec', ignorelb: true, 'default.battery.charge.low': 20 });
    try {
      await r.until('OB without the unit\'s LB', () => r.v('ups.status') === 'OB');
      assert.equal(r.v('battery.charge.low'), '20');
      assert.equal(r.v('driver.flag.ignorelb'), 'enabled');
      assert.equal(r.v('battery.charge'), '100');
      // 21.2 V: about 8 %, below 20 %: LB after the other flags.
      r.t.unit.Q1 = '(000.0 000.0 229.0 010 50.0 21.2 30.0 11001001';
      await r.until('LB from the charge', () => r.v('ups.status') === 'OB LB');
      r.t.unit.Q1 = '(000.0 000.0 229.0 010 50.0 21.2 30.0 01001001';
      await r.until('LB from the charge while online', () => r.v('ups.status') === 'OL LB');
    } finally {
      await r.stop();
    }
    // 25.0 V: about 81 %, below an override of 90.
    const o = await start({ ...MEGATEC, Q1: '(000.0 000.0 229.0 010 50.0 25.0 30.0 11001001' }, { protocol: 'megatec', ignorelb: true, 'override.battery.charge.low': 90 });
    try {
      assert.equal(o.v('battery.charge.low'), '90');
      await o.until('81 < 90: LB', () => o.v('ups.status') === 'OB LB');
    } finally {
      await o.stop();
    }
    // Equal is not below (NUT compares with <): 100 % against 100.
    const e = await start({ ...MEGATEC, Q1: OB_LB }, { protocol: 'megatec', ignorelb: true, 'override.battery.charge.low': 100 });
    try {
      await e.until('charge', () => e.v('battery.charge') === '100');
      assert.equal(e.v('ups.status'), 'OB');
    } finally {
      await e.stop();
    }
    const n = await start({ ...MEGATEC, Q1: OB_LB }, { protocol: 'megatec', 'default.battery.charge.low': 20 });
    try {
      await n.until('without ignorelb the unit\'s LB stands', () => n.v('ups.status') === 'OB LB');
      assert.equal(n.v('driver.flag.ignorelb'), undefined);
    } finally {
      await n.stop();
    }
  });

  test('ignorelb: battery.runtime below battery.runtime.low (runtimecal estimate) sets LB; a low mark of 0 never does', async () => {
    const OB = '(000.0 000.0 229.0 010 50.0 27.0 30.0 10001001';
    const r = await start({ ...MEGATEC, Q1: OB }, { protocol: 'megatec', ignorelb: true, runtimecal: '240,100,720,50', 'override.battery.runtime.low': 100000 });
    try {
      await r.until('runtime estimated', () => r.v('battery.runtime') !== undefined);
      await r.until('LB from the runtime', () => r.v('ups.status') === 'OB LB');
    } finally {
      await r.stop();
    }
    const e = await start({ ...MEGATEC, Q1: OB }, { protocol: 'megatec', ignorelb: true, runtimecal: '240,100,720,50', 'override.battery.runtime.low': 0 });
    try {
      await e.until('runtime estimated', () => e.v('battery.runtime') !== undefined);
      assert.equal(e.v('ups.status'), 'OB');
    } finally {
      await e.stop();
    }
  });

  test('bestups pins_shutdown_mode: SS?, then SS<n> once per connection when the unit differs; nothing when equal, unset or unanswered', async () => {
    const BEST: Unit = { Q1: '(230.0 140.0 230.0 010 50.0 27.0 30.0 00001001', ID: 'FOR,750,120,120,20.0,27.6', SS: undefined, 'SS?': '0' };
    const count = (t: ScriptedTransport, c: string): number => t.sent.filter((x) => x === c).length;
    const r = await start(BEST, { protocol: 'bestups', pins_shutdown_mode: 2 }, [bestups]);
    try {
      assert.equal(count(r.t, 'SS?\r'), 1);
      assert.equal(count(r.t, 'SS2\r'), 1);
      // SS? before SS2, both after the opening pass's ID.
      assert.ok(r.t.sent.indexOf('ID\r') < r.t.sent.indexOf('SS?\r') && r.t.sent.indexOf('SS?\r') < r.t.sent.indexOf('SS2\r'));
      await r.until('a few full polls', () => count(r.t, 'Q1\r') > 15, 8000);
      assert.equal(count(r.t, 'SS2\r'), 1);
      assert.equal(r.v('pins_shutdown_mode'), undefined);
      // A lost unit comes back: a new connection asks and writes again.
      r.t.unit.Q1 = null;
      await r.until('stale', () => r.health().staleFlag, 8000);
      r.t.unit.Q1 = BEST.Q1;
      await r.until('reconnected and written again', () => count(r.t, 'SS2\r') === 2, 15000);
      assert.equal(count(r.t, 'SS?\r'), 2);
    } finally {
      await r.stop();
    }
    for (const [unit, cfg] of [
      [{ ...BEST, 'SS?': '2' }, { pins_shutdown_mode: 2 }],
      [BEST, {}],
      [{ ...BEST, 'SS?': undefined }, { pins_shutdown_mode: 2 }],
      [{ ...BEST, 'SS?': 'x' }, { pins_shutdown_mode: 2 }],
    ] as const) {
      const o = await start(unit, { protocol: 'bestups', ...cfg }, [bestups]);
      try {
        assert.equal(count(o.t, 'SS?\r'), 1);
        assert.equal(o.t.sent.filter((x) => /^SS[0-9]/.test(x)).length, 0, JSON.stringify(unit['SS?']));
      } finally {
        await o.stop();
      }
    }
  });

  test('a full poll of many queries a unit ignores gets the time to wait them all out: no reconnect, no stale', async () => {
    // 70 optional queries the unit never answers, 80 ms each: 5.6 s, longer than the default 5 s deadline.
    const silent: QxQuery[] = Array.from({ length: 70 }, (_, i) => ({ command: `X${i}\r`, kind: 'poll' as const, parse: () => ({}) }));
    const slow: QxProtocol = { ...megatec, name: 'slow', replyTimeoutMs: 80, queries: [...megatec.queries, ...silent] };
    const unit: Unit = { ...MEGATEC };
    for (let i = 0; i < 70; i++) unit[`X${i}`] = null;
    const r = await start(unit, { pollfreq: 1, timeout: undefined }, [slow], true);
    try {
      assert.equal(r.v('ups.status'), 'OL');
      const fullPasses = () => r.t.sent.filter((c) => c === 'X69\r').length;
      await r.until('a full poll after the open', () => fullPasses() >= 2, 30_000);
      assert.equal(r.health().staleFlag, false);
      assert.equal(r.lines.some((l) => /lost |poll failed|full update: no answer/.test(l)), false, r.lines.filter((l) => !/X\d+/.test(l)).join('\n'));
    } finally {
      await r.stop();
    }
  });

  test('stop is prompt while autodetection waits on a silent unit', async () => {
    const t = new ScriptedTransport({});
    t.waitOnSilence = true;
    for (const c of ['Q1', 'QS', 'D', 'QGS', 'QPI', 'M', 'QMD', 'Q2', 'Q6', 'I', 'F', 'ID', 'FW?']) t.unit[c] = null;
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const driver = createQxDriver({ driver: 'qx', port: '/dev/ttyFAKE' }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger() }, { openTransport: () => Promise.resolve(t) });
    const starting = driver.start();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await driver.stop();
    await starting;
    // One reply deadline (1 s) at most, not the whole autodetection (tens of seconds).
    assert.ok(Date.now() - t0 < 1500, `stop took ${Date.now() - t0} ms`);
    assert.ok(t.sent.length >= 1 && t.sent.length < 5, JSON.stringify(t.sent));
  });

  test('a refused command ((NAK on mecer units) is INSTCMD-FAILED; (ACK is done', async () => {
    const r = await start({ Q1: Q1_OL, QPI: '(NAK', F: '#230.0 004 024.0 50.0', I: '#ACME            UPS-1000   V1.0      ', Q: '(ACK', T: '(NAK' }, { protocol: 'mecer' });
    try {
      assert.equal(r.v('driver.version.data'), 'Mecer 0.09');
      assert.equal(r.v('ups.firmware.aux'), undefined);
      await r.bus.request('ups.instcmd', { ups: 'u', name: 'beeper.toggle' });
      await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'test.battery.start.quick' }), (e: unknown) => e instanceof RequestError && e.failure === 'INSTCMD-FAILED');
      await assert.rejects(r.bus.request('ups.instcmd', { ups: 'u', name: 'no.such' }), (e: unknown) => e instanceof RequestError && e.failure === 'CMD-NOT-SUPPORTED');
    } finally {
      await r.stop();
    }
  });

  test('shutdown.default is upsdrv_shutdown: C, then S..R.. (stayoff: R0000)', async () => {
    const r = await start({ ...MEGATEC, C: null, S02R0005: null }, { protocol: 'megatec', offdelay: 120, ondelay: 300 });
    try {
      assert.equal(r.v('ups.delay.shutdown'), '120');
      const n = r.t.sent.length;
      await r.bus.request('ups.instcmd', { ups: 'u', name: 'shutdown.default' });
      assert.deepEqual(r.t.sent.slice(n).filter((c) => c !== 'Q1\r'), ['C\r', 'S02R0005\r']);
    } finally {
      await r.stop();
    }
    const s = await start({ ...MEGATEC, C: null, 'S.5R0000': null }, { protocol: 'megatec', stayoff: true });
    try {
      const n = s.t.sent.length;
      await s.bus.request('ups.instcmd', { ups: 'u', name: 'shutdown.default' });
      assert.deepEqual(s.t.sent.slice(n).filter((c) => c !== 'Q1\r'), ['C\r', 'S.5R0000\r']);
    } finally {
      await s.stop();
    }
  });

  test('an offdelay out of the protocol range stops the open with a message, as NUT stops', async () => {
    const r = await start(MEGATEC, { protocol: 'megatec', offdelay: 5 });
    try {
      await r.until('refused', () => r.lines.some((l) => /offdelay 5: .*out of range \[12\.\.600\]/.test(l)));
      assert.equal(r.health().attached, false);
    } finally {
      await r.stop();
    }
  });
});

describe('battery estimate (NUT qx_initbattery / qx_battery / runtimecal)', () => {
  const vars = (o: Record<string, string>) => new Map(Object.entries(o));

  test('per-cell voltage: 12 packs autodetected from the nominal; low/high guessed and published', () => {
    const b = new BatteryEstimator(vars({ 'battery.voltage': '2.25', 'battery.voltage.nominal': '24.0' }), {}, 0);
    assert.deepEqual(b.guessed, { 'battery.voltage.low': '20.80', 'battery.voltage.high': '26.00' });
    assert.ok(b.notes.some((n) => /autodetected 12/.test(n)), b.notes.join());
    assert.deepEqual(b.update(vars({ 'battery.voltage': '2.25' }), true, 0), { 'battery.charge': '100' });
    assert.deepEqual(b.update(vars({ 'battery.voltage': '1.70' }), false, 0), { 'battery.charge': '0' });
    assert.deepEqual(b.update(vars({ 'battery.voltage': '1.90' }), false, 0), { 'battery.charge': '38' });
    assert.deepEqual(b.update(vars({ 'battery.voltage': '2.00' }), false, 0), { 'battery.charge': '62' });
  });

  test('a unit reporting its own charge and runtime gets no estimate', () => {
    const b = new BatteryEstimator(vars({ 'battery.voltage': '27', 'battery.voltage.nominal': '24', 'battery.charge': '80', 'battery.runtime': '600' }), {}, 0);
    assert.deepEqual(b.update(vars({ 'battery.voltage': '27', 'battery.charge': '80', 'battery.runtime': '600' }), true, 0), {});
  });

  test('runtimecal: NUT\'s exponent and nominal; discharge by the effective load, capped by the voltage', () => {
    const cal = parseRuntimeCal('240,100,720,50');
    const b = new BatteryEstimator(vars({ 'battery.voltage': '27.0', 'battery.voltage.nominal': '24' }), { runtimecal: cal }, 0);
    // exp = ln(720/240)/ln(100/50) = 1.585; nominal = 240 s at full load; starts full (27 V above the guessed 26 V).
    assert.deepEqual(b.update(vars({ 'battery.voltage': '27.0', 'ups.load': '50' }), true, 1000), { 'battery.charge': '100', 'battery.runtime': '720' });
    // 60 s on battery at 50 % load: 240 - 60 × 0.333 = 220 s of full-load runtime left.
    const ob = b.update(vars({ 'battery.voltage': '27.0', 'ups.load': '50' }), false, 61_000);
    assert.deepEqual(ob, { 'battery.charge': '92', 'battery.runtime': '660' });
    // The voltage drops to half way: the estimate follows it down.
    const low = b.update(vars({ 'battery.voltage': '23.4', 'ups.load': '50' }), false, 62_000);
    assert.equal(low['battery.charge'], '50');
    assert.throws(() => parseRuntimeCal('240,100,120,50'), /runtime/);
    assert.throws(() => parseRuntimeCal('240,100'), /four numbers/);
  });
  test("a full poll's alarms stand through the quick polls until the next full poll reads them again (NUT: alarms are committed on full updates only)", async () => {
    const warn: QxQuery = { command: 'X\r', kind: 'poll', parse: (reply) => ({ alarms: reply === 'bad' ? ['X warning'] : [] }) };
    const proto: QxProtocol = { ...megatec, queries: [...megatec.queries, warn] };
    const r = await start({ ...MEGATEC, X: 'bad' }, { pollfreq: 1, pollInterval: 0.05 }, [proto]);
    try {
      await r.until('the warning', () => r.v('ups.alarm') === 'X warning');
      const quickBefore = r.t.sent.filter((c) => c === 'Q1\r').length;
      // Several quick polls (Q1 only) go by: the warning stays, as does ALARM in the status.
      for (let i = 0; i < 8; i++) {
        await new Promise((res) => setTimeout(res, 50));
        assert.equal(r.v('ups.alarm'), 'X warning');
        assert.match(r.v('ups.status') ?? '', /^ALARM /);
      }
      assert.ok(r.t.sent.filter((c) => c === 'Q1\r').length > quickBefore + 3, 'quick polls happened meanwhile');
      r.t.unit.X = 'ok';
      await r.until('the warning gone after a full poll', () => r.v('ups.alarm') === undefined);
    } finally {
      await r.stop();
    }
  });
});
