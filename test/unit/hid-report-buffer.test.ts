/**
 * ReportBuffer: replies of every length decode as NUT's report buffer
 * decodes them (libhid.c), and each reading says whether the device sent its
 * bits in this reply.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportBuffer, type ReplyOutcome } from '../../src/drivers/usbhid/hid/report-buffer';
import { HidReplyError, HidReportError } from '../../src/drivers/usbhid/hid/errors';
import { parseReportDescriptor } from '../../src/drivers/usbhid/hid/descriptor';
import type { HidField, HidReportDescriptor, ReportKind } from '../../src/drivers/usbhid/types';
import { hidField } from '../helpers/hid-field';

const b = (hex: string): Uint8Array => Uint8Array.from(hex.trim() === '' ? [] : hex.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const hex = (d: Uint8Array | undefined): string => (d ? [...d].map((x) => x.toString(16).padStart(2, '0')).join(' ') : '(none)');

/**
 * A descriptor from hand-made fields: each (kind, report) as long as its
 * fields need, unless `lengths` says more (padding after the last field).
 */
function fakeDescriptor(fields: HidField[], opts: { usesReportIds?: boolean; lengths?: Record<string, number> } = {}): HidReportDescriptor {
  const ids = opts.usesReportIds ?? true;
  return {
    fields,
    usesReportIds: ids,
    reportLength(kind: ReportKind, reportId: number): number {
      const declared = opts.lengths?.[`${kind}:${reportId}`];
      if (declared !== undefined) return declared;
      const mine = fields.filter((f) => f.kind === kind && f.reportId === reportId);
      if (mine.length === 0) return 0;
      return Math.ceil(Math.max(...mine.map((f) => f.offset + f.size)) / 8) + (ids ? 1 : 0);
    },
    reportIds(kind: ReportKind): number[] {
      return [...new Set(fields.filter((f) => f.kind === kind).map((f) => f.reportId))].sort((x, y) => x - y);
    },
    find(path: string, kind?: ReportKind): HidField | undefined {
      return fields.find((f) => f.path === path && (kind === undefined || f.kind === kind));
    },
  };
}

/** Report 0x0c as the Back-UPS CS 500 of nut-ddl lays it out: charge (24 bits) and runtime (16 bits), Input and Feature. */
const CHARGE_F = hidField({ path: 'UPS.PowerSummary.RemainingCapacity', reportId: 0x0c, offset: 0, size: 24, logicalMax: 100 });
const CHARGE_I = { ...CHARGE_F, kind: 'input' as const };
const RUNTIME_F = hidField({ path: 'UPS.PowerSummary.RunTimeToEmpty', reportId: 0x0c, offset: 24, size: 16, logicalMax: 65535, unit: 0x1001 });
/** A signed delay in its own report, LogMin -1 (as APC and Powercom declare them). */
const DELAY = hidField({ path: 'UPS.PowerSummary.DelayBeforeShutdown', reportId: 0x17, offset: 0, size: 16, logicalMin: -1, logicalMax: 32767, unit: 0x1001 });

function basic(): ReportBuffer {
  return new ReportBuffer(fakeDescriptor([CHARGE_I, CHARGE_F, RUNTIME_F, DELAY]));
}

function value(rb: ReportBuffer, f: HidField): number | undefined {
  return rb.read(f)?.value;
}

void describe('ReportBuffer: lengths', () => {
  void test("NUT's buffer length: the longest layout of the report ID, ID byte included; what to ask for", () => {
    // Feature 0x0c needs 5 data bytes, Input 0x0c only 3: NUT's buffer (and its "expected N") is 6.
    const rb = basic();
    assert.equal(rb.length(0x0c), 6);
    assert.equal(rb.length(0x17), 3);
    assert.equal(rb.length(0x99), 0);
    assert.equal(rb.requestLength(0x0c), 6);
    // maxreport (DeviceQuirks.maxReportSize): at least NUT's 8 bytes, never less than declared.
    const big = new ReportBuffer(fakeDescriptor([CHARGE_F, RUNTIME_F, hidField({ reportId: 0x20, size: 80 })]), { maxReportSize: true });
    assert.equal(big.requestLength(0x0c), 8);
    assert.equal(big.requestLength(0x20), 11);
  });

  void test('a parsed descriptor: the Input and Feature layouts of one ID share one buffer', () => {
    // Report 2: Input RemainingCapacity (8 bits); Feature RemainingCapacity + RunTimeToEmpty (24 bits).
    const d = parseReportDescriptor(
      b('05 84 09 04 a1 01 05 85 85 02 75 08 95 01 15 00 25 64 09 66 81 02 09 66 b1 02 75 10 27 ff ff 00 00 09 68 b1 02 c0'),
    );
    assert.equal(d.reportLength('input', 2), 2);
    assert.equal(d.reportLength('feature', 2), 4);
    const rb = new ReportBuffer(d);
    assert.equal(rb.length(2), 4);
    // An interrupt report of 2 bytes is short against NUT's buffer, yet its one field is fresh.
    const out = rb.storeInput(b('02 55'));
    assert.deepEqual([out.status, out.expected, out.got], ['short', 4, 2]);
    const charge = d.find('UPS.RemainingCapacity', 'input') as HidField;
    assert.deepEqual([rb.read(charge)?.value, rb.read(charge)?.fresh], [85, true]);
  });
});

