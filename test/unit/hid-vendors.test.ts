/**
 * The Eaton/MGE, Tripp Lite, Belkin/Liebert, Phoenixtec/Liebert and PowerCOM
 * subdrivers: which devices they claim, that their tables are well formed,
 * what the engine computes from them on hand-made descriptors, and (when the
 * shared nut-ddl fixtures exist) that every variable NUT published for
 * these vendors' devices is one our tables can produce.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ddlDumps, type DdlDump } from '../helpers/nut-ddl';
import type { HidDeviceInfo, HidField, HidInfoEntry, HidReportDescriptor, Subdriver } from '../../src/drivers/usbhid/types';
import { ENGINE_VARS, HidMapper, usageNameMap } from '../../src/drivers/usbhid/mapping/engine';
import { selectSubdriver, SUBDRIVERS } from '../../src/drivers/usbhid/mapping/select';
import { isStatusFlag } from '../../src/drivers/usbhid/mapping/status';
import { isContextualLookup } from '../../src/drivers/usbhid/mapping/lookups';
import { pathToUsages, usageName } from '../../src/drivers/usbhid/hid/usages';
import { genericSubdriver } from '../../src/drivers/usbhid/mapping/vendors/generic';
import { MGE_DEVICES, mgeModel, mgeSubdriver } from '../../src/drivers/usbhid/mapping/vendors/mge';
import { TRIPPLITE_DEVICES, trippliteSubdriver } from '../../src/drivers/usbhid/mapping/vendors/tripplite';
import { BELKIN_DEVICES, belkinSubdriver } from '../../src/drivers/usbhid/mapping/vendors/belkin';
import { LIEBERT_DEVICES, liebertSubdriver } from '../../src/drivers/usbhid/mapping/vendors/liebert';
import {
  POWERCOM_DEVICES,
  powercomShutdown,
  powercomStartup,
  powercomStayOff,
  powercomSubdriver,
} from '../../src/drivers/usbhid/mapping/vendors/powercom';

const OURS: readonly Subdriver[] = [mgeSubdriver, trippliteSubdriver, belkinSubdriver, liebertSubdriver, powercomSubdriver];

const dev = (vendorId: number, productId: number, extra: Partial<HidDeviceInfo> = {}): HidDeviceInfo => ({ vendorId, productId, ...extra });

// ---------------------------------------------------------------- helpers

/** A descriptor of Feature fields at these paths (as the HID layer would name them). */
function descriptorOf(paths: readonly string[]): HidReportDescriptor {
  const fields: HidField[] = paths.map((p, i) => ({
    path: p,
    usages: [],
    kind: 'feature',
    reportId: i + 1,
    offset: 0,
    size: 16,
    logicalMin: 0,
    logicalMax: 65535,
    physicalMin: 0,
    physicalMax: 0,
    unit: 0,
    unitExponent: 0,
    flags: 2,
  }));
  return {
    fields,
    usesReportIds: true,
    reportLength: () => 3,
    reportIds: (kind) => fields.filter((f) => f.kind === kind).map((f) => f.reportId),
    find: (p, kind) => fields.find((f) => f.path === p && (kind === undefined || f.kind === kind)),
  };
}

/** A mapper over a device that has exactly the paths of `values`, and the map of its results. */
function run(subdriver: Subdriver, info: HidDeviceInfo, values: Record<string, number>, strings: Record<number, string> = {}) {
  const mapper = new HidMapper(subdriver, descriptorOf(Object.keys(values)), info);
  const compute = () => {
    const result = mapper.compute(new Map(Object.entries(values)), new Map(Object.entries(strings).map(([k, v]) => [Number(k), v])));
    return { result, vars: new Map(result.vars.map((v) => [v.name, v])) };
  };
  return { mapper, compute };
}

const valueOf = (vars: Map<string, { value: string }>, name: string): string | undefined => vars.get(name)?.value;

// ---------------------------------------------------------------- matching

