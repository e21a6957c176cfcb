import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestError } from '../../src/core/errors';
import type { HidDeviceInfo, HidField, HidInfoEntry, HidReportDescriptor, ReportKind, Subdriver } from '../../src/drivers/usbhid/types';
import { HidMapper, usageNameMap, type MappedVar } from '../../src/drivers/usbhid/mapping/engine';
import { enumLookup, stringIndex } from '../../src/drivers/usbhid/mapping/lookups';
import { command, serverVar, status, variable, writable } from '../../src/drivers/usbhid/mapping/rows';
import { deviceQuirks, findSubdriverByName, selectSubdriver } from '../../src/drivers/usbhid/mapping/select';
import { apcSubdriver } from '../../src/drivers/usbhid/mapping/vendors/apc';
import { cpsFixDescriptor, cpsSubdriver } from '../../src/drivers/usbhid/mapping/vendors/cps';
import { genericSubdriver } from '../../src/drivers/usbhid/mapping/vendors/generic';
import { mgeSubdriver } from '../../src/drivers/usbhid/mapping/vendors/mge';
import { hidField } from '../helpers/hid-field';

// ------------------------------------------------------------ hand-made descriptors

type FieldSpec = Partial<HidField> & { path: string };

/** Usages are not what the engine matches on: a hand-made field carries none. */
const field = (spec: FieldSpec): HidField => hidField({ usages: [], ...spec });

function descriptor(specs: FieldSpec[]): HidReportDescriptor {
  const fields = specs.map(field);
  return {
    fields,
    usesReportIds: true,
    reportLength: (kind: ReportKind, id: number) =>
      1 + Math.ceil(Math.max(0, ...fields.filter((f) => f.kind === kind && f.reportId === id).map((f) => f.offset + f.size)) / 8),
    reportIds: (kind: ReportKind) => [...new Set(fields.filter((f) => f.kind === kind).map((f) => f.reportId))].sort((a, b) => a - b),
    find: (path: string, kind?: ReportKind) => fields.find((f) => f.path === path && (kind === undefined || f.kind === kind)),
  };
}

/** One feature field per path, each in its own report. */
const features = (...paths: string[]): FieldSpec[] => paths.map((path, i) => ({ path, reportId: i + 1 }));

const APC_INFO: HidDeviceInfo = {
  vendorId: 0x051d,
  productId: 0x0002,
  manufacturer: 'American Power Conversion',
  product: 'Back-UPS RS 1500 FW:8.g9 .D USB FW:g9',
  serialNumber: 'JB0123456789',
};

const values = (entries: Record<string, number>) => new Map(Object.entries(entries));
const byName = (vars: MappedVar[]) => new Map(vars.map((v) => [v.name, v]));
const valueOf = (vars: MappedVar[], name: string) => byName(vars).get(name)?.value;

function assertRequestError(fn: () => unknown, failure: string): void {
  assert.throws(fn, (err: unknown) => err instanceof RequestError && err.failure === failure);
}

// ------------------------------------------------------------ a small test subdriver

const TEST_TABLE: HidInfoEntry[] = [
  variable('battery.charge', 'UPS.PowerSummary.RemainingCapacity'),
  variable('battery.charge', 'UPS.Battery.RemainingCapacity'),
  variable('battery.voltage', 'UPS.PowerSummary.Voltage', '%.1f'),
  writable('battery.charge.low', 'UPS.PowerSummary.RemainingCapacityLimit', '%.0f', { range: true }),
  writable('input.sensitivity', 'UPS.Input.Sensitivity', enumLookup([[0, 'low'], [1, 'high']], { enumerate: true })),
  variable('battery.type', 'UPS.PowerSummary.iDeviceChemistry', stringIndex),
  serverVar('ups.delay.shutdown', 'UPS.PowerSummary.DelayBeforeShutdown', 20),
  serverVar('ups.delay.start', 'UPS.PowerSummary.DelayBeforeStartup', 30),
  writable('ups.start.auto', 'UPS.PowerSummary.AutoRestart', enumLookup([[0, 'no'], [1, 'yes']])),
  { nut: 'ups.alarm', kind: 'var', path: 'UPS.PowerSummary.Alarm1', lookup: enumLookup([[1, 'Input failure!']]) },
  { nut: 'ups.alarm', kind: 'var', path: 'UPS.PowerSummary.Alarm2', lookup: enumLookup([[1, 'Output failure!']]) },
  { ...status('online', 'UPS.PowerSummary.PresentStatus.ACPresent'), quickPoll: true },
  status('discharging', 'UPS.PowerSummary.PresentStatus.Discharging'),
  { nut: 'lowbatt', kind: 'status', path: 'UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit' },
  command('load.off.delay', 'UPS.PowerSummary.DelayBeforeShutdown', 20),
  command('load.on.delay', 'UPS.PowerSummary.DelayBeforeStartup', 30),
  command('beeper.enable', 'UPS.PowerSummary.AudibleAlarmControl', 2),
  command('beeper.disable', 'UPS.PowerSummary.AudibleAlarmControl', 1),
  command('test.battery.start', 'UPS.Battery.Test', 'Quick test', enumLookup([[1, 'Quick test'], [2, 'Deep test']])),
  { ...variable('ups.firmware', 'UPS.PowerSummary.Firmware'), static: true },
];