void describe('ReportBuffer: replies of each length, as NUT files them', () => {
  void test('a full reply: every field fresh, NUT\'s values', () => {
    const rb = basic();
    const out = rb.storeFeature(0x0c, b('0c 64 00 00 14 0a'));
    assert.deepEqual(out, { kind: 'feature', reportId: 0x0c, status: 'full', expected: 6, got: 6, accepted: true });
    assert.deepEqual(rb.read(CHARGE_F), { field: CHARGE_F, logical: 100, value: 100, fresh: true, source: 'reply', stale: false });
    assert.equal(value(rb, RUNTIME_F), 2580);
    // NUT decodes the Input items of the same ID from the same buffer.
    assert.equal(value(rb, CHARGE_I), 100);
    assert.equal(hex(rb.bytes(0x0c)), '0c 64 00 00 14 0a');
  });

  void test('the first short read: the bytes past the reply are the zero fill; fields there read 0 and are not fresh', () => {
    const rb = basic();
    const out = rb.storeFeature(0x0c, b('0c 5f 00 00'));
    assert.equal(out.status, 'short');
    assert.equal(out.accepted, true);
    assert.equal(out.message, 'feature report 0c: expected 6 bytes, but got 4 instead (the rest of the buffer kept)');
    assert.equal(hex(rb.bytes(0x0c)), '0c 5f 00 00 00 00');
    assert.deepEqual(rb.read(CHARGE_F), { field: CHARGE_F, logical: 95, value: 95, fresh: true, source: 'reply', stale: false });
    // Runtime lies wholly past the 4 bytes: NUT reads 0 from the zero-filled buffer.
    assert.deepEqual(rb.read(RUNTIME_F), { field: RUNTIME_F, logical: 0, value: 0, fresh: false, source: 'buffer', stale: false });
  });

  void test('a later short read: the bytes past the reply are what the previous read left (stale), exactly as NUT decodes them', () => {
    const rb = basic();
    rb.storeFeature(0x0c, b('0c 64 00 00 14 0a'));
    rb.storeFeature(0x0c, b('0c 5a 00 00'));
    assert.equal(hex(rb.bytes(0x0c)), '0c 5a 00 00 14 0a');
    assert.deepEqual([value(rb, CHARGE_F), rb.read(CHARGE_F)?.fresh], [90, true]);
    assert.deepEqual(rb.read(RUNTIME_F), { field: RUNTIME_F, logical: 2580, value: 2580, fresh: false, source: 'buffer', stale: true });
  });

  void test('a field straddling the end of the reply: low bits from the reply, high bits zero-fill then stale', () => {
    const rb = basic();
    // First read, 2 of 3 bytes: 0x00ff = 255 (not -1: the high byte is the zero fill).
    rb.storeFeature(0x17, b('17 ff'));
    assert.deepEqual(rb.read(DELAY), { field: DELAY, logical: 255, value: 255, fresh: false, source: 'partial', stale: false });
    // A full read, then the short one again: the high byte is the previous 0xff, so -1.
    rb.storeFeature(0x17, b('17 ff ff'));
    assert.deepEqual([value(rb, DELAY), rb.read(DELAY)?.fresh], [-1, true]);
    rb.storeFeature(0x17, b('17 1e'));
    assert.equal(hex(rb.bytes(0x17)), '17 1e ff');
    // 0xff1e: the sign bit set, -226, below LogMin: NUT clamps it to -1.
    assert.deepEqual(rb.read(DELAY), { field: DELAY, logical: -1, value: -1, fresh: false, source: 'partial', stale: true });
  });

  void test('an interrupt report of the same ID fills the buffer the Feature items are read from', () => {
    const rb = basic();
    rb.storeFeature(0x0c, b('0c 64 00 00 14 0a'));
    const out = rb.storeInput(b('0c 32 00 00'));
    assert.deepEqual([out.kind, out.status, out.expected, out.got], ['input', 'short', 6, 4]);
    assert.equal(hex(rb.bytes(0x0c)), '0c 32 00 00 14 0a');
    assert.deepEqual([value(rb, CHARGE_I), rb.read(CHARGE_I)?.fresh], [50, true]);
    assert.deepEqual([value(rb, RUNTIME_F), rb.read(RUNTIME_F)?.stale], [2580, true]);
  });

  void test('an over-long reply: the declared length is kept, the extra bytes dropped; all fields fresh', () => {
    const rb = basic();
    const out = rb.storeFeature(0x17, b('17 1e 00 55 66'));
    assert.deepEqual([out.status, out.expected, out.got, out.accepted], ['long', 3, 5, true]);
    assert.equal(out.message, 'feature report 17: expected 3 bytes, but got 5 instead (the last 2 dropped)');
    assert.equal(hex(rb.bytes(0x17)), '17 1e 00');
    assert.deepEqual([value(rb, DELAY), rb.read(DELAY)?.fresh], [30, true]);
  });

  void test('only the report ID byte: accepted (NUT counts it as a read), every field from the buffer', () => {
    const rb = basic();
    rb.storeFeature(0x0c, b('0c 64 00 00 14 0a'));
    assert.equal(rb.storeFeature(0x0c, b('0c')).status, 'short');
    assert.deepEqual([value(rb, CHARGE_F), rb.read(CHARGE_F)?.source, rb.read(CHARGE_F)?.stale], [100, 'buffer', true]);
  });
});