describe('vendor subdrivers: which devices they claim', () => {
  test('Eaton/MGE: its vendors and product IDs; Phoenixtec units only when named AEG', () => {
    for (const [v, p] of MGE_DEVICES) {
      const info = dev(v, p, v === 0x06da ? { manufacturer: 'AEG' } : {});
      assert.equal(mgeSubdriver.matches(info), true, `${v.toString(16)}:${p.toString(16)}`);
    }
    assert.equal(mgeSubdriver.matches(dev(0x0463, 0xffff)), true);
    assert.equal(mgeSubdriver.matches(dev(0x09d6, 0x0001)), true); // KSTAR
    assert.equal(mgeSubdriver.matches(dev(0x0463, 0x1234)), false); // unknown Eaton product
    assert.equal(mgeSubdriver.matches(dev(0x03f0, 0x1fe0)), false); // an HP unit Tripp Lite builds
    assert.equal(mgeSubdriver.matches(dev(0x047c, 0x0001)), false); // some other Dell device
    assert.equal(mgeSubdriver.matches(dev(0x06da, 0xffff, { manufacturer: 'PPC', product: 'Offline UPS' })), false);
    assert.equal(mgeSubdriver.matches(dev(0x06da, 0xffff, { product: 'PROTECT NAS (AEG)' })), true);
  });

  test('Tripp Lite: 09ae products and HP units; not the serial-over-USB 09ae:0001', () => {
    for (const [v, p] of TRIPPLITE_DEVICES) assert.equal(trippliteSubdriver.matches(dev(v, p)), true);
    assert.equal(trippliteSubdriver.matches(dev(0x09ae, 0x0001)), false);
    assert.equal(trippliteSubdriver.matches(dev(0x03f0, 0x1fe5)), false); // HP R/T3000 is MGE's
  });

  test('Belkin/Liebert: Belkin 050d and Liebert 10af; not the Belkin USB hub', () => {
    for (const [v, p] of BELKIN_DEVICES) assert.equal(belkinSubdriver.matches(dev(v, p)), true);
    assert.equal(belkinSubdriver.matches(dev(0x050d, 0x0218)), false);
    assert.equal(belkinSubdriver.matches(dev(0x06da, 0xffff)), false);
  });

  test('Phoenixtec/Liebert: 06da:ffff; PowerCOM: its products but not 0d9f:0002', () => {
    for (const [v, p] of LIEBERT_DEVICES) assert.equal(liebertSubdriver.matches(dev(v, p)), true);
    assert.equal(liebertSubdriver.matches(dev(0x10af, 0x0001)), false);
    for (const [v, p] of POWERCOM_DEVICES) assert.equal(powercomSubdriver.matches(dev(v, p)), true);
    assert.equal(powercomSubdriver.matches(dev(0x0d9f, 0x0002)), false);
  });

  test('selection in NUT order gives every listed device its own subdriver (no earlier one takes it)', () => {
    const lists: Array<[Subdriver, ReadonlyArray<readonly [number, number, ...unknown[]]>]> = [
      [trippliteSubdriver, TRIPPLITE_DEVICES],
      [belkinSubdriver, BELKIN_DEVICES],
      [liebertSubdriver, LIEBERT_DEVICES],
      [powercomSubdriver, POWERCOM_DEVICES],
      [mgeSubdriver, MGE_DEVICES.filter(([v]) => v !== 0x06da)],
    ];
    for (const [subdriver, list] of lists) {
      for (const [v, p] of list) assert.equal(selectSubdriver(dev(v, p)), subdriver, `${v.toString(16)}:${p.toString(16)}`);
    }
    assert.equal(selectSubdriver(dev(0x06da, 0xffff, { manufacturer: 'PPC' })), liebertSubdriver);
    assert.equal(selectSubdriver(dev(0x06da, 0xffff, { manufacturer: 'AEG Power Solutions' })), mgeSubdriver);
    assert.equal(selectSubdriver(dev(0x09ae, 0x0001)), genericSubdriver);
    assert.equal(SUBDRIVERS.indexOf(mgeSubdriver), 0);
    assert.ok(SUBDRIVERS.indexOf(belkinSubdriver) < SUBDRIVERS.indexOf(liebertSubdriver));
    assert.ok(SUBDRIVERS.indexOf(powercomSubdriver) < SUBDRIVERS.indexOf(trippliteSubdriver));
  });
});

// ---------------------------------------------------------------- table sanity

