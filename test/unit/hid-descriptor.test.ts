import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReportDescriptor } from '../../src/drivers/usbhid/hid/descriptor';
import { GENERIC_USAGES, pathToUsages, usageByName, usageName, usagesToPath } from '../../src/drivers/usbhid/hid/usages';
import { HidDescriptorError, type HidField, type HidReportDescriptor } from '../../src/drivers/usbhid/types';

/** Descriptor bytes from an annotated listing: hex pairs, `//` comments to the end of the line. */
function desc(listing: string): Uint8Array {
  const hex = listing
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, ''))
    .join(' ')
    .trim();
  return Uint8Array.from(hex === '' ? [] : hex.split(/\s+/).map((h) => parseInt(h, 16)));
}

/** path kind id offset size, one line per field, to compare whole layouts at a glance. */
function layout(d: HidReportDescriptor): string[] {
  return d.fields.map((f) => `${f.path} ${f.kind} ${f.reportId} ${f.offset} ${f.size}`);
}

function field(d: HidReportDescriptor, path: string, kind?: HidField['kind']): HidField {
  const f = d.find(path, kind);
  assert.ok(f, `no field ${path}`);
  return f;
}

function throwsAt(bytes: Uint8Array, offset: number, message: RegExp): void {
  assert.throws(
    () => parseReportDescriptor(bytes),
    (err: unknown) => err instanceof HidDescriptorError && err.offset === offset && message.test(err.message),
  );
}

// UPS > PowerSummary with one report carrying the same usages as Input and Feature.
const SIMPLE = `
  05 84        // Usage Page (Power Device)
  09 04        // Usage (UPS)
  a1 01        // Collection (Application)
  09 24        //   Usage (PowerSummary)
  a1 00        //   Collection (Physical)
  85 0c        //     Report ID 12
  05 85        //     Usage Page (Battery System)
  09 66        //     Usage (RemainingCapacity)
  75 18 95 01  //     Report Size 24, Count 1
  15 00        //     Logical Minimum 0
  27 fe ff ff 00 //   Logical Maximum 16777214 (4-byte item)
  81 82        //     Input (Data, Var, Abs, Volatile)
  09 66        //     Usage (RemainingCapacity)
  b1 82        //     Feature (Data, Var, Abs, Volatile)
  09 68        //     Usage (RunTimeToEmpty)
  75 10        //     Report Size 16
  81 82        //     Input
  09 68 b1 82  //     Feature
  c0           //   End Collection
  c0           // End Collection
`;

void describe('usage names', () => {
  void test('Power Device and Battery System usages have NUT names', () => {
    assert.equal(usageName(0x840004), 'UPS');
    assert.equal(usageName(0x840024), 'PowerSummary');
    assert.equal(usageName(0x850066), 'RemainingCapacity');
    assert.equal(usageName(0x850068), 'RunTimeToEmpty');
    assert.equal(usageName(0x840065), 'Overload');
    assert.equal(usageName(0x850089), 'iDeviceChemistry');
    assert.equal(usageName(0x840000), 'Undefined');
    assert.equal(usageName(0xff860060), undefined);
  });

  void test('every generic name resolves back to its usage, except the second of a repeated name', () => {
    const seen = new Set<string>();
    for (const [usage, name] of GENERIC_USAGES) {
      const first = !seen.has(name);
      seen.add(name);
      assert.equal(usageByName(name) === usage, first, name);
      assert.equal(usageName(usage), name);
      assert.ok(usage >>> 16 === 0x84 || usage >>> 16 === 0x85);
    }
    assert.deepEqual([...GENERIC_USAGES].filter(([u, n]) => usageByName(n) !== u).map(([, n]) => n), ['Undefined', 'VoltageOutOfRange']);
  });

  void test('names resolve back without case; the first of a repeated name wins', () => {
    assert.equal(usageByName('RemainingCapacity'), 0x850066);
    assert.equal(usageByName('remainingcapacity'), 0x850066);
    assert.equal(usageByName('VoltageOutOfRange'), 0x840063);
    assert.equal(usageByName('Undefined'), 0x840000);
    assert.equal(usageByName('NoSuchUsage'), undefined);
  });

  void test('paths print unknown usages as 8 hex digits and index nodes as [n], and parse back', () => {
    const usages = [0x840004, 0x84001e, 0x00ff0004, 0x840040];
    assert.equal(usagesToPath(usages), 'UPS.Flow.[4].ConfigVoltage');
    assert.deepEqual(pathToUsages('UPS.Flow.[4].ConfigVoltage'), usages);
    assert.equal(usagesToPath([0x840004, 0xff860005, 0xff86007c]), 'UPS.ff860005.ff86007c');
    assert.deepEqual(pathToUsages('UPS.ff860005.ff86007c'), [0x840004, 0xff860005, 0xff86007c]);
    assert.equal(usagesToPath([0, 0x840030]), '00000000.Voltage');
    assert.equal(pathToUsages('UPS.not a usage'), undefined);
    assert.equal(pathToUsages(''), undefined);
  });

  void test('a vendor table names usages first, both ways', () => {
    const apc = new Map([[0xff860060, 'APCStatusFlag']]);
    assert.equal(usagesToPath([0x840004, 0x840024, 0xff860060], apc), 'UPS.PowerSummary.APCStatusFlag');
    assert.deepEqual(pathToUsages('UPS.PowerSummary.APCStatusFlag', apc), [0x840004, 0x840024, 0xff860060]);
    const d = parseReportDescriptor(desc('06 86 ff 09 60 a1 00 85 01 09 60 75 08 95 01 b1 02 c0'), { usageNames: apc });
    assert.deepEqual(layout(d), ['APCStatusFlag.APCStatusFlag feature 1 0 8']);
  });
});