void describe('ReportBuffer: replies it refuses', () => {
  const refused = (out: ReplyOutcome, problem: string): void => {
    assert.equal(out.accepted, false);
    assert.equal(out.status, problem);
    assert.ok(out.error instanceof HidReplyError);
    assert.ok(out.error instanceof HidReportError);
    assert.equal(out.error.problem, problem);
    assert.equal(out.error.code, 'HID-REPLY');
  };

  void test('a wrong report ID: a failed read of that report; nothing stored or decoded until a good reply', () => {
    const rb = basic();
    rb.storeFeature(0x0c, b('0c 64 00 00 14 0a'));
    const out = rb.storeFeature(0x0c, b('0d 64 00 00 00 00'));
    refused(out, 'wrong-id');
    assert.deepEqual([out.reportId, out.expected, out.got], [0x0c, 6, 6]);
    assert.equal(out.message, 'feature report 0c: the reply is for report 0d (6 bytes), ignored');
    assert.equal(out.error?.reportId, 0x0c);
    assert.equal(hex(rb.bytes(0x0c)), '0c 64 00 00 14 0a', 'the buffer is untouched');
    assert.equal(rb.read(CHARGE_F), undefined);
    assert.equal(rb.readReport('feature', 0x0c), undefined);
    assert.equal(rb.lastOutcome(0x0c), out);
    // Not filed as report 0d either.
    rb.storeFeature(0x0c, b('0c 63 00 00 14 0a'));
    assert.equal(value(rb, CHARGE_F), 99);
  });

  void test('an empty reply: a failed read (NUT: a 0-byte GET_REPORT fails too)', () => {
    const rb = basic();
    rb.storeFeature(0x17, b('17 1e 00'));
    refused(rb.storeFeature(0x17, b('')), 'empty');
    assert.equal(rb.read(DELAY), undefined);
    assert.equal(hex(rb.bytes(0x17)), '17 1e 00');
    refused(rb.storeInput(b('')), 'empty');
  });

  void test('reports the descriptor does not declare: refused, the buffer of no other report touched', () => {
    const rb = basic();
    refused(rb.storeInput(b('44 01 02')), 'unknown-id');
    refused(rb.storeFeature(0x44, b('44 01')), 'unknown-id');
    assert.equal(rb.bytes(0x44), undefined);
    assert.throws(() => rb.read(hidField({ reportId: 0x44 })), HidReportError);
    // A field longer than its report (a caller bug): a typed error, not garbage.
    assert.throws(() => rb.read(hidField({ reportId: 0x17, offset: 8, size: 16 })), HidReportError);
  });

  void test('a read that failed in the transport: invalidate() makes its fields unreadable until the next reply', () => {
    const rb = basic();
    rb.storeFeature(0x17, b('17 1e 00'));
    rb.invalidate(0x17);
    assert.equal(rb.read(DELAY), undefined);
    rb.storeFeature(0x17, b('17 1f 00'));
    assert.equal(value(rb, DELAY), 31);
  });

  void test('garbage (seeded random replies): never throws, every outcome consistent, values inside LogMin..LogMax as NUT clamps', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rb = basic();
    for (let i = 0; i < 2000; i++) {
      const id = rnd() < 0.5 ? 0x0c : 0x17;
      const n = Math.floor(rnd() * 10);
      const reply = Uint8Array.from({ length: n }, (_, k) => (k === 0 && rnd() < 0.8 ? id : Math.floor(rnd() * 256)));
      const out = rnd() < 0.3 ? rb.storeInput(reply) : rb.storeFeature(id, reply);
      if (out.accepted) {
        assert.ok(['full', 'short', 'long'].includes(out.status));
        assert.equal(out.got, n);
      } else {
        assert.ok(out.error instanceof HidReplyError);
      }
      for (const f of [CHARGE_F, RUNTIME_F, DELAY]) {
        const r = rb.read(f);
        if (!r) continue;
        assert.ok(r.logical >= f.logicalMin && r.logical <= f.logicalMax, `${f.path} ${r.logical}`);
        assert.equal(r.fresh, r.source === 'reply');
      }
    }
  });
});