const testSubdriver: Subdriver = { name: 'Test HID 1.0', matches: () => true, table: TEST_TABLE };

const ALL_TEST_PATHS = [...new Set(TEST_TABLE.map((r) => r.path))];

function mapperFor(paths: FieldSpec[], options = {}): HidMapper {
  return new HidMapper(testSubdriver, descriptor(paths), APC_INFO, options);
}

describe('HidMapper: which rows a device gets', () => {
  test('rows whose path the descriptor lacks are dropped; the first supported row wins per variable', () => {
    const onlyBattery = mapperFor(features('UPS.Battery.RemainingCapacity'));
    const r1 = onlyBattery.compute(values({ 'UPS.Battery.RemainingCapacity': 97, 'UPS.PowerSummary.RemainingCapacity': 10 }));
    assert.equal(valueOf(r1.vars, 'battery.charge'), '97');

    const both = mapperFor(features('UPS.Battery.RemainingCapacity', 'UPS.PowerSummary.RemainingCapacity'));
    const r2 = both.compute(values({ 'UPS.Battery.RemainingCapacity': 97, 'UPS.PowerSummary.RemainingCapacity': 10 }));
    assert.equal(valueOf(r2.vars, 'battery.charge'), '10');
    // A value for a dropped row does not leak in.
    assert.equal(valueOf(mapperFor([]).compute(values({ 'UPS.PowerSummary.RemainingCapacity': 5 })).vars, 'battery.charge'), undefined);
  });

  test('a row whose value publishes nothing gives way to the next row for the same variable', () => {
    const sub: Subdriver = {
      name: 'Fallback HID',
      matches: () => true,
      table: [
        writable('outlet.2.switchable', 'UPS.Outlet.Switchable', enumLookup([[1, 'yes']])),
        variable('outlet.2.switchable', 'UPS.Outlet.Switchable', enumLookup([[0, 'no'], [1, 'yes']])),
      ],
    };
    const m = new HidMapper(sub, descriptor(features('UPS.Outlet.Switchable')), APC_INFO);
    assert.equal(valueOf(m.compute(values({ 'UPS.Outlet.Switchable': 0 })).vars, 'outlet.2.switchable'), 'no');
    const first = byName(m.compute(values({ 'UPS.Outlet.Switchable': 1 })).vars).get('outlet.2.switchable');
    assert.equal(first?.value, 'yes');
    assert.equal(first?.rw, true, 'the first row, when it publishes, is the one used');
  });

  test('Feature items are used, Input-only paths are not (unless interruptOnly), as in usbhid-ups', () => {
    const spec: FieldSpec[] = [{ path: 'UPS.PowerSummary.RemainingCapacity', kind: 'input' }];
    const v = values({ 'UPS.PowerSummary.RemainingCapacity': 50 });
    assert.equal(valueOf(mapperFor(spec).compute(v).vars, 'battery.charge'), undefined);
    assert.equal(valueOf(mapperFor(spec, { interruptOnly: true }).compute(v).vars, 'battery.charge'), '50');
  });

  test('vendor usages printed in hex by the HID layer match named table paths', () => {
    const d = descriptor([
      { path: 'UPS.ff860005.ff86007c', reportId: 0x40 },
      { path: 'UPS.PowerSummary.ff860072', reportId: 0x35 },
      { path: 'UPS.PowerSummary.ff860016', reportId: 0x1c, size: 24 },
    ]);
    const m = new HidMapper(apcSubdriver, d, APC_INFO);
    const r = m.compute(values({ 'UPS.ff860005.ff86007c': 0, 'UPS.PowerSummary.ff860016': 0x070304 }));
    assert.equal(valueOf(r.vars, 'ups.timer.reboot'), '0');
    assert.equal(valueOf(r.vars, 'battery.mfr.date'), '2004/07/03');
    assert.deepEqual(r.commands.sort(), ['shutdown.reboot', 'test.panel.start', 'test.panel.stop']);
    // Writes go to the path as the HID layer names it.
    assert.deepEqual(m.instCmd('test.panel.start'), [{ path: 'UPS.PowerSummary.ff860072', value: 1 }]);
    assert.deepEqual(m.instCmd('shutdown.reboot'), [{ path: 'UPS.ff860005.ff86007c', value: 10 }]);
  });

  test('paths already named with the vendor names (parser given usageNameMap) match too', () => {
    const names = usageNameMap(apcSubdriver);
    assert.equal(names.get(0xff86007c), 'APCDelayBeforeReboot');
    const d = descriptor(features('UPS.APCGeneralCollection.APCDelayBeforeReboot'));
    const m = new HidMapper(apcSubdriver, d, APC_INFO);
    assert.equal(valueOf(m.compute(values({ 'UPS.APCGeneralCollection.APCDelayBeforeReboot': 3 })).vars, 'ups.timer.reboot'), '3');
  });

  test('pollPaths: everything at start, quick rows on quick polls, no static/command/server-side rows on full polls', () => {
    const m = mapperFor(features(...ALL_TEST_PATHS));
    const init = m.pollPaths('init');
    assert.ok(init.includes('UPS.PowerSummary.Firmware'));
    assert.ok(init.includes('UPS.Battery.Test'));
    assert.deepEqual(m.pollPaths('quick'), ['UPS.PowerSummary.PresentStatus.ACPresent']);
    const full = m.pollPaths('full');
    assert.ok(!full.includes('UPS.PowerSummary.Firmware'));
    assert.ok(!full.includes('UPS.Battery.Test'));
    assert.ok(full.includes('UPS.PowerSummary.RemainingCapacity'));
    assert.equal(new Set(full).size, full.length);
  });
});

