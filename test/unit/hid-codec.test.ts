import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildReport,
  decodeReport,
  readField,
  readLogical,
  toLogical,
  toPhysical,
  writeField,
  writeLogical,
} from '../../src/drivers/usbhid/hid/codec';
import { parseReportDescriptor } from '../../src/drivers/usbhid/hid/descriptor';
import { HidReportError } from '../../src/drivers/usbhid/hid/errors';
import type { HidField } from '../../src/drivers/usbhid/types';
import { hidField } from '../helpers/hid-field';

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.trim().split(/\s+/).map((h) => parseInt(h, 16)));
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}


const VOLT = 0x00f0d121;
const VA = 0x0000d121;
const SECOND = 0x00001001;

void describe('readLogical', () => {
  // NUT's tests/getvaluetest.c cases: report (ID byte first), offset, size, LogMin, LogMax -> value.
  const cases: Array<[string, number, number, number, number, number]> = [
    ['00 ff ff ff ff', 0, 32, -1, 2147483647, -1],
    ['00 ff', 0, 8, -1, 127, -1],
    ['00 ff', 0, 8, 0, 127, 127],
    ['00 ff', 0, 8, 0, 255, 255],
    ['13 14', 0, 8, 0, 255, 20],
    ['0f 17 09', 0, 16, 0, 65535, 2327],
    ['33 00 0a 08 80', 0, 32, 0, 65535, 2560],
    ['00 00 08 00 00', 0, 32, 0, 65535, 2048],
    ['06 00 00 08', 0, 8, 0, 255, 0],
    ['06 00 00 08', 8, 8, 0, 255, 0],
    ['06 00 00 08', 16, 8, 0, 255, 8],
    ['16 0c 00 00 00', 0, 1, 0, 1, 0],
    ['16 0c 00 00 00', 1, 1, 0, 1, 0],
    ['16 0c 00 00 00', 2, 1, 0, 1, 1],
    ['16 0c 00 00 00', 3, 1, 0, 1, 1],
    ['16 0c 00 00 00', 4, 1, 0, 1, 0],
    ['16 0c 00 00 00', 5, 1, 0, 1, 0],
    ['16 0c 00 00 00', 6, 1, 0, 1, 0],
    ['16 0c 00 00 00', 7, 1, 0, 1, 0],
    ['16 0c 00 00 00', 8, 1, 0, 1, 0],
    ['16 0c 00 00 00', 9, 1, 0, 1, 0],
    ['16 0c 00 00 00', 10, 1, 0, 1, 0],
  ];
  for (const [buf, offset, size, logicalMin, logicalMax, expected] of cases) {
    void test(`getvaluetest: "${buf}" offset ${offset} size ${size} LogMin ${logicalMin} LogMax ${logicalMax} -> ${expected}`, () => {
      const report = bytes(buf);
      // A report starting with ID 0 is a device without IDs: the data has no ID byte then.
      const reportId = report[0] as number;
      const data = reportId === 0 ? report.subarray(1) : report;
      assert.equal(readLogical(hidField({ reportId, offset, size, logicalMin, logicalMax }), data), expected);
    });
  }

  void test('out of LogMin..LogMax: high bits beyond what the extents need are dropped first, then clamped', () => {
    // LogMax 100 needs 7 bits: 200 (0xc8) loses bit 7 -> 72, inside the range.
    assert.equal(readLogical(hidField({ logicalMax: 100 }), bytes('01 c8')), 72);
    // 120 fits 7 bits but is above 100: clamped.
    assert.equal(readLogical(hidField({ logicalMax: 100 }), bytes('01 78')), 100);
    // Below LogMin: clamped up.
    assert.equal(readLogical(hidField({ logicalMin: 10, logicalMax: 100 }), bytes('01 05')), 10);
    // Signed: -100..100 in 8 bits, 0x80 = -128 -> clamped to -100.
    assert.equal(readLogical(hidField({ logicalMin: -100, logicalMax: 100 }), bytes('01 80')), -100);
  });

  void test('extents the wrong way round (only a bad fixup makes them): clamped as NUT, below LogMin first', () => {
    assert.equal(readLogical(hidField({ logicalMin: 0, logicalMax: -1 }), bytes('01 ff')), -1);
    assert.equal(readLogical(hidField({ logicalMin: 10, logicalMax: 5 }), bytes('01 07')), 10);
  });

  void test('unsigned 32-bit extents (a re-read Logical Maximum) keep bit 31', () => {
    assert.equal(readLogical(hidField({ size: 32, logicalMin: 0, logicalMax: 4294967295 }), bytes('01 ff ff ff ff')), 4294967295);
    assert.equal(readLogical(hidField({ size: 32, logicalMin: 0, logicalMax: 4294967295 }), bytes('01 10 00 00 80')), 0x80000010);
  });

  void test('fields across byte boundaries, little endian', () => {
    // 0b1011_0111_01 at offset 3, 10 bits: bytes 01 | b8 (bits 3..7 = 10111) | 05 (bits 0..4 = 00101)
    const f = hidField({ offset: 3, size: 10, logicalMax: 1023 });
    assert.equal(readLogical(f, bytes('01 b8 05')), 0b0010110111);
    assert.equal(readLogical(hidField({ offset: 8, size: 24, logicalMax: 16777215 }), bytes('01 00 56 34 12')), 0x123456);
  });

  void test('short data, a wrong report ID byte -> HidReportError', () => {
    const isReportError = (e: unknown): boolean => e instanceof HidReportError;
    assert.throws(() => readLogical(hidField({ offset: 8, size: 16 }), bytes('01 00 00')), isReportError);
    assert.throws(() => readLogical(hidField({}), new Uint8Array()), isReportError);
    assert.throws(() => readLogical(hidField({ reportId: 2 }), bytes('01 00')), isReportError);
    assert.throws(() => readLogical(hidField({ reportId: 0, size: 16 }), bytes('00')), isReportError);
  });
});

