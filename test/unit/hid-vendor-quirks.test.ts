/**
 * Vendor facts beyond the plain tables: MGE/Eaton's ups.model from iModel
 * (checked against what NUT printed in nut-ddl dumps when they exist) and
 * its writable ups.date / ups.time, PowerCOM's battery voltage from report
 * 0xa4 and its interrupt-only 0d9f:0001.
 */
// The date and time rows show local time: fix the zone before any Date is made.
process.env.TZ = 'Europe/Paris';

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RequestError } from '../../src/core/errors';
import type { HidDeviceInfo, HidField, HidReportDescriptor, ReportKind, Subdriver } from '../../src/drivers/usbhid/types';
import { buildReport } from '../../src/drivers/usbhid/hid/codec';
import { HidMapper, type HidMapperOptions, type MappedVar } from '../../src/drivers/usbhid/mapping/engine';
import { deviceQuirks, selectSubdriver } from '../../src/drivers/usbhid/mapping/select';
import { mgeModel, mgeSubdriver } from '../../src/drivers/usbhid/mapping/vendors/mge';
import { parsePowercomVoltage, POWERCOM_VOLTAGE_REPORT, powercomSubdriver } from '../../src/drivers/usbhid/mapping/vendors/powercom';
import { hidField } from '../helpers/hid-field';

// ---------------------------------------------------------------- helpers

type FieldSpec = Partial<HidField> & { path: string };

function descriptorOf(specs: readonly FieldSpec[]): HidReportDescriptor {
  const fields = specs.map((spec, i) => hidField({ usages: [], reportId: i + 1, size: 16, logicalMax: 65535, ...spec }));
  return {
    fields,
    usesReportIds: true,
    reportLength: (kind: ReportKind, id: number) =>
      1 + Math.ceil(Math.max(0, ...fields.filter((f) => f.kind === kind && f.reportId === id).map((f) => f.offset + f.size)) / 8),
    reportIds: (kind: ReportKind) => [...new Set(fields.filter((f) => f.kind === kind).map((f) => f.reportId))],
    find: (p: string, kind?: ReportKind) => fields.find((f) => f.path === p && (kind === undefined || f.kind === kind)),
  };
}

const byName = (vars: readonly MappedVar[]): Map<string, MappedVar> => new Map(vars.map((v) => [v.name, v]));

/** A mapper over Feature fields at the paths of `values`, and a compute() over those values. */
function run(subdriver: Subdriver, info: HidDeviceInfo, values: Record<string, number>, strings: Record<number, string> = {}, options: HidMapperOptions = {}) {
  const m = new HidMapper(subdriver, descriptorOf(Object.keys(values).map((p) => ({ path: p }))), info, options);
  const stringMap = new Map(Object.entries(strings).map(([k, v]) => [Number(k), v]));
  return { mapper: m, vars: (raw?: Map<number, Uint8Array>) => byName(m.compute(new Map(Object.entries(values)), stringMap, raw).vars) };
}

function assertRequestError(fn: () => unknown, failure: string): void {
  assert.throws(fn, (err: unknown) => err instanceof RequestError && err.failure === failure);
}

const PS = 'UPS.PowerSummary';
// Eaton vendor usages as the HID layer prints them without names; the engine names them.
const IMODEL = `${PS}.ffff00f0`;
const TIME = `${PS}.ffff0097`;
const VA = 'UPS.Flow.[4].ConfigApparentPower';
const eaton = (product: string | undefined, extra: Partial<HidDeviceInfo> = {}): HidDeviceInfo => ({ vendorId: 0x0463, productId: 0xffff, product, ...extra });

// ---------------------------------------------------------------- MGE: ups.model