describe('HidMapper.compute', () => {
  const m = () => mapperFor(features(...ALL_TEST_PATHS));

  test('identity variables from the USB device, formatted by the subdriver', () => {
    const apc = new HidMapper(apcSubdriver, descriptor([]), APC_INFO);
    const vars = byName(apc.compute(new Map()).vars);
    assert.equal(vars.get('ups.mfr')?.value, 'American Power Conversion');
    assert.equal(vars.get('device.mfr')?.value, 'American Power Conversion');
    assert.equal(vars.get('ups.model')?.value, 'Back-UPS RS 1500');
    assert.equal(vars.get('device.model')?.value, 'Back-UPS RS 1500');
    assert.equal(vars.get('ups.firmware')?.value, '8.g9 .D');
    assert.equal(vars.get('ups.firmware.aux')?.value, 'g9');
    assert.equal(vars.get('ups.serial')?.value, 'JB0123456789');
    assert.equal(vars.get('device.serial')?.value, 'JB0123456789');
    assert.equal(vars.get('device.type')?.value, 'ups');
    assert.equal(vars.get('ups.vendorid')?.value, '051d');
    assert.equal(vars.get('ups.productid')?.value, '0002');
    // A subdriver without formatting publishes the strings as they are; missing ones are left out.
    const plain = new HidMapper(genericSubdriver, descriptor([]), { vendorId: 0x1234, productId: 0x5678, product: 'X' });
    const pv = byName(plain.compute(new Map()).vars);
    assert.equal(pv.get('ups.model')?.value, 'X');
    assert.equal(pv.has('ups.mfr'), false);
    assert.equal(pv.has('device.serial'), false);
    assert.equal(pv.get('ups.productid')?.value, '5678');
  });

  test('variables with formats, lookups, flags, enums and ranges', () => {
    const mapper = new HidMapper(
      testSubdriver,
      descriptor([
        { path: 'UPS.PowerSummary.RemainingCapacity' },
        { path: 'UPS.PowerSummary.Voltage', reportId: 2, size: 16 },
        { path: 'UPS.PowerSummary.RemainingCapacityLimit', reportId: 3, logicalMin: 5, logicalMax: 90 },
        { path: 'UPS.Input.Sensitivity', reportId: 4 },
      ]),
      APC_INFO,
    );
    const vars = byName(
      mapper.compute(
        values({
          'UPS.PowerSummary.RemainingCapacity': 100,
          'UPS.PowerSummary.Voltage': 13.58,
          'UPS.PowerSummary.RemainingCapacityLimit': 10,
          'UPS.Input.Sensitivity': 1,
        }),
      ).vars,
    );
    assert.deepEqual(vars.get('battery.charge'), { name: 'battery.charge', value: '100', rw: false });
    assert.deepEqual(vars.get('battery.voltage'), { name: 'battery.voltage', value: '13.6', rw: false });
    assert.deepEqual(vars.get('battery.charge.low'), { name: 'battery.charge.low', value: '10', rw: true, stringLength: 10, range: [5, 90] });
    assert.deepEqual(vars.get('input.sensitivity'), { name: 'input.sensitivity', value: 'high', rw: true, stringLength: 10, enums: ['low', 'high'] });
  });

  test('a physical range, when declared, is the range', () => {
    const mapper = new HidMapper(
      testSubdriver,
      descriptor([{ path: 'UPS.PowerSummary.RemainingCapacityLimit', logicalMin: 0, logicalMax: 255, physicalMin: 0, physicalMax: 100 }]),
      APC_INFO,
    );
    assert.deepEqual(byName(mapper.compute(values({ 'UPS.PowerSummary.RemainingCapacityLimit': 10 })).vars).get('battery.charge.low')?.range, [0, 100]);
  });

  test('status bits are remembered between reports that carry only some of them', () => {
    const mapper = m();
    const first = mapper.compute(
      values({
        'UPS.PowerSummary.PresentStatus.ACPresent': 0,
        'UPS.PowerSummary.PresentStatus.Discharging': 1,
        'UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit': 1,
      }),
    );
    assert.equal(first.status, 'OB DISCHRG LB');
    assert.equal(valueOf(first.vars, 'ups.status'), 'OB DISCHRG LB');
    // Power returns: only ACPresent was reported.
    assert.equal(mapper.compute(values({ 'UPS.PowerSummary.PresentStatus.ACPresent': 1 })).status, 'OL DISCHRG LB');
    assert.equal(
      mapper.compute(values({ 'UPS.PowerSummary.PresentStatus.Discharging': 0, 'UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit': 0 })).status,
      'OL',
    );
    mapper.resetStatus();
    assert.equal(mapper.compute(new Map()).status, 'OB');
  });

  test('status options pass through: onlinedischarge and ignorelb', () => {
    const v = values({ 'UPS.PowerSummary.PresentStatus.ACPresent': 1, 'UPS.PowerSummary.PresentStatus.Discharging': 1 });
    assert.equal(m().compute(v).status, 'OL DISCHRG');
    assert.equal(mapperFor(features(...ALL_TEST_PATHS), { onlineDischarge: true }).compute(v).status, 'OB DISCHRG');
    const lb = mapperFor(features(...ALL_TEST_PATHS), { ignoreLowBattery: true });
    const r = lb.compute(
      values({
        'UPS.PowerSummary.PresentStatus.ACPresent': 0,
        'UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit': 1,
        'UPS.PowerSummary.RemainingCapacity': 30,
        'UPS.PowerSummary.RemainingCapacityLimit': 10,
      }),
    );
    assert.equal(r.status, 'OB');
    assert.equal(lb.compute(values({ 'UPS.PowerSummary.RemainingCapacity': 9, 'UPS.PowerSummary.RemainingCapacityLimit': 10 })).status, 'OB LB');
  });

  test('ups.alarm rows add alarms (and ALARM) in table order', () => {
    const r = m().compute(values({ 'UPS.PowerSummary.Alarm1': 1, 'UPS.PowerSummary.Alarm2': 1, 'UPS.PowerSummary.PresentStatus.ACPresent': 1 }));
    assert.equal(valueOf(r.vars, 'ups.alarm'), 'Input failure! Output failure!');
    assert.equal(r.status, 'ALARM OL');
    const quiet = m().compute(values({ 'UPS.PowerSummary.Alarm1': 0, 'UPS.PowerSummary.PresentStatus.ACPresent': 1 }));
    assert.equal(valueOf(quiet.vars, 'ups.alarm'), undefined);
    assert.equal(quiet.status, 'OL');
  });

  test('string indexes: the driver is told which paths, and the text comes from the strings given', () => {
    const mapper = m();
    assert.deepEqual(mapper.stringPaths(), ['UPS.PowerSummary.iDeviceChemistry']);
    const v = values({ 'UPS.PowerSummary.iDeviceChemistry': 4 });
    assert.equal(valueOf(mapper.compute(v, new Map([[4, 'PbAc  ']])).vars, 'battery.type'), 'PbAc');
    assert.equal(valueOf(mapper.compute(v, new Map([[5, 'LiIon']])).vars, 'battery.type'), undefined);
    assert.equal(valueOf(mapper.compute(v).vars, 'battery.type'), undefined);
  });

  test('device values that make no sense publish nothing and never throw', () => {
    const r = m().compute(
      values({
        'UPS.PowerSummary.RemainingCapacity': NaN,
        'UPS.PowerSummary.Voltage': Infinity,
        'UPS.Input.Sensitivity': 7,
        'UPS.PowerSummary.iDeviceChemistry': NaN,
        'UPS.PowerSummary.PresentStatus.ACPresent': NaN,
        'UPS.PowerSummary.PresentStatus.Discharging': 3,
      }),
    );
    const vars = byName(r.vars);
    for (const name of ['battery.charge', 'battery.voltage', 'input.sensitivity', 'battery.type']) assert.equal(vars.has(name), false, name);
    assert.equal(r.status, 'OB');
  });

  test('lookups see the variables computed before them and a per-device memory', () => {
    const seen: string[] = [];
    const sub: Subdriver = {
      name: 'ctx',
      matches: () => true,
      table: [
        variable('a', 'UPS.A'),
        variable(
          'b',
          'UPS.B',
          {
            toNut: (value, ctx) => {
              seen.push(`${ctx?.vars.get('a')}/${String(ctx?.memo.get('n') ?? 0)}/${ctx?.info.vendorId}`);
              ctx?.memo.set('n', Number(ctx.memo.get('n') ?? 0) + 1);
              return String(value);
            },
          },
        ),
      ],
    };
    const mapper = new HidMapper(sub, descriptor(features('UPS.A', 'UPS.B')), APC_INFO);
    mapper.compute(values({ 'UPS.A': 1, 'UPS.B': 2 }));
    mapper.compute(values({ 'UPS.A': 3, 'UPS.B': 2 }));
    assert.deepEqual(seen, [`1/0/${0x051d}`, `3/1/${0x051d}`]);
  });
});

