/** Q2 and Q6 (three-phase Megatec variants): replies from NUT's tables, malformed ones, claim, commands. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QxParseError } from '../../src/drivers/qx/fields';
import { q2 } from '../../src/drivers/qx/protocols/q2';
import { q6 } from '../../src/drivers/qx/protocols/q6';
import { findProtocol, protocolNames } from '../../src/drivers/qx/protocols/index';
import { commandBytes, qxCtx, qxFixture, qxOptions, queryOf, scriptedProbe } from '../helpers/qx-kit';

const fx = qxFixture<Record<string, string>>('q2-q6.json');

test('q2: Q2 reply as NUT publishes it (runtime minutes to seconds, topology bits)', () => {
  const r = queryOf(q2, 'Q2\r').parse(fx['Q2']!, qxCtx());
  assert.deepEqual(r.vars, {
    'input.phases': '3',
    'output.phases': '3',
    'input.L1-N.voltage': '226.6',
    'input.L2-N.voltage': '224.3',
    'input.L3-N.voltage': '228.0',
    'input.voltage.fault': '226.6',
    'input.frequency': '49.9',
    'output.L1-N.voltage': '229.9',
    'output.L2-N.voltage': '0.0',
    'output.L3-N.voltage': '0.0',
    'output.L1.load': '0',
    'output.L2.load': '0',
    'output.L3.load': '0',
    'ups.temperature': '18.0',
    'battery.voltage': '327.6',
    'battery.runtime': '59954',
    'battery.charge': '100',
    'experimental.input.topology': 'star',
    'experimental.output.topology': 'star',
  });
});

test('q6: Q6 reply (output frequency, negative battery voltage, runtime in seconds)', () => {
  const r = queryOf(q6, 'Q6\r').parse(fx['Q6']!, qxCtx());
  assert.equal(r.vars?.['input.frequency'], '50.0');
  assert.equal(r.vars?.['output.frequency'], '49.9');
  assert.equal(r.vars?.['output.L1-N.voltage'], '229.9');
  assert.equal(r.vars?.['output.L1.load'], '7');
  assert.equal(r.vars?.['battery.voltage'], '327.8');
  assert.equal(r.vars?.['experimental.battery.voltage.negative'], '0.0');
  assert.equal(r.vars?.['ups.temperature'], '23.0');
  assert.equal(r.vars?.['battery.runtime'], '6932');
  assert.equal(r.vars?.['battery.charge'], '100');
  assert.equal(r.vars?.['experimental.input.topology'], 'star');
  assert.equal(r.vars?.['input.phases'], '3');
});

test('q2/q6: WA kW/kVA x1000 printed %.2f from a C float, currents and load', () => {
  const r = queryOf(q2, 'WA\r').parse(fx['WA']!, qxCtx());
  assert.equal(r.vars?.['output.L1.realpower'], '1400.00');
  assert.equal(r.vars?.['output.L2.realpower'], '0.00');
  assert.equal(r.vars?.['output.L1.power'], '1400.00');
  assert.equal(r.vars?.['ups.realpower'], '1400.00');
  assert.equal(r.vars?.['ups.power'], '1400.00');
  assert.equal(r.vars?.['output.L1.current'], '6.5');
  assert.equal(r.vars?.['ups.load'], '7');
  assert.equal(queryOf(q2, 'WA\r').enabled?.(qxCtx({}, {}, { nooutstats: true })), false);
  assert.equal(queryOf(q2, 'WA\r').enabled?.(qxCtx()), true);
});

test('q2: Q1 gives only the status bits, ups.type and the beeper (no single-phase voltages)', () => {
  const q = queryOf(q2, 'Q1\r');
  const ok = q.parse(fx['Q1']!, qxCtx());
  assert.deepEqual(ok.vars, { 'ups.type': 'online', 'ups.beeper.status': 'disabled' });
  assert.equal(ok.status?.OL, true);
  const ob = q.parse(fx['Q1_onbattery_lowbatt']!, qxCtx());
  assert.equal(ob.status?.OL, false);
  assert.equal(ob.status?.LB, true);
  assert.equal(ob.status?.FSD, false);
  assert.equal(ob.status?.CAL, false);
  assert.equal(ob.vars?.['ups.type'], 'offline / line interactive');
  assert.equal(ob.vars?.['ups.beeper.status'], 'enabled');
  assert.equal(q.kind, 'status');
});

test('q2/q6: truncated, wrong leading character, echoed-shape and bad bits are refused', () => {
  for (const [p, cmd, good] of [
    [q2, 'Q2\r', fx['Q2']!],
    [q6, 'Q6\r', fx['Q6']!],
    [q2, 'WA\r', fx['WA']!],
    [q2, 'Q1\r', fx['Q1']!],
  ] as const) {
    const q = queryOf(p, cmd);
    assert.throws(() => q.parse(good.slice(0, good.length - 3), qxCtx()), QxParseError, `${cmd} truncated`);
    assert.throws(() => q.parse(`#${good.slice(1)}`, qxCtx()), QxParseError, `${cmd} leading`);
    assert.throws(() => q.parse(cmd.slice(0, -1), qxCtx()), QxParseError, `${cmd} echoed`);
    assert.throws(() => q.parse('(NAK', qxCtx()), QxParseError, `${cmd} NAK`);
  }
  assert.throws(() => queryOf(q2, 'Q1\r').parse(fx['Q1']!.replace(/00000000$/, '0x000000'), qxCtx()), QxParseError);
});

test('q2: unsupported columns are left out, never published as garbage', () => {
  const bad = fx['Q2']!.replace('226.6 224.3', '@@@@@ 224.3').replace('999.24', '------');
  const r = queryOf(q2, 'Q2\r').parse(bad, qxCtx());
  assert.equal(r.vars?.['input.L1-N.voltage'], undefined);
  assert.equal(r.vars?.['battery.runtime'], undefined);
  assert.equal(r.vars?.['input.L2-N.voltage'], '224.3');
  const topo = fx['Q2']!.slice(0, 115) + '01';
  const t = queryOf(q2, 'Q2\r').parse(topo, qxCtx());
  assert.equal(t.vars?.['experimental.input.topology'], 'delta');
  assert.equal(t.vars?.['experimental.output.topology'], 'star');
});

test('q2: battery_voltage_reports_one_pack multiplies by battery.packs', () => {
  const r = queryOf(q2, 'Q2\r').parse(fx['Q2']!.replace('327.6', '013.6'), qxCtx({ 'battery.packs': '24' }, { batteryVoltageReportsOnePack: true }));
  assert.equal(r.vars?.['battery.voltage'], '326.40');
});

test('q2/q6 claim: Q2/Q6, Q1 (ups.type) and WA (output.L1.current) must all answer; nooutstats skips WA', async () => {
  const all = { 'Q2\r': fx['Q2']!, 'Q6\r': fx['Q6']!, 'Q1\r': fx['Q1']!, 'WA\r': fx['WA']! };
  assert.equal(await q2.claim(scriptedProbe(all)), true);
  assert.equal(await q6.claim(scriptedProbe(all)), true);
  const probe = scriptedProbe({ ...all, 'Q2\r': null });
  assert.equal(await q2.claim(probe), false);
  assert.deepEqual(probe.sent, ['Q2\r']);
  assert.equal(await q2.claim(scriptedProbe({ ...all, 'WA\r': null })), false);
  assert.equal(await q2.claim(scriptedProbe({ ...all, 'WA\r': null }, qxOptions({}, { nooutstats: true }))), true);
  assert.equal(await q6.claim(scriptedProbe({ ...all, 'Q1\r': '(NAK' })), false);
  // A single-phase Megatec unit answers Q1 but not Q2/Q6.
  assert.equal(await q2.claim(scriptedProbe({ 'Q1\r': fx['Q1']! })), false);
});

test('q2/q6: Megatec commands with exact bytes; delays; registered after the Megatec family, before q1', () => {
  const ctx = qxCtx({ 'ups.delay.shutdown': '30', 'ups.delay.start': '180' });
  for (const p of [q2, q6]) {
    assert.deepEqual(commandBytes(p, 'beeper.toggle', undefined, ctx), ['Q\r']);
    assert.deepEqual(commandBytes(p, 'load.off', undefined, ctx), ['S00R0000\r']);
    assert.deepEqual(commandBytes(p, 'load.on', undefined, ctx), ['C\r']);
    assert.deepEqual(commandBytes(p, 'shutdown.return', undefined, ctx), ['S.5R0003\r']);
    assert.deepEqual(commandBytes(p, 'shutdown.stayoff', undefined, ctx), ['S.5R0000\r']);
    assert.deepEqual(commandBytes(p, 'shutdown.stop', undefined, ctx), ['C\r']);
    assert.deepEqual(commandBytes(p, 'test.battery.start', '240', ctx), ['T04\r']);
    assert.deepEqual(commandBytes(p, 'test.battery.start.deep', undefined, ctx), ['TL\r']);
    assert.deepEqual(commandBytes(p, 'test.battery.start.quick', undefined, ctx), ['T\r']);
    assert.deepEqual(commandBytes(p, 'test.battery.stop', undefined, ctx), ['CT\r']);
    assert.deepEqual(p.settings.map((s) => s.name), ['ups.delay.start', 'ups.delay.shutdown']);
    assert.equal(p.accepted, 'ACK');
  }
  const names = protocolNames();
  assert.ok(names.indexOf('q2') > names.indexOf('zinto'));
  assert.equal(names.indexOf('q6'), names.indexOf('q2') + 1);
  assert.equal(names[names.length - 1], 'q1');
  assert.equal(findProtocol('Q6'), q6);
});
