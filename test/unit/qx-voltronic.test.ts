/** voltronic: every query's parsing (good, malformed, truncated, echoed), status mapping, faults and warnings, commands' and settings' bytes, claim. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QxParseError, QxValueError } from '../../src/drivers/qx/fields';
import type { QxContext, QxSetting } from '../../src/drivers/qx/protocol';
import { protocolNames } from '../../src/drivers/qx/protocols/index';
import { faultReading, voltronic } from '../../src/drivers/qx/protocols/voltronic';
import { commandBytes, qxCtx, qxFixture, queryOf, scriptedProbe } from '../helpers/qx-kit';

const fx = qxFixture<Record<string, string>>('voltronic.json');
const P = (n: string, more: Record<string, string> = {}): QxContext => qxCtx({ 'ups.firmware.aux': n, ...more });
const q = (cmd: string) => queryOf(voltronic, cmd);
/** The QGS reply with its 12 status bits replaced. */
const qgsBits = (bits: string, base = fx['QGS']!): string => base.slice(0, 63) + bits;

test('voltronic: QPI names the protocol (P01); unsupported numbers and digits are refused', () => {
  assert.deepEqual(q('QPI\r').parse('(PI01', qxCtx()).vars, { 'ups.firmware.aux': 'P01' });
  for (const ok of ['(PI00', '(PI03', '(PI09', '(PI10', '(PI31', '(PI99', '(pi08']) assert.equal(q('QPI\r').parse(ok, qxCtx()).vars?.['ups.firmware.aux'], `P${ok.slice(3)}`);
  for (const bad of ['(PI05', '(PI11', '(PI17', '(PX01', '(PI', 'PI01', '(NAK', 'QPI', '(PI0A']) {
    assert.throws(() => q('QPI\r').parse(bad, qxCtx()), QxParseError, bad);
  }
});

test('voltronic: QGS values and status as NUT maps them', () => {
  const r = q('QGS\r').parse(fx['QGS']!, P('P01'));
  assert.deepEqual(r.vars, {
    'input.voltage': '234.9',
    'input.frequency': '50.0',
    'output.voltage': '229.8',
    'output.frequency': '50.0',
    'output.current': '0.0',
    'ups.load': '0',
    'battery.voltage': '26.50',
    'ups.temperature': '18.8',
    'ups.type': 'online',
    'ups.beeper.status': 'enabled',
  });
  assert.deepEqual(r.status, { OL: true, LB: false, CAL: false, FSD: false });
  assert.equal(r.alarms, undefined);
  // NUT's testing reply has a load of "00A": that variable alone is left out.
  const t = q('QGS\r').parse(fx['QGS_testing']!, P('P01'));
  assert.equal(t.vars?.['ups.load'], undefined);
  assert.equal(t.vars?.['input.voltage'], '234.9');
});

test('voltronic: QGS bits: on battery, low battery, shutdown, beeper off, type; fault bit', () => {
  const ob = q('QGS\r').parse(qgsBits('001100001100'), P('P01'));
  assert.deepEqual(ob.status, { OL: false, LB: true, CAL: false, FSD: true });
  assert.equal(ob.vars?.['ups.type'], 'offline');
  assert.equal(ob.vars?.['ups.beeper.status'], 'disabled');
  assert.equal(q('QGS\r').parse(qgsBits('011100001100'), P('P01')).vars?.['ups.type'], 'line-interactive');
  assert.equal(q('QGS\r').parse(qgsBits('111100001100'), P('P01')).vars?.['ups.type'], undefined);
  assert.equal(q('QGS\r').parse(qgsBits('100000010001'), P('P01')).status?.CAL, true);
  assert.deepEqual(q('QGS\r').parse(qgsBits('100001000001'), P('P01')).alarms, ['UPS Fault!']);
  // ignoresab drops the shutdown-active bit.
  assert.equal(q('QGS\r').parse(qgsBits('000000001000'), qxCtx({ 'ups.firmware.aux': 'P01' }, { ignoresab: true })).status?.FSD, undefined);
  assert.equal(q('QGS\r').parse(qgsBits('000000001000'), P('P01')).status?.FSD, true);
});