describe('HidMapper.setVar', () => {
  const m = () =>
    new HidMapper(
      testSubdriver,
      descriptor([...features(...ALL_TEST_PATHS.filter((p) => p !== 'UPS.PowerSummary.RemainingCapacityLimit')), { path: 'UPS.PowerSummary.RemainingCapacityLimit', reportId: 99, logicalMin: 5, logicalMax: 90 }]),
      APC_INFO,
    );

  test('numbers and enum texts become HID writes to the variable path', () => {
    const mapper = m();
    assert.deepEqual(mapper.setVar('battery.charge.low', '20'), [{ path: 'UPS.PowerSummary.RemainingCapacityLimit', value: 20 }]);
    assert.deepEqual(mapper.setVar('BATTERY.CHARGE.LOW', ' 30'), [{ path: 'UPS.PowerSummary.RemainingCapacityLimit', value: 30 }]);
    assert.deepEqual(mapper.setVar('input.sensitivity', 'low'), [{ path: 'UPS.Input.Sensitivity', value: 0 }]);
  });

  test('errors: unknown, read-only, not in the enum, not a number, out of range, too long', () => {
    const mapper = m();
    mapper.compute(new Map());
    assertRequestError(() => mapper.setVar('battery.charge.restart', '5'), 'VAR-NOT-SUPPORTED');
    assertRequestError(() => mapper.setVar('battery.charge', '5'), 'READONLY');
    assertRequestError(() => mapper.setVar('ups.mfr', 'ACME'), 'READONLY');
    assertRequestError(() => mapper.setVar('input.sensitivity', 'medium'), 'INVALID-VALUE');
    assertRequestError(() => mapper.setVar('battery.charge.low', 'ten'), 'INVALID-VALUE');
    assertRequestError(() => mapper.setVar('battery.charge.low', '4'), 'INVALID-VALUE');
    assertRequestError(() => mapper.setVar('battery.charge.low', '91'), 'INVALID-VALUE');
    assertRequestError(() => mapper.setVar('battery.charge.low', '12345678901'), 'TOO-LONG');
  });

  test('a variable whose path the device lacks is not supported', () => {
    const mapper = mapperFor(features('UPS.PowerSummary.RemainingCapacity'));
    assertRequestError(() => mapper.setVar('battery.charge.low', '10'), 'VAR-NOT-SUPPORTED');
  });

  test('server-side variables change the published value and write nothing', () => {
    const mapper = m();
    assert.equal(valueOf(mapper.compute(new Map()).vars, 'ups.delay.shutdown'), '20');
    const published = byName(mapper.compute(new Map()).vars).get('ups.delay.shutdown');
    assert.deepEqual(published, { name: 'ups.delay.shutdown', value: '20', rw: true, stringLength: 10 });
    assert.deepEqual(mapper.setVar('ups.delay.shutdown', '60'), []);
    assert.equal(valueOf(mapper.compute(new Map()).vars, 'ups.delay.shutdown'), '60');
  });

  test('ondelay / offdelay options set the initial delays', () => {
    const mapper = mapperFor(features(...ALL_TEST_PATHS), { onDelay: 180, offDelay: 90 });
    const vars = byName(mapper.compute(new Map()).vars);
    assert.equal(vars.get('ups.delay.start')?.value, '180');
    assert.equal(vars.get('ups.delay.shutdown')?.value, '90');
  });
});