void describe('parseReportDescriptor: layout', () => {
  void test('paths, kinds, report IDs, offsets, sizes; Input and Feature are separate fields', () => {
    const d = parseReportDescriptor(desc(SIMPLE));
    assert.deepEqual(layout(d), [
      'UPS.PowerSummary.RemainingCapacity input 12 0 24',
      'UPS.PowerSummary.RemainingCapacity feature 12 0 24',
      'UPS.PowerSummary.RunTimeToEmpty input 12 24 16',
      'UPS.PowerSummary.RunTimeToEmpty feature 12 24 16',
    ]);
    assert.equal(d.usesReportIds, true);
    assert.deepEqual(d.reportIds('input'), [12]);
    assert.deepEqual(d.reportIds('output'), []);
    // 40 bits of data + the ID byte.
    assert.equal(d.reportLength('input', 12), 6);
    assert.equal(d.reportLength('feature', 12), 6);
    assert.equal(d.reportLength('feature', 13), 0);
    const rc = field(d, 'UPS.PowerSummary.RemainingCapacity', 'feature');
    assert.deepEqual(rc.usages, [0x840004, 0x840024, 0x850066]);
    assert.equal(rc.logicalMax, 16777214);
    assert.equal(rc.flags, 0x82);
    assert.equal(d.find('UPS.PowerSummary.RemainingCapacity')?.kind, 'input');
    assert.equal(d.find('UPS.PowerSummary.Nothing'), undefined);
  });

  void test('signed logical extents by item size; 1-byte 0xff is -1 while 2-byte 0x00ff is 255', () => {
    const d = parseReportDescriptor(
      desc(`
      85 01 75 20 95 01
      09 01 15 ff 26 ff 00 b1 02             // -1 .. 255
      09 02 16 00 80 26 ff 7f b1 02          // -32768 .. 32767
      09 03 17 00 00 00 80 27 ff ff ff 7f b1 02 // -2^31 .. 2^31-1
      09 04 15 80 25 ff b1 02                // -128 .. -1: a negative range, kept
      09 05 14 27 ff ff 00 00 b1 02          // 0-byte Logical Minimum = 0 .. 65535
    `),
    );
    const ext = d.fields.map((f) => [f.logicalMin, f.logicalMax, f.assumedLogicalMax ?? false]);
    assert.deepEqual(ext, [
      [-1, 255, false],
      [-32768, 32767, false],
      [-2147483648, 2147483647, false],
      [-128, -1, false],
      [0, 65535, false],
    ]);
  });

  void test('a Logical Maximum below the Logical Minimum is re-read unsigned and flagged, as NUT does', () => {
    const d = parseReportDescriptor(
      desc(`
      85 01 75 10 95 01 15 00
      09 01 26 ff ff b1 02            // 0 .. "-1": meant 65535
      09 02 25 ff b1 02               // 0 .. "-1" in one byte: 255
      09 03 27 ff ff ff ff b1 02      // 0 .. 2^32-1
      09 04 26 ff 7f b1 02            // a proper maximum clears the flag
      a4 25 f0 b4 09 05 b1 02         // ... and Pop restores the flag with the maximum
    `),
    );
    const ext = d.fields.map((f) => [f.logicalMax, f.assumedLogicalMax ?? false]);
    assert.deepEqual(ext, [
      [65535, true],
      [255, true],
      [4294967295, true],
      [32767, false],
      [32767, false],
    ]);
  });

  void test('4-byte items: unit, extended usage with its own page; 1-2 byte usages take the current page', () => {
    const d = parseReportDescriptor(
      desc(`
      05 84 85 01 75 08 95 01 26 ff 00
      67 21 d1 f0 00       // Unit 0x00f0d121 (volt)
      55 05                // Unit Exponent 5
      0b 60 00 86 ff       // Usage 0xff860060 (extended)
      b1 02
      0a 30 00             // Usage 0x0030 (2 bytes) on page 0x84: Voltage
      b1 02
    `),
    );
    assert.deepEqual(layout(d), ['ff860060 feature 1 0 8', 'Voltage feature 1 8 8']);
    assert.equal(d.fields[0]?.unit, 0x00f0d121);
    assert.equal(d.fields[1]?.unitExponent, 5);
  });

  void test('unit exponent: 8..15 is the 4-bit two\'s complement nibble; a whole signed byte is taken as is', () => {
    const exps = ['55 00', '55 07', '55 08', '55 0e', '55 0f', '55 fe', '56 fe ff'].map((e) => {
      const d = parseReportDescriptor(desc(`${e} 09 30 75 08 95 01 b1 02`));
      return d.fields[0]?.unitExponent;
    });
    assert.deepEqual(exps, [0, 7, -8, -2, -1, -2, -2]);
  });

  void test('physical extents count only when both are declared (else 0/0: same as logical)', () => {
    const d = parseReportDescriptor(
      desc(`
      75 08 95 01 26 ff 00
      45 64 09 01 b1 02       // only Physical Maximum so far
      35 00 09 02 b1 02       // now both: 0..100
      35 9c 45 64 09 03 b1 02 // -100..100
    `),
    );
    assert.deepEqual(
      d.fields.map((f) => [f.physicalMin, f.physicalMax]),
      [
        [0, 0],
        [0, 100],
        [-100, 100],
      ],
    );
  });

  void test('Push and Pop save and restore every global, Report ID included', () => {
    const d = parseReportDescriptor(
      desc(`
      05 84 85 01 75 08 95 01 15 00 26 ff 00 65 00 55 00
      a4                         // Push
      05 85 85 02 75 10 16 00 80 26 ff 7f 66 01 10 55 0e
      09 66 b1 02                // report 2: page 0x85, 16 bits, signed, seconds, exponent -2
      b4                         // Pop
      09 30 b1 02                // report 1 again: page 0x84, 8 bits, 0..255
    `),
    );
    assert.deepEqual(layout(d), ['RemainingCapacity feature 2 0 16', 'Voltage feature 1 0 8']);
    const [a, b] = d.fields as [HidField, HidField];
    assert.deepEqual([a.logicalMin, a.logicalMax, a.unit, a.unitExponent], [-32768, 32767, 0x1001, -2]);
    assert.deepEqual([b.logicalMin, b.logicalMax, b.unit, b.unitExponent], [0, 255, 0, 0]);
  });

  void test('Usage Minimum/Maximum expand into one usage per slot, in order with plain usages', () => {
    const d = parseReportDescriptor(
      desc(`
      05 85 85 01 75 01 25 01 95 04
      09 d0                // ACPresent
      19 44 29 46          // Charging .. FullyCharged
      81 02
    `),
    );
    assert.deepEqual(layout(d), [
      'ACPresent input 1 0 1',
      'Charging input 1 1 1',
      'Discharging input 1 2 1',
      'FullyCharged input 1 3 1',
    ]);
  });

  void test('arrays: one field per Report Count slot, named by the pending usages in order', () => {
    const d = parseReportDescriptor(
      desc(`
      05 85 85 03 75 08 95 02 26 ff 00
      09 44 09 45 81 00    // Input (Data, Array, Abs)
    `),
    );
    assert.deepEqual(layout(d), ['Charging input 3 0 8', 'Discharging input 3 8 8']);
    assert.equal(d.fields[0]?.flags, 0);
  });

  void test('slots without a usage take room but make no field: padding, and more slots than usages', () => {
    const d = parseReportDescriptor(
      desc(`
      05 84 85 01 25 01
      75 01 95 02 09 65 09 69 81 02  // Overload, ShutdownImminent: bits 0, 1
      75 05 95 01 81 03              // 5 bits of constant padding, no usage
      75 01 09 6e 81 02              // Boost at bit 7
      75 08 95 03 09 30 81 02        // 3 slots, 1 usage: Voltage at 8, two more bytes of nothing
      09 31 81 01                    // (3 slots) constant WITH a usage: a field (read-only values are declared so)
    `),
    );
    assert.deepEqual(layout(d), [
      'Overload input 1 0 1',
      'ShutdownImminent input 1 1 1',
      'Boost input 1 7 1',
      'Voltage input 1 8 8',
      'Current input 1 32 8',
    ]);
    assert.equal(d.fields[4]?.flags, 1);
    // Report Count is still 3 for the last item: 32 + 3 x 8 = 56 bits, + the ID byte.
    assert.equal(d.reportLength('input', 1), 8);
  });

  void test('local items do not carry over to the next main item', () => {
    const d = parseReportDescriptor(
      desc(`
      05 84 75 08 95 01
      09 30 09 31 09 32 b1 02   // Voltage used; Current, Frequency left over
      b1 02                     // no usage of its own: no field
      79 05 09 33 b1 02         // String Index 5 on ApparentPower
      09 34 b1 02               // ... not on ActivePower
    `),
    );
    assert.deepEqual(layout(d), ['Voltage feature 0 0 8', 'ApparentPower feature 0 16 8', 'ActivePower feature 0 24 8']);
    assert.equal(d.fields[1]?.stringIndex, 5);
    assert.equal(d.fields[2]?.stringIndex, undefined);
  });

  void test('nested collections and vendor-typed collections ([n] index), closed back properly', () => {
    const d = parseReportDescriptor(
      desc(`
      05 84 09 04 a1 01               // UPS
        85 01 75 08 95 01 26 ff 00
        09 1e a1 81                   //   Flow, collection type 0x81 -> [1]
          09 40 b1 02                 //     ConfigVoltage
        c0
        09 1e a1 84                   //   Flow [4]
          09 1a a1 00                 //     Input
            09 30 b1 02               //       Voltage
          c0
          09 40 b1 02                 //     ConfigVoltage
        c0
        a1 02                         //   a collection without a usage
          09 30 b1 02
        c0
        09 35 b1 02                   //   PercentLoad, back at UPS level
      c0
    `),
    );
    assert.deepEqual(
      d.fields.map((f) => f.path),
      ['UPS.Flow.[1].ConfigVoltage', 'UPS.Flow.[4].Input.Voltage', 'UPS.Flow.[4].ConfigVoltage', 'UPS.00000000.Voltage', 'UPS.PercentLoad'],
    );
    assert.deepEqual(field(d, 'UPS.Flow.[4].Input.Voltage').usages, [0x840004, 0x84001e, 0x00ff0004, 0x84001a, 0x840030]);
  });

  void test('a device without report IDs: ID 0, no ID byte in the length', () => {
    const d = parseReportDescriptor(desc('05 84 09 04 a1 01 75 08 95 02 26 ff 00 09 30 09 31 81 02 c0'));
    assert.equal(d.usesReportIds, false);
    assert.deepEqual(layout(d), ['UPS.Voltage input 0 0 8', 'UPS.Current input 0 8 8']);
    assert.equal(d.reportLength('input', 0), 2);
    assert.deepEqual(d.reportIds('input'), [0]);
  });

  void test('long items are skipped, designators ignored, a delimiter set keeps its first usage', () => {
    const d = parseReportDescriptor(
      desc(`
      05 84 75 08 95 01
      fe 03 10 aa bb cc        // long item, 3 data bytes
      39 01 49 02 59 03        // designator index/min/max
      a9 01 09 30 09 31 a9 00  // Delimiter open, Voltage | Current, close
      b1 02
      00                       // a reserved main item, ignored
      fd 00                    // a reserved (type 3) short item, 1 byte, ignored
    `),
    );
    assert.deepEqual(layout(d), ['Voltage feature 0 0 8']);
  });

  void test('Output reports have their own offsets and IDs', () => {
    const d = parseReportDescriptor(desc('05 84 85 05 75 08 95 01 09 57 91 02 09 57 b1 02 09 56 91 02'));
    assert.deepEqual(layout(d), ['DelayBeforeShutdown output 5 0 8', 'DelayBeforeShutdown feature 5 0 8', 'DelayBeforeStartup output 5 8 8']);
    assert.equal(d.reportLength('output', 5), 3);
    assert.equal(d.reportLength('feature', 5), 2);
  });

  void test('an empty descriptor has no fields', () => {
    const d = parseReportDescriptor(new Uint8Array());
    assert.equal(d.fields.length, 0);
    assert.equal(d.usesReportIds, false);
  });
});