describe('vendor subdrivers: tables are well formed', () => {
  for (const subdriver of OURS) {
    test(`${subdriver.name}: rows`, () => {
      const extra = usageNameMap(subdriver);
      const seen = new Map<string, HidInfoEntry>();
      for (const row of subdriver.table) {
        const where = `${row.nut} <- ${row.path}`;
        // Every name in the path is a standard usage, one of the vendor's, a hex usage or an index.
        assert.ok(pathToUsages(row.path, extra), `path does not parse: ${where}`);
        if (row.kind === 'status') assert.ok(isStatusFlag(row.nut), `unknown status flag: ${where}`);
        // A command without a default is one whose lookup decides what no parameter means (PowerCOM's delays).
        if (row.kind === 'cmd') assert.ok(row.value !== undefined || isContextualLookup(row.lookup), `command without a value: ${where}`);
        if (row.rw) {
          const constrained = row.lookup !== undefined || row.range === true || row.stringLength !== undefined || row.value !== undefined;
          assert.ok(constrained, `writable without lookup, range or length: ${where}`);
        }
        if (row.kind === 'status') continue;
        // The same name on the same path twice: the second row never runs (the first one
        // the device supports wins), unless the first is a writable form that only some
        // models publish (NUT keeps the first row that published at start).
        const key = `${row.kind} ${row.nut} ${row.path}`;
        const first = seen.get(key);
        if (first) {
          assert.ok(first.rw === true && row.rw !== true && first.lookup !== undefined, `shadowed duplicate: ${where}`);
        }
        seen.set(key, row);
      }
    });

    test(`${subdriver.name}: vendor usage names do not rename standard usages`, () => {
      // The HID layer may name paths with these: a vendor name on a standard usage
      // would change the path of standard rows (why Tripp Lite's TLCharging is left out).
      for (const [name, usage] of Object.entries(subdriver.usageNames ?? {})) {
        assert.equal(usageName(usage), undefined, `${name} is a standard usage`);
      }
    });
  }

  test('MGE model families from iProduct and iModel (or the VA rating)', () => {
    assert.deepEqual(mgeModel('Eaton 5P', '650'), { family: '5p', name: '5P 650' });
    assert.deepEqual(mgeModel('Evolution', '650'), { family: 'evolution', name: 'Evolution 650', evolution650: true });
    assert.deepEqual(mgeModel('Evolution', '1500'), { family: 'default', name: 'Pulsar Evolution 1500' });
    assert.deepEqual(mgeModel('Ellipse ECO', '1600'), { family: 'pegasus', name: 'Ellipse ECO 1600' });
    assert.deepEqual(mgeModel('ellipse', 'PR800'), { family: 'offline', name: 'ellipse premium 800' });
    assert.deepEqual(mgeModel(undefined, '2000'), { family: '9e', name: '9E2000i (presumed)' });
    assert.deepEqual(mgeModel('Eaton 9SX', '5000i'), { family: 'default', name: 'Eaton 9SX 5000i' });
  });
});

// ---------------------------------------------------------------- compute through the engine

