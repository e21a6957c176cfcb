import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readField } from '../../src/drivers/usbhid/hid/codec';
import { parseReportDescriptor } from '../../src/drivers/usbhid/hid/descriptor';
import { parseHidDump, parseLsusbDescriptor, type HidDump } from '../../src/drivers/usbhid/hid/dump';
import { ParseError } from '../../src/core/errors';

const DDL = resolve(__dirname, '../../../shared/fixtures/nut-ddl');
const OWN = resolve(__dirname, '../fixtures/hid');

/**
 * What NUT's explore mode printed must come out of our parser and codec: for
 * every `Path:` line, a field with that path, kind, report ID, offset and
 * size, whose value in the raw report printed just before it is the value NUT
 * printed (`%g`: 6 significant digits). Returns the mismatches.
 */
function goldenMismatches(dump: HidDump): string[] {
  assert.ok(dump.descriptor, 'the dump has a report descriptor');
  const d = parseReportDescriptor(dump.descriptor);
  const bad: string[] = [];
  for (const p of dump.paths) {
    const f = d.fields.find((x) => x.path === p.path && x.kind === p.kind && x.reportId === p.reportId);
    if (!f) {
      bad.push(`line ${p.line}: no field ${p.path} ${p.kind} ${p.reportId}`);
      continue;
    }
    if (f.offset !== p.offset || f.size !== p.size) bad.push(`line ${p.line}: ${p.path} at ${f.offset}/${f.size}, NUT ${p.offset}/${p.size}`);
    const report = dump.reports.filter((r) => r.line < p.line).at(-1);
    if (p.value === undefined || !report) continue;
    const v = readField(f, report.bytes);
    if (Number(v.toPrecision(6)) !== p.value) bad.push(`line ${p.line}: ${p.path} = ${v}, NUT ${p.value}`);
  }
  return bad;
}

void describe('parseHidDump on our own example dump', () => {
  const dump = parseHidDump(readFileSync(resolve(OWN, 'example-ups.dump'), 'utf8'), 'example-ups.dump');

  void test('reads the descriptor across its continuation lines, the reports and the Path lines', () => {
    assert.equal(dump.descriptor?.length, 172);
    assert.deepEqual([...(dump.descriptor ?? []).subarray(0, 4)], [0x05, 0x84, 0x09, 0x04]);
    assert.equal(dump.descriptor?.at(-1), 0xc0);
    assert.equal(dump.reports.length, 15);
    assert.deepEqual(dump.reports[0], { source: 'get', bytes: Uint8Array.from([1, 0x64, 0, 0x14, 0x0a]), line: dump.reports[0]?.line });
    assert.equal(dump.reports[1]?.source, 'buf');
    assert.equal(dump.paths.length, 15);
    assert.deepEqual(dump.paths[8], { path: 'UPS.PowerSummary.Voltage', kind: 'feature', reportId: 3, offset: 0, size: 16, value: 13.58, line: dump.paths[8]?.line });
  });

  void test('reads the USB identity', () => {
    assert.deepEqual(dump.device, {
      vendorId: 0xf0f0,
      productId: 0x0001,
      manufacturer: 'Example Power',
      product: 'Example UPS 1000 ',
      serialNumber: 'EX0001',
      release: 0x0102,
    });
  });

  void test('golden: every Path line comes out of the parser and codec with the value printed', () => {
    assert.deepEqual(goldenMismatches(dump), []);
    // And nothing more: the parser makes exactly these fields, in this order.
    const d = parseReportDescriptor(dump.descriptor as Uint8Array);
    assert.deepEqual(
      d.fields.map((f) => `${f.path} ${f.kind}`),
      dump.paths.map((p) => `${p.path} ${p.kind}`),
    );
  });
});