test('voltronic: QGS bypass/boost/buck bit by output/input ratio; P00/P08 say AVR instead of BYPASS; a cleared bit clears nothing', () => {
  const byp = qgsBits('100010000001');
  assert.equal(q('QGS\r').parse(byp, P('P01')).status?.BYPASS, true);
  const avr = q('QGS\r').parse(byp, P('P00'));
  assert.equal(avr.status?.BYPASS, undefined);
  assert.deepEqual(avr.alarms, ['UPS is in AVR Mode.']);
  assert.deepEqual(q('QGS\r').parse(byp, P('P08')).alarms, ['UPS is in AVR Mode.']);
  const trim = byp.replace('229.8', '210.0');
  assert.equal(q('QGS\r').parse(trim, P('P01')).status?.TRIM, true);
  const boost = byp.replace('234.9', '190.0');
  assert.equal(q('QGS\r').parse(boost, P('P01')).status?.BOOST, true);
  // On battery the input is ~0: no flag at all rather than a guess.
  const none = q('QGS\r').parse(byp.replace('229.8', '000.0'), P('P01')).status;
  assert.equal(none?.TRIM ?? none?.BYPASS ?? none?.BOOST, undefined);
  const cleared = q('QGS\r').parse(fx['QGS']!, P('P01')).status ?? {};
  assert.equal('BYPASS' in cleared || 'TRIM' in cleared || 'BOOST' in cleared, false);
});

test('voltronic: QGS truncated, echoed, wrong leading char or a bad quick-poll bit is refused', () => {
  const g = fx['QGS']!;
  for (const bad of [g.slice(0, 70), 'QGS', `#${g.slice(1)}`, qgsBits('10x000000001'), qgsBits('1000000-0001'), qgsBits('10000000 001'), '(NAK', '']) {
    assert.throws(() => q('QGS\r').parse(bad, P('P01')), QxParseError, bad);
  }
  // The unknown bits (69, 73, 74) and the beeper are not checked, as in NUT.
  assert.equal(q('QGS\r').parse(qgsBits('100000x00xxx'), P('P01')).vars?.['ups.beeper.status'], undefined);
});

