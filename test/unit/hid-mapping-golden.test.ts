/**
 * Golden tests against what NUT's usbhid-ups published for real devices
 * (nut-ddl dumps). The dumps' decoded `Path: ..., Value: ...` lines give the
 * descriptor fields and the values; their `var: value` lines are NUT's
 * output. Runs when the shared fixtures are present.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HidDeviceInfo, HidField, HidReportDescriptor, ReportKind } from '../../src/drivers/usbhid/types';
import { ENGINE_VARS as ENGINE_VAR_NAMES, HidMapper } from '../../src/drivers/usbhid/mapping/engine';
import { selectSubdriver } from '../../src/drivers/usbhid/mapping/select';
import { apcSubdriver } from '../../src/drivers/usbhid/mapping/vendors/apc';
import { cpsSubdriver } from '../../src/drivers/usbhid/mapping/vendors/cps';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/nut-ddl');

interface Dump {
  info: HidDeviceInfo;
  descriptor: HidReportDescriptor;
  values: Map<string, number>;
  /** NUT's published variables. */
  upsc: Map<string, string>;
  /** NUT's instant commands (`#CMD:` lines). */
  commands: string[];
}

const PATH_LINE = /Path: ([^,]+), Type: (Input|Output|Feature), ReportID: 0x([0-9a-fA-F]+), Offset: (\d+), Size: (\d+), Value: (\S+)/;

/** Reads a dump: fields and values from the Path lines (Feature values first), device strings from the debug lines. */
function readDump(file: string): Dump {
  const text = readFileSync(file, 'utf8');
  const fields: HidField[] = [];
  const seen = new Set<string>();
  const featureValues = new Map<string, number>();
  const inputValues = new Map<string, number>();
  const upsc = new Map<string, string>();
  const commands: string[] = [];
  const info: HidDeviceInfo = { vendorId: 0, productId: 0 };
  for (const line of text.split('\n')) {
    const p = PATH_LINE.exec(line);
    if (p) {
      const [, fieldPath, type, id, offset, size, value] = p as unknown as [string, string, string, string, string, string, string];
      const kind = type.toLowerCase() as ReportKind;
      const key = `${kind} ${fieldPath}`;
      if (!seen.has(key)) {
        seen.add(key);
        fields.push({
          path: fieldPath,
          usages: [],
          kind,
          reportId: parseInt(id, 16),
          offset: Number(offset),
          size: Number(size),
          logicalMin: 0,
          logicalMax: 2 ** Number(size) - 1,
          physicalMin: 0,
          physicalMax: 0,
          unit: 0,
          unitExponent: 0,
          flags: 2,
        });
      }
      const target = kind === 'input' ? inputValues : featureValues;
      if (!target.has(fieldPath)) target.set(fieldPath, Number(value));
      continue;
    }
    const dev = /- (VendorID|ProductID|Manufacturer|Product|Serial Number): (.*)$/.exec(line);
    if (dev && line.startsWith('#')) {
      const [, what, raw] = dev as unknown as [string, string, string];
      // Debug lines of newer NUT end with a period that is not part of the value.
      const value = raw.replace(/\.$/, '');
      if (what === 'VendorID' && !info.vendorId) info.vendorId = parseInt(value, 16);
      else if (what === 'ProductID' && !info.productId) info.productId = parseInt(value, 16);
      else if (what === 'Manufacturer') info.manufacturer ??= value;
      else if (what === 'Product') info.product ??= value;
      else if (what === 'Serial Number') info.serialNumber ??= value;
      continue;
    }
    const cmd = /^#CMD:(\S+)/.exec(line);
    if (cmd?.[1]) commands.push(cmd[1]);
    if (line.startsWith('#') || !line.includes(': ')) continue;
    const at = line.indexOf(': ');
    upsc.set(line.slice(0, at), line.slice(at + 2));
  }
  const values = new Map(inputValues);
  for (const [k, v] of featureValues) values.set(k, v);
  const descriptor: HidReportDescriptor = {
    fields,
    usesReportIds: true,
    reportLength: () => 0,
    reportIds: (kind) => [...new Set(fields.filter((f) => f.kind === kind).map((f) => f.reportId))],
    find: (p, kind) => fields.find((f) => f.path === p && (kind === undefined || f.kind === kind)),
  };
  return { info, descriptor, values, upsc, commands };
}