describe('HidMapper.instCmd', () => {
  const m = () => mapperFor(features(...ALL_TEST_PATHS));

  test('commands the device supports, with the ones composed from delays', () => {
    assert.deepEqual(m().commands(), [
      'load.off.delay',
      'load.on.delay',
      'beeper.enable',
      'beeper.disable',
      'test.battery.start',
      'load.off',
      'load.on',
      'shutdown.return',
      'shutdown.stayoff',
    ]);
    assert.deepEqual(mapperFor(features('UPS.PowerSummary.DelayBeforeShutdown')).commands(), ['load.off.delay', 'load.off']);
    assert.deepEqual(mapperFor([]).commands(), []);
  });

  test('a command writes its table value, or the parameter given', () => {
    const mapper = m();
    assert.deepEqual(mapper.instCmd('load.off.delay'), [{ path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 20 }]);
    assert.deepEqual(mapper.instCmd('load.off.delay', '120'), [{ path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 120 }]);
    assert.deepEqual(mapper.instCmd('test.battery.start'), [{ path: 'UPS.Battery.Test', value: 1 }]);
    assert.deepEqual(mapper.instCmd('test.battery.start', 'Deep test'), [{ path: 'UPS.Battery.Test', value: 2 }]);
  });

  test('old beeper.on / beeper.off names run beeper.enable / beeper.disable', () => {
    const mapper = m();
    assert.deepEqual(mapper.instCmd('beeper.off'), [{ path: 'UPS.PowerSummary.AudibleAlarmControl', value: 1 }]);
    assert.deepEqual(mapper.instCmd('beeper.on'), [{ path: 'UPS.PowerSummary.AudibleAlarmControl', value: 2 }]);
  });

  test('load.on / load.off are the delay commands with 0', () => {
    const mapper = m();
    assert.deepEqual(mapper.instCmd('load.off'), [{ path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 0 }]);
    assert.deepEqual(mapper.instCmd('load.on'), [{ path: 'UPS.PowerSummary.DelayBeforeStartup', value: 0 }]);
  });

  test('shutdown.return / shutdown.stayoff: auto-restart setting, then start delay, then shutdown delay', () => {
    const mapper = m();
    mapper.setVar('ups.delay.shutdown', '45');
    mapper.compute(values({ 'UPS.PowerSummary.AutoRestart': 1 }));
    assert.deepEqual(mapper.instCmd('shutdown.return'), [
      { path: 'UPS.PowerSummary.AutoRestart', value: 1 },
      { path: 'UPS.PowerSummary.DelayBeforeStartup', value: 30 },
      { path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 45 },
    ]);
    assert.deepEqual(mapper.instCmd('shutdown.stayoff'), [
      { path: 'UPS.PowerSummary.AutoRestart', value: 0 },
      { path: 'UPS.PowerSummary.DelayBeforeStartup', value: -1 },
      { path: 'UPS.PowerSummary.DelayBeforeShutdown', value: 45 },
    ]);
    // Without a published ups.start.auto the setting is skipped.
    const fresh = m();
    fresh.compute(new Map());
    assert.deepEqual(
      fresh.instCmd('shutdown.return').map((w) => w.path),
      ['UPS.PowerSummary.DelayBeforeStartup', 'UPS.PowerSummary.DelayBeforeShutdown'],
    );
  });

  test('errors: unsupported command, bad parameter', () => {
    const mapper = m();
    assertRequestError(() => mapper.instCmd('calibrate.start'), 'CMD-NOT-SUPPORTED');
    assertRequestError(() => mapper.instCmd('load.off.delay', 'soon'), 'INVALID-ARGUMENT');
    assertRequestError(() => mapper.instCmd('test.battery.start', 'Long test'), 'INVALID-ARGUMENT');
    const bare = mapperFor([]);
    for (const cmd of ['load.off', 'load.on', 'shutdown.return', 'shutdown.stayoff', 'beeper.on']) {
      assertRequestError(() => bare.instCmd(cmd), 'CMD-NOT-SUPPORTED');
    }
  });
});

