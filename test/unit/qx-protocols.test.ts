/**
 * The Megatec-family protocols with strings alone: replies real units sent
 * (test/fixtures/qx/megatec-replies.json, from NUT issue dumps), malformed,
 * truncated and echoed ones; the bytes of every command as NUT's own
 * testing tables list them; delays rounded as NUT rounds them; claims.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QxParseError, QxValueError, bitColumn, column, formatFixed, numberColumn, textColumn } from '../../src/drivers/qx/fields';
import type { QxContext, QxOptions, QxProbe, QxProtocol, QxQuery } from '../../src/drivers/qx/protocol';
import { bestups } from '../../src/drivers/qx/protocols/bestups';
import { RATING_QUERY, offdelaySetting, ondelaySetting, statusQuery, vendorQuery } from '../../src/drivers/qx/protocols/blazer';
import { QX_PROTOCOLS, findProtocol } from '../../src/drivers/qx/protocols/index';
import { mecer } from '../../src/drivers/qx/protocols/mecer';
import { megatec } from '../../src/drivers/qx/protocols/megatec';
import { megatecOld } from '../../src/drivers/qx/protocols/megatec-old';
import { mustek } from '../../src/drivers/qx/protocols/mustek';
import { q1 } from '../../src/drivers/qx/protocols/q1';
import { zinto } from '../../src/drivers/qx/protocols/zinto';

const FIX = JSON.parse(readFileSync(join(__dirname, '../fixtures/qx/megatec-replies.json'), 'utf8')) as {
  q1: Record<string, string>;
  f: Record<string, string>;
  i: Record<string, string>;
};

function options(over: Partial<QxOptions> = {}): QxOptions {
  return { norating: false, novendor: false, ignoresab: false, batteryVoltageReportsOnePack: false, raw: {}, ...over };
}
function ctx(vars: Record<string, string> = {}, over: Partial<QxOptions> = {}): QxContext {
  return { options: options(over), vars: new Map(Object.entries(vars)) };
}
function probe(replies: Record<string, string | null>, over: Partial<QxOptions> = {}): QxProbe & { sent: string[] } {
  const sent: string[] = [];
  return {
    options: options(over),
    sent,
    query(command) {
      sent.push(command);
      return Promise.resolve(replies[command] ?? null);
    },
  };
}
function queryOf(p: QxProtocol, command: string): QxQuery {
  const q = p.queries.find((x) => x.command === command);
  assert.ok(q, `${p.name} sends ${command}`);
  return q;
}
function bytes(p: QxProtocol, name: string, value?: string, vars: Record<string, string> = {}): string | readonly string[] {
  const c = p.commands.find((x) => x.name === name);
  assert.ok(c, `${p.name} has ${name}`);
  return c.build(value, ctx(vars));
}
const isParseError = (e: unknown): boolean => e instanceof QxParseError;

const Q1 = statusQuery('Q1\r');

describe('fields: columns and numbers as NUT prints them', () => {
  test('printf rounding: ties to even on the exact binary value', () => {
    assert.equal(formatFixed(220.5, 0), '220');
    assert.equal(formatFixed(221.5, 0), '222');
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(2.675, 2), '2.67'); // 2.67499999... in binary
    assert.equal(formatFixed(27.2, 2), '27.20');
    assert.equal(formatFixed(49.95, 1), '50.0'); // 49.950000000000003 in binary: above the tie
    assert.equal(formatFixed(0, 1), '0.0');
  });

  test('numeric columns accept digits, blanks and dots only; unsupported markers are left out', () => {
    assert.equal(numberColumn('(230.0', 1, 5, 1), '230.0');
    assert.equal(numberColumn('( 23.5', 1, 5, 1), '23.5');
    assert.equal(numberColumn('(@@@@@', 1, 5, 1), undefined);
    assert.equal(numberColumn('(-----', 1, 5, 1), undefined);
    assert.equal(numberColumn('(     ', 1, 5, 1), undefined);
    assert.equal(numberColumn('(2x0.0', 1, 5, 1), undefined);
    assert.equal(numberColumn('(23', 1, 5, 1), '23.0'); // a short field: what is there
  });

  test('text columns trim blanks and hashes; bits are 0 or 1 or the reply is unusable', () => {
    assert.equal(textColumn('#  ACME   #', 1, 0), 'ACME');
    assert.equal(textColumn('#     ', 1, 0), undefined);
    assert.equal(column('abcdef', 1, 3), 'bcd');
    assert.equal(bitColumn('Q1\r', '01', 1), true);
    assert.throws(() => bitColumn('Q1\r', '0x', 1), isParseError);
    assert.throws(() => bitColumn('Q1\r', '0', 5), isParseError);
  });
});

describe('Q1 status reply', () => {
  test('a per-cell unit (nut#2151): values, OL, beeper on', () => {
    const r = Q1.parse(FIX.q1.nut2151_per_cell_battery!, ctx());
    assert.deepEqual(r.vars, {
      'input.voltage': '238.8',
      'input.voltage.fault': '0.0',
      'output.voltage': '219.9',
      'ups.load': '20',
      'input.frequency': '49.9',
      'battery.voltage': '2.25',
      'ups.temperature': '43.0',
      'ups.type': 'online',
      'ups.beeper.status': 'enabled',
    });
    assert.deepEqual(r.status, { OL: true, LB: false, CAL: false, FSD: false, TRIM: false, BYPASS: false, BOOST: false });
    assert.equal(r.alarms, undefined);
  });

  test('a line-interactive unit (nut#2219)', () => {
    const r = Q1.parse(FIX.q1.nut2219_richcomm_line_interactive!, ctx());
    assert.equal(r.vars?.['ups.type'], 'offline / line interactive');
    assert.equal(r.vars?.['battery.voltage'], '13.70');
    assert.equal(r.vars?.['ups.beeper.status'], 'disabled');
  });

  test("megatec.txt's example: bypass bit with equal voltages is BYPASS; UPS failed is an alarm", () => {
    const r = Q1.parse(FIX.q1.megatec_txt_example!, ctx());
    assert.equal(r.status?.BYPASS, true);
    assert.equal(r.status?.TRIM, false);
    assert.deepEqual(r.alarms, ['UPS selftest failed!']);
  });

  test('the bypass/boost/buck bit by output/input ratio, as blazer does', () => {
    const line = (vin: string, vout: string) => `(${vin} 140.0 ${vout} 010 50.0 27.0 30.0 00101000`;
    assert.deepEqual(Q1.parse(line('240.0', '220.0'), ctx()).status, { OL: true, LB: false, CAL: false, FSD: false, TRIM: true, BYPASS: false, BOOST: false });
    assert.equal(Q1.parse(line('205.0', '229.0'), ctx()).status?.BOOST, true);
    assert.equal(Q1.parse(line('230.0', '231.0'), ctx()).status?.BYPASS, true);
    // On battery the input is ~0: NUT fails the poll there; we set none of the three.
    const ob = Q1.parse(line('000.0', '230.0'), ctx()).status;
    assert.equal(ob?.BOOST, false);
    assert.equal(ob?.TRIM, false);
  });

  test('status bits: OB, LB, CAL, FSD; ignoresab leaves FSD alone', () => {
    const line = '(000.0 000.0 228.0 020 50.0 21.6 30.0 11000110';
    assert.deepEqual(Q1.parse(line, ctx()).status, { OL: false, LB: true, CAL: true, FSD: true, TRIM: false, BYPASS: false, BOOST: false });
    assert.equal('FSD' in (Q1.parse(line, ctx({}, { ignoresab: true })).status ?? {}), false);
  });

  test('truncated (nut#1978), echoed, garbage and badly framed replies are unusable', () => {
    assert.throws(() => Q1.parse(FIX.q1.nut1978_armac_truncated!, ctx()), isParseError);
    assert.throws(() => Q1.parse('Q1', ctx()), isParseError);
    assert.throws(() => Q1.parse('', ctx()), isParseError);
    assert.throws(() => Q1.parse('#230.0 000 024.0 50.0 ........................', ctx()), isParseError);
    assert.throws(() => Q1.parse('\x00\xff\x13garbage garbage garbage garbage garbage garb', ctx()), isParseError);
    // A status bit that is not 0/1: unusable, as NUT fails the poll.
    assert.throws(() => Q1.parse('(230.0 140.0 230.0 010 50.0 27.0 30.0 0x001000', ctx()), isParseError);
  });

  test('a bit only some units give (UPS failed, type, beeper) that is not 0/1 drops just its variable', () => {
    const r = Q1.parse('(230.0 140.0 230.0 010 50.0 27.0 30.0 000@@00@', ctx());
    assert.equal(r.vars?.['ups.type'], undefined);
    assert.equal(r.vars?.['ups.beeper.status'], undefined);
    assert.equal(r.status?.OL, true);
  });

  test('an unsupported field (@) is left out, the rest is read', () => {
    const r = Q1.parse('(230.0 @@@@@ 230.0 010 50.0 27.0 @@@@ 00001000', ctx());
    assert.equal(r.vars?.['input.voltage.fault'], undefined);
    assert.equal(r.vars?.['ups.temperature'], undefined);
    assert.equal(r.vars?.['input.voltage'], '230.0');
  });

  test('battery_voltage_reports_one_pack multiplies by battery.packs', () => {
    const line = FIX.q1.nut2151_per_cell_battery!;
    assert.equal(Q1.parse(line, ctx({ 'battery.packs': '12' }, { batteryVoltageReportsOnePack: true })).vars?.['battery.voltage'], '27.00');
    assert.equal(Q1.parse(line, ctx({ 'battery.packs': '12' })).vars?.['battery.voltage'], '2.25');
    assert.equal(Q1.parse(line, ctx({}, { batteryVoltageReportsOnePack: true })).vars?.['battery.voltage'], '2.25');
  });
});

describe('F and I replies', () => {
  test('ratings (nut#3103)', () => {
    assert.deepEqual(RATING_QUERY.parse(FIX.f.nut3103_microsinus!, ctx()).vars, {
      'input.voltage.nominal': '230',
      'input.current.nominal': '10.0',
      'battery.voltage.nominal': '48.0',
      'input.frequency.nominal': '50',
    });
    assert.throws(() => RATING_QUERY.parse('#230.0 010 48.0', ctx()), isParseError);
    assert.throws(() => RATING_QUERY.parse('(230.0 010 48.00 50.0', ctx()), isParseError);
  });

  test('vendor: a blank company is left out (nut#3103: NUT 2.8.4 read "Sinus" as battery.runtime here)', () => {
    assert.deepEqual(vendorQuery('I\r').parse(FIX.i.nut3103_microsinus_blank_company!, ctx()).vars, { 'device.model': 'MicroSinus', 'ups.firmware': 'V5.15C0503' });
    assert.deepEqual(vendorQuery('I\r').parse('#NOT_A_LIVE_UPS  TESTING    TESTING   ', ctx()).vars, { 'device.mfr': 'NOT_A_LIVE_UPS', 'device.model': 'TESTING', 'ups.firmware': 'TESTING' });
    assert.throws(() => vendorQuery('I\r').parse('#NOT_A_LIVE_UPS  TESTING', ctx()), isParseError);
  });
});

describe('commands: the bytes of NUT\'s testing tables', () => {
  const delays = (off: number, on: number) => ({ 'ups.delay.shutdown': String(off), 'ups.delay.start': String(on) });

  for (const p of [megatec, megatecOld, mustek, zinto, q1]) {
    test(`${p.name}: fixed commands, shutdowns from the delays, battery test minutes`, () => {
      assert.equal(bytes(p, 'beeper.toggle'), 'Q\r');
      assert.equal(bytes(p, 'load.off'), 'S00R0000\r');
      assert.equal(bytes(p, 'load.on'), 'C\r');
      assert.equal(bytes(p, 'shutdown.stop'), 'C\r');
      assert.equal(bytes(p, 'test.battery.start.deep'), 'TL\r');
      assert.equal(bytes(p, 'test.battery.start.quick'), 'T\r');
      assert.equal(bytes(p, 'test.battery.stop'), 'CT\r');
      assert.equal(bytes(p, 'shutdown.return', undefined, delays(180, 0)), 'S03\r');
      assert.equal(bytes(p, 'shutdown.return', undefined, delays(120, 300)), 'S02R0005\r');
      assert.equal(bytes(p, 'shutdown.return', undefined, delays(30, 180)), 'S.5R0003\r');
      assert.equal(bytes(p, 'shutdown.stayoff', undefined, delays(30, 180)), 'S.5R0000\r');
      assert.equal(bytes(p, 'shutdown.stayoff', undefined, delays(600, 180)), 'S10R0000\r');
      assert.equal(bytes(p, 'test.battery.start', '240'), 'T04\r');
      assert.equal(bytes(p, 'test.battery.start'), 'T10\r');
      assert.throws(() => bytes(p, 'test.battery.start', '59'), (e: unknown) => e instanceof QxValueError && e.failure === 'INVALID-ARGUMENT');
      assert.throws(() => bytes(p, 'test.battery.start', '5941'), QxValueError);
      assert.deepEqual(p.settings.map((s) => [s.name, s.fallback, s.range]), [
        ['ups.delay.start', '180', [0, 599940]],
        ['ups.delay.shutdown', '30', [12, 600]],
      ]);
    });
  }

  test('mecer: (ACK/(NAK replies; test times from .2 (12 s) on P98 units', () => {
    assert.equal(mecer.commandReplyValue?.('(ACK'), 'ACK');
    assert.equal(mecer.commandReplyValue?.('(NAK'), 'NAK');
    assert.equal(mecer.commandReplyValue?.('ACK'), null);
    assert.equal(bytes(mecer, 'test.battery.start', '240'), 'T04\r');
    assert.equal(bytes(mecer, 'test.battery.start', '12', { 'ups.firmware.aux': 'Voltronic Power P98' }), 'T.2\r');
    assert.throws(() => bytes(mecer, 'test.battery.start', '12'), QxValueError);
    assert.throws(() => bytes(mecer, 'test.battery.start', '1e3'), QxValueError);
  });

  test('bestups: stayoff without the return part, no beeper command, wider delay ranges', () => {
    assert.equal(bytes(bestups, 'shutdown.stayoff', undefined, delays(30, 180)), 'S.5\r');
    assert.equal(bytes(bestups, 'shutdown.return', undefined, delays(120, 300)), 'S02R0005\r');
    assert.equal(bestups.commands.some((c) => c.name === 'beeper.toggle'), false);
    assert.deepEqual(bestups.settings.filter((s) => s.fallback).map((s) => s.range), [[60, 599940], [12, 5940]]);
    assert.equal(bestups.accepted, undefined);
  });
});

describe('delays: SET values rounded as blazer_process_setvar does', () => {
  const on = ondelaySetting();
  const off = offdelaySetting();
  test('ondelay to whole minutes; offdelay to 6 s under a minute, whole minutes above', () => {
    assert.equal(on.normalize('150', ctx()), '120');
    assert.equal(on.normalize('59', ctx()), '0');
    assert.equal(off.normalize('59', ctx()), '54');
    assert.equal(off.normalize('100', ctx()), '60');
    assert.equal(off.normalize('12', ctx()), '12');
    assert.throws(() => off.normalize('-6', ctx()), QxValueError);
    assert.throws(() => on.normalize('soon', ctx()), QxValueError);
  });
});

describe('claims and the autodetection order', () => {
  const q1Line = '(230.0 140.0 230.0 010 50.0 27.0 30.0 00001000';
  const megatecUnit = { 'Q1\r': q1Line, 'F\r': '#230.0 004 024.0 50.0', 'I\r': '#ACME            UPS-1000   V1.0      ' };

  test("NUT's order (newest): voltronic family, mustek, megatec/old, bestups, mecer, megatec, zinto, ..., q1 last", () => {
    const names = QX_PROTOCOLS.map((p) => p.name);
    const order = ['mustek', 'megatec/old', 'bestups', 'mecer', 'megatec', 'zinto'];
    assert.deepEqual(names.filter((n) => order.includes(n)), order);
    assert.equal(names[names.length - 1], 'q1');
    assert.equal(findProtocol('Megatec'), megatec);
  });

  test('a Megatec unit: mustek, megatec/old, bestups and mecer do not claim it; megatec does', async () => {
    for (const p of [mustek, megatecOld, bestups, mecer]) assert.equal(await p.claim(probe(megatecUnit)), false, p.name);
    assert.equal(await megatec.claim(probe(megatecUnit)), true);
  });

  test('megatec and zinto need their vendor reply unless novendor; q1 needs only Q1', async () => {
    const noVendor = { 'Q1\r': q1Line };
    assert.equal(await megatec.claim(probe(noVendor)), false);
    assert.equal(await megatec.claim(probe(noVendor, { novendor: true })), true);
    assert.equal(await zinto.claim(probe({ ...noVendor, 'FW?\r': '#ACME            UPS-1000   V1.0      ' })), true);
    assert.equal(await q1.claim(probe(noVendor)), true);
    // An I reply of blanks: no usable firmware, no megatec claim (NUT: "non significant value"); q1 takes the unit.
    assert.equal(await megatec.claim(probe({ ...noVendor, 'I\r': `#${' '.repeat(37)}` })), false);
    assert.equal(await megatec.claim(probe({ ...noVendor, 'I\r': '#                MicroSinus V5.15C0503' })), true);
    assert.equal(await q1.claim(probe({ 'Q1\r': 'Q1' })), false);
  });

  test('mecer claims (NAK units and P98 units, not echoing ones)', async () => {
    assert.equal(await mecer.claim(probe({ 'Q1\r': q1Line, 'QPI\r': '(NAK' })), true);
    assert.equal(await mecer.claim(probe({ 'Q1\r': q1Line, 'QPI\r': '(PI98' })), true);
    assert.equal(await mecer.claim(probe({ 'Q1\r': q1Line, 'QPI\r': '(PI99' })), false);
    assert.equal(await mecer.claim(probe({ 'Q1\r': q1Line, 'QPI\r': null })), false);
    assert.deepEqual(queryOf(mecer, 'QPI\r').parse('(PI98', ctx()).vars, { 'ups.firmware.aux': 'Voltronic Power P98' });
  });

  test('megatec/old and mustek claim on their own status command', async () => {
    assert.equal(await megatecOld.claim(probe({ 'D\r': q1Line })), true);
    assert.equal(await mustek.claim(probe({ 'QS\r': q1Line })), true);
  });
});

describe('bestups: ID, RT, M and the bypass bit', () => {
  const id = queryOf(bestups, 'ID\r');
  test('ID of every length NUT knows, padded as NUT pads it', () => {
    assert.deepEqual(id.parse('FOR,750,120,120,20.0,27.6', ctx()).vars, {
      'device.mfr': 'Best Power',
      'device.model': 'Fortress',
      'ups.power.nominal': '750',
      'input.voltage.nominal': '120',
      'output.voltage.nominal': '120',
      'battery.voltage.low': '20.0',
      'battery.voltage.high': '27.6',
    });
    assert.equal(id.parse('FOR,1500,120,120,20.0,27.6', ctx()).vars?.['ups.power.nominal'], '1500');
    assert.equal(id.parse('FOR,3000,120,120,20.0,100.6', ctx()).vars?.['battery.voltage.high'], '100.6');
    assert.equal(id.parse('XYZ,750,120,120,20.0,27.6', ctx()).vars?.['device.model'], 'Unknown (XYZ)');
    assert.throws(() => id.parse('FOR,750,120,120,20.0', ctx()), isParseError);
    assert.throws(() => id.parse('ID', ctx()), isParseError);
  });

  test('claim needs Q1 and ID', async () => {
    const unit = { 'Q1\r': '(215.0 195.0 230.0 014 49.0 22.7 30.0 00100000', 'ID\r': 'FOR,750,120,120,20.0,27.6' };
    assert.equal(await bestups.claim(probe(unit)), true);
    assert.equal(await bestups.claim(probe({ 'Q1\r': unit['Q1\r'] })), false);
  });

  test('RT in minutes to seconds, only for models that have it; M to transfer voltages', () => {
    const rt = queryOf(bestups, 'RT\r');
    assert.deepEqual(rt.parse('025', ctx()).vars, { 'battery.runtime': '1500' });
    assert.equal(rt.enabled?.(ctx({ 'device.model': 'Fortress' })), true);
    assert.equal(rt.enabled?.(ctx({ 'device.model': 'Patriot Pro' })), false);
    assert.throws(() => rt.parse('0x5', ctx()), isParseError);
    const m = queryOf(bestups, 'M\r');
    assert.deepEqual(m.parse('0', ctx({ 'input.voltage.nominal': '120' })).vars, {
      'input.transfer.low': '96',
      'input.transfer.boost.low': '96',
      'input.transfer.boost.high': '109',
      'input.voltage.nominal': '120',
      'output.voltage.nominal': '120',
      'input.transfer.trim.low': '130',
      'input.transfer.trim.high': '146',
      'input.transfer.high': '146',
    });
    assert.equal(m.parse('4', ctx({ 'input.voltage.nominal': '230' })).vars?.['input.transfer.high'], '270');
    assert.throws(() => m.parse('A', ctx({ 'input.voltage.nominal': '230' })), isParseError);
  });

  test('the bypass bit is ignored on battery and inverted on Patriot Pro models; no beeper', () => {
    const st = queryOf(bestups, 'Q1\r');
    const line = (bits: string) => `(215.0 195.0 230.0 014 49.0 22.7 30.0 ${bits}`;
    assert.equal(st.parse(line('00100000'), ctx({ 'device.model': 'Fortress' })).status?.BOOST, true);
    assert.equal(st.parse(line('10100000'), ctx({ 'device.model': 'Fortress' })).status?.BOOST, false);
    assert.equal(st.parse(line('00000000'), ctx({ 'device.model': 'Patriot Pro' })).status?.BOOST, true);
    assert.equal(st.parse(line('00100000'), ctx()).vars?.['ups.beeper.status'], undefined);
  });
});
