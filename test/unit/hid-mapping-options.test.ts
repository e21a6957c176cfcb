/**
 * The usbhid-ups options the mapping applies (HidMapperOptions): ondelay /
 * offdelay, lowbatt and lbrb_log_delay_sec (with a fake clock), checked on
 * the vendor tables the way usbhid-ups applies them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../src/core/errors';
import type { HidDeviceInfo, HidReportDescriptor, ReportKind, Subdriver } from '../../src/drivers/usbhid/types';
import { HidMapper, type HidMapperOptions, type MappedVar } from '../../src/drivers/usbhid/mapping/engine';
import { buildStatus, lbrbDelaySeconds, LbrbTimer, type StatusFlag } from '../../src/drivers/usbhid/mapping/status';
import { apcLbrbDefaultDelaySec, apcSubdriver } from '../../src/drivers/usbhid/mapping/vendors/apc';
import { CPS_DEFAULT_OFFDELAY, CPS_DEFAULT_ONDELAY, cpsDelayWarnings, cpsSubdriver } from '../../src/drivers/usbhid/mapping/vendors/cps';
import { mgeSubdriver } from '../../src/drivers/usbhid/mapping/vendors/mge';
import { powercomSubdriver } from '../../src/drivers/usbhid/mapping/vendors/powercom';
import { hidField } from '../helpers/hid-field';

// ---------------------------------------------------------------- helpers

/** Feature fields at these paths, one 16-bit field per report. */
function descriptorOf(paths: readonly string[]): HidReportDescriptor {
  const fields = paths.map((path, i) => hidField({ path, usages: [], reportId: i + 1, size: 16, logicalMax: 65535 }));
  return {
    fields,
    usesReportIds: true,
    reportLength: () => 3,
    reportIds: (kind: ReportKind) => fields.filter((f) => f.kind === kind).map((f) => f.reportId),
    find: (path: string, kind?: ReportKind) => fields.find((f) => f.path === path && (kind === undefined || f.kind === kind)),
  };
}

const PS = 'UPS.PowerSummary';
const ST = `${PS}.PresentStatus`;

const APC_BX: HidDeviceInfo = { vendorId: 0x051d, productId: 0x0002, manufacturer: 'American Power Conversion', product: 'Back-UPS BX1600MI' };
const APC_RS: HidDeviceInfo = { vendorId: 0x051d, productId: 0x0002, manufacturer: 'American Power Conversion', product: 'Back-UPS RS 1500MS' };
const CPS: HidDeviceInfo = { vendorId: 0x0764, productId: 0x0501, manufacturer: 'CPS', product: 'CP1500PFCLCD' };
const POWERCOM: HidDeviceInfo = { vendorId: 0x0d9f, productId: 0x0004, manufacturer: 'POWERCOM Co.,LTD' };
const EATON: HidDeviceInfo = { vendorId: 0x0463, productId: 0xffff, manufacturer: 'EATON', product: 'Eaton 5P' };

/** APC paths: delays, charge limit, the status bits. */
const APC_PATHS = [
  `${PS}.RemainingCapacity`,
  `${PS}.RemainingCapacityLimit`,
  `${PS}.RunTimeToEmpty`,
  `${PS}.DelayBeforeShutdown`,
  `${PS}.DelayBeforeStartup`,
  `${ST}.ACPresent`,
  `${ST}.Discharging`,
  `${ST}.Charging`,
  `${ST}.BelowRemainingCapacityLimit`,
  `${ST}.NeedReplacement`,
];

function mapper(subdriver: Subdriver, info: HidDeviceInfo, paths: readonly string[], options: HidMapperOptions = {}): HidMapper {
  return new HidMapper(subdriver, descriptorOf(paths), info, options);
}

const byName = (vars: readonly MappedVar[]): Map<string, MappedVar> => new Map(vars.map((v) => [v.name, v]));
const publish = (m: HidMapper, values: Record<string, number> = {}): Map<string, MappedVar> => byName(m.compute(new Map(Object.entries(values))).vars);

function assertRequestError(fn: () => unknown, failure: string): void {
  assert.throws(fn, (err: unknown) => err instanceof RequestError && err.failure === failure);
}

// ---------------------------------------------------------------- ondelay / offdelay