void describe('parseHidDump: formats and bad input', () => {
  void test('timestamps instead of debug levels, reports continued on several lines, paths without a value', () => {
    const text = [
      'some text before',
      '#    0.003019\tChecking device (06DA/FFFF) (001/004)',
      '#    0.018699\t- VendorID: 06da',
      '#    0.018733\t- ProductID: ffff',
      '#    0.018766\t- Product: Offline UPS',
      '#    0.019061\tDevice matches',
      '#    0.050000\t- VendorID: 1234',
      '   0.1\tReport Descriptor: (4 bytes) => 05 84',
      '   0.1\t 09 04',
      '   0.2\tReport[get]: (3 bytes) => 01',
      '   0.2\t  02 03',
      '   0.3\tPath: UPS.ff860060, Type: Output, ReportID: 0x7f, Offset: 8, Size: 16',
      'upsc: 1',
    ].join('\n');
    const dump = parseHidDump(text);
    assert.deepEqual([...(dump.descriptor ?? [])], [0x05, 0x84, 0x09, 0x04]);
    assert.deepEqual([...(dump.reports[0]?.bytes ?? [])], [1, 2, 3]);
    assert.deepEqual(dump.paths, [{ path: 'UPS.ff860060', kind: 'output', reportId: 0x7f, offset: 8, size: 16, line: 12 }]);
    // The device NUT matched, not one listed after it.
    assert.deepEqual(dump.device, { vendorId: 0x06da, productId: 0xffff, product: 'Offline UPS' });
  });

  void test('a dump without HID data gives an empty result', () => {
    const dump = parseHidDump('battery.charge: 100\nups.status: OL\n');
    assert.equal(dump.descriptor, undefined);
    assert.deepEqual(dump.reports, []);
    assert.deepEqual(dump.paths, []);
  });

  void test('strict: announced bytes that are not there, bad hex, unknown types -> ParseError with the line', () => {
    const strict = { strict: true };
    assert.throws(
      () => parseHidDump('x\n# [D3] Report Descriptor: (5 bytes) => 05 84\n# [D3]  09\nnext', 'f.dev', strict),
      (e: unknown) => e instanceof ParseError && e.line === 2 && /5 bytes announced, 3 found/.test(e.message),
    );
    assert.throws(() => parseHidDump('Report[get]: (2 bytes) => 01 zz', undefined, strict), ParseError);
    assert.throws(() => parseHidDump('Path: UPS.X, Type: Bogus, ReportID: 0x01, Offset: 0, Size: 8, Value: 1', undefined, strict), ParseError);
    assert.throws(() => parseHidDump('Path: UPS.X, Type: Input, ReportID: 0x01, Offset: 0, Size: 8, Value: nan', undefined, strict), ParseError);
  });

  void test('by default the same damage costs its line only, listed in warnings with the line', () => {
    const dump = parseHidDump(
      [
        'x',
        '# [D3] Report Descriptor: (5 bytes) => 05 84',
        '# [D3]  09',
        'Report[get]: (2 bytes) => 01 zz',
        'Path: UPS.X, Type: Bogus, ReportID: 0x01, Offset: 0, Size: 8, Value: 1',
        'Path: UPS.Y, Type: Input, ReportID: 0x01, Offset: 0, Size: 8, Value: nan',
        'Report[get]: (2 bytes) => 01 07',
      ].join('\n'),
      'f.dev',
    );
    assert.deepEqual(dump.warnings, [
      { line: 2, message: 'report descriptor: 5 bytes announced, 3 found' },
      { line: 4, message: 'Report[get]: not hex bytes' },
      { line: 5, message: 'unknown report type Bogus' },
      { line: 6, message: 'value nan is not a number' },
    ]);
    assert.equal(dump.descriptor, undefined);
    // The path without a number is kept without a value; the good report after the bad lines is read.
    assert.deepEqual(dump.paths, [{ path: 'UPS.Y', kind: 'input', reportId: 1, offset: 0, size: 8, line: 6 }]);
    assert.deepEqual(dump.reports, [{ source: 'get', bytes: Uint8Array.from([1, 7]), line: 7 }]);
  });
});

void describe('parseLsusbDescriptor', () => {
  const LSUSB = `
          Report Descriptor: (length is 16)
            Item(Global): Usage Page, data= [ 0x84 ] 132
                            Power Device Page
            Item(Local ): Usage, data= [ 0x04 ] 4
                            UPS
            Item(Main  ): Collection, data= [ 0x01 ] 1
                            Application
            Item(Global): Unit, data= [ 0x21 0xd1 0xf0 0x00 ] 15782177
            Item(Global): Logical Maximum, data= [ 0xff 0x00 ] 255
            Item(Global): Push, data=none
            Item(Main  ): End Collection, data=none
      Endpoint Descriptor:
            Item(Global): Usage Page, data= [ 0x85 ] 133
  `;

  void test('rebuilds the bytes from the decoded items, stopping at the descriptor end', () => {
    assert.deepEqual([...(parseLsusbDescriptor(LSUSB) ?? [])], [0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x67, 0x21, 0xd1, 0xf0, 0x00, 0x26, 0xff, 0x00, 0xa4, 0xc0]);
  });

  void test('no descriptor -> undefined; unknown items and lengths that do not add up -> ParseError', () => {
    assert.equal(parseLsusbDescriptor('Device Descriptor:\n  bLength 18\n'), undefined);
    assert.throws(() => parseLsusbDescriptor('Report Descriptor: (length is 2)\n Item(Global): Frobnicate, data= [ 0x01 ] 1'), ParseError);
    assert.throws(() => parseLsusbDescriptor('Report Descriptor: (length is 2)\n Item(Global): Unit, data= [ 0x01 0x02 0x03 ] 1'), ParseError);
    assert.throws(
      () => parseLsusbDescriptor('Report Descriptor: (length is 9)\n Item(Global): Usage Page, data= [ 0x84 ] 132\n'),
      /length is 9, items make 2 bytes/,
    );
  });
});