describe('MGE / Eaton ups.model from iProduct and iModel (mge-hid.c)', () => {
  test('the iModel string names the unit (and device.model follows); the table renames some', () => {
    const { vars } = run(mgeSubdriver, eaton('Eaton 5P', { manufacturer: 'EATON' }), { [VA]: 650, [IMODEL]: 5 }, { 5: '650' });
    const v = vars();
    assert.equal(v.get('ups.model')?.value, '5P 650');
    assert.equal(v.get('device.model')?.value, '5P 650');
    assert.equal(v.get('ups.model')?.rw, false);
  });

  test('iModel, not the VA rating, when both are there', () => {
    // A Protection Center 675 reports 670 VA.
    const { vars } = run(mgeSubdriver, eaton('PROTECTIONCENTER'), { [VA]: 670, [IMODEL]: 5 }, { 5: '675' });
    assert.equal(vars().get('ups.model')?.value, 'Protection Center 675');
  });

  test('an empty or unreadable iModel string, or none: the VA rating as an integer stands in', () => {
    assert.equal(run(mgeSubdriver, eaton('Evolution'), { [VA]: 850, [IMODEL]: 5 }, { 5: '' }).vars().get('ups.model')?.value, 'Evolution 850');
    assert.equal(run(mgeSubdriver, eaton('Evolution'), { [VA]: 500.7, [IMODEL]: 5 }).vars().get('ups.model')?.value, 'Pulsar Evolution 500');
    assert.equal(run(mgeSubdriver, eaton('Ellipse ECO'), { [VA]: 1600 }).vars().get('ups.model')?.value, 'Ellipse ECO 1600');
    // No product string: "unknown", which names 9E units by their rating alone.
    assert.equal(run(mgeSubdriver, eaton(undefined), { [VA]: 2000 }).vars().get('ups.model')?.value, '9E2000i (presumed)');
  });

  test('neither iModel nor a rating: the product string as is', () => {
    const v = run(mgeSubdriver, eaton('Pulsar'), { [`${PS}.RemainingCapacity`]: 100 }).vars();
    assert.equal(v.get('ups.model')?.value, 'Pulsar');
    assert.equal(v.get('device.model')?.value, 'Pulsar');
  });

  test("iModel is not trimmed: Eaton 5S units' trailing space is part of the match", () => {
    assert.equal(run(mgeSubdriver, eaton('Ellipse PRO'), { [VA]: 1500, [IMODEL]: 5 }, { 5: '1500 ' }).vars().get('ups.model')?.value, 'Eaton 5S1500');
    assert.equal(run(mgeSubdriver, eaton('Ellipse PRO'), { [VA]: 1500, [IMODEL]: 5 }, { 5: '1500' }).vars().get('ups.model')?.value, 'Ellipse PRO 1500');
    // Trailing newlines are cut, as NUT does.
    assert.equal(run(mgeSubdriver, eaton('Ellipse PRO'), { [VA]: 1500, [IMODEL]: 5 }, { 5: '1500 \n' }).vars().get('ups.model')?.value, 'Eaton 5S1500');
  });

  test('Dell: the product string is already the full name', () => {
    const dell: HidDeviceInfo = { vendorId: 0x047c, productId: 0xffff, manufacturer: 'Dell', product: 'Dell UPS Rack/Tower 2700W HV - 230V' };
    const v = run(mgeSubdriver, dell, { [VA]: 2700, [IMODEL]: 5 }, { 5: '2700' }).vars();
    assert.equal(v.get('ups.model')?.value, 'Dell UPS Rack/Tower 2700W HV - 230V');
    assert.equal(v.get('device.model')?.value, 'Dell UPS Rack/Tower 2700W HV - 230V');
  });

  test('the model decides the family-dependent rows: battery voltage on 5P / 5S, not on Pegasus or unknown models', () => {
    const voltage = (product: string, iModel: string): string | undefined =>
      run(mgeSubdriver, eaton(product), { [VA]: 1500, [IMODEL]: 5, [`${PS}.Voltage`]: 27.2 }, { 5: iModel }).vars().get('battery.voltage')?.value;
    assert.equal(voltage('Ellipse PRO', '1500 '), '27.2'); // Eaton 5S1500: 5P family
    assert.equal(voltage('Ellipse PRO', '1500'), undefined); // not in the table: the default family
    assert.equal(voltage('Ellipse ECO', '1600'), undefined); // Pegasus
    assert.equal(voltage('Eaton 9SX', '1500i'), '27.2'); // 9SX1500i: 9E family
  });

  test('the 9SX / 9PX and Ellipse PRO (5S) names of NUT 2.8.4+', () => {
    assert.deepEqual(mgeModel('Eaton 9SX', '3000im'), { family: '9e', name: '9SX3000im' });
    assert.deepEqual(mgeModel('Eaton 9PX', '2200irt2u'), { family: '9e', name: '9px2200irt2u' });
    assert.deepEqual(mgeModel('Ellipse PRO', '1200 '), { family: '5p', name: 'Eaton 5S1200' });
    assert.deepEqual(mgeModel('Ellipse PRO', '650 '), { family: 'default', name: 'Ellipse PRO 650 ' });
  });
});

