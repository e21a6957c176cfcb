/**
 * A per-report buffer that behaves as usbhid-ups' report buffer (libhid.c),
 * so replies of the wrong length decode to the values NUT would publish, and
 * that also says which of those values the device really sent this time.
 *
 * What NUT does (facts from libhid.c / hidparser.c, NUT 2.7.4 to 2.8.x):
 *
 * - One buffer per report ID, shared by the Input, Output and Feature items
 *   with that ID. Its length is the longest of those layouts in bytes, plus
 *   one for the report ID byte; it is zero-filled when the device is opened
 *   (and again after each reconnect, when the buffer is rebuilt).
 * - A GET_REPORT asks for that length and the device writes its answer into
 *   the buffer from byte 0. NUT does not look at what came back except its
 *   length: 0 bytes (or an error) is a failed read and nothing is decoded; any
 *   other length is a good read. A length other than the buffer's is logged
 *   as "expected N bytes, but got M instead" with the bytes as `Report[err]`,
 *   but the read still counts. Bytes past M keep what was there before: zeros
 *   if nothing was ever stored there, or what an earlier reply (a GET, an
 *   interrupt report with the same ID) or a SET left. Items are then decoded
 *   from the whole buffer, so a field lying past the M bytes gets zero-fill or
 *   stale bits, and a field straddling M gets a mix.
 * - The report ID byte is never checked: a reply whose first byte is another
 *   report's ID is decoded as if it were the report asked for.
 * - A reply longer than the buffer (the APC `maxreport` tweak asks for more
 *   than the declared length, and some Back-UPS send more) is logged the same
 *   way; only the buffer's length of it is ever decoded.
 * - An interrupt (Input) report is filed into the buffer of the ID in its
 *   first byte, at most the buffer's length of it, with the same message for
 *   another length; an ID the descriptor does not declare is ignored.
 * - A SET writes the new value's bits into the buffer as it stands (no fresh
 *   read first) and sends the whole buffer; the bits stay in the buffer.
 * - Within a poll interval a report already read is reused (`Report[buf]`)
 *   instead of being read again; this class leaves timing to the driver,
 *   which reads each report once per pass.
 *
 * Our rules on top of NUT's (the driver just calls this class):
 *
 * - A Feature reply whose first byte is not the report ID asked for (when the
 *   device uses report IDs) is a failed read of that report: nothing of it is
 *   stored or decoded, the outcome carries a HidReplyError for the log. NUT
 *   would decode it; we will not publish another report's bytes as this one.
 * - Every reading says whether all its bits came from the reply just stored
 *   (`fresh`), so the driver may decline to publish a zero-fill or stale value
 *   as new. The value itself is always NUT's.
 * - Devices without report IDs: replies carry no ID byte here (as everywhere
 *   in this project), so lengths count data bytes only. (NUT reads such
 *   devices as if the first data byte were an ID byte.)
 */
import type { HidField, HidReportDescriptor, ReportKind } from '../types';
import { fieldBits, readLogical, toPhysical, toLogical, writeLogical } from './codec';
import { HidReplyError, HidReportError } from './errors';

export type ReplyStatus =
  /** Exactly the buffer's length. */
  | 'full'
  /** Fewer bytes: stored, the rest of the buffer kept (NUT's Report[err]). */
  | 'short'
  /** More bytes: the buffer's length of it stored, the rest dropped (NUT's Report[err]). */
  | 'long'
  /** Refused: first byte is not the report asked for. */
  | 'wrong-id'
  /** Refused: no bytes. */
  | 'empty'
  /** Refused: a report ID the descriptor does not declare. */
  | 'unknown-id';

export interface ReplyOutcome {
  /** 'feature' for a GET_REPORT reply, 'input' for an interrupt report. */
  kind: 'feature' | 'input';
  reportId: number;
  status: ReplyStatus;
  /** NUT's buffer length for this report (0 for an undeclared one). */
  expected: number;
  /** Bytes received. */
  got: number;
  /** True when the reply was stored (full, short, long): the report's fields can be read. */
  accepted: boolean;
  /**
   * For the log: NUT's words for a length mismatch ("expected 5 bytes, but
   * got 2 instead"), or why the reply was refused. Absent for a full reply.
   */
  message?: string;
  /** For a refused reply: the typed error (not thrown; the driver decides). */
  error?: HidReplyError;
}

export interface FieldReading {
  field: HidField;
  /** The logical value, as NUT's GetValue computes it from the buffer. */
  logical: number;
  /** The physical value NUT would publish (logical -> physical, unit exponent). */
  value: number;
  /** True when every bit of the field lies in the bytes of the last reply stored for its report. */
  fresh: boolean;
  /** 'reply': all bits from that reply; 'partial': some; 'buffer': none (zero-fill or stale). */
  source: 'reply' | 'partial' | 'buffer';
  /** Some bits outside that reply were left by an earlier reply or SET (not zero-fill). */
  stale: boolean;
}