/**
 * Compares our variables with NUT's. `absent`: NUT variables we do not
 * produce, each with the reason. Returns nothing; asserts both directions.
 */
function compareWithNut(dump: Dump, ours: Map<string, string>, absent: Record<string, string>): void {
  for (const [name, value] of dump.upsc) {
    if (name.startsWith('driver.')) continue; // the driver module publishes driver.*
    if (name in absent) {
      assert.equal(ours.has(name), false, `${name} is listed as absent but we publish it`);
      continue;
    }
    assert.equal(ours.get(name), value, name);
  }
  for (const name of ours.keys()) assert.ok(dump.upsc.has(name), `we publish ${name}=${ours.get(name)}, NUT did not`);
}

const CS500 = path.join(FIXTURES, 'APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev');

// Defined only when the shared fixtures exist (a fresh clone has the hand-made engine tests).
if (existsSync(CS500)) describe('golden: APC Back-UPS CS 500 (usbhid-ups 2.8.0)', () => {
  test('the dump reads as expected', () => {
    const dump = readDump(CS500);
    assert.equal(dump.info.vendorId, 0x051d);
    assert.equal(dump.info.product, 'Back-UPS 500 FW: 6.5.I USB FW: c1 ');
    assert.equal(dump.values.get('UPS.PowerSummary.ff860016'), 459524);
    assert.equal(dump.upsc.get('ups.firmware'), ' 6.5.I');
  });

  test('every variable, the status and the commands NUT published, from the HID values', () => {
    const dump = readDump(CS500);
    const subdriver = selectSubdriver(dump.info);
    assert.equal(subdriver.name, dump.upsc.get('driver.version.data'));
    const mapper = new HidMapper(subdriver, dump.descriptor, dump.info);
    // String index 4 (iDeviceChemistry) is a USB string descriptor the dump does not record;
    // the driver would read it from the device. Its text is the one NUT showed.
    const result = mapper.compute(dump.values, new Map([[4, 'PbAc']]));
    const ours = new Map(result.vars.map((v) => [v.name, v.value]));
    compareWithNut(dump, ours, {});
    assert.equal(ours.size, [...dump.upsc.keys()].filter((k) => !k.startsWith('driver.')).length);
    assert.equal(result.status, 'OL');
    assert.deepEqual([...result.commands].sort(), [...dump.commands].sort());
    // The string path the driver must resolve is the chemistry's.
    assert.deepEqual(mapper.stringPaths(), ['UPS.PowerSummary.iDeviceChemistry']);
  });

  test('without the USB string, battery.type is the only variable missing', () => {
    const dump = readDump(CS500);
    const mapper = new HidMapper(selectSubdriver(dump.info), dump.descriptor, dump.info);
    const ours = new Map(mapper.compute(dump.values).vars.map((v) => [v.name, v.value]));
    compareWithNut(dump, ours, { 'battery.type': 'a USB string descriptor, not in the dump' });
  });

  test('RW variables and writes of this device', () => {
    const dump = readDump(CS500);
    const mapper = new HidMapper(selectSubdriver(dump.info), dump.descriptor, dump.info);
    const vars = new Map(mapper.compute(dump.values).vars.map((v) => [v.name, v]));
    assert.deepEqual(
      [...vars.values()].filter((v) => v.rw).map((v) => v.name),
      ['battery.charge.low'],
    );
    assert.deepEqual(mapper.setVar('battery.charge.low', '15'), [{ path: 'UPS.PowerSummary.RemainingCapacityLimit', value: 15 }]);
    assert.deepEqual(mapper.instCmd('shutdown.reboot'), [{ path: 'UPS.ff860005.ff86007c', value: 10 }]);
    assert.deepEqual(mapper.instCmd('test.panel.stop'), [{ path: 'UPS.PowerSummary.ff860072', value: 0 }]);
  });
});

const POWERWALKER = path.join(FIXTURES, 'PowerWalker/PowerWalker__VI_2200_SH__usbhid-ups__2.7.4__01.dev');