// Real devices: what NUT printed as ups.model / device.model. iProduct is the
// dump's driver.parameter.product where it has one; otherwise the only product
// string that gives NUT's name (the name is a table rename, or the iProduct
// prefix of the name is one the device family uses).
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/nut-ddl');
const MODEL_DUMPS: ReadonlyArray<readonly [file: string, iProduct: string, iModel: string]> = [
  ['Eaton/Eaton__5SC_2200i_RT__usbhid-ups__2.7.4__01.dev', 'Eaton 5SC', '2200i RT'],
  ['Eaton/Eaton__Protection_Station_650__usbhid-ups__2.6.5__01.dev', 'Protection Station', '650'],
  ['Eaton/Eaton__5P_650__usbhid-ups__2.7.4__01.dev', 'Eaton 5P', '650'],
  ['Eaton/Eaton__5PX_2000__usbhid-ups__2.7.4__01.dev', 'Eaton 5PX', '2000'],
  ['Eaton/Eaton__Ellipse_ECO_1600__usbhid-ups__2.6.0__01.dev', 'Ellipse ECO', '1600'],
  ['Eaton/Eaton__Ellipse_PRO_650__usbhid-ups__2.7.2__01.dev', 'Ellipse PRO', '650 '],
  ['MGE_UPS_SYSTEMS/MGE_UPS_SYSTEMS__Protection_Center_675__usbhid-ups__2.4.3__01.dev', 'PROTECTIONCENTER', '675'],
  ['MGE_UPS_SYSTEMS/MGE_UPS_SYSTEMS__Pulsar_Evolution_500__usbhid-ups__2.7.2__01.dev', 'Evolution', '500'],
  ['Dell/Dell__UPS_RackTower_2700W_HV__usbhid-ups__2.7.4__01.dev', 'Dell UPS Rack/Tower 2700W HV - 230V', '2700'],
];

/** `name: value` lines of a dump, values exactly as printed (trailing spaces kept). */
function dumpVars(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Za-z0-9_.-]+): (.*)$/.exec(line.replace(/\r$/, ''));
    if (m?.[1] && m[2] !== undefined) out.set(m[1], m[2]);
  }
  return out;
}

if (existsSync(FIXTURES)) describe('golden: ups.model of MGE / Eaton / Dell units in nut-ddl', () => {
  for (const [file, iProduct, iModel] of MODEL_DUMPS) {
    test(file, () => {
      const nut = dumpVars(path.join(FIXTURES, file));
      const given = nut.get('driver.parameter.product');
      if (given !== undefined) assert.equal(given, iProduct, 'the product string the dump names');
      const info: HidDeviceInfo = {
        vendorId: parseInt(nut.get('ups.vendorid') ?? '', 16),
        productId: parseInt(nut.get('ups.productid') ?? '', 16),
        manufacturer: nut.get('ups.mfr'),
        product: iProduct,
      };
      assert.equal(selectSubdriver(info), mgeSubdriver);
      const { vars } = run(mgeSubdriver, info, { [VA]: Number(nut.get('ups.power.nominal')), [IMODEL]: 7 }, { 7: iModel });
      const v = vars();
      assert.equal(v.get('ups.model')?.value, nut.get('ups.model'));
      assert.equal(v.get('device.model')?.value, nut.get('device.model'));
    });
  }
});

// ---------------------------------------------------------------- MGE: ups.date / ups.time