export interface ReportBufferOptions {
  /**
   * The APC `maxreport` tweak (DeviceQuirks.maxReportSize): ask for more than
   * the declared length, so a device that sends longer replies is not cut
   * off (with libusb or hidraw a reply longer than asked is an overflow error).
   */
  maxReportSize?: boolean;
}

/**
 * NUT asks for 8 bytes with `maxreport` (the size of a pointer on 64-bit
 * builds, an accident of its code). We ask for at least that, and never for
 * less than the declared length (NUT would cut a longer report at 8).
 */
const MAX_REPORT_REQUEST = 8;

interface Slot {
  readonly length: number;
  readonly data: Uint8Array;
  /** Bytes ever stored into (by a reply or a SET) since the buffer was made: not zero-fill any more. */
  readonly touched: Uint8Array;
  /** The last reply stored: how many of its bytes are in the buffer, and which bytes had been touched before it. */
  last?: { covered: number; touchedBefore: Uint8Array; outcome: ReplyOutcome };
  /** False after a refused reply or a failed read, until the next accepted one. */
  readable: boolean;
  lastOutcome?: ReplyOutcome;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export class ReportBuffer {
  private readonly slots = new Map<number, Slot>();
  private readonly ids: boolean;

  /** One per connection: a new device (or the same one after a reconnect) starts from zeros, as NUT. */
  constructor(
    private readonly descriptor: HidReportDescriptor,
    private readonly options: ReportBufferOptions = {},
  ) {
    this.ids = descriptor.usesReportIds;
    const kinds: ReportKind[] = ['input', 'output', 'feature'];
    const reportIds = new Set<number>();
    for (const f of descriptor.fields) reportIds.add(f.reportId);
    for (const kind of kinds) for (const id of descriptor.reportIds(kind)) reportIds.add(id);
    for (const id of reportIds) {
      const length = Math.max(...kinds.map((k) => descriptor.reportLength(k, id)));
      if (length <= 0) continue;
      const data = new Uint8Array(length);
      // The ID byte is ours to set: NUT leaves 0 there until the first read, but never decodes it.
      if (this.ids) data[0] = id;
      this.slots.set(id, { length, data, touched: new Uint8Array(length), readable: false });
    }
  }

  /** NUT's buffer length for a report (ID byte included when IDs are used); 0 when the descriptor has none. */
  length(reportId: number): number {
    return this.slots.get(reportId)?.length ?? 0;
  }

  /** How many bytes to ask the device for when reading this Feature report. */
  requestLength(reportId: number): number {
    const n = this.length(reportId);
    return this.options.maxReportSize ? Math.max(n, MAX_REPORT_REQUEST) : n;
  }

  /** Files the reply to a GET_REPORT of Feature report `reportId`, exactly as received. */
  storeFeature(reportId: number, reply: Uint8Array): ReplyOutcome {
    const slot = this.slots.get(reportId);
    if (!slot) return this.refuse(undefined, 'feature', reportId, reply.length, 'unknown-id', `feature report ${hex2(reportId)}: the descriptor declares no such report`);
    if (reply.length === 0) return this.refuse(slot, 'feature', reportId, 0, 'empty', `feature report ${hex2(reportId)}: empty reply`);
    if (this.ids && reply[0] !== reportId) {
      return this.refuse(
        slot,
        'feature',
        reportId,
        reply.length,
        'wrong-id',
        `feature report ${hex2(reportId)}: the reply is for report ${hex2(reply[0] as number)} (${reply.length} bytes), ignored`,
      );
    }
    return this.file(slot, 'feature', reportId, reply);
  }

  /** Files an interrupt (Input) report; its ID is its first byte when the device uses IDs. */
  storeInput(report: Uint8Array): ReplyOutcome {
    if (report.length === 0) return this.refuse(undefined, 'input', 0, 0, 'empty', 'input report: empty');
    const id = this.ids ? (report[0] as number) : 0;
    const slot = this.slots.get(id);
    if (!slot) return this.refuse(undefined, 'input', id, report.length, 'unknown-id', `input report ${hex2(id)}: the descriptor declares no such report, ignored`);
    return this.file(slot, 'input', id, report);
  }

  /** A read of this report failed (transport error): its fields cannot be read until the next accepted reply. */
  invalidate(reportId: number): void {
    const slot = this.slots.get(reportId);
    if (slot) slot.readable = false;
  }

  /** What happened to the last reply for this report. */
  lastOutcome(reportId: number): ReplyOutcome | undefined {
    return this.slots.get(reportId)?.lastOutcome;
  }

  /** A copy of the buffer as NUT holds it (what it prints as `Report[buf]`); undefined for an undeclared report. */
  bytes(reportId: number): Uint8Array | undefined {
    return this.slots.get(reportId)?.data.slice();
  }

  /**
   * A field's value from the buffer, as NUT decodes it after the last reply
   * for its report; undefined when that reply was refused or failed (NUT
   * decodes nothing then) or none came yet.
   */
  read(field: HidField): FieldReading | undefined {
    const slot = this.slots.get(field.reportId);
    if (!slot) throw new HidReportError(`${field.path}: the descriptor declares no report ${field.reportId}`);
    const { start, end } = fieldBits(field);
    if (end > slot.length * 8) throw new HidReportError(`${field.path}: bits ${start}..${end - 1} lie past report ${field.reportId}'s ${slot.length} bytes`);
    if (!slot.readable || !slot.last) return undefined;
    const logical = readLogical(field, slot.data);
    const coveredBits = slot.last.covered * 8;
    const source = end <= coveredBits ? 'reply' : start >= coveredBits ? 'buffer' : 'partial';
    let stale = false;
    for (let byte = Math.max(slot.last.covered, start >> 3); byte < Math.ceil(end / 8); byte++) {
      if (slot.last.touchedBefore[byte]) stale = true;
    }
    return { field, logical, value: toPhysical(field, logical), fresh: source === 'reply', source, stale };
  }

  /** Every field of a report of this kind, by path (the first field of a path wins, as NUT's lookups); undefined as read(). */
  readReport(kind: ReportKind, reportId: number): Map<string, FieldReading> | undefined {
    const slot = this.slots.get(reportId);
    if (!slot?.readable || !slot.last) return undefined;
    const out = new Map<string, FieldReading>();
    for (const field of this.descriptor.fields) {
      if (field.kind !== kind || field.reportId !== reportId || out.has(field.path)) continue;
      const r = this.read(field);
      if (r) out.set(field.path, r);
    }
    return out;
  }

  /**
   * A Feature report to send with new values, as NUT's SET builds it: the
   * buffer as it stands (what was last read, zeros where nothing was) with
   * the new physical values written in. The buffer keeps the new bits (as
   * NUT's does, even when the send then fails). Returned ready for
   * HidTransport.sendFeatureReport: ID byte first, or a 0 byte when the
   * device uses no IDs.
   */
  prepareWrite(reportId: number, writes: ReadonlyArray<{ field: HidField; value: number }>): Uint8Array {
    const slot = this.slots.get(reportId);
    if (!slot) throw new HidReportError(`no report ${reportId} in the descriptor`);
    for (const { field } of writes) {
      if (field.reportId !== reportId) throw new HidReportError(`${field.path} is in report ${field.reportId}, not ${reportId}`);
      if (fieldBits(field).end > slot.length * 8) throw new HidReportError(`${field.path}: past report ${reportId}'s ${slot.length} bytes`);
    }
    for (const { field, value } of writes) {
      writeLogical(field, toLogical(field, value), slot.data);
      const { start, end } = fieldBits(field);
      for (let byte = start >> 3; byte < Math.ceil(end / 8); byte++) slot.touched[byte] = 1;
    }
    // NUT sends its whole buffer (the longest layout of the ID); we send the Feature report's own length, as buildReport does.
    const length = this.descriptor.reportLength('feature', reportId) || slot.length;
    const out = slot.data.slice(0, length);
    if (this.ids) return out;
    const withZero = new Uint8Array(length + 1);
    withZero.set(out, 1);
    return withZero;
  }

  private file(slot: Slot, kind: 'feature' | 'input', reportId: number, reply: Uint8Array): ReplyOutcome {
    const got = reply.length;
    const covered = Math.min(got, slot.length);
    const touchedBefore = slot.touched.slice();
    slot.data.set(reply.subarray(0, covered));
    slot.touched.fill(1, 0, covered);
    const status: ReplyStatus = got === slot.length ? 'full' : got < slot.length ? 'short' : 'long';
    const outcome: ReplyOutcome = { kind, reportId, status, expected: slot.length, got, accepted: true };
    if (status !== 'full') {
      outcome.message =
        `${kind} report ${hex2(reportId)}: expected ${slot.length} bytes, but got ${got} instead` +
        (status === 'long' ? ` (the last ${got - slot.length} dropped)` : ' (the rest of the buffer kept)');
    }
    slot.last = { covered, touchedBefore, outcome };
    slot.readable = true;
    slot.lastOutcome = outcome;
    return outcome;
  }

  private refuse(slot: Slot | undefined, kind: 'feature' | 'input', reportId: number, got: number, problem: 'wrong-id' | 'empty' | 'unknown-id', message: string): ReplyOutcome {
    const error = new HidReplyError(problem, kind, reportId, got, message);
    const outcome: ReplyOutcome = { kind, reportId, status: problem, expected: slot?.length ?? 0, got, accepted: false, message, error };
    if (slot) {
      // NUT decodes nothing after a failed read; the buffer's bytes stay as they were.
      slot.readable = false;
      slot.lastOutcome = outcome;
    }
    return outcome;
  }
}