void describe('physical values', () => {
  void test('no physical extents: the logical value; unit exponent then applied as NUT does', () => {
    assert.equal(toPhysical(hidField({}), 42), 42);
    // Volts carry a built-in exponent of 7: exponent 5 means /100, 7 means x1.
    assert.equal(toPhysical(hidField({ unit: VOLT, unitExponent: 5 }), 1358), 13.58);
    assert.equal(toPhysical(hidField({ unit: VOLT, unitExponent: 7 }), 230), 230);
    assert.equal(toPhysical(hidField({ unit: VOLT, unitExponent: 0 }), 2300000000), 230);
    assert.equal(toPhysical(hidField({ unit: VA, unitExponent: 7 }), 750), 750);
    // Units without a built-in exponent: the exponent as declared (NUT prints iManufacturer 3 as 0.03
    // when a volt exponent leaks from an earlier item).
    assert.equal(toPhysical(hidField({ unit: 0, unitExponent: -2 }), 3), 0.03);
    assert.equal(toPhysical(hidField({ unit: SECOND, unitExponent: 1 }), 6), 60);
    assert.equal(toPhysical(hidField({ unit: VOLT, unitExponent: 5 }), -1), -0.01);
  });

  void test('physical extents: linear map from LogMin..LogMax, clamped to PhyMin..PhyMax', () => {
    const f = hidField({ physicalMin: 0, physicalMax: 100 });
    assert.equal(toPhysical(f, 0), 0);
    assert.equal(toPhysical(f, 255), 100);
    assert.equal(toPhysical(f, 51), 20);
    assert.equal(toPhysical(f, 300), 100);
    const g = hidField({ logicalMin: -127, logicalMax: 127, physicalMin: -50, physicalMax: 50 });
    assert.equal(toPhysical(g, 0), 0);
    assert.equal(toPhysical(g, -127), -50);
  });

  void test('meaningless extents (0/0, decreasing) are ignored', () => {
    assert.equal(toPhysical(hidField({ physicalMin: 0, physicalMax: 0 }), 77), 77);
    assert.equal(toPhysical(hidField({ physicalMin: 100, physicalMax: 0 }), 77), 77);
    assert.equal(toPhysical(hidField({ logicalMin: 10, logicalMax: 10, physicalMin: 0, physicalMax: 5 }), 77), 77);
  });

  void test('toLogical inverts toPhysical; fractions truncate toward zero as in NUT, float noise does not', () => {
    const plain = hidField({});
    const volts = hidField({ unit: VOLT, unitExponent: 5, size: 16, logicalMax: 65535 });
    const scaled = hidField({ physicalMin: 0, physicalMax: 100 });
    for (const l of [0, 1, 99, 255]) assert.equal(toLogical(plain, toPhysical(plain, l)), l);
    for (const l of [0, 1358, 1360, 65535]) assert.equal(toLogical(volts, toPhysical(volts, l)), l);
    for (const l of [0, 51, 102, 255]) assert.equal(toLogical(scaled, toPhysical(scaled, l)), l);
    assert.equal(toLogical(volts, 13.6), 1360);
    assert.equal(toLogical(volts, 13.609), 1360);
    assert.equal(toLogical(plain, 2.9), 2);
    assert.equal(toLogical(plain, -2.9), -2);
    // 50% of 255 is 127.5: truncated.
    assert.equal(toLogical(scaled, 50), 127);
    // Scaled values clamp to the logical extents; unscaled ones are not clamped (NUT).
    assert.equal(toLogical(scaled, 500), 255);
    assert.equal(toLogical(scaled, -5), 0);
    assert.equal(toLogical(plain, 1000), 1000);
  });
});