describe('Eaton/MGE through the engine', () => {
  const PS = 'UPS.PowerSummary';
  const CONV = 'UPS.PowerConverter';
  // 2024-05-01 12:34:56 UTC
  const TIME = 1714566896;
  const base = {
    'UPS.Flow.[4].ConfigApparentPower': 650,
    [`${PS}.RemainingCapacity`]: 87,
    // Vendor usages as the HID layer prints them without names: the engine names them.
    [`${PS}.ffff004d`]: 20, // RemainingCapacityLimitSetting
    [`${PS}.RemainingCapacityLimit`]: 10,
    [`${PS}.RunTimeToEmpty`]: 1800,
    'UPS.BatterySystem.Battery.DesignCapacity': 25200,
    [`${PS}.Voltage`]: 13.6,
    [`${PS}.ConfigVoltage`]: 12,
    [`${PS}.PercentLoad`]: 25,
    [`${CONV}.Output.ffff0069`]: 90, // PowerFactor
    [`${PS}.ffff0097`]: TIME, // Time
    'UPS.Flow.[4].ConfigVoltage': 230,
    [`${PS}.PresentStatus.ACPresent`]: 1,
    [`${PS}.PresentStatus.Good`]: 1,
    [`${CONV}.Input.[1].PresentStatus.Used`]: 1,
    [`${CONV}.Input.[3].PresentStatus.Used`]: 0,
    [`${CONV}.Input.[1].PresentStatus.Buck`]: 1,
    [`${CONV}.Input.[1].PresentStatus.Boost`]: 0,
    [`${PS}.PresentStatus.ffff0068`]: 1, // EmergencyStop
    'UPS.OutletSystem.Outlet.[1].OutletID': 1,
    'UPS.OutletSystem.Outlet.[2].PresentStatus.SwitchOn/Off': 1,
    [`${PS}.AudibleAlarmControl`]: 2,
    'UPS.BatterySystem.Battery.Test': 1,
    [`${PS}.DelayBeforeShutdown`]: -1,
    [`${PS}.DelayBeforeStartup`]: -1,
  };

  test('variables, ABM charging, Eaton alarms and model-dependent rows', () => {
    const { mapper, compute } = run(
      mgeSubdriver,
      dev(0x0463, 0xffff, { manufacturer: 'EATON', product: 'Eaton 5P', serialNumber: 'AS1234' }),
      {
        ...base,
        [`${PS}.PresentStatus.Charging`]: 0, // not trusted with ABM
        [`${PS}.PresentStatus.Discharging`]: 0,
        'UPS.BatterySystem.Charger.ffff0087': 1, // ABMEnable
        'UPS.BatterySystem.Charger.ffff0094': 3, // Mode: floating
      },
    );
    const { result, vars } = compute();
    const d = new Date(TIME * 1000);
    const p2 = (n: number) => String(n).padStart(2, '0');
    const expected: Record<string, string> = {
      'ups.mfr': 'EATON',
      // No iModel string here: the VA rating stands in ("Eaton 5P" + "650" is named "5P 650").
      'ups.model': '5P 650',
      'device.model': '5P 650',
      'ups.serial': 'AS1234',
      'ups.vendorid': '0463',
      'ups.productid': 'ffff',
      'ups.power.nominal': '650',
      'battery.charge': '87',
      'battery.charge.low': '20',
      'battery.runtime': '1800',
      'battery.capacity': '7.00',
      'battery.voltage': '13.6', // the 5P family reports it in PowerSummary
      'battery.voltage.nominal': '12',
      'battery.charger.status': 'floating',
      'ups.load': '25',
      'ups.realpower': '130', // 25 % of 650 VA at the default 0.80 power factor (the factor is read later in the table)
      'output.powerfactor': '0.90',
      'ups.date': `${d.getFullYear()}/${p2(d.getMonth() + 1)}/${p2(d.getDate())}`,
      'ups.time': `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`,
      'output.voltage.nominal': '230',
      'outlet.id': '1',
      'outlet.desc': 'Main Outlet',
      'outlet.1.status': 'on',
      'ups.beeper.status': 'enabled',
      'ups.test.result': 'Done and passed',
      'ups.delay.shutdown': '20',
      'ups.delay.start': '30',
      'ups.timer.shutdown': '-1',
      'ups.alarm': 'Emergency stop!',
    };
    for (const [name, value] of Object.entries(expected)) assert.equal(valueOf(vars, name), value, name);
    assert.equal(result.status, 'ALARM OL CHRG TRIM');
    assert.equal(vars.has('device.country'), false);
    assert.deepEqual(vars.get('battery.charge.low'), { name: 'battery.charge.low', value: '20', rw: true, stringLength: 5 });
    assert.deepEqual(vars.get('output.voltage.nominal')?.enums, ['200', '208', '220', '230', '240', '100', '110', '120', '127']);

    // The power factor read in the first pass is used from then on.
    assert.equal(valueOf(compute().vars, 'ups.realpower'), '146');

    // Writes go to the device's own path for the field.
    assert.deepEqual(mapper.setVar('battery.charge.low', '30'), [{ path: `${PS}.ffff004d`, value: 30 }]);
    assert.deepEqual(mapper.instCmd('beeper.mute'), [{ path: `${PS}.AudibleAlarmControl`, value: 3 }]);
    assert.deepEqual(mapper.instCmd('test.battery.start.deep'), [{ path: 'UPS.BatterySystem.Battery.Test', value: 2 }]);
    assert.deepEqual(mapper.instCmd('shutdown.stop'), [{ path: `${PS}.DelayBeforeShutdown`, value: -1 }]);
    assert.deepEqual(mapper.instCmd('load.off'), [{ path: `${PS}.DelayBeforeShutdown`, value: 0 }]);
    for (const c of ['test.battery.start.quick', 'load.off.delay', 'load.on.delay', 'shutdown.return', 'beeper.enable']) {
      assert.ok(result.commands.includes(c), c);
    }
  });

  test('ABM disabled: the PresentStatus bits decide; no battery.charger.status', () => {
    const { compute } = run(mgeSubdriver, dev(0x0463, 0xffff, { product: 'Eaton 5P' }), {
      ...base,
      [`${PS}.PresentStatus.ACPresent`]: 0,
      [`${CONV}.Input.[1].PresentStatus.Used`]: 0,
      [`${CONV}.Input.[3].PresentStatus.Used`]: 1,
      [`${CONV}.Input.[1].PresentStatus.Buck`]: 0,
      [`${PS}.PresentStatus.ffff0068`]: 0,
      [`${PS}.PresentStatus.Charging`]: 0,
      [`${PS}.PresentStatus.Discharging`]: 1,
      'UPS.BatterySystem.Charger.ffff0087': 0,
      'UPS.BatterySystem.Charger.ffff0094': 2,
    });
    const { result, vars } = compute();
    assert.equal(result.status, 'OB DISCHRG');
    assert.equal(vars.has('battery.charger.status'), false);
    assert.equal(vars.has('ups.alarm'), false);
  });

  test('without ABMEnable (NUT: ABM unknown) CHRG/DISCHRG come from the charger mode only; off units are not on line', () => {
    const { compute } = run(mgeSubdriver, dev(0x0463, 0xffff, { product: 'Ellipse ECO' }), {
      'UPS.Flow.[4].ConfigApparentPower': 1600,
      [`${PS}.Voltage`]: 13.6,
      [`${PS}.PresentStatus.ACPresent`]: 1,
      [`${PS}.PresentStatus.Charging`]: 1,
      [`${PS}.PresentStatus.Good`]: 0,
      [`${CONV}.Input.[1].PresentStatus.Used`]: 0,
    });
    const { result, vars } = compute();
    // Pegasus units do not report the battery voltage there.
    assert.equal(vars.has('battery.voltage'), false);
    assert.equal(result.status, 'OL OFF');
  });
});