if (existsSync(DDL)) {
  void describe('nut-ddl recordings (../shared/fixtures/nut-ddl)', () => {
    void test('APC Back-UPS CS 500: all 35 Path lines, their values, the device identity', () => {
      const dump = parseHidDump(readFileSync(resolve(DDL, 'APC/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev'), 'latin1'));
      assert.equal(dump.descriptor?.length, 374);
      assert.equal(dump.paths.length, 35);
      assert.equal(dump.reports.length, 35);
      assert.deepEqual(goldenMismatches(dump), []);
      const d = parseReportDescriptor(dump.descriptor as Uint8Array);
      // NUT's "35 HID objects found": the same fields in the same order.
      assert.deepEqual(
        d.fields.map((f) => `${f.path} ${f.kind} ${f.reportId}`),
        dump.paths.map((p) => `${p.path} ${p.kind} ${p.reportId}`),
      );
      // Every raw report NUT read has the length the descriptor gives.
      for (const r of dump.reports) {
        const kinds = (['input', 'feature'] as const).filter((k) => d.reportLength(k, r.bytes[0] as number) > 0);
        assert.ok(kinds.some((k) => d.reportLength(k, r.bytes[0] as number) === r.bytes.length), `report ${r.bytes[0]}`);
      }
      assert.equal(dump.device.vendorId, 0x051d);
      assert.equal(dump.device.productId, 0x0002);
      assert.equal(dump.device.product, 'Back-UPS 500 FW: 6.5.I USB FW: c1 ');
      assert.equal(dump.device.serialNumber, 'AB0427******');
      assert.equal(dump.device.release, 0x0100);
    });

    void test('APC Smart-UPS X 750: the lsusb -v descriptor rebuilds to 425 bytes with the usual UPS paths', () => {
      const bytes = parseLsusbDescriptor(readFileSync(resolve(DDL, 'APC/APC__Smart-UPS_X_750__usbhid-ups__2.7.4__01.dev'), 'latin1'));
      assert.equal(bytes?.length, 425);
      const d = parseReportDescriptor(bytes as Uint8Array);
      assert.equal(d.usesReportIds, true);
      for (const [path, kind] of [
        ['UPS.PowerSummary.RemainingCapacity', 'input'],
        ['UPS.PowerSummary.RemainingCapacity', 'feature'],
        ['UPS.PowerSummary.RunTimeToEmpty', 'feature'],
        ['UPS.PowerSummary.RemainingCapacityLimit', 'feature'],
        ['UPS.PowerSummary.DelayBeforeShutdown', 'feature'],
        ['UPS.PowerSummary.Voltage', 'feature'],
        ['UPS.PowerSummary.ConfigVoltage', 'feature'],
        ['UPS.PowerSummary.AudibleAlarmControl', 'feature'],
        ['UPS.PowerSummary.PresentStatus.ACPresent', 'input'],
        ['UPS.PowerSummary.PresentStatus.Charging', 'input'],
        ['UPS.PowerSummary.PresentStatus.Discharging', 'input'],
        ['UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit', 'input'],
        ['UPS.PowerSummary.PresentStatus.ShutdownImminent', 'input'],
        ['UPS.PowerSummary.PresentStatus.NeedReplacement', 'input'],
        ['UPS.PowerSummary.PresentStatus.Overload', 'input'],
      ] as const) {
        assert.ok(d.find(path, kind), `${path} ${kind}`);
      }
      // The status bits are 1-bit fields packed in one input report, with 3 padding slots after 13 bits.
      const status = d.fields.filter((f) => f.path.startsWith('UPS.PowerSummary.PresentStatus.') && f.kind === 'input');
      assert.equal(status.length, 13);
      assert.deepEqual(status.map((f) => f.offset), [...status.keys()]);
      assert.equal(d.reportLength('input', status[0]?.reportId as number), 3);
      // Volts with exponent 5: NUT's -2, so battery.voltage 52.0 is 5200 on the wire.
      const v = d.find('UPS.PowerSummary.Voltage', 'feature');
      assert.deepEqual([v?.unit, v?.unitExponent], [0x00f0d121, 5]);
    });

    void test('PowerWalker VI 2200 SH: Path lines with timestamps, indexed collections, negative values', () => {
      const dump = parseHidDump(readFileSync(resolve(DDL, 'PowerWalker/PowerWalker__VI_2200_SH__usbhid-ups__2.7.4__01.dev'), 'latin1'));
      assert.equal(dump.descriptor, undefined);
      assert.equal(dump.paths.length, 59);
      assert.deepEqual(dump.device, { vendorId: 0x06da, productId: 0xffff, manufacturer: 'PPC', product: 'Offline UPS', serialNumber: '000000000   ', release: 3 });
      const byPath = new Map(dump.paths.map((p) => [`${p.path} ${p.kind}`, p]));
      assert.equal(byPath.get('UPS.Flow.[4].ConfigVoltage feature')?.value, 230);
      assert.equal(byPath.get('UPS.PowerConverter.Input.[1].Voltage feature')?.value, 241);
      assert.deepEqual(byPath.get('UPS.PowerSummary.DelayBeforeShutdown feature'), {
        path: 'UPS.PowerSummary.DelayBeforeShutdown',
        kind: 'feature',
        reportId: 0x09,
        offset: 0,
        size: 32,
        value: -1,
        line: byPath.get('UPS.PowerSummary.DelayBeforeShutdown feature')?.line,
      });
    });
  });
}