test('voltronic: ratings and identity (QRI, QMD, F, QMF, QVFW, QID, I)', () => {
  assert.deepEqual(q('QRI\r').parse(fx['QRI']!, qxCtx()).vars, {
    'output.voltage.nominal': '230.0',
    'output.current.nominal': '4',
    'battery.voltage.nominal': '24.0',
    'output.frequency.nominal': '50.0',
  });
  assert.deepEqual(q('QMD\r').parse(fx['QMD']!, qxCtx()).vars, {
    'device.model': 'OLHVT1K0',
    'ups.power.nominal': '1000',
    'output.powerfactor': '0.8',
    'input.phases': '2',
    'output.phases': '2',
    'input.voltage.nominal': '230.0',
    'output.voltage.nominal': '230.0',
  });
  // Some units pad QMD with blanks instead of hashes.
  assert.equal(q('QMD\r').parse(fx['QMD']!.replace(/#/g, ' '), qxCtx()).vars?.['device.model'], 'OLHVT1K0');
  assert.deepEqual(q('F\r').parse(fx['F']!, qxCtx()).vars, {
    'input.voltage.nominal': '220.0',
    'input.current.nominal': '0.0',
    'battery.voltage.nominal': '24.0',
    'input.frequency.nominal': '50.0',
  });
  assert.deepEqual(q('QMF\r').parse(fx['QMF']!, qxCtx()).vars, { 'device.mfr': 'VOLTRONIC' });
  assert.deepEqual(q('QVFW\r').parse(fx['QVFW']!, qxCtx()).vars, { 'ups.firmware': '00322.02' });
  assert.deepEqual(q('QID\r').parse(fx['QID']!, qxCtx()).vars, { 'device.serial': '685653211455' });
  assert.deepEqual(q('QID\r').parse('(000000000000', qxCtx()).vars, {});
  // Text ends at a NUL as in C; line noise (other control characters) is no value.
  assert.deepEqual(q('QID\r').parse('(6856\u000053', qxCtx()).vars, { 'device.serial': '6856' });
  assert.deepEqual(q('QID\r').parse('(68\u00015653', qxCtx()).vars, {});
  assert.deepEqual(q('QMF\r').parse('(##VOLT\u001bRONIC', qxCtx()).vars, {});
  // A Megatec I reply full of dashes gives only what it really fills.
  assert.deepEqual(q('I\r').parse(fx['I']!, qxCtx()).vars, { 'ups.firmware': 'VT12046Q' });
  for (const [cmd, good] of [
    ['QRI\r', fx['QRI']!],
    ['QMD\r', fx['QMD']!],
    ['F\r', fx['F']!],
    ['QVFW\r', fx['QVFW']!],
    ['I\r', fx['I']!],
  ] as const) {
    assert.throws(() => q(cmd).parse(good.slice(0, good.length - 2), qxCtx()), QxParseError, `${cmd} truncated`);
    assert.throws(() => q(cmd).parse(`X${good.slice(1)}`, qxCtx()), QxParseError, `${cmd} leading`);
    assert.throws(() => q(cmd).parse(cmd.slice(0, -1), qxCtx()), QxParseError, `${cmd} echoed`);
  }
  assert.throws(() => q('QMF\r').parse('QMF', qxCtx()), QxParseError);
  assert.throws(() => q('QID\r').parse('#123', qxCtx()), QxParseError);
});

test('voltronic: QMOD working modes', () => {
  const m = (c: string) => q('QMOD\r').parse(`(${c}`, qxCtx());
  assert.deepEqual(m('S'), { status: { OFF: true } });
  assert.deepEqual(m('Y'), { status: { BYPASS: true } });
  assert.deepEqual(m('L'), { status: { OL: true } });
  assert.deepEqual(m('B'), { status: { OL: false } });
  assert.deepEqual(m('T'), { status: { CAL: true } });
  assert.deepEqual(m('P'), { alarms: ['UPS is going ON.'] });
  assert.deepEqual(m('F'), { alarms: ['Fault reported by UPS.'] });
  assert.deepEqual(m('D'), { status: { FSD: true }, alarms: ['UPS is shutting down!'] });
  assert.deepEqual(m('E'), {});
  assert.deepEqual(m('C'), {});
  for (const bad of ['(X', '(', 'QMOD', 'S']) assert.throws(() => q('QMOD\r').parse(bad, qxCtx()), QxParseError, bad);
  assert.deepEqual(q('QMOD\r').parse(fx['QMOD']!, qxCtx()), { status: { OFF: true } });
});

test('voltronic: QFS faults as ups.alarm, asked only while "UPS Fault!" stands', () => {
  const f = q('QFS\r');
  assert.equal(f.enabled?.(qxCtx({})), false);
  assert.equal(f.enabled?.(qxCtx({ 'ups.alarm': 'UPS Fault!' })), true);
  assert.deepEqual(f.parse(fx['QFS']!, P('P01')), { alarms: ['Inverter short-circuited.'] });
  assert.deepEqual(f.parse(fx['QFS_OK']!, P('P01')), {});
  assert.deepEqual(faultReading('43', 1), { alarms: ['Overload fault.'], status: { OVER: true } });
  assert.deepEqual(faultReading('01', 1), { alarms: ['Bus voltage not within default setting.'] });
  assert.deepEqual(faultReading('1B', 1), { alarms: ['L2 inverter negative power out of acceptable range.'] });
  assert.deepEqual(faultReading('2A', 1), { alarms: ['Unknown fault [2A]'] });
  assert.deepEqual(faultReading('10', 1), { alarms: ['Unknown fault [10]'] });
  assert.deepEqual(faultReading('xy', 1), { alarms: ['Unknown fault [xy]'] });
  assert.deepEqual(faultReading('07', 31), { alarms: ['Overload fault.'], status: { OVER: true } });
  assert.deepEqual(faultReading('54', 31), { alarms: ['Self test fail.'] });
  assert.deepEqual(faultReading('1A', 31), { alarms: ['Unknown fault [1A]'] });
  assert.throws(() => f.parse('(1', P('P01')), QxParseError);
  assert.throws(() => f.parse('QFS', P('P01')), QxParseError);
});

test('voltronic: QWS warnings worded as NUT, with LB / OVER / RB', () => {
  const w = q('QWS\r');
  assert.deepEqual(w.parse(fx['QWS_testing']!, qxCtx()), { alarms: ['UPS warnings: Warning!! Cover of maintain switch is open. Unknown warnings [bit: #64]'] });
  assert.deepEqual(w.parse(fx['QWS_lowbattery']!, qxCtx()), { alarms: ['UPS warnings: Low battery.'], status: { LB: true } });
  assert.deepEqual(w.parse(`(${'0'.repeat(64)}`, qxCtx()), {});
  const rb = `(${'0'.repeat(8)}1${'0'.repeat(46)}1${'0'.repeat(8)}`;
  assert.deepEqual(w.parse(rb, qxCtx()), { alarms: ['UPS warnings: Overload alarm. Warning for Battery replace.'], status: { OVER: true, RB: true } });
  const unknownOnly = `(${'0'.repeat(58)}1${'0'.repeat(5)}`;
  assert.deepEqual(w.parse(unknownOnly, qxCtx()), { alarms: ['UPS warnings: Unknown warnings [bit: #59]'] });
  // Too many known warnings to spell out: NUT's bit list instead.
  const many = w.parse(`(${'1'.repeat(40)}${'0'.repeat(24)}`, qxCtx());
  assert.match(many.alarms![0]!, /^UPS warnings: Known \(see log or manual\) \[bit: #01, #02, .*#40\]$/);
  for (const bad of [fx['QWS_testing']!.slice(0, 40), fx['QWS_testing']!.replace('1', '2'), 'QWS']) assert.throws(() => w.parse(bad, qxCtx()), QxParseError);
});

test('voltronic: QBV battery (runtime minutes to seconds, to the end of the reply), QLDL, RE0', () => {
  assert.deepEqual(q('QBV\r').parse(fx['QBV']!, qxCtx()).vars, { 'battery.voltage': '26.50', 'battery.packs': '1', 'battery.charge': '68', 'battery.runtime': '15300' });
  assert.deepEqual(q('QBV\r').parse(fx['QBV_nut2765']!, qxCtx()).vars, { 'battery.voltage': '41.00', 'battery.packs': '1', 'battery.charge': '100', 'battery.runtime': '2220' });
  assert.equal(q('QBV\r').parse(fx['QBV']!.replace('255', '---'), qxCtx()).vars?.['battery.runtime'], undefined);
  assert.throws(() => q('QBV\r').parse(fx['QBV']!.slice(0, 15), qxCtx()), QxParseError);
  assert.deepEqual(q('QLDL\r').parse(fx['QLDL']!, qxCtx()).vars, { 'output.power.minimum.percent': '5', 'output.power.maximum.percent': '80' });
  assert.deepEqual(q('RE0\r').parse(fx['RE0']!, qxCtx()).vars, { 'battery.voltage.low': '20.0' });
  assert.throws(() => q('RE0\r').parse('(20', qxCtx()), QxParseError);
  assert.throws(() => q('QLDL\r').parse('(005', qxCtx()), QxParseError);
});

test('voltronic: multi-phase queries by protocol (P03 in, P09 two-phase, P10 three-phase)', () => {
  for (const cmd of ['Q3PV\r', 'Q3PC\r', 'Q3OV\r', 'Q3OC\r', 'Q3LD\r', 'Q3YV\r']) assert.equal(q(cmd).enabled?.(P('P01')), false, cmd);
  assert.equal(q('Q3OV\r').enabled?.(P('P03')), false);
  assert.equal(q('Q3PV\r').enabled?.(P('P03')), true);
  assert.deepEqual(q('Q3PV\r').parse(fx['Q3PV']!, P('P10')).vars, {
    'input.L1-N.voltage': '123.4',
    'input.L2-N.voltage': '456.4',
    'input.L3-N.voltage': '789.4',
    'input.L1-L2.voltage': '12.4',
    'input.L2-L3.voltage': '323.4',
    'input.L1-L3.voltage': '223.4',
  });
  assert.deepEqual(q('Q3PV\r').parse(fx['Q3PV']!, P('P09')).vars, { 'input.L1-N.voltage': '123.4', 'input.L2-N.voltage': '456.4', 'input.L1-L2.voltage': '12.4' });
  assert.deepEqual(q('Q3OC\r').parse(fx['Q3OC']!, P('P10')).vars, { 'output.L1.current': '109', 'output.L2.current': '69', 'output.L3.current': '23' });
  assert.deepEqual(q('Q3LD\r').parse(fx['Q3LD']!, P('P09')).vars, { 'output.L1.power.percent': '5', 'output.L2.power.percent': '33' });
  assert.deepEqual(q('Q3PC\r').parse(fx['Q3PC']!, P('P03')).vars, { 'input.L1.current': '2', 'input.L2.current': '23', 'input.L3.current': '51' });
  assert.deepEqual(q('Q3YV\r').parse('(303.4 245.4 126.4', P('P09')).vars, { 'output.bypass.L1-N.voltage': '303.4', 'output.bypass.L2-N.voltage': '245.4' });
  assert.equal(Object.keys(q('Q3YV\r').parse(fx['Q3YV']!, P('P10')).vars ?? {}).length, 6);
  assert.equal(q('Q3OV\r').parse(fx['Q3OV']!, P('P10')).vars?.['output.L3-N.voltage'], '23.4');
  assert.throws(() => q('Q3YV\r').parse('(303.4 245.4 126.4', P('P10')), QxParseError);
  assert.throws(() => q('Q3PV\r').parse(fx['Q3PV']!.slice(0, 30), P('P10')), QxParseError);
});

test('voltronic: QFLAG capabilities as NUT variables; outlets QSKn / QSKTn behind them', () => {
  assert.deepEqual(q('QFLAG\r').parse(fx['QFLAG']!, qxCtx()).vars, {
    'ups.start.auto': 'no',
    'battery.protection': 'yes',
    'battery.energysave': 'no',
    'ups.start.battery': 'yes',
    'outlet.0.switchable': 'yes',
  });
  assert.equal(q('QFLAG\r').parse('(EpDa', qxCtx()).vars?.['ups.beeper.status'], 'disabled');
  assert.equal(q('QFLAG\r').parse('(EpDa', qxCtx({ 'ups.beeper.status': 'enabled' })).vars?.['ups.beeper.status'], 'disabled');
  // Alarm control enabled: the beeper QGS read off is "muted", on stays "enabled" (NUT's alarm_control).
  assert.equal(q('QFLAG\r').parse(fx['QFLAG']!, qxCtx({ 'ups.beeper.status': 'disabled' })).vars?.['ups.beeper.status'], 'muted');
  assert.equal(q('QFLAG\r').parse(fx['QFLAG']!, qxCtx({ 'ups.beeper.status': 'enabled' })).vars?.['ups.beeper.status'], 'enabled');
  // Then each QGS keeps "muted" while the beeper stays off.
  assert.equal(q('QGS\r').parse(qgsBits('100000000101'), P('P01', { 'ups.beeper.status': 'muted' })).vars?.['ups.beeper.status'], 'muted');
  assert.equal(q('QGS\r').parse(qgsBits('100000000001'), P('P01', { 'ups.beeper.status': 'muted' })).vars?.['ups.beeper.status'], 'enabled');
  assert.deepEqual(q('QFLAG\r').parse('(ED', qxCtx()).vars, {});
  assert.deepEqual(q('QFLAG\r').parse('(Dr', qxCtx()).vars, { 'ups.start.auto': 'no' });
  for (const bad of ['(NAK', '(E', '(Xabc', 'QFLAG', '(Ep1Da']) assert.throws(() => q('QFLAG\r').parse(bad, qxCtx()), QxParseError, bad);
  assert.equal(q('QSK1\r').enabled?.(qxCtx({ 'outlet.0.switchable': 'no' })), false);
  assert.equal(q('QSK1\r').enabled?.(qxCtx({ 'outlet.0.switchable': 'yes' })), true);
  assert.deepEqual(q('QSK1\r').parse(fx['QSK1']!, qxCtx()).vars, { 'outlet.1.switchable': 'yes', 'outlet.1.status': 'on' });
  assert.deepEqual(q('QSK2\r').parse(fx['QSK2']!, qxCtx()).vars, { 'outlet.2.switchable': 'yes', 'outlet.2.status': 'off' });
  assert.throws(() => q('QSK3\r').parse('(2', qxCtx()), QxParseError);
  assert.equal(q('QSKT1\r').enabled?.(qxCtx({ 'outlet.1.switchable': 'yes' })), true);
  assert.equal(q('QSKT2\r').enabled?.(qxCtx({ 'outlet.1.switchable': 'yes' })), false);
  assert.deepEqual(q('QSKT1\r').parse(fx['QSKT1']!, qxCtx()).vars, { 'outlet.1.delay.shutdown': '480' });
  assert.throws(() => q('QSKT1\r').parse('(0a8', qxCtx()), QxParseError);
});

test('voltronic: ECO limits QHE (with NUT ranges from the nominal voltage) and QFRE; P31 battery type', () => {
  const ctx = P('P01', { 'output.voltage.nominal': '230.0' });
  assert.equal(q('QHE\r').enabled?.(ctx), true);
  assert.equal(q('QHE\r').enabled?.(P('P00')), false);
  // The same numbers a real P01 unit shows (nut#148): 237..254 and 206..223.
  assert.deepEqual(q('QHE\r').parse(fx['QHE']!, ctx).vars, {
    'input.transfer.high': '242',
    'input.transfer.low': '218',
    'input.transfer.low.min': '206',
    'input.transfer.low.max': '223',
    'input.transfer.high.min': '237',
    'input.transfer.high.max': '254',
  });
  assert.deepEqual(q('QHE\r').parse(fx['QHE']!, P('P02', { 'output.voltage.nominal': '120.0' })).vars?.['input.transfer.high.min'], '125');
  assert.deepEqual(q('QFRE\r').parse(fx['QFRE']!, ctx).vars, { 'input.frequency.high': '50.0', 'input.frequency.low': '0.0' });
  assert.throws(() => q('QFRE\r').parse('(50.0', ctx), QxParseError);
  assert.equal(q('QBT\r').enabled?.(P('P01')), false);
  assert.deepEqual(q('QBT\r').parse(fx['QBT']!, P('P31')).vars, { 'battery.type': 'Flooded' });
  assert.throws(() => q('QBT\r').parse('(03', P('P31')), QxParseError);
});

test('voltronic: instant commands, exact bytes', () => {
  const ctx = P('P01', { 'ups.delay.shutdown': '18', 'ups.delay.start': '120', 'ups.beeper.status': 'enabled', 'outlet.1.switchable': 'yes' });
  const b = (name: string, value?: string, c: QxContext = ctx) => commandBytes(voltronic, name, value, c);
  assert.deepEqual(b('load.off'), ['SOFF\r']);
  assert.deepEqual(b('load.on'), ['SON\r']);
  assert.deepEqual(b('shutdown.return'), ['S.3R0002\r']);
  assert.deepEqual(b('shutdown.return', undefined, P('P01', { 'ups.delay.shutdown': '30', 'ups.delay.start': '0' })), ['S.5\r']);
  assert.deepEqual(b('shutdown.return', undefined, P('P01', { 'ups.delay.shutdown': '120', 'ups.delay.start': '1440' })), ['S02R0024\r']);
  assert.deepEqual(b('shutdown.stayoff', undefined, P('P01', { 'ups.delay.shutdown': '120', 'ups.delay.start': '180' })), ['S02R0000\r']);
  assert.deepEqual(b('shutdown.stop'), ['CS\r']);
  assert.deepEqual(b('test.battery.start', '18'), ['T.3\r']);
  assert.deepEqual(b('test.battery.start', '120'), ['T02\r']);
  assert.deepEqual(b('test.battery.start', ''), ['T10\r']);
  assert.deepEqual(b('test.battery.start', undefined), ['T10\r']);
  for (const bad of ['11', '5941', 'abc', '-60', '1e3']) assert.throws(() => b('test.battery.start', bad), QxValueError, bad);
  assert.deepEqual(b('test.battery.start.deep'), ['TL\r']);
  assert.deepEqual(b('test.battery.start.quick'), ['T\r']);
  assert.deepEqual(b('test.battery.stop'), ['CT\r']);
  assert.deepEqual(b('beeper.toggle'), ['BZOFF\r']);
  assert.deepEqual(b('beeper.toggle', undefined, qxCtx({ 'ups.beeper.status': 'disabled' })), ['BZON\r']);
  assert.throws(() => b('beeper.toggle', undefined, qxCtx({})), QxValueError);
  assert.deepEqual(b('beeper.enable'), ['PEA\r']);
  assert.deepEqual(b('beeper.disable'), ['PDA\r']);
  assert.deepEqual(b('outlet.1.load.off'), ['SKOFF1\r']);
  assert.deepEqual(b('outlet.1.load.on'), ['SKON1\r']);
  assert.deepEqual(b('bypass.start'), ['PEE\r']);
  assert.deepEqual(b('bypass.stop'), ['PDE\r']);
  // Listed as NUT unskips them: alarm control / ECO mode named by the last QFLAG, an outlet once QSKn answered.
  const on = (name: string, c: QxContext): boolean => voltronic.commands.find((x) => x.name === name)!.enabled?.(c) ?? true;
  const flags = (reply: string): QxContext => ({ ...ctx, replies: new Map([['QFLAG\r', reply]]) });
  for (const name of ['beeper.enable', 'beeper.disable', 'bypass.start', 'bypass.stop']) assert.equal(on(name, ctx), false, name);
  assert.equal(on('beeper.enable', flags('(EaDe')), true);
  assert.equal(on('beeper.disable', flags('(DA')), false);
  assert.equal(on('beeper.disable', flags('(Da')), true);
  assert.equal(on('bypass.start', flags('(EaDe')), true);
  assert.equal(on('bypass.stop', flags('(Epa')), false);
  assert.equal(on('bypass.stop', flags('garbage')), false);
  assert.equal(on('outlet.1.load.on', ctx), true);
  assert.equal(on('outlet.2.load.off', ctx), false);
  assert.equal(on('outlet.2.load.off', P('P01', { 'outlet.2.switchable': 'no' })), true);
  for (const name of ['load.off', 'test.battery.start.quick', 'beeper.toggle', 'shutdown.return']) assert.equal(on(name, P('P00')), true, name);
  assert.equal(voltronic.accepted, 'ACK');
  assert.equal(voltronic.rejected, '(NAK');
  assert.equal(voltronic.commandReplyValue?.('(ACK'), 'ACK');
  assert.equal(voltronic.commandReplyValue?.('(NAK'), 'NAK');
  assert.equal(voltronic.commandReplyValue?.('SON'), null);
});

test('voltronic: settings, normalization and the bytes that set them', () => {
  const s = (name: string): QxSetting => {
    const x = voltronic.settings.find((y) => y.name === name);
    assert.ok(x, name);
    return x;
  };
  const set = (name: string, value: string, ctx: QxContext = qxCtx()): string => {
    const st = s(name);
    const v = st.normalize(value, ctx);
    assert.ok(st.write, `${name} writes to the device`);
    return st.write(v, ctx);
  };
  for (const [name, letter] of [
    ['ups.start.auto', 'R'],
    ['battery.protection', 'S'],
    ['battery.energysave', 'G'],
    ['ups.start.battery', 'C'],
    ['outlet.0.switchable', 'J'],
  ] as const) {
    assert.equal(set(name, 'yes'), `PE${letter}\r`);
    assert.equal(set(name, 'NO'), `PD${letter}\r`);
    assert.throws(() => s(name).normalize('maybe', qxCtx()), QxValueError);
    assert.deepEqual(s(name).enumValues, ['no', 'yes']);
  }
  assert.equal(set('battery.packs', '4'), 'BATGN04\r');
  assert.equal(set('battery.packs', '12'), 'BATGN12\r');
  assert.deepEqual(s('battery.packs').range, [1, 99]);
  const small = qxCtx({ 'output.voltage.nominal': '230.0', 'output.current.nominal': '4' });
  const big = qxCtx({ 'output.voltage.nominal': '230.0', 'output.current.nominal': '5' });
  assert.equal(set('battery.voltage.low', '24', small), 'W0E24\r');
  assert.throws(() => s('battery.voltage.low').normalize('28', small), QxValueError);
  assert.equal(set('battery.voltage.low', '28', big), 'W0E28\r');
  assert.throws(() => s('battery.voltage.low').normalize('19', big), QxValueError);
  assert.throws(() => s('battery.voltage.low').normalize('22', qxCtx()), QxValueError);
  const eco = P('P01', { 'output.voltage.nominal': '230.0', 'output.frequency.nominal': '50.0' });
  assert.equal(set('input.transfer.high', '250', eco), 'HEH250\r');
  assert.equal(set('input.transfer.low', '210', eco), 'HEL210\r');
  assert.throws(() => s('input.transfer.high').normalize('260', eco), QxValueError);
  assert.throws(() => s('input.transfer.low').normalize('230', eco), QxValueError);
  assert.equal(s('input.transfer.high').enabled?.(P('P00', { 'output.voltage.nominal': '230.0' })), false);
  assert.equal(set('input.frequency.low', '47', eco), 'FREL47.0\r');
  assert.throws(() => s('input.frequency.low').normalize('48', eco), QxValueError);
  const eco2 = P('P02', { 'output.frequency.nominal': '50.0' });
  assert.equal(set('input.frequency.high', '54', eco2), 'FREH54.0\r');
  assert.throws(() => s('input.frequency.high').normalize('55', eco2), QxValueError);
  assert.equal(set('outlet.1.delay.shutdown', '480'), 'PSK1008\r');
  assert.equal(set('outlet.3.delay.shutdown', '59220'), 'PSK3987\r');
  assert.equal(s('outlet.2.delay.shutdown').normalize('100', qxCtx()), '60');
  assert.equal(set('battery.type', 'agm'), 'PBT02\r');
  assert.equal(set('battery.type', 'Li'), 'PBT00\r');
  assert.throws(() => s('battery.type').normalize('NiMH', qxCtx()), QxValueError);
  // The server-side delays: NUT's defaults, ranges and rounding.
  assert.equal(s('ups.delay.start').fallback, '180');
  assert.deepEqual(s('ups.delay.start').range, [0, 599940]);
  assert.equal(s('ups.delay.start').normalize('200', qxCtx()), '180');
  assert.equal(s('ups.delay.shutdown').fallback, '30');
  assert.deepEqual(s('ups.delay.shutdown').range, [12, 5940]);
  assert.equal(s('ups.delay.shutdown').normalize('45', qxCtx()), '42');
  assert.equal(s('ups.delay.shutdown').normalize('130', qxCtx()), '120');
  assert.equal(s('ups.delay.shutdown').write, undefined);
});

test('voltronic claim: QGS with input.voltage then QPI; megatec-only and NAK units are not claimed', async () => {
  assert.equal(await voltronic.claim(scriptedProbe({ 'QGS\r': fx['QGS']!, 'QPI\r': fx['QPI']! })), true);
  const silent = scriptedProbe({ 'QPI\r': fx['QPI']! });
  assert.equal(await voltronic.claim(silent), false);
  assert.deepEqual(silent.sent, ['QGS\r']);
  assert.equal(await voltronic.claim(scriptedProbe({ 'QGS\r': fx['QGS']!, 'QPI\r': '(NAK' })), false);
  assert.equal(await voltronic.claim(scriptedProbe({ 'QGS\r': fx['QGS']!, 'QPI\r': '(PI98' })), false);
  assert.equal(await voltronic.claim(scriptedProbe({ 'QGS\r': '(NAK', 'QPI\r': fx['QPI']! })), false);
  assert.equal(await voltronic.claim(scriptedProbe({ 'QGS\r': fx['QGS']!.replace('234.9', '@@@@@'), 'QPI\r': fx['QPI']! })), false);
});

test('voltronic: first in the autodetection order (after omron), before voltronic-qs', () => {
  const n = protocolNames();
  assert.equal(n[0], 'voltronic');
  assert.equal(n.indexOf('voltronic-qs'), 1);
  // QPI is asked first: the protocol number decides the multi-phase, ECO and P31 queries.
  assert.equal(voltronic.queries[0]!.command, 'QPI\r');
  const cmds = voltronic.queries.map((x) => x.command);
  assert.ok(cmds.indexOf('QFLAG\r') < cmds.indexOf('QSK1\r'));
  assert.ok(cmds.indexOf('QSK1\r') < cmds.indexOf('QSKT1\r'));
  assert.ok(cmds.indexOf('QGS\r') < cmds.indexOf('QMOD\r'));
});