describe('Tripp Lite through the engine', () => {
  const PS = 'UPS.PowerSummary';
  test('battery voltage in tenths on older models, OMNI status bits on the wrong page, watchdog', () => {
    const { mapper, compute } = run(trippliteSubdriver, dev(0x09ae, 0x2010, { manufacturer: 'Tripp Lite', product: 'TRIPP LITE UPS' }), {
      'UPS.BatterySystem.Battery.Voltage': 136,
      'UPS.BatterySystem.Battery.ConfigVoltage': 12,
      [`${PS}.RemainingCapacity`]: 100,
      [`${PS}.PresentStatus.008400d0`]: 1, // TLACPresent
      [`${PS}.PresentStatus.ConfigActivePower`]: 1, // TLCharging
      'UPS.OutletSystem.Outlet.ffff0092': 0, // TLWatchdog
      'UPS.OutletSystem.Outlet.DelayBeforeShutdown': -1,
      'UPS.PowerConverter.Input.Voltage': 121.5,
      'UPS.PowerConverter.Output.ffff0057': 85, // TLLowVoltageTransferMax
    });
    const { result, vars } = compute();
    assert.equal(valueOf(vars, 'battery.voltage'), '13.6');
    assert.equal(valueOf(vars, 'battery.voltage.nominal'), '12.0');
    assert.equal(valueOf(vars, 'ups.watchdog.status'), '0');
    assert.equal(valueOf(vars, 'input.voltage'), '121.5');
    assert.equal(valueOf(vars, 'input.transfer.low.max'), '85');
    assert.equal(valueOf(vars, 'ups.delay.shutdown'), '20');
    assert.equal(result.status, 'OL CHRG');
    assert.deepEqual(mapper.instCmd('reset.watchdog'), [{ path: 'UPS.OutletSystem.Outlet.ffff0092', value: 60 }]);
    assert.deepEqual(mapper.instCmd('load.off.delay', '45'), [{ path: 'UPS.OutletSystem.Outlet.DelayBeforeShutdown', value: 45 }]);
  });

  test('SMART1500LCDT (09ae:3016): voltages, frequency and current scaled back', () => {
    const { compute } = run(trippliteSubdriver, dev(0x09ae, 0x3016), {
      'UPS.BatterySystem.Battery.Voltage': 0.000136,
      'UPS.PowerConverter.Input.Voltage': 0.0012,
      'UPS.PowerConverter.Output.Frequency': 6000,
      'UPS.PowerConverter.Output.Current': 120,
    });
    const { vars } = compute();
    assert.equal(valueOf(vars, 'battery.voltage'), '13.6');
    assert.equal(valueOf(vars, 'input.voltage'), '120.0');
    assert.equal(valueOf(vars, 'output.frequency'), '60.0');
    assert.equal(valueOf(vars, 'output.current'), '1.2');
  });
});