void describe('ReportBuffer: a device without report IDs', () => {
  const CHARGE = hidField({ path: 'UPS.PowerSummary.RemainingCapacity', reportId: 0, offset: 0, size: 8, logicalMax: 100 });
  const RUNTIME = hidField({ path: 'UPS.PowerSummary.RunTimeToEmpty', reportId: 0, offset: 8, size: 16, logicalMax: 65535 });

  void test('lengths count data bytes only; no ID check; short replies as with IDs', () => {
    const rb = new ReportBuffer(fakeDescriptor([CHARGE, RUNTIME], { usesReportIds: false }));
    assert.equal(rb.length(0), 3);
    assert.equal(rb.storeFeature(0, b('32 2c 01')).status, 'full');
    assert.deepEqual([value(rb, CHARGE), value(rb, RUNTIME)], [50, 300]);
    assert.equal(rb.storeFeature(0, b('31')).status, 'short');
    assert.deepEqual([value(rb, CHARGE), value(rb, RUNTIME), rb.read(RUNTIME)?.stale], [49, 300, true]);
    assert.equal(rb.storeInput(b('30 00 00')).status, 'full');
    assert.equal(value(rb, CHARGE), 48);
  });

  void test('prepareWrite puts the 0 byte hidapi wants in front', () => {
    const rb = new ReportBuffer(fakeDescriptor([CHARGE, RUNTIME], { usesReportIds: false }));
    rb.storeFeature(0, b('32 2c 01'));
    assert.equal(hex(rb.prepareWrite(0, [{ field: CHARGE, value: 20 }])), '00 14 2c 01');
  });
});

void describe('ReportBuffer: writes, as NUT builds a SET from its buffer', () => {
  void test('the buffer as last read with the new value; the other fields keep their (even stale) bits; the bits stay', () => {
    const rb = basic();
    rb.storeFeature(0x0c, b('0c 64 00 00 14 0a'));
    rb.storeFeature(0x0c, b('0c 5a 00 00'));
    assert.equal(hex(rb.prepareWrite(0x0c, [{ field: CHARGE_F, value: 20 }])), '0c 14 00 00 14 0a');
    assert.equal(hex(rb.bytes(0x0c)), '0c 14 00 00 14 0a');
    // A later reply of 2 bytes: the 24-bit charge takes its low byte from it, the rest from the buffer.
    rb.storeFeature(0x0c, b('0c 5a'));
    assert.equal(hex(rb.bytes(0x0c)), '0c 5a 00 00 14 0a');
    assert.deepEqual([value(rb, CHARGE_F), rb.read(CHARGE_F)?.source, rb.read(CHARGE_F)?.stale], [90, 'partial', true]);
  });

  void test('before any read: zeros (NUT\'s calloc), the ID byte set; a write marks its bytes as no longer zero-fill', () => {
    const rb = basic();
    assert.equal(hex(rb.prepareWrite(0x17, [{ field: DELAY, value: 20 }])), '17 14 00');
    rb.storeFeature(0x17, b('17'));
    assert.deepEqual(rb.read(DELAY), { field: DELAY, logical: 20, value: 20, fresh: false, source: 'buffer', stale: true });
  });

  void test('fields of another report, or unknown reports: typed errors, the buffer unchanged', () => {
    const rb = basic();
    assert.throws(() => rb.prepareWrite(0x0c, [{ field: DELAY, value: 1 }]), HidReportError);
    assert.throws(() => rb.prepareWrite(0x55, []), HidReportError);
    assert.equal(hex(rb.bytes(0x0c)), '0c 00 00 00 00 00');
  });
});