void describe('writing fields', () => {
  void test('writeLogical sets exactly the field bits, keeps the neighbours', () => {
    const report = bytes('01 ff ff ff');
    writeLogical(hidField({ offset: 3, size: 10, logicalMax: 1023 }), 0, report);
    assert.equal(hex(report), '01 07 e0 ff');
    writeLogical(hidField({ offset: 3, size: 10, logicalMax: 1023 }), 0b1000000001, report);
    assert.equal(hex(report), '01 0f f0 ff');
  });

  void test('negative values are two\'s complement in the field size; bits beyond the size are cut', () => {
    const report = bytes('02 00 00 00 00');
    writeLogical(hidField({ reportId: 2, size: 16, logicalMin: -1, logicalMax: 32767 }), -1, report);
    assert.equal(hex(report), '02 ff ff 00 00');
    writeLogical(hidField({ reportId: 2, offset: 16, size: 8 }), 0x1ff, report);
    assert.equal(hex(report), '02 ff ff ff 00');
    writeLogical(hidField({ reportId: 2, offset: 0, size: 32, logicalMin: -2147483648, logicalMax: 2147483647 }), -2, report);
    assert.equal(hex(report), '02 fe ff ff ff');
  });

  void test('writeField converts from physical; reading back gives the value', () => {
    const volts = hidField({ unit: VOLT, unitExponent: 5, size: 16, logicalMax: 65535 });
    const report = bytes('01 00 00');
    writeField(volts, 13.6, report);
    assert.equal(hex(report), '01 50 05');
    assert.equal(readField(volts, report), 13.6);
    const delay = hidField({ size: 16, logicalMin: -1, logicalMax: 32767, unit: SECOND });
    writeField(delay, -1, report);
    assert.equal(readField(delay, report), -1);
  });

  void test('writing outside the data, into another report -> HidReportError', () => {
    assert.throws(() => writeLogical(hidField({ offset: 8 }), 1, bytes('01 00')), HidReportError);
    assert.throws(() => writeLogical(hidField({ reportId: 3 }), 1, bytes('01 00')), HidReportError);
  });
});

void describe('whole reports', () => {
  // Feature report 5: DelayBeforeShutdown (16 bits, -1..32767), AudibleAlarmControl (8 bits, 1..3), 8 bits padding.
  // Input report 6: ACPresent, Charging bits.
  const d = parseReportDescriptor(
    bytes(`05 84 09 04 a1 01
      85 05 75 10 95 01 15 ff 26 ff 7f 66 01 10 09 57 b1 02
      75 08 15 01 25 03 65 00 09 5a b1 02 b1 03
      85 06 05 85 75 01 95 02 15 00 25 01 09 d0 09 44 81 02 75 06 95 01 81 03
      c0`),
  );
  const delay = d.find('UPS.DelayBeforeShutdown', 'feature') as HidField;
  const beeper = d.find('UPS.AudibleAlarmControl', 'feature') as HidField;

  void test('decodeReport: every field of the report by path', () => {
    assert.deepEqual(
      [...decodeReport(d, 'feature', bytes('05 14 00 02 00'))],
      [
        ['UPS.DelayBeforeShutdown', 20],
        ['UPS.AudibleAlarmControl', 2],
      ],
    );
    assert.deepEqual(
      [...decodeReport(d, 'input', bytes('06 fd'))],
      [
        ['UPS.ACPresent', 1],
        ['UPS.Charging', 0],
      ],
    );
    // A report of another kind or an unknown ID has nothing to decode.
    assert.equal(decodeReport(d, 'input', bytes('05 14 00 02 00')).size, 0);
    assert.equal(decodeReport(d, 'feature', bytes('09 00')).size, 0);
  });

  void test('decodeReport on a short report gives the fields that fit, none read from missing bytes', () => {
    assert.deepEqual([...decodeReport(d, 'feature', bytes('05 14 00'))], [['UPS.DelayBeforeShutdown', 20]]);
    assert.throws(() => decodeReport(d, 'feature', new Uint8Array()), HidReportError);
  });

  void test('buildReport: the other fields keep their current value', () => {
    const current = bytes('05 14 00 02 aa');
    const out = buildReport(d, 'feature', 5, [{ field: delay, value: 60 }], current);
    assert.equal(hex(out), '05 3c 00 02 aa');
    // current untouched
    assert.equal(hex(current), '05 14 00 02 aa');
    assert.equal(hex(buildReport(d, 'feature', 5, [{ field: beeper, value: 3 }, { field: delay, value: -1 }])), '05 ff ff 03 00');
  });

  void test('buildReport refuses fields of another report and reports the descriptor lacks', () => {
    const acPresent = d.find('UPS.ACPresent', 'input') as HidField;
    assert.throws(() => buildReport(d, 'feature', 5, [{ field: acPresent, value: 1 }]), HidReportError);
    assert.throws(() => buildReport(d, 'feature', 7, []), HidReportError);
    assert.throws(() => buildReport(d, 'feature', 5, [], bytes('06 00 00 00 00')), HidReportError);
  });

  void test('buildReport for a device without report IDs leads with a 0 byte, as sendFeatureReport takes it', () => {
    const noIds = parseReportDescriptor(bytes('05 84 75 08 95 02 26 ff 00 09 30 09 31 b1 02'));
    const current = noIds.find('Current', 'feature') as HidField;
    assert.equal(hex(buildReport(noIds, 'feature', 0, [{ field: current, value: 7 }], bytes('e6 01'))), '00 e6 07');
    assert.deepEqual([...decodeReport(noIds, 'feature', bytes('e6 07'))], [
      ['Voltage', 230],
      ['Current', 7],
    ]);
  });
});
