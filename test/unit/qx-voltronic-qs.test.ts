/** voltronic-qs and voltronic-qs-hex: M letters, QS (text and raw-byte dialects), F, QI, claims, commands. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QxParseError } from '../../src/drivers/qx/fields';
import { voltronicQs } from '../../src/drivers/qx/protocols/voltronic-qs';
import { refineQs, voltronicQsHex } from '../../src/drivers/qx/protocols/voltronic-qs-hex';
import { protocolNames } from '../../src/drivers/qx/protocols/index';
import { commandBytes, qxCtx, qxFixture, queryOf, scriptedProbe } from '../helpers/qx-kit';

const fx = qxFixture<Record<string, string>>('voltronic-qs.json');

test('voltronic-qs: M letter V or H -> ups.firmware.aux PM-V; others refused', () => {
  const m = queryOf(voltronicQs, 'M\r');
  assert.deepEqual(m.parse(fx['M_V']!, qxCtx()).vars, { 'ups.firmware.aux': 'PM-V' });
  assert.deepEqual(m.parse(fx['M_H']!, qxCtx()).vars, { 'ups.firmware.aux': 'PM-H' });
  for (const bad of ['P', 'T', 'M', '', '(NAK']) assert.throws(() => m.parse(bad, qxCtx()), QxParseError, bad);
});

test('voltronic-qs: QS is Q1 with the output frequency; status bits', () => {
  const r = queryOf(voltronicQs, 'QS\r').parse(fx['QS']!, qxCtx());
  assert.deepEqual(r.vars, {
    'input.voltage': '215.0',
    'input.voltage.fault': '195.0',
    'output.voltage': '230.0',
    'ups.load': '14',
    'output.frequency': '49.0',
    'battery.voltage': '22.70',
    'ups.temperature': '30.0',
    'ups.type': 'online',
    'ups.beeper.status': 'disabled',
  });
  assert.equal(r.status?.OL, true);
  const ob = queryOf(voltronicQs, 'QS\r').parse(fx['QS']!.replace(/00000000$/, '11000010'), qxCtx());
  assert.equal(ob.status?.OL, false);
  assert.equal(ob.status?.LB, true);
  assert.equal(ob.status?.FSD, true);
  assert.equal(queryOf(voltronicQs, 'QS\r').parse(fx['QS']!.replace(/00000000$/, '00000010'), qxCtx({}, { ignoresab: true })).status?.FSD, undefined);
});

test('voltronic-qs: F output ratings and QI', () => {
  assert.deepEqual(queryOf(voltronicQs, 'F\r').parse(fx['F_nut3457']!, qxCtx()).vars, {
    'output.voltage.nominal': '230',
    'output.current.nominal': '2.0',
    'battery.voltage.nominal': '12.0',
    'output.frequency.nominal': '50',
  });
  assert.equal(queryOf(voltronicQs, 'F\r').skipWhen, undefined);
  assert.deepEqual(queryOf(voltronicQs, 'QI\r').parse(fx['QI']!, qxCtx()).vars, {
    'battery.charge': '100',
    'battery.runtime': '979',
    'input.frequency': '50.0',
    'output.current': '0.3',
    'input.transfer.low': '177',
    'input.transfer.high': '290',
  });
});

test('voltronic-qs: malformed, truncated and echoed replies are refused', () => {
  for (const [cmd, good] of [
    ['QS\r', fx['QS']!],
    ['F\r', fx['F']!],
    ['QI\r', fx['QI']!],
  ] as const) {
    const q = queryOf(voltronicQs, cmd);
    assert.throws(() => q.parse(good.slice(0, -2), qxCtx()), QxParseError);
    assert.throws(() => q.parse(`X${good.slice(1)}`, qxCtx()), QxParseError);
    assert.throws(() => q.parse(cmd.slice(0, -1), qxCtx()), QxParseError);
  }
  assert.throws(() => queryOf(voltronicQs, 'QS\r').parse(fx['QS']!.replace(/00000000$/, '2000000a'), qxCtx()), QxParseError);
});

test('voltronic-qs claim: M then QS; an M echo or a Megatec unit is not claimed', async () => {
  assert.equal(await voltronicQs.claim(scriptedProbe({ 'M\r': 'V', 'QS\r': fx['QS']! })), true);
  const p = scriptedProbe({ 'M\r': null, 'QS\r': fx['QS']! });
  assert.equal(await voltronicQs.claim(p), false);
  assert.deepEqual(p.sent, ['M\r']);
  assert.equal(await voltronicQs.claim(scriptedProbe({ 'M\r': 'P', 'QS\r': fx['QS']! })), false);
  assert.equal(await voltronicQs.claim(scriptedProbe({ 'M\r': 'V', 'QS\r': null })), false);
});

test('voltronic-qs: commands and delays (ranges 60..599940 and 12..540), no ACK reply expected', () => {
  const ctx = qxCtx({ 'ups.delay.shutdown': '30', 'ups.delay.start': '300' });
  assert.deepEqual(
    voltronicQs.commands.map((c) => c.name),
    ['beeper.toggle', 'load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'shutdown.stop', 'test.battery.start.quick'],
  );
  assert.deepEqual(commandBytes(voltronicQs, 'beeper.toggle', undefined, ctx), ['Q\r']);
  assert.deepEqual(commandBytes(voltronicQs, 'load.off', undefined, ctx), ['S00R0000\r']);
  assert.deepEqual(commandBytes(voltronicQs, 'load.on', undefined, ctx), ['C\r']);
  assert.deepEqual(commandBytes(voltronicQs, 'shutdown.return', undefined, ctx), ['S.5R0005\r']);
  assert.deepEqual(commandBytes(voltronicQs, 'shutdown.stayoff', undefined, ctx), ['S.5R0000\r']);
  assert.deepEqual(commandBytes(voltronicQs, 'shutdown.return', undefined, qxCtx({ 'ups.delay.shutdown': '120', 'ups.delay.start': '300' })), ['S02R0005\r']);
  assert.deepEqual(commandBytes(voltronicQs, 'test.battery.start.quick', undefined, ctx), ['T\r']);
  assert.deepEqual(voltronicQs.settings.map((s) => [s.name, s.range]), [
    ['ups.delay.start', [60, 599940]],
    ['ups.delay.shutdown', [12, 540]],
  ]);
  assert.equal(voltronicQs.accepted, undefined);
});

test('voltronic-qs-hex: raw QS replies refined as NUT does (escapes, binary status fields)', () => {
  assert.equal(refineQs(fx['hex_QS_P']!), fx['hex_QS_P_refined']);
  assert.equal(refineQs(fx['hex_QS_T']!), fx['hex_QS_T_refined']);
  // `(` followed by 4 is an escaped blank: a byte 0x20, not a field separator.
  const esc = fx['hex_QS_P']!.replace('\u00e6 \u001e', '\u00e6 \u0028\u0004');
  assert.equal(refineQs(esc), fx['hex_QS_P_refined']!.replace('e6 1e', 'e6 20'));
  assert.throws(() => refineQs(fx['hex_QS_P']!.slice(0, -2)), QxParseError);
  assert.throws(() => refineQs(`(${fx['hex_QS_P']!.slice(1)}`), QxParseError);
  assert.throws(() => refineQs('QS'), QxParseError);
  assert.throws(() => refineQs(`${fx['hex_QS_P']!} \u0001 \u0002`), QxParseError);
});

test('voltronic-qs-hex: P unit values, bits; T unit ratings', () => {
  const q = queryOf(voltronicQsHex, 'QS\r');
  const p = q.parse(fx['hex_QS_P']!, qxCtx({ 'ups.firmware.aux': 'PM-P' }));
  assert.deepEqual(p.vars, {
    'input.voltage': '112.2',
    'output.voltage': '112.2',
    'ups.load': '3',
    'output.frequency': '59.8',
    'battery.voltage': '13.53',
    'ups.type': 'offline / line interactive',
    'ups.beeper.status': 'enabled',
  });
  assert.deepEqual(p.status, { OL: true, LB: false, CAL: false, FSD: false, TRIM: false, BYPASS: false, BOOST: false });
  const t = q.parse(fx['hex_QS_T']!, qxCtx({ 'ups.firmware.aux': 'PM-T' }));
  assert.equal(t.vars?.['input.voltage'], '222.4');
  assert.equal(t.vars?.['output.frequency.nominal'], '50.0');
  assert.equal(t.vars?.['battery.voltage.nominal'], '12.0');
  assert.equal(t.vars?.['output.voltage.nominal'], '220.0');
  assert.equal(t.vars?.['ups.load'], '0');
  // A P unit has no rating bits even if a reply carried them.
  assert.equal(q.parse(fx['hex_QS_T']!, qxCtx({ 'ups.firmware.aux': 'PM-P' })).vars?.['output.voltage.nominal'], undefined);
  // Bypass bit with output ~ input: BYPASS.
  const bb = `${fx['hex_QS_P']!.slice(0, -1)}\u0029`;
  assert.equal(q.parse(bb, qxCtx()).status?.BYPASS, true);
});

test('voltronic-qs-hex: claim, commands, N refusal', async () => {
  assert.equal(await voltronicQsHex.claim(scriptedProbe({ 'M\r': 'P', 'QS\r': fx['hex_QS_P']! })), true);
  assert.equal(await voltronicQsHex.claim(scriptedProbe({ 'M\r': 'V', 'QS\r': fx['hex_QS_P']! })), false);
  assert.equal(await voltronicQsHex.claim(scriptedProbe({ 'M\r': 'T', 'QS\r': fx['QS']! })), false);
  assert.equal(voltronicQsHex.rejected, 'N');
  const ctx = qxCtx({ 'ups.delay.shutdown': '30', 'ups.delay.start': '120', 'ups.firmware.aux': 'PM-T' });
  assert.deepEqual(commandBytes(voltronicQsHex, 'shutdown.return', undefined, ctx), ['S.5R0002\r']);
  assert.deepEqual(commandBytes(voltronicQsHex, 'test.battery.start.quick', undefined, ctx), ['T\r']);
  // NUT skips it on P units: not listed there (QxInstantCommand.enabled), rather than listed and refused.
  const quick = voltronicQsHex.commands.find((c) => c.name === 'test.battery.start.quick')!;
  assert.equal(quick.enabled?.(qxCtx({ 'ups.firmware.aux': 'PM-P' })), false);
  assert.equal(quick.enabled?.(ctx), true);
});

test('voltronic-qs and -hex sit after voltronic and before mustek, as in NUT', () => {
  const n = protocolNames();
  assert.equal(n.indexOf('voltronic-qs-hex'), n.indexOf('voltronic-qs') + 1);
  assert.equal(n.indexOf('mustek'), n.indexOf('voltronic-qs-hex') + 1);
});