describe('Belkin/Liebert through the engine', () => {
  test('Belkin page 0x86: tenths, firmware and type nibbles, status bit masks', () => {
    const { mapper, compute } = run(belkinSubdriver, dev(0x050d, 0x0751, { manufacturer: '  Belkin', product: '' }), {
      'UPS.00860010.00860039': 95, // BELKINBatterySystem.BELKINCharge
      'UPS.00860010.00860030': 136, // BELKINBatterySystem.BELKINVoltage
      'UPS.0086002a.0086001a.00860030': 2301, // BELKINPowerState.BELKINInput.BELKINVoltage
      'UPS.0086002a.0086001a.00860032': 499, // ...BELKINFrequency
      'UPS.00860029.0086007c': 0x32, // BELKINDevice.BELKINUPSType
      'UPS.00860029.00860074': 2, // BELKINVoltageSensitivity
      'UPS.00860027.00860058': 0, // BELKINControls.BELKINTest
      'UPS.00860027.00860057': 0, // BELKINDelayBeforeShutdown
      'UPS.00860027.0086005a': 2, // BELKINAudibleAlarmControl
      'UPS.00860028.00860021': 0x0010, // BELKINStatus.BELKINPowerStatus: overload, AC present
      'UPS.00860028.00860022': 0x0004, // BELKINBatteryStatus: low battery
    });
    const { result, vars } = compute();
    const expected: Record<string, string> = {
      'ups.mfr': 'Belkin',
      'ups.model': 'unknown',
      'battery.charge': '95',
      'battery.voltage': '13.6',
      'input.voltage': '230.1',
      'input.frequency': '49.9',
      'ups.firmware': '3',
      'ups.type': 'line-interactive',
      'input.sensitivity': 'low',
      'ups.test.result': 'No test initiated',
      'ups.beeper.status': 'enabled',
    };
    for (const [name, value] of Object.entries(expected)) assert.equal(valueOf(vars, name), value, name);
    assert.equal(result.status, 'OL LB OVER');
    assert.deepEqual(mapper.setVar('input.sensitivity', 'reduced'), [{ path: 'UPS.00860029.00860074', value: 1 }]);
    assert.deepEqual(mapper.instCmd('load.off'), [{ path: 'UPS.00860027.00860057', value: 1 }]);
    // The old name beeper.on is beeper.enable (2).
    assert.deepEqual(mapper.instCmd('beeper.on'), [{ path: 'UPS.00860027.0086005a', value: 2 }]);
    assert.throws(() => mapper.instCmd('shutdown.return'), { code: 'CMD-NOT-SUPPORTED' });
  });

  test('Liebert PSA (10af:0001): the 1e-7 exponent fixed once ConfigVoltage reveals it; non-zero status bits', () => {
    const { compute } = run(belkinSubdriver, dev(0x10af, 0x0001, { manufacturer: 'Emerson Network Power', product: 'LiebertPSA' }), {
      'UPS.Input.Voltage': 1.2e-5,
      'UPS.PowerSummary.ConfigVoltage': 1e-7,
      'UPS.PowerSummary.RemainingCapacity': 100,
      'UPS.PowerSummary.PresentStatus.ACPresent': 1e-7,
      'UPS.PowerSummary.PresentStatus.Charging': 1e-7,
      'UPS.PowerSummary.PresentStatus.Discharging': 0,
    });
    const first = compute();
    // The input voltage row comes first: only the next pass knows the multiplier.
    assert.equal(valueOf(first.vars, 'input.voltage'), '0.0');
    assert.equal(valueOf(first.vars, 'battery.voltage.nominal'), '10.0');
    assert.equal(first.result.status, 'OL CHRG');
    assert.equal(valueOf(compute().vars, 'input.voltage'), '120.0');
  });
});

describe('Phoenixtec/Liebert through the engine', () => {
  test('PowerWalker-style device on standard paths', () => {
    const { result, vars } = run(liebertSubdriver, dev(0x06da, 0xffff, { product: 'Offline UPS' }), {
      'UPS.PowerSummary.Voltage': 27.1,
      'UPS.PowerSummary.RemainingCapacity': 100,
      'UPS.PowerSummary.RunTimeToEmpty': 3290,
      'UPS.PowerSummary.PercentLoad': 1,
      'UPS.PowerConverter.Input.[1].Voltage': 230,
      'UPS.PowerConverter.Output.Frequency': 50,
      'UPS.PowerSummary.PresentStatus.ACPresent': 1,
      'UPS.PowerSummary.PresentStatus.Charging': 1,
      'UPS.PowerSummary.PresentStatus.Discharging': 0,
      'UPS.PowerSummary.PresentStatus.Overload': 0,
    }).compute();
    assert.equal(valueOf(vars, 'ups.mfr'), 'Liebert');
    assert.equal(valueOf(vars, 'battery.voltage'), '27.10');
    assert.equal(valueOf(vars, 'input.voltage'), '230.0');
    assert.equal(valueOf(vars, 'output.frequency'), '50.00');
    assert.equal(valueOf(vars, 'battery.runtime'), '3290');
    assert.equal(result.status, 'OL CHRG');
    assert.deepEqual(result.commands, []);
  });
});