if (existsSync(POWERWALKER)) describe('golden: PowerWalker VI 2200 SH (usbhid-ups 2.7.4, Phoenixtec/Liebert subdriver)', () => {
  test('every variable and the status NUT published, from the HID values', () => {
    const dump = readDump(POWERWALKER);
    // The debug line shows the serial with trailing spaces; USB strings reach the
    // mapping trimmed, as current NUT reads them (and as its upsc line shows).
    const info = { ...dump.info, serialNumber: dump.info.serialNumber?.trim() };
    assert.equal(info.vendorId, 0x06da);
    const subdriver = selectSubdriver(info);
    assert.match(subdriver.name, /^Phoenixtec\/Liebert HID/);
    const mapper = new HidMapper(subdriver, dump.descriptor, info);
    // iDeviceChemistry is string 5, which the dump does not record; its text is the one NUT showed.
    assert.deepEqual(mapper.stringPaths(), ['UPS.PowerSummary.iDeviceChemistry']);
    assert.equal(dump.values.get('UPS.PowerSummary.iDeviceChemistry'), 5);
    const result = mapper.compute(dump.values, new Map([[5, 'PbAc']]));
    const ours = new Map(result.vars.map((v) => [v.name, v.value]));
    for (const [name, value] of dump.upsc) {
      if (name.startsWith('driver.')) continue;
      // NUT 2.7.4's Liebert table (0.3) printed the battery voltage as %.0f; the current one (0.41) as %.2f.
      if (name === 'battery.voltage') {
        assert.equal(ours.get(name), '27.10');
        continue;
      }
      assert.equal(ours.get(name), value, name);
    }
    assert.equal(result.status, 'OL CHRG');
  });
});

/** Every usbhid-ups dump in nut-ddl: file name and its published variables. */
function usbhidDumps(): Array<{ file: string; upsc: Map<string, string> }> {
  const out: Array<{ file: string; upsc: Map<string, string> }> = [];
  for (const dir of readdirSync(FIXTURES).sort()) {
    const full = path.join(FIXTURES, dir);
    if (!statSync(full).isDirectory()) continue;
    for (const f of readdirSync(full).sort()) {
      if (!f.includes('__usbhid-ups__') || !f.endsWith('.dev')) continue;
      const upsc = new Map<string, string>();
      for (const line of readFileSync(path.join(full, f), 'utf8').split('\n')) {
        if (line.startsWith('#')) continue;
        const at = line.indexOf(': ');
        if (at > 0) upsc.set(line.slice(0, at), line.slice(at + 2));
      }
      out.push({ file: f, upsc });
    }
  }
  return out;
}

const ENGINE_VARS = new Set(ENGINE_VAR_NAMES);

// FSD is upsd's forced-shutdown latch shown in front of the driver's status, not the driver's.
const STATUS_TOKENS = new Set(['FSD', 'ALARM', 'CAL', 'OL', 'OB', 'DISCHRG', 'CHRG', 'LB', 'OVER', 'RB', 'TRIM', 'BOOST', 'BYPASS', 'ECO', 'ESS', 'OFF']);

if (existsSync(FIXTURES)) describe('coverage: what NUT published for APC and CyberPower devices in every nut-ddl dump', () => {
  for (const subdriver of [apcSubdriver, cpsSubdriver]) {
    test(`${subdriver.name}: every variable and status token is one our table produces`, () => {
      const family = subdriver.name.replace(/ [\d.]+$/, ' ');
      const names = new Set([...subdriver.table.filter((r) => r.kind === 'var').map((r) => r.nut), ...ENGINE_VARS]);
      // The APC product string gives the firmware variables.
      if (subdriver === apcSubdriver) names.add('ups.firmware').add('ups.firmware.aux');
      const dumps = usbhidDumps().filter((d) => d.upsc.get('driver.version.data')?.startsWith(family));
      assert.ok(dumps.length >= 5, `found ${dumps.length} ${family}dumps`);
      for (const { file, upsc } of dumps) {
        for (const [name, value] of upsc) {
          if (name.startsWith('driver.')) continue;
          assert.ok(names.has(name), `${file}: ${name}=${value}`);
          if (name === 'ups.status') for (const t of value.split(' ')) assert.ok(STATUS_TOKENS.has(t), `${file}: status token ${t}`);
        }
      }
    });
  }
});
