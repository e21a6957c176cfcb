/**
 * Voltronic's ups.conf-only start-up writes (src/drivers/qx/protocols/voltronic-startup.ts)
 * on their own: what each asks and sends for a given unit (protocol,
 * nominal ratings, replies), checked against nutdrv_qx_voltronic.c's tables.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QxContext, QxStartupWrite } from '../../src/drivers/qx/protocol';
import { OUTPUT_PHASE_ANGLE, VOLTRONIC_STARTUP, WORK_RANGE_TYPE, bypassRange } from '../../src/drivers/qx/protocols/voltronic-startup';

function ctx(raw: Record<string, unknown>, vars: Record<string, string> = {}, replies: Record<string, string> = {}): QxContext {
  return {
    options: { norating: false, novendor: false, ignoresab: false, batteryVoltageReportsOnePack: false, raw },
    vars: new Map(Object.entries({ 'ups.firmware.aux': 'P01', 'input.voltage.nominal': '230', 'output.frequency.nominal': '50.0', 'ups.status': 'OL', ...vars })),
    replies: new Map(Object.entries(replies)),
  };
}

const byName = (name: string): QxStartupWrite => VOLTRONIC_STARTUP.find((w) => w.name === name)!;
const query = (w: QxStartupWrite, c: QxContext): string | undefined => (typeof w.query === 'function' ? w.query(c) : w.query);

describe('voltronic start-up writes', () => {
  test('table order as nutdrv_qx_voltronic.c: reset, the 12 capabilities, bypass volts, bypass frequencies, battery_number, work_range_type, output_phase_angle', () => {
    assert.deepEqual(VOLTRONIC_STARTUP.map((w) => w.name), [
      'reset_to_default',
      'bypass_alarm',
      'battery_alarm',
      'bypass_when_off',
      'alarm_control',
      'converter_mode',
      'eco_mode',
      'battery_open_status_check',
      'bypass_forbidding',
      'site_fault_detection',
      'advanced_eco_mode',
      'constant_phase_angle',
      'limited_runtime_on_battery',
      'max_bypass_volt/min_bypass_volt',
      'max_bypass_freq/min_bypass_freq',
      'battery_number',
      'work_range_type',
      'output_phase_angle',
    ]);
    // Nothing asked and nothing sent without any option.
    for (const w of VOLTRONIC_STARTUP) {
      assert.equal(query(w, ctx({})), undefined, w.name);
      assert.deepEqual(w.writes(null, ctx({}, {}, { 'QFLAG\r': '(EpaDe', 'QBV\r': '(026.5 02 01 068 255' })), [], w.name);
    }
  });

  test('bypass ranges: the pairs NUT keeps for each protocol and nominal', () => {
    const at = (p: string, ivn: string, ofn = '50.0') => ctx({}, { 'ups.firmware.aux': p, 'input.voltage.nominal': ivn, 'output.frequency.nominal': ofn });
    assert.deepEqual(bypassRange('max_bypass_volt', at('P01', '230')), [230, 264]);
    assert.deepEqual(bypassRange('min_bypass_volt', at('P01', '230')), [170, 220]);
    assert.deepEqual(bypassRange('max_bypass_volt', at('P01', '120')), [120, 140]);
    assert.deepEqual(bypassRange('min_bypass_volt', at('P02', '120')), [55, 104]);
    assert.deepEqual(bypassRange('max_bypass_volt', at('P99', '230')), [231, 261]);
    assert.deepEqual(bypassRange('min_bypass_volt', at('P99', '110')), [50, 85]);
    assert.deepEqual(bypassRange('max_bypass_volt', at('P09', '230')), [60, 140]);
    assert.deepEqual(bypassRange('max_bypass_freq', at('P01', '230', '50.0')), [51, 60]);
    assert.deepEqual(bypassRange('max_bypass_freq', at('P13', '230', '60.0')), [61, 64]);
    assert.deepEqual(bypassRange('min_bypass_freq', at('P03', '230', '50.0')), [46, 49]);
    assert.deepEqual(bypassRange('min_bypass_freq', at('P09', '230', '60.0')), [50, 59]);
    assert.equal(bypassRange('max_bypass_volt', at('P05', '230')), undefined);
    assert.equal(bypassRange('max_bypass_freq', at('P01', '230', '55.0')), undefined);
    assert.equal(bypassRange('max_bypass_volt', ctx({}, { 'input.voltage.nominal': '' })), undefined);
  });

  test('bypass limits: QBYV/QBYF asked only with an option and a protocol that has them; what differs is sent, max first, in NUT formats', () => {
    const volts = byName('max_bypass_volt/min_bypass_volt');
    const freqs = byName('max_bypass_freq/min_bypass_freq');
    const c = ctx({ max_bypass_volt: 250, min_bypass_volt: 170, max_bypass_freq: 53.5, min_bypass_freq: 46 });
    assert.equal(query(volts, c), 'QBYV\r');
    assert.equal(query(freqs, c), 'QBYF\r');
    // min 170 is already so: only PHV250.
    assert.deepEqual(volts.writes('(264 170', c), ['PHV250\r']);
    // P01 at 50 Hz: max 51..60, min 40..49.
    assert.deepEqual(freqs.writes('(53.0 47.0', c), ['PGF53.5\r', 'PSF46.0\r']);
    for (const p of ['P00', 'P08', 'P31']) {
      const none = ctx({ max_bypass_volt: 250 }, { 'ups.firmware.aux': p });
      assert.equal(query(volts, none), undefined, p);
      assert.throws(() => volts.writes(null, none), /no bypass limits/);
    }
    // Out of range: refused with the range, nothing sent.
    assert.throws(() => volts.writes('(264 170', ctx({ max_bypass_volt: 300 })), /max_bypass_volt: 300 is outside 230\.\.264; nothing sent/);
    // One of two out of range: the good one is still sent.
    assert.deepEqual(volts.writes('(264 170', ctx({ max_bypass_volt: 300, min_bypass_volt: 200 })), ['PLV200\r']);
    assert.throws(() => volts.writes(null, c), /QBYV unanswered/);
    assert.throws(() => volts.writes('(2x4 170', ctx({ max_bypass_volt: 250 })), /gave no number/);
  });

  test('work_range_type: P31 only, QGR then PGR00/PGR01 (the enum index, as NUT sends it)', () => {
    const p31 = (want: string) => ctx({ work_range_type: want }, { 'ups.firmware.aux': 'P31' });
    assert.equal(query(WORK_RANGE_TYPE, p31('UPS')), 'QGR\r');
    assert.deepEqual(WORK_RANGE_TYPE.writes('(00', p31('UPS')), ['PGR01\r']);
    assert.deepEqual(WORK_RANGE_TYPE.writes('(01', p31('UPS')), []);
    assert.deepEqual(WORK_RANGE_TYPE.writes('(01', p31('Appliance')), ['PGR00\r']);
    // An unreadable QGR leaves NUT's initial 0 (Appliance).
    assert.deepEqual(WORK_RANGE_TYPE.writes('(x1', p31('Appliance')), []);
    assert.equal(query(WORK_RANGE_TYPE, ctx({ work_range_type: 'UPS' })), undefined);
    assert.throws(() => WORK_RANGE_TYPE.writes(null, ctx({ work_range_type: 'UPS' })), /only P31/);
  });

  test('output_phase_angle: QPD, then PPD with the angle\'s place in 000/120/180/240 when the output angle differs', () => {
    const want = (a: string) => ctx({ output_phase_angle: a });
    assert.equal(query(OUTPUT_PHASE_ANGLE, want('180')), 'QPD\r');
    assert.deepEqual(OUTPUT_PHASE_ANGLE.writes('(000 120', want('180')), ['PPD002\r']);
    assert.deepEqual(OUTPUT_PHASE_ANGLE.writes('(000 120', want('120')), []);
    assert.deepEqual(OUTPUT_PHASE_ANGLE.writes('(000 000', want('240')), ['PPD003\r']);
    assert.throws(() => OUTPUT_PHASE_ANGLE.writes(null, want('120')), /QPD gave no output phase angle/);
  });

  test('battery_number: compared with QBV\'s count, or NUT\'s initial 0 when QBV gave none', () => {
    const w = byName('battery_number');
    assert.deepEqual(w.writes(null, ctx({ battery_number: 2 }, {}, { 'QBV\r': '(026.5 02 01 068 255' })), []);
    assert.deepEqual(w.writes(null, ctx({ battery_number: 3 }, {}, { 'QBV\r': '(026.5 02 01 068 255' })), ['BATN3\r']);
    assert.deepEqual(w.writes(null, ctx({ battery_number: 2 })), ['BATN2\r']);
  });

  test('reset_to_default only in standby; a capability the unit does not report is refused with the reason', () => {
    const reset = byName('reset_to_default');
    assert.deepEqual(reset.writes(null, ctx({ reset_to_default: true }, { 'ups.status': 'OFF' })), ['PF\r']);
    assert.throws(() => reset.writes(null, ctx({ reset_to_default: true })), /only while the UPS is in standby/);
    const eco = byName('eco_mode');
    assert.deepEqual(eco.writes(null, ctx({ eco_mode: 'enabled' }, {}, { 'QFLAG\r': '(EpaDe' })), ['PEE\r']);
    assert.deepEqual(eco.writes(null, ctx({ eco_mode: 'disabled' }, {}, { 'QFLAG\r': '(EpaDe' })), []);
    assert.throws(() => eco.writes(null, ctx({ eco_mode: 'enabled' }, {}, { 'QFLAG\r': '(EpaDb' })), /does not report this capability/);
  });
});

describe('voltronic start-up options in the configuration', () => {
  test('NUT names; values as NUT takes them (any case; a phase angle written as a YAML number too); clear errors', async () => {
    const { validateConfig } = await import('../../src/app/config');
    const entry = (extra: Record<string, unknown>) => validateConfig({ ups: { u: { driver: 'qx', port: '/dev/ttyUSB0', ...extra } } }).ups.u as Record<string, unknown>;
    const u = entry({ eco_mode: 'ENABLED', work_range_type: 'ups', output_phase_angle: 0, max_bypass_volt: 264, min_bypass_freq: 46.5 });
    assert.equal(u.eco_mode, 'enabled');
    assert.equal(u.work_range_type, 'UPS');
    assert.equal(u.output_phase_angle, '000');
    assert.equal(entry({ output_phase_angle: '240' }).output_phase_angle, '240');
    assert.throws(() => entry({ output_phase_angle: 90 }), /ups\.u\.output_phase_angle: 90 is not one of 000, 120, 180, 240/);
    assert.throws(() => entry({ work_range_type: 'grid' }), /ups\.u\.work_range_type: "grid" is not one of Appliance, UPS/);
    assert.throws(() => entry({ max_bypass_volt: 'high' }), /ups\.u\.max_bypass_volt/);
  });
});