describe('PowerCOM through the engine', () => {
  const PS = 'UPS.PowerSummary';
  test('delays: byte-swapped minutes to start, minutes and seconds to shut down, restart flags', () => {
    assert.equal(powercomStartup.toNut(0x0200), '120');
    assert.equal(powercomShutdown.toNut(0x0105), '65');
    assert.equal(powercomShutdown.fromNut?.('90'), (1 << 8) + 30 + 0x40);
    assert.equal(powercomShutdown.fromNut?.('0'), 1 + 0x40); // 0 would be the longest delay
    assert.equal(powercomStayOff.fromNut?.('20'), 20 + 0x80);
    assert.equal(powercomStartup.fromNut?.('120'), 2 << 8);

    const { mapper, compute } = run(powercomSubdriver, dev(0x0d9f, 0x0004, { manufacturer: 'POWERCOM Co.,LTD' }), {
      [`${PS}.DelayBeforeStartup`]: 0x0200,
      [`${PS}.DelayBeforeShutdown`]: 0x0105,
      [`${PS}.PCMDelayBeforeShutdown`]: 0,
      [`${PS}.AudibleAlarmControl`]: 2,
      [`${PS}.PresentStatus.ACPresent`]: 1,
      [`${PS}.PresentStatus.Charging`]: 1,
      [`${PS}.PresentStatus.BatteryPresent`]: 1,
      'UPS.Input.Voltage': 220,
      'UPS.Battery.ManufacturerDate': (2014 - 1980) * 512 + 1 * 32 + 15,
    });
    const { result, vars } = compute();
    assert.equal(valueOf(vars, 'ups.timer.start'), '120');
    assert.equal(valueOf(vars, 'ups.timer.shutdown'), '65');
    assert.equal(valueOf(vars, 'ups.delay.start'), '60');
    assert.equal(valueOf(vars, 'ups.delay.shutdown'), '20');
    assert.equal(valueOf(vars, 'ups.beeper.status'), 'disabled');
    assert.equal(valueOf(vars, 'battery.mfr.date'), '2014/01/15');
    assert.equal(valueOf(vars, 'input.voltage'), '220.0');
    assert.equal(result.status, 'OL CHRG');
    assert.deepEqual(mapper.instCmd('shutdown.return'), [{ path: `${PS}.DelayBeforeShutdown`, value: 20 + 0x40 }]);
    assert.deepEqual(mapper.instCmd('shutdown.stayoff', '90'), [{ path: `${PS}.DelayBeforeShutdown`, value: (1 << 8) + 30 + 0x80 }]);
    assert.deepEqual(mapper.instCmd('load.on.delay'), [{ path: `${PS}.DelayBeforeStartup`, value: 1 << 8 }]);
    assert.deepEqual(mapper.instCmd('load.off'), [{ path: `${PS}.PCMDelayBeforeShutdown`, value: 1 + 0x80 }]);
    assert.deepEqual(mapper.instCmd('beeper.disable'), [{ path: `${PS}.AudibleAlarmControl`, value: 0 }]);
  });

  test('older firmwares: the page 0x0002 collection with bit-mask status and 4 V steps', () => {
    const OUT = '00020004.00020016.0002001c'; // PowercomUPS.PowercomPowerConverter.PowercomOutput
    const { result, vars } = run(powercomSubdriver, dev(0x0d9f, 0x00a4), {
      '00020004.00020016.0002001a.00020030': 57, // PowercomInput.PowercomVoltage
      [`${OUT}.00020030`]: 55,
      [`${OUT}.00020035`]: 30, // PowercomPercentLoad
      [`${OUT}.00020082`]: 0x19, // PrimaryBatterySupport: line failure, AVR boost
      [`${OUT}.00020081`]: 0x02, // InternalChargeController: battery bad
    }).compute();
    assert.equal(valueOf(vars, 'input.voltage'), '228');
    assert.equal(valueOf(vars, 'output.voltage'), '220');
    assert.equal(valueOf(vars, 'ups.load'), '30');
    assert.equal(valueOf(vars, 'ups.mfr'), 'PowerCOM');
    assert.equal(result.status, 'ALARM OB RB BOOST');
    assert.equal(valueOf(vars, 'ups.alarm'), 'Replace battery!');
  });
});

// ---------------------------------------------------------------- nut-ddl coverage

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/nut-ddl');


/**
 * NUT's subdriver names in driver.version.data (older releases included)
 * and which of ours now has those devices. "Liebert HID" and "LiebertPSP
 * HID" drove Liebert 10af units before belkin-hid.c took them.
 */
const FAMILIES: ReadonlyArray<readonly [RegExp, readonly Subdriver[]]> = [
  [/^MGE HID /, [mgeSubdriver]],
  [/^TrippLite HID /, [trippliteSubdriver]],
  [/^Belkin(\/Liebert)? HID /, [belkinSubdriver]],
  [/^(Phoenixtec\/Liebert|Liebert|LiebertPSP) HID /, [liebertSubdriver, belkinSubdriver]],
  [/^PowerCOM HID /, [powercomSubdriver]],
];

/**
 * Variables NUT published that our tables do not produce, per subdriver,
 * with why. Mostly older NUT names since renamed or dropped.
 */