describe('ondelay / offdelay (ups.delay.start / ups.delay.shutdown)', () => {
  test("defaults are the tables' (NUT: 30 / 20; CyberPower 120 / 60; PowerCOM 60 / 20), writable strings", () => {
    const cases: ReadonlyArray<readonly [string, Subdriver, HidDeviceInfo, string, string, number]> = [
      ['APC', apcSubdriver, APC_RS, 'UPS.PowerSummary.', '30/20', 10],
      ['Eaton', mgeSubdriver, EATON, 'UPS.PowerSummary.', '30/20', 10],
      ['CyberPower', cpsSubdriver, CPS, 'UPS.Output.', `${CPS_DEFAULT_ONDELAY}/${CPS_DEFAULT_OFFDELAY}`, 10],
      ['PowerCOM', powercomSubdriver, POWERCOM, 'UPS.PowerSummary.', '60/20', 8],
    ];
    for (const [what, subdriver, info, prefix, expected, length] of cases) {
      const vars = publish(mapper(subdriver, info, [`${prefix}DelayBeforeStartup`, `${prefix}DelayBeforeShutdown`]));
      assert.equal(`${vars.get('ups.delay.start')?.value}/${vars.get('ups.delay.shutdown')?.value}`, expected, what);
      assert.deepEqual(vars.get('ups.delay.start'), { name: 'ups.delay.start', value: expected.split('/')[0], rw: true, stringLength: length }, what);
    }
    assert.equal(CPS_DEFAULT_ONDELAY, 120);
    assert.equal(CPS_DEFAULT_OFFDELAY, 60);
  });

  test('the options replace the published defaults (truncated like %ld); SET VAR changes them afterwards, writing nothing', () => {
    const m = mapper(apcSubdriver, APC_RS, APC_PATHS, { onDelay: 180.9, offDelay: 90 });
    let vars = publish(m);
    assert.equal(vars.get('ups.delay.start')?.value, '180');
    assert.equal(vars.get('ups.delay.shutdown')?.value, '90');
    assert.equal(vars.get('ups.delay.start')?.rw, true);
    assert.deepEqual(m.setVar('ups.delay.shutdown', '45'), []);
    vars = publish(m);
    assert.equal(vars.get('ups.delay.shutdown')?.value, '45');
    assert.equal(vars.get('ups.delay.start')?.value, '180');
    assertRequestError(() => m.setVar('ups.delay.start', '12345678901'), 'TOO-LONG');
  });

  test('shutdown.return / shutdown.stayoff write the published delays, also right after a SET VAR', () => {
    const m = mapper(apcSubdriver, APC_RS, APC_PATHS, { onDelay: 180, offDelay: 90 });
    assert.deepEqual(m.instCmd('shutdown.return'), [
      { path: `${PS}.DelayBeforeStartup`, value: 180 },
      { path: `${PS}.DelayBeforeShutdown`, value: 90 },
    ]);
    m.setVar('ups.delay.start', '300');
    assert.deepEqual(m.instCmd('shutdown.return'), [
      { path: `${PS}.DelayBeforeStartup`, value: 300 },
      { path: `${PS}.DelayBeforeShutdown`, value: 90 },
    ]);
    assert.deepEqual(m.instCmd('shutdown.stayoff'), [
      { path: `${PS}.DelayBeforeStartup`, value: -1 },
      { path: `${PS}.DelayBeforeShutdown`, value: 90 },
    ]);
  });

  test("load.off.delay / load.on.delay without a parameter write the table's default, not the option (as usbhid-ups)", () => {
    const apc = mapper(apcSubdriver, APC_RS, APC_PATHS, { onDelay: 180, offDelay: 90 });
    assert.deepEqual(apc.instCmd('load.off.delay'), [{ path: `${PS}.DelayBeforeShutdown`, value: 20 }]);
    assert.deepEqual(apc.instCmd('load.on.delay'), [{ path: `${PS}.DelayBeforeStartup`, value: 30 }]);
    assert.deepEqual(apc.instCmd('load.off.delay', '5'), [{ path: `${PS}.DelayBeforeShutdown`, value: 5 }]);
    const cps = mapper(cpsSubdriver, CPS, ['UPS.Output.DelayBeforeStartup', 'UPS.Output.DelayBeforeShutdown']);
    assert.deepEqual(cps.instCmd('load.off.delay'), [{ path: 'UPS.Output.DelayBeforeShutdown', value: 60 }]);
    assert.deepEqual(cps.instCmd('load.on.delay'), [{ path: 'UPS.Output.DelayBeforeStartup', value: 120 }]);
    assert.deepEqual(cps.instCmd('shutdown.return'), [
      { path: 'UPS.Output.DelayBeforeStartup', value: 120 },
      { path: 'UPS.Output.DelayBeforeShutdown', value: 60 },
    ]);
  });

  test('a device without the delay paths publishes no delays, whatever the options', () => {
    const vars = publish(mapper(apcSubdriver, APC_RS, [`${PS}.RemainingCapacity`], { onDelay: 180, offDelay: 90 }), { [`${PS}.RemainingCapacity`]: 50 });
    assert.equal(vars.has('ups.delay.start'), false);
    assert.equal(vars.has('ups.delay.shutdown'), false);
  });

  test('PowerCOM delay commands without a parameter: the option first, then the published delay (powercom-hid.c)', () => {
    const paths = [`${PS}.DelayBeforeStartup`, `${PS}.DelayBeforeShutdown`];
    const withOptions = mapper(powercomSubdriver, POWERCOM, paths, { onDelay: 180, offDelay: 90 });
    withOptions.setVar('ups.delay.shutdown', '30');
    // offdelay 90 s: 1 minute 30 seconds, restart flag 0x40; the SET VAR does not win over the option.
    assert.deepEqual(withOptions.instCmd('shutdown.return'), [{ path: `${PS}.DelayBeforeShutdown`, value: (1 << 8) + 30 + 0x40 }]);
    assert.deepEqual(withOptions.instCmd('shutdown.stayoff'), [{ path: `${PS}.DelayBeforeShutdown`, value: (1 << 8) + 30 + 0x80 }]);
    // ondelay 180 s: 3 minutes, bytes swapped.
    assert.deepEqual(withOptions.instCmd('load.on.delay'), [{ path: `${PS}.DelayBeforeStartup`, value: 3 << 8 }]);
    // A parameter comes first.
    assert.deepEqual(withOptions.instCmd('shutdown.return', '20'), [{ path: `${PS}.DelayBeforeShutdown`, value: 20 + 0x40 }]);

    const plain = mapper(powercomSubdriver, POWERCOM, paths);
    assert.deepEqual(plain.instCmd('shutdown.return'), [{ path: `${PS}.DelayBeforeShutdown`, value: 20 + 0x40 }]);
    plain.setVar('ups.delay.shutdown', '75');
    plain.setVar('ups.delay.start', '240');
    assert.deepEqual(plain.instCmd('shutdown.return'), [{ path: `${PS}.DelayBeforeShutdown`, value: (1 << 8) + 15 + 0x40 }]);
    assert.deepEqual(plain.instCmd('load.on.delay'), [{ path: `${PS}.DelayBeforeStartup`, value: 4 << 8 }]);
  });

  test('CyberPower: delays its firmware rounds down are warned about, as usbhid-ups does', () => {
    const paths = ['UPS.Output.DelayBeforeStartup', 'UPS.Output.DelayBeforeShutdown'];
    assert.equal(mapper(cpsSubdriver, CPS, paths, { onDelay: 90, offDelay: 30 }).optionWarnings().length, 2);
    assert.deepEqual(mapper(cpsSubdriver, CPS, paths, { onDelay: 120, offDelay: 60 }).optionWarnings(), []);
    // 0 and negative shutdown delays mean something to the firmware: no warning.
    assert.deepEqual(mapper(cpsSubdriver, CPS, paths, { offDelay: 0 }).optionWarnings(), []);
    assert.match(cpsDelayWarnings(30, undefined)[0] ?? '', /^ondelay=30: /);
    assert.deepEqual(mapper(apcSubdriver, APC_RS, APC_PATHS, { onDelay: 90 }).optionWarnings(), []);
    // Nothing to warn about where the device has no such variable.
    assert.deepEqual(mapper(cpsSubdriver, CPS, [], { onDelay: 90 }).optionWarnings(), []);
  });
});