describe('MGE / Eaton ups.date and ups.time (UPS.PowerSummary.Time, Unix seconds, local time)', () => {
  // 2024-05-01 12:34:56 UTC, 14:34:56 in Paris (summer time).
  const T = 1714566896;
  const timeField: FieldSpec = { path: TIME, reportId: 0x0b, size: 32, logicalMin: 0, logicalMax: 0x7fffffff };
  const setup = () => {
    const descriptor = descriptorOf([timeField]);
    const m = new HidMapper(mgeSubdriver, descriptor, eaton('Eaton 5P'));
    const compute = (t: number) => byName(m.compute(new Map([[TIME, t]])).vars);
    /** The Feature report a write sends. */
    const bytes = (writes: ReturnType<HidMapper['setVar']>): number[] => {
      const field = descriptor.fields[0] as HidField;
      return [...buildReport(descriptor, 'feature', 0x0b, writes.map((w) => ({ field, value: w.value })))];
    };
    return { m, compute, bytes };
  };

  test('read: the local date and time of the device clock, writable strings of 10', () => {
    const { compute } = setup();
    const v = compute(T);
    assert.deepEqual(v.get('ups.date'), { name: 'ups.date', value: '2024/05/01', rw: true, stringLength: 10 });
    assert.deepEqual(v.get('ups.time'), { name: 'ups.time', value: '14:34:56', rw: true, stringLength: 10 });
  });

  test('SET VAR ups.time: the published date with the new time, as seconds in the Time field', () => {
    const { m, compute, bytes } = setup();
    compute(T);
    const writes = m.setVar('ups.time', '15:00:00');
    const expected = Date.UTC(2024, 4, 1, 13, 0, 0) / 1000; // 15:00 CEST
    assert.deepEqual(writes, [{ path: TIME, value: expected }]);
    assert.equal(expected, 0x66323cd0);
    assert.deepEqual(bytes(writes), [0x0b, 0xd0, 0x3c, 0x32, 0x66]);
  });

  test('SET VAR ups.date: the new date with the published time; winter time applies in December', () => {
    const { m, compute, bytes } = setup();
    compute(T);
    const writes = m.setVar('ups.date', '2024/12/25');
    const expected = Date.UTC(2024, 11, 25, 13, 34, 56) / 1000; // 14:34:56 CET
    assert.deepEqual(writes, [{ path: TIME, value: expected }]);
    const le = [0, 8, 16, 24].map((s) => (expected >>> s) & 0xff);
    assert.deepEqual(bytes(writes), [0x0b, ...le]);
    // Read back, the device shows what was set.
    const v = compute(expected);
    assert.equal(v.get('ups.date')?.value, '2024/12/25');
    assert.equal(v.get('ups.time')?.value, '14:34:56');
  });

  test("strptime's leniency and mktime's roll-over", () => {
    const { m, compute } = setup();
    compute(T);
    // One-digit month and day; 30 February is 1 March.
    assert.deepEqual(m.setVar('ups.date', '2024/2/5'), [{ path: TIME, value: Date.UTC(2024, 1, 5, 13, 34, 56) / 1000 }]);
    assert.deepEqual(m.setVar('ups.date', '2024/02/30'), [{ path: TIME, value: Date.UTC(2024, 2, 1, 13, 34, 56) / 1000 }]);
    assert.deepEqual(m.setVar('ups.time', '9:05:00'), [{ path: TIME, value: Date.UTC(2024, 4, 1, 7, 5, 0) / 1000 }]);
  });

  test('text that is no date or time is refused (NUT would set the clock to 1970), too long is too long', () => {
    const { m, compute } = setup();
    compute(T);
    assertRequestError(() => m.setVar('ups.date', '2024-12-25'), 'INVALID-VALUE');
    assertRequestError(() => m.setVar('ups.date', '2024/13/01'), 'INVALID-VALUE');
    assertRequestError(() => m.setVar('ups.time', '25:00:00'), 'INVALID-VALUE');
    assertRequestError(() => m.setVar('ups.time', 'noon'), 'INVALID-VALUE');
    assertRequestError(() => m.setVar('ups.date', '2024/12/25 '), 'TOO-LONG');
    // Without a published time to go with it, a date cannot be written.
    const fresh = new HidMapper(mgeSubdriver, descriptorOf([timeField]), eaton('Eaton 5P'));
    assertRequestError(() => fresh.setVar('ups.date', '2024/12/25'), 'INVALID-VALUE');
  });
});

// ---------------------------------------------------------------- PowerCOM: battery voltage

const ascii = (id: number, text: string): Uint8Array => Uint8Array.from([id, ...[...text].map((c) => c.charCodeAt(0))]);