describe('CyberPower quirks', () => {
  const CPS_0501: HidDeviceInfo = { vendorId: 0x0764, productId: 0x0501, manufacturer: 'CPS', product: 'CP1500PFCLCD', serialNumber: 'X' };
  const CPS_0601: HidDeviceInfo = { ...CPS_0501, productId: 0x0601 };
  const HVT = 0x840053;
  const VOLT = 0x840030;
  const voltageFields = (over: { hvt?: Partial<HidField>; out?: Partial<HidField>; inp?: Partial<HidField> } = {}) =>
    descriptor([
      { path: 'UPS.Input.HighVoltageTransfer', usages: [0x840004, 0x84001a, HVT], reportId: 0x10, size: 16, logicalMin: 0, logicalMax: 300, ...over.hvt },
      { path: 'UPS.Output.Voltage', usages: [0x840004, 0x84001c, VOLT], reportId: 0x12, size: 16, logicalMin: 0, logicalMax: 300, ...over.out },
      { path: 'UPS.Input.Voltage', usages: [0x840004, 0x84001a, VOLT], reportId: 0x0f, size: 16, logicalMin: 0, logicalMax: 300, ...over.inp },
    ]);

  test('voltages that copied the high-transfer Logical Min/Max get 0..511', () => {
    const d = voltageFields();
    assert.equal(cpsFixDescriptor(d, CPS_0501), true);
    assert.deepEqual([d.fields[1]?.logicalMin, d.fields[1]?.logicalMax], [0, 511]);
    assert.deepEqual([d.fields[2]?.logicalMin, d.fields[2]?.logicalMax], [0, 511]);
    assert.equal(d.fields[0]?.logicalMax, 300);
  });

  test('the input voltage is left alone when it has its own limits', () => {
    const d = voltageFields({ inp: { logicalMax: 1000 } });
    assert.equal(cpsFixDescriptor(d, CPS_0601), true);
    assert.equal(d.fields[1]?.logicalMax, 511);
    assert.equal(d.fields[2]?.logicalMax, 1000);
  });

  test('assumed (mis-encoded) maximums are raised to 511, aligned, and cut to the field size', () => {
    const d = voltageFields({
      hvt: { logicalMax: 280 },
      out: { logicalMax: 255, assumedLogicalMax: true },
      inp: { logicalMax: 65535, assumedLogicalMax: true },
    });
    assert.equal(cpsFixDescriptor(d, CPS_0501), true);
    // Output: 255 -> 511 -> aligned to the input's 65535 -> fits 16 bits.
    assert.equal(d.fields[1]?.logicalMax, 65535);
    assert.equal(d.fields[2]?.logicalMax, 65535);

    // An 8-bit output is cut back to what 8 bits hold: nothing changes.
    const narrow = voltageFields({
      hvt: { logicalMax: 280 },
      out: { size: 8, logicalMax: 255, assumedLogicalMax: true },
      inp: { logicalMax: 65535, assumedLogicalMax: true },
    });
    assert.equal(cpsFixDescriptor(narrow, CPS_0501), false);
    assert.equal(narrow.fields[1]?.logicalMax, 255);

    const d2 = voltageFields({ hvt: { logicalMax: 280 }, out: { logicalMax: 255, assumedLogicalMax: true }, inp: { logicalMax: 400 } });
    assert.equal(cpsFixDescriptor(d2, CPS_0501), true);
    assert.equal(d2.fields[1]?.logicalMax, 511);
    assert.equal(d2.fields[2]?.logicalMax, 400);
  });

  test('other products, sane descriptors, and disable_fix_report_desc are left alone', () => {
    const other = voltageFields();
    assert.equal(cpsFixDescriptor(other, { ...CPS_0501, productId: 0x0005 }), false);
    assert.equal(other.fields[1]?.logicalMax, 300);
    const sane = voltageFields({ out: { logicalMax: 400 }, inp: { logicalMax: 400 } });
    assert.equal(cpsFixDescriptor(sane, CPS_0501), false);
    const viaMapper = voltageFields();
    new HidMapper(cpsSubdriver, viaMapper, CPS_0501, { disableDescriptorFix: true });
    assert.equal(viaMapper.fields[1]?.logicalMax, 300);
    const fixedByMapper = voltageFields();
    new HidMapper(cpsSubdriver, fixedByMapper, CPS_0501);
    assert.equal(fixedByMapper.fields[1]?.logicalMax, 511);
  });

  const cpsDescriptor = () =>
    descriptor(
      features(
        'UPS.PowerSummary.ConfigVoltage',
        'UPS.PowerSummary.Voltage',
        'UPS.PowerSummary.RemainingCapacity',
        'UPS.PowerSummary.FullChargeCapacity',
        'UPS.Input.Frequency',
        'UPS.Output.Frequency',
        'UPS.Output.CPSInputSensitivity',
        'UPS.Output.DelayBeforeShutdown',
      ),
    );

  test('battery voltage 1.5x too high on 0501 models is scaled by 2/3, decided once', () => {
    const mapper = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0501);
    const v = (volts: number) => values({ 'UPS.PowerSummary.ConfigVoltage': 12, 'UPS.PowerSummary.Voltage': volts });
    assert.equal(valueOf(mapper.compute(v(20.4)).vars, 'battery.voltage'), '13.6');
    // Later readings keep the scale even when they would not trigger it.
    assert.equal(valueOf(mapper.compute(v(15)).vars, 'battery.voltage'), '10.0');
    assert.equal(valueOf(mapper.compute(v(12)).vars, 'battery.nominal'), undefined);
    assert.equal(valueOf(mapper.compute(v(12)).vars, 'battery.voltage.nominal'), '12');

    const sane = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0501);
    assert.equal(valueOf(sane.compute(v(13.5)).vars, 'battery.voltage'), '13.5');
    assert.equal(valueOf(sane.compute(v(20.4)).vars, 'battery.voltage'), '20.4');

    const other = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0601);
    assert.equal(valueOf(other.compute(v(20.4)).vars, 'battery.voltage'), '20.4');
  });

  test('frequencies in 0.1 Hz on 0501 models are scaled to Hz', () => {
    const mapper = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0501);
    const vars = mapper.compute(values({ 'UPS.Input.Frequency': 499, 'UPS.Output.Frequency': 600 })).vars;
    assert.equal(valueOf(vars, 'input.frequency'), '49.9');
    assert.equal(valueOf(vars, 'output.frequency'), '60.0');
    assert.equal(valueOf(mapper.compute(values({ 'UPS.Input.Frequency': 501 })).vars, 'input.frequency'), '50.1');
    const right = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0501);
    assert.equal(valueOf(right.compute(values({ 'UPS.Input.Frequency': 59.9 })).vars, 'input.frequency'), '59.9');
    const undecided = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0501);
    assert.equal(valueOf(undecided.compute(values({ 'UPS.Input.Frequency': 5 })).vars, 'input.frequency'), '5.0');
    assert.equal(valueOf(undecided.compute(values({ 'UPS.Input.Frequency': 500 })).vars, 'input.frequency'), '50.0');
  });

  test('charge clamped to 100, battery.status in percent, sensitivity enum, CPS delays', () => {
    const mapper = new HidMapper(cpsSubdriver, cpsDescriptor(), CPS_0601);
    const vars = byName(
      mapper.compute(values({ 'UPS.PowerSummary.RemainingCapacity': 104, 'UPS.PowerSummary.FullChargeCapacity': 97, 'UPS.Output.CPSInputSensitivity': 1 }))
        .vars,
    );
    assert.equal(vars.get('battery.charge')?.value, '100');
    assert.equal(vars.get('battery.status')?.value, '97%');
    assert.deepEqual(vars.get('input.sensitivity'), { name: 'input.sensitivity', value: 'normal', rw: true, stringLength: 0, enums: ['low', 'normal', 'high'] });
    assert.equal(vars.get('ups.delay.shutdown')?.value, '60');
    assert.equal(vars.get('ups.mfr')?.value, 'CPS');
    assert.deepEqual(mapper.instCmd('load.off.delay'), [{ path: 'UPS.Output.DelayBeforeShutdown', value: 60 }]);
    assert.deepEqual(mapper.setVar('input.sensitivity', 'high'), [{ path: 'UPS.Output.CPSInputSensitivity', value: 2 }]);
    // Vendor usage names are how the CPS rows are found in hex paths.
    const hex = new HidMapper(cpsSubdriver, descriptor(features('UPS.Output.ff010043')), CPS_0601);
    assert.deepEqual(hex.setVar('input.sensitivity', 'low'), [{ path: 'UPS.Output.ff010043', value: 0 }]);
  });
});