// ---------------------------------------------------------------- lowbatt

describe('lowbatt (battery.charge.low)', () => {
  const base = { [`${PS}.RemainingCapacity`]: 25, [`${PS}.RemainingCapacityLimit`]: 10, [`${ST}.ACPresent`]: 0, [`${ST}.Discharging`]: 1 };

  test("replaces the device's battery.charge.low in what is published, writing nothing", () => {
    const m = mapper(apcSubdriver, APC_RS, APC_PATHS, { lowBatt: 30 });
    const vars = publish(m, base);
    assert.deepEqual(vars.get('battery.charge.low'), { name: 'battery.charge.low', value: '30', rw: true, stringLength: 10 });
    assert.equal(publish(m, base).get('battery.charge.low')?.value, '30');
    // Without the option the device's value shows.
    assert.equal(publish(mapper(apcSubdriver, APC_RS, APC_PATHS), base).get('battery.charge.low')?.value, '10');
  });

  test('holds until the device reports another value', () => {
    const m = mapper(apcSubdriver, APC_RS, APC_PATHS, { lowBatt: 30 });
    assert.equal(publish(m, base).get('battery.charge.low')?.value, '30');
    assert.equal(publish(m, { ...base, [`${PS}.RemainingCapacityLimit`]: 15 }).get('battery.charge.low')?.value, '15');
    // Once ended it does not come back.
    assert.equal(publish(m, base).get('battery.charge.low')?.value, '10');
  });

  test('SET VAR battery.charge.low writes the device and ends the override', () => {
    const m = mapper(apcSubdriver, APC_RS, APC_PATHS, { lowBatt: 30 });
    publish(m, base);
    assert.deepEqual(m.setVar('battery.charge.low', '25'), [{ path: `${PS}.RemainingCapacityLimit`, value: 25 }]);
    assert.equal(publish(m, { ...base, [`${PS}.RemainingCapacityLimit`]: 25 }).get('battery.charge.low')?.value, '25');
  });

  test('no battery.charge.low on the device: nothing is published', () => {
    const m = mapper(apcSubdriver, APC_RS, [`${PS}.RemainingCapacity`], { lowBatt: 30 });
    assert.equal(publish(m, { [`${PS}.RemainingCapacity`]: 25 }).has('battery.charge.low'), false);
  });

  test("the device's own LB is unchanged; with ignorelb the limit it sets decides LB", () => {
    const bit = { ...base, [`${ST}.BelowRemainingCapacityLimit`]: 0 };
    const statusOf = (options: HidMapperOptions): string => mapper(apcSubdriver, APC_RS, APC_PATHS, options).compute(new Map(Object.entries(bit))).status;
    assert.equal(statusOf({ lowBatt: 30 }), 'OB DISCHRG');
    assert.equal(statusOf({ ignoreLowBattery: true }), 'OB DISCHRG'); // 25 % is above the device's 10 %
    assert.equal(statusOf({ ignoreLowBattery: true, lowBatt: 30 }), 'OB DISCHRG LB'); // ...and below 30 %
  });
});