const NOT_PRODUCED: ReadonlyMap<Subdriver, Readonly<Record<string, string>>> = new Map<Subdriver, Readonly<Record<string, string>>>([
  [
    mgeSubdriver,
    {
      'outlet.0.desc': 'MGE HID 0.9-1.10 name of outlet.desc',
      'outlet.0.id': 'MGE HID 0.9-1.10 name of outlet.id',
      'outlet.0.switchable': 'MGE HID 0.9-1.10 name of outlet.switchable',
      'outlet.1.switch': 'MGE HID 0.8-0.9 name of outlet.1.status',
      'outlet.2.switch': 'MGE HID 0.9 name of outlet.2.status',
      'output.voltage.target.battery': 'MGE HID 0.9 only, dropped since',
      'output.voltage.target.line': 'MGE HID 0.9 only, dropped since',
      'fault.site.status': 'MGE HID 1.18 only (Dell), dropped since',
    },
  ],
  [
    trippliteSubdriver,
    {
      'ups.delay.reboot': 'TrippLite HID 0.1-0.4 writable reboot delay, dropped since',
      'ups.delay.restart': 'TrippLite HID 0.1 name, dropped since',
    },
  ],
  [
    belkinSubdriver,
    {
      'ups.delay.restart': 'Belkin HID 0.1 name, dropped since',
      'ups.devicechemistry': 'Belkin HID 0.1 name of battery.type',
      'ups.serial.internal': 'Belkin HID 0.1 only',
      'battery.capacity': 'Belkin/Liebert HID 0.21 (PSI5): its source and descriptor are not at hand',
      'output.voltage.nominal': 'Belkin/Liebert HID 0.21 (PSI5): its source and descriptor are not at hand',
    },
  ],
  [liebertSubdriver, {}],
  [
    powercomSubdriver,
    {
      'battery.date': 'PowerCOM HID 0.2-0.5 name of battery.mfr.date',
    },
  ],
]);

/** LiebertPSP HID 0.1 was a debugging table: it published raw HID paths as variables (ups.powersummary.*...). */
const RAW_PATH_VARIABLE = /^ups\.(powersummary|input|output)\./;


if (existsSync(FIXTURES)) describe('coverage: what NUT published for these vendors in nut-ddl', () => {
  const dumps = ddlDumps();

  /** The dumps each of our subdrivers answers for: NUT used a table of that family and we select ours for the device. */
  function assign(): { bySubdriver: Map<Subdriver, DdlDump[]>; elsewhere: string[] } {
    const bySubdriver = new Map<Subdriver, DdlDump[]>(OURS.map((s) => [s, []]));
    const elsewhere: string[] = [];
    for (const dump of dumps) {
      const version = dump.upsc.get('driver.version.data');
      const family = FAMILIES.find(([re]) => version !== undefined && re.test(version));
      if (!family) continue;
      const vid = dump.upsc.get('ups.vendorid');
      const pid = dump.upsc.get('ups.productid');
      const ours =
        vid && pid
          ? selectSubdriver(dev(parseInt(vid, 16), parseInt(pid, 16), { manufacturer: dump.upsc.get('ups.mfr'), product: dump.upsc.get('ups.model') }))
          : family[1][0];
      if (ours && family[1].includes(ours)) bySubdriver.get(ours)?.push(dump);
      else elsewhere.push(`${dump.file} (${version})`);
    }
    return { bySubdriver, elsewhere };
  }

  test('which dumps another subdriver now answers for', () => {
    // NUT 2.7.4 let MGE claim every Phoenixtec 06da unit; now only AEG-named ones.
    // Salicru (2e66) has its own subdriver in NUT, not one of these.
    assert.deepEqual(assign().elsewhere, [
      'PowerWalker/PowerWalker__VI_1200_SHL__usbhid-ups__2.7.4__01.dev (MGE HID 1.40)',
      'PowerWalker/PowerWalker__VI_1200_SH__usbhid-ups__2.7.4__01.dev (MGE HID 1.40)',
      'PowerWalker/PowerWalker__VI_650_SH__usbhid-ups__2.7.4.1__01.dev (MGE HID 1.44)',
      'Salicru/Salicru__SLC_1500_TWIN_PRO3__usbhid_ups__2.7.4__01.dev (MGE HID 1.40)',
    ]);
  });

  for (const subdriver of OURS) {
    test(`${subdriver.name}: every variable NUT published is one a row of ours produces`, () => {
      const mine = assign().bySubdriver.get(subdriver) ?? [];
      assert.ok(mine.length >= 5, `${mine.length} dumps`);
      const names = new Set([...subdriver.table.filter((r) => r.kind === 'var').map((r) => r.nut), ...ENGINE_VARS]);
      const notProduced = NOT_PRODUCED.get(subdriver) ?? {};
      for (const { file, upsc } of mine) {
        for (const [name, value] of upsc) {
          if (name.startsWith('driver.') || name in notProduced || RAW_PATH_VARIABLE.test(name)) continue;
          assert.ok(names.has(name), `${file}: ${name}=${value}`);
        }
      }
      // Every exception is still needed: each one appears in some dump.
      for (const name of Object.keys(notProduced)) {
        assert.ok(
          mine.some((d) => d.upsc.has(name)),
          `${name} is listed as not produced but no dump has it`,
        );
        assert.equal(names.has(name), false, `${name} is listed as not produced but a row produces it`);
      }
    });
  }
});