/**
 * Cross-checks against what NUT printed in real usbhid-ups -DDD dumps posted
 * in NUT's issue tracker (the layouts are what NUT's Path lines printed; the
 * declared lengths what its "expected N bytes" said).
 */
void describe('ReportBuffer against NUT\'s own output (networkupstools/nut issues)', () => {
  void test('#1208 (APC Back-UPS BX1600MI): Feature 0x7a, expected 5 bytes, got 2 "7a 0c"', () => {
    const bits = ['Charging', 'Discharging', 'ACPresent', 'BatteryPresent'].map((n, i) =>
      hidField({ path: `UPS.PresentStatus.${n}`, reportId: 0x7a, offset: i, size: 1, logicalMax: 1 }),
    );
    const rb = new ReportBuffer(fakeDescriptor(bits, { lengths: { 'feature:122': 5 } }));
    const out = rb.storeFeature(0x7a, b('7a 0c'));
    assert.deepEqual([out.status, out.expected, out.got], ['short', 5, 2]);
    // NUT printed Charging 0 (offset 0) and Discharging 0 (offset 1), and its buffer as "7a 0c 00 00 00".
    assert.deepEqual(bits.map((f) => value(rb, f)), [0, 0, 1, 1]);
    assert.equal(hex(rb.bytes(0x7a)), '7a 0c 00 00 00');
    assert.ok(bits.every((f) => rb.read(f)?.fresh));
  });

  void test('#1208: an interrupt report 0x16, expected 5 bytes, got 3 "16 0c 00"', () => {
    const charging = hidField({ path: 'UPS.PowerSummary.PresentStatus.Charging', kind: 'input', reportId: 0x16, offset: 0, size: 1, logicalMax: 1 });
    const rb = new ReportBuffer(fakeDescriptor([charging], { lengths: { 'input:22': 5 } }));
    const out = rb.storeInput(b('16 0c 00'));
    assert.deepEqual([out.kind, out.status, out.expected, out.got], ['input', 'short', 5, 3]);
    // NUT: "Report[buf]: (5 bytes) => 16 0c 00 00 00", Charging (Input, offset 0) = 0.
    assert.equal(hex(rb.bytes(0x16)), '16 0c 00 00 00');
    assert.equal(value(rb, charging), 0);
  });

  void test('#1695 (Powercom BNT-800AP): a 32-bit field, expected 5 bytes, got 2 "06 05" -> 5 (24 bits of zero fill)', () => {
    const iname = hidField({ path: 'UPS.iName', reportId: 0x06, offset: 0, size: 32, logicalMax: 255 });
    const rb = new ReportBuffer(fakeDescriptor([iname]));
    assert.equal(rb.storeFeature(0x06, b('06 05')).message, 'feature report 06: expected 5 bytes, but got 2 instead (the rest of the buffer kept)');
    assert.deepEqual([value(rb, iname), rb.read(iname)?.source, rb.read(iname)?.stale], [5, 'partial', false]);
  });

  void test('#2766 / #3182 (Powercom RPT-800AP, KIN-1500AP): 16 bits, expected 3 bytes, got 2 "0f 00" -> 0', () => {
    const delay = hidField({ path: 'UPS.PowerSummary.DelayBeforeShutdown', reportId: 0x0f, offset: 0, size: 16, logicalMax: 65535 });
    const rb = new ReportBuffer(fakeDescriptor([delay]));
    assert.equal(rb.storeFeature(0x0f, b('0f 00')).status, 'short');
    assert.deepEqual([value(rb, delay), rb.read(delay)?.fresh], [0, false]);
  });

  void test('#2104 (APC Back-UPS RS): an interrupt report 06, expected 4 bytes, got 512: the first 4 kept', () => {
    const fields = ['Charging', 'Discharging', 'ff860060'].map((n, i) => hidField({ path: `UPS.PowerSummary.${n}`, kind: 'input', reportId: 6, offset: 8 * i, size: 8 }));
    const rb = new ReportBuffer(fakeDescriptor(fields));
    const junk = new Uint8Array(512);
    junk.set(b('06 01 00 08 00 00 00 00 ff 26 41'));
    const out = rb.storeInput(junk);
    assert.deepEqual([out.status, out.expected, out.got], ['long', 4, 512]);
    assert.equal(hex(rb.bytes(6)), '06 01 00 08');
    assert.deepEqual(fields.map((f) => value(rb, f)), [1, 0, 8]);
  });
});