describe('PowerCOM battery.voltage from report 0xa4 (powercom-hid.c, NUT 2.8.5)', () => {
  const info: HidDeviceInfo = { vendorId: 0x0d9f, productId: 0x00a4, manufacturer: 'POWERCOM Co.,LTD', product: 'WOW-850U' };
  const values = { [`${PS}.PresentStatus.ACPresent`]: 1, [`${PS}.RemainingCapacity`]: 100 };

  test('the text after the report ID: the first number with a dot', () => {
    assert.equal(parsePowercomVoltage(ascii(0xa4, ' 13.7 2')), '13.7');
    assert.equal(parsePowercomVoltage(ascii(0xa4, 'V=27.40')), '27.40');
    assert.equal(parsePowercomVoltage(ascii(0xa4, ' 13 2')), undefined); // no dot
    assert.equal(parsePowercomVoltage(ascii(0xa4, '\u0000 13.7')), undefined); // the text ends at a NUL
    assert.equal(parsePowercomVoltage(ascii(0xa4, '1234567.9')), undefined); // only 7 characters are read
    assert.equal(parsePowercomVoltage(Uint8Array.of(0xa4)), undefined);
    assert.deepEqual(POWERCOM_VOLTAGE_REPORT, { reportId: 0xa4, length: 8 });
  });

  test('through the engine: the driver reads report 0xa4 and passes it; bad readings keep the last good one', () => {
    const { mapper, vars } = run(powercomSubdriver, info, values);
    assert.deepEqual(mapper.rawReports(), [{ reportId: 0xa4, length: 8 }]);
    // Without the report nothing is published.
    assert.equal(vars().has('battery.voltage'), false);
    assert.deepEqual(vars(new Map([[0xa4, ascii(0xa4, ' 13.7 2')]])).get('battery.voltage'), { name: 'battery.voltage', value: '13.7', rw: false });
    assert.equal(vars(new Map([[0xa4, ascii(0xa4, 'garbage')]])).get('battery.voltage')?.value, '13.7');
    assert.equal(vars(new Map([[0xa4, ascii(0xa4, ' 13.5 2')]])).get('battery.voltage')?.value, '13.5');
  });

  test('no good reading yet: "0.0", as NUT shows', () => {
    const { vars } = run(powercomSubdriver, info, values);
    assert.equal(vars(new Map([[0xa4, new Uint8Array(0)]])).get('battery.voltage')?.value, '0.0');
  });

  test('no ACPresent on the device: no voltage row, no report to read', () => {
    const { mapper, vars } = run(powercomSubdriver, info, { [`${PS}.RemainingCapacity`]: 100 });
    assert.deepEqual(mapper.rawReports(), []);
    assert.equal(vars(new Map([[0xa4, ascii(0xa4, ' 13.7 2')]])).has('battery.voltage'), false);
  });

  test('other subdrivers read no raw reports', () => {
    const { mapper } = run(mgeSubdriver, eaton('Eaton 5P'), { [`${PS}.PresentStatus.ACPresent`]: 1 });
    assert.deepEqual(mapper.rawReports(), []);
  });
});

// ---------------------------------------------------------------- PowerCOM 0d9f:0001: interrupt reports only

describe('PowerCOM 0d9f:0001: read by interrupt reports only, 8 bytes each', () => {
  test('deviceQuirks says so for that product only', () => {
    assert.deepEqual(deviceQuirks({ vendorId: 0x0d9f, productId: 0x0001 }), { interruptOnly: true, interruptSize: 8 });
    assert.deepEqual(deviceQuirks({ vendorId: 0x0d9f, productId: 0x0004 }), {});
    assert.deepEqual(deviceQuirks({ vendorId: 0x0d9f, productId: 0x00a4 }), {});
    assert.equal(selectSubdriver({ vendorId: 0x0d9f, productId: 0x0001 }), powercomSubdriver);
  });

  test('with interruptOnly the table maps to Input items, as NUT does then', () => {
    const info: HidDeviceInfo = { vendorId: 0x0d9f, productId: 0x0001 };
    const quirks = deviceQuirks(info);
    const descriptor = descriptorOf([
      { path: `${PS}.PresentStatus.ACPresent`, kind: 'input', reportId: 1 },
      { path: `${PS}.RemainingCapacity`, kind: 'input', reportId: 2 },
      { path: `${PS}.RemainingCapacity`, kind: 'feature', reportId: 3 },
    ]);
    const values = new Map([
      [`${PS}.PresentStatus.ACPresent`, 1],
      [`${PS}.RemainingCapacity`, 80],
    ]);
    const m = new HidMapper(powercomSubdriver, descriptor, info, { interruptOnly: quirks.interruptOnly });
    assert.deepEqual(m.pollPaths('init').sort(), [`${PS}.PresentStatus.ACPresent`, `${PS}.RemainingCapacity`]);
    const result = m.compute(values);
    assert.equal(result.status, 'OL');
    assert.equal(byName(result.vars).get('battery.charge')?.value, '80');
    // Without it, the Input-only status bit has no row: only the Feature charge is mapped.
    const polled = new HidMapper(powercomSubdriver, descriptor, info);
    assert.deepEqual(polled.pollPaths('init'), [`${PS}.RemainingCapacity`]);
  });
});