describe('subdriver selection', () => {
  test('by vendor and product ID, in NUT order, generic otherwise', () => {
    assert.equal(selectSubdriver({ vendorId: 0x051d, productId: 0x0002 }), apcSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x051d, productId: 0x0003 }), apcSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x051d, productId: 0x0000 }), apcSubdriver);
    // An APC product NUT does not list is not claimed.
    assert.equal(selectSubdriver({ vendorId: 0x051d, productId: 0x9999 }), genericSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x0764, productId: 0x0501 }), cpsSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x0764, productId: 0x0005 }), cpsSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x0483, productId: 0xa430 }), cpsSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x0483, productId: 0x5750 }), genericSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0xdead, productId: 0xbeef }), genericSubdriver);
    // Eaton first, as in NUT; Phoenixtec 06da:ffff is Eaton's only when the strings say AEG.
    assert.equal(selectSubdriver({ vendorId: 0x0463, productId: 0xffff }), mgeSubdriver);
    assert.equal(selectSubdriver({ vendorId: 0x06da, productId: 0xffff, manufacturer: 'AEG', product: 'PROTECT NAS' }), mgeSubdriver);
    assert.notEqual(selectSubdriver({ vendorId: 0x06da, productId: 0xffff, manufacturer: 'PPC', product: 'Offline UPS' }), mgeSubdriver);
  });

  test('by configured name: exact, or case-insensitive expression at the start', () => {
    assert.equal(findSubdriverByName('APC HID 0.100'), apcSubdriver);
    assert.equal(findSubdriverByName('apc'), apcSubdriver);
    assert.equal(findSubdriverByName('cyberpower.*'), cpsSubdriver);
    assert.equal(findSubdriverByName('generic'), genericSubdriver);
    assert.equal(findSubdriverByName('HID'), undefined);
    assert.equal(findSubdriverByName('(['), undefined);
  });

  test('device quirks from the vendor subdrivers', () => {
    assert.deepEqual(deviceQuirks({ vendorId: 0x051d, productId: 0x0003 }), { pollOnly: true });
    assert.deepEqual(deviceQuirks({ vendorId: 0x051d, productId: 0x0002, product: 'Back-UPS CS 650 FW:817.v4.I' }), { maxReportSize: true });
    assert.deepEqual(deviceQuirks({ vendorId: 0x051d, productId: 0x0002, product: 'Back-UPS ES 525' }), { maxReportSize: true });
    assert.deepEqual(deviceQuirks({ vendorId: 0x051d, productId: 0x0002, product: 'Back-UPS ES 700' }), {});
    assert.deepEqual(deviceQuirks({ vendorId: 0x09ae, productId: 0x1330 }), { skipReportIds: [0x54] });
    assert.deepEqual(deviceQuirks({ vendorId: 0x0764, productId: 0x0501 }), {});
    assert.deepEqual(deviceQuirks({ vendorId: 0x1cb0, productId: 0x0038 }), { pollOnly: true });
    assert.deepEqual(deviceQuirks({ vendorId: 0x1cb0, productId: 0x0032 }), { pollOnly: true });
  });

  test('the generic table maps a standard Power Device Class UPS', () => {
    const info: HidDeviceInfo = { vendorId: 0x1234, productId: 0x0001, manufacturer: 'ACME', product: 'UPS 1000', serialNumber: '42' };
    const d = descriptor(
      features(
        'UPS.PowerSummary.RemainingCapacity',
        'UPS.PowerSummary.RunTimeToEmpty',
        'UPS.PowerSummary.PresentStatus.ACPresent',
        'UPS.PowerSummary.PresentStatus.Charging',
        'UPS.PowerSummary.PresentStatus.Discharging',
        'UPS.PowerSummary.PresentStatus.NeedReplacement',
        'UPS.PowerSummary.DelayBeforeShutdown',
        'UPS.PowerSummary.DelayBeforeStartup',
        'UPS.Input.Voltage',
        'UPS.Output.PercentLoad',
      ),
    );
    const mapper = new HidMapper(selectSubdriver(info), d, info);
    const r = mapper.compute(
      values({
        'UPS.PowerSummary.RemainingCapacity': 87,
        'UPS.PowerSummary.RunTimeToEmpty': 1200,
        'UPS.PowerSummary.PresentStatus.ACPresent': 1,
        'UPS.PowerSummary.PresentStatus.Charging': 1,
        'UPS.PowerSummary.PresentStatus.Discharging': 0,
        'UPS.PowerSummary.PresentStatus.NeedReplacement': 1,
        'UPS.PowerSummary.DelayBeforeShutdown': -1,
        'UPS.Input.Voltage': 230.4,
        'UPS.Output.PercentLoad': 23,
      }),
    );
    const vars = byName(r.vars);
    assert.equal(vars.get('battery.charge')?.value, '87');
    assert.equal(vars.get('battery.runtime')?.value, '1200');
    assert.equal(vars.get('input.voltage')?.value, '230.4');
    assert.equal(vars.get('ups.load')?.value, '23');
    assert.equal(vars.get('ups.timer.shutdown')?.value, '-1');
    assert.equal(vars.get('ups.delay.shutdown')?.value, '20');
    assert.equal(vars.get('ups.alarm')?.value, 'Replace battery!');
    assert.equal(r.status, 'ALARM OL CHRG RB');
    assert.ok(r.commands.includes('shutdown.return'));
    assert.equal(vars.get('ups.mfr')?.value, 'ACME');
  });
});