void describe('parseReportDescriptor: malformed input', () => {
  void test('truncated short and long items, with the byte offset', () => {
    throwsAt(desc('05 84 27 ff ff'), 2, /truncated item 0x27/);
    throwsAt(desc('05 84 09'), 2, /truncated item 0x09/);
    throwsAt(desc('fe 04 10 aa'), 0, /truncated long item/);
    throwsAt(desc('05 84 fe'), 2, /truncated long item/);
  });

  void test('collection imbalance', () => {
    throwsAt(desc('09 04 a1 01 c0 c0'), 5, /End Collection without an open collection/);
    throwsAt(desc('09 04 a1 01 09 24 a1 00 c0'), 9, /1 collection\(s\) not closed/);
  });

  void test('absurd sizes and IDs; Pop without Push; runaway nesting', () => {
    throwsAt(desc('05 84 76 01 01'), 2, /Report Size 257/);
    throwsAt(desc('96 01 40'), 0, /Report Count 16385/);
    throwsAt(desc('85 00'), 0, /Report ID 0/);
    throwsAt(desc('86 00 01'), 0, /Report ID 256/);
    throwsAt(desc('b4'), 0, /Pop without Push/);
    throwsAt(desc('a4 '.repeat(33)), 32, /Push nested too deep/);
    throwsAt(desc('a1 00 '.repeat(65)), 128, /nested too deep/);
    // 8 bits x 12288 slots x 2 items = 24576 bytes: more than a report can be.
    throwsAt(desc('75 08 96 00 30 09 30 81 02 81 02'), 9, /longer than 16384 bytes/);
    throwsAt(desc('19 00 2a ff ff'), 2, /usage range of 65536 usages/);
  });

  void test('random bytes never throw anything but HidDescriptorError', () => {
    // A fixed-seed generator so a failure can be replayed.
    let seed = 0x1234abcd;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const base = desc(SIMPLE);
    let parsed = 0;
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      let bytes: Uint8Array;
      if (n % 2 === 0) {
        bytes = Uint8Array.from({ length: rand() % 300 }, () => rand() & 0xff);
      } else {
        // A real descriptor with a few bytes changed, cut or not.
        bytes = base.slice(0, base.length - (rand() % 4));
        for (let k = 0; k < 1 + (rand() % 4); k++) bytes[rand() % bytes.length] = rand() & 0xff;
      }
      try {
        const d = parseReportDescriptor(bytes);
        for (const f of d.fields) d.reportLength(f.kind, f.reportId);
        parsed++;
      } catch (err) {
        assert.ok(err instanceof HidDescriptorError, `input ${Buffer.from(bytes).toString('hex')}: ${String(err)}`);
        assert.ok(err.offset >= 0 && err.offset <= bytes.length);
        rejected++;
      }
    }
    assert.ok(parsed > 0 && rejected > 0, `parsed ${parsed}, rejected ${rejected}`);
  });
});