// ---------------------------------------------------------------- lbrb_log_delay_sec

describe('lbrb_log_delay_sec: LB / RB held back while on line and calibrating', () => {
  /** A mapper with a clock the test moves; `at(s)` sets it to s seconds after the start. */
  function clocked(info: HidDeviceInfo, options: HidMapperOptions = {}) {
    let now = 1_700_000_000_000;
    const start = now;
    const m = mapper(apcSubdriver, info, APC_PATHS, { ...options, clock: () => now });
    return {
      at(seconds: number, values: Record<string, number>): string {
        now = start + seconds * 1000;
        return m.compute(new Map(Object.entries(values))).status;
      },
    };
  }
  // On line and discharging, taken as a calibration (onlinedischarge_calibration: CAL, no OL, as in NUT), with LB and RB.
  const calibrating = { [`${ST}.ACPresent`]: 1, [`${ST}.Discharging`]: 1, [`${ST}.BelowRemainingCapacityLimit`]: 1, [`${ST}.NeedReplacement`]: 1 };
  const calm = { ...calibrating, [`${ST}.BelowRemainingCapacityLimit`]: 0, [`${ST}.NeedReplacement`]: 0 };

  test('the default for APC BX...MI: 3 s; LB and RB appear once reported for more than that', () => {
    const ups = clocked(APC_BX, { onlineDischargeCalibration: true });
    assert.equal(ups.at(0, calibrating), 'ALARM CAL DISCHRG'); // the RB alarm text stays; the tokens wait
    assert.equal(ups.at(1, calibrating), 'ALARM CAL DISCHRG');
    assert.equal(ups.at(3.5, calibrating), 'ALARM CAL DISCHRG'); // 3 whole seconds: not more than 3
    assert.equal(ups.at(4, calibrating), 'ALARM CAL DISCHRG LB RB');
    assert.equal(ups.at(10, calibrating), 'ALARM CAL DISCHRG LB RB');
  });

  test('a short flash of LB + RB never shows; the next one is timed afresh', () => {
    const ups = clocked(APC_BX, { onlineDischargeCalibration: true });
    assert.equal(ups.at(0, calibrating), 'ALARM CAL DISCHRG');
    assert.equal(ups.at(2, calm), 'CAL DISCHRG');
    assert.equal(ups.at(3, calibrating), 'ALARM CAL DISCHRG');
    assert.equal(ups.at(6, calibrating), 'ALARM CAL DISCHRG');
    assert.equal(ups.at(7, calibrating), 'ALARM CAL DISCHRG LB RB');
  });

  test('RB alone (LB not being timed) shows at once; on battery LB shows at once', () => {
    const ups = clocked(APC_BX, { onlineDischargeCalibration: true });
    assert.equal(ups.at(0, { ...calm, [`${ST}.NeedReplacement`]: 1 }), 'ALARM CAL DISCHRG RB');
    const onBattery = clocked(APC_BX, { onlineDischargeCalibration: true });
    assert.equal(onBattery.at(0, { ...calibrating, [`${ST}.ACPresent`]: 0 }), 'ALARM OB DISCHRG LB RB');
  });

  test('not calibrating: no delay, unless lbrb_log_delay_without_calibrating', () => {
    const online = { [`${ST}.ACPresent`]: 1, [`${ST}.Discharging`]: 0, [`${ST}.BelowRemainingCapacityLimit`]: 1 };
    assert.equal(clocked(APC_BX).at(0, online), 'OL LB');
    const anyway = clocked(APC_BX, { lbrbLogDelayWithoutCalibrating: true });
    assert.equal(anyway.at(0, online), 'OL');
    assert.equal(anyway.at(4, online), 'OL LB');
  });

  test('other devices: no delay by default; the option sets one for any device; 0 turns the APC default off', () => {
    assert.equal(clocked(APC_RS, { onlineDischargeCalibration: true }).at(0, calibrating), 'ALARM CAL DISCHRG LB RB');
    const long = clocked(APC_RS, { onlineDischargeCalibration: true, lbrbLogDelaySec: 10 });
    assert.equal(long.at(0, calibrating), 'ALARM CAL DISCHRG');
    assert.equal(long.at(10, calibrating), 'ALARM CAL DISCHRG');
    assert.equal(long.at(11, calibrating), 'ALARM CAL DISCHRG LB RB');
    assert.equal(clocked(APC_BX, { onlineDischargeCalibration: true, lbrbLogDelaySec: 0 }).at(0, calibrating), 'ALARM CAL DISCHRG LB RB');
  });

  test('the APC models usbhid-ups gives the 3 s default, by USB strings', () => {
    const apc = (product: string, manufacturer = 'American Power Conversion') => apcLbrbDefaultDelaySec({ manufacturer, product });
    assert.equal(apc('Back-UPS BX1600MI'), 3);
    assert.equal(apc('BX950MI', 'APC'), 3);
    assert.equal(apc('Back-UPS BVK750M2'), 3);
    assert.equal(apc('Back-UPS BK650M2-CH'), 3);
    assert.equal(apc('Back-UPS BK650M2_CH'), 3);
    assert.equal(apc('Back-UPS RS 1500MS'), 0);
    assert.equal(apc('Back-UPS BX1600MI FW:378600G'), 0); // NUT looks at the end of the string
    assert.equal(apc('Back-UPS BX1600MI', 'Schneider Electric'), 0);
    assert.equal(apc(''), 0);
  });

  test('buildStatus: invalid delays count as 3 s, without a timer nothing is held back', () => {
    assert.equal(lbrbDelaySeconds(undefined), 0);
    assert.equal(lbrbDelaySeconds(2.9), 2);
    assert.equal(lbrbDelaySeconds(-1), 3);
    assert.equal(lbrbDelaySeconds(Number.NaN), 3);
    const flags = new Set<StatusFlag>(['online', 'cal', 'lowbatt']);
    assert.equal(buildStatus(flags, { lbrbLogDelaySec: 5 }).status, 'CAL OL LB');
    const timer = new LbrbTimer();
    assert.equal(buildStatus(flags, { lbrbLogDelaySec: 5 }, { lbrb: timer, now: 0 }).status, 'CAL OL');
    assert.equal(timer.lowBatterySince, 0);
    assert.equal(buildStatus(flags, { lbrbLogDelaySec: 5 }, { lbrb: timer, now: 6000 }).status, 'CAL OL LB');
  });
});
