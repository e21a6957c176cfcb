/**
 * A recorded device played back: a usbhid-ups debug dump (nut-ddl style)
 * with its report descriptor and the Feature reports NUT read. It answers as
 * the device answered; SET writes change the recorded report so a later read
 * returns them, as a device that accepted the value would. Tests script
 * Input reports, a vanishing device and its return.
 *
 * What the device answered, per report (keyed by the report NUT asked for:
 * the first byte, or the Path line after it when that names another one):
 *
 * - `Report[get]` lines, and `Report[err]` lines of a GET (after NUT's
 *   "refresh_report_buffer: expected N bytes, but got M instead"): exactly
 *   the bytes recorded, so a short, over-long or wrong-ID reply is answered
 *   again as it came. A device never sends more than it is asked for, so a
 *   request shorter than the recording gets its first bytes.
 * - `Report[set]` lines: the bytes written (cut to the length the device
 *   answered with before, for a device that answers short).
 * - `Report[buf]` lines are NUT's buffer, not the device's answer (after a
 *   short read they hold stale or zero bytes the device never sent): used
 *   only for a report the dump has no other line for.
 * - `Report[int]`, and `Report[err]` of an interrupt (file_report_buffer),
 *   are Input reports: played by playInterrupts(), in order.
 *
 * By default each report answers with its last recording (a dump spanning
 * several polls ends in the device's last state); with `sequence` each GET
 * takes the next recorded answer for that report, the last one repeating
 * (recorded SETs are not answers then: the GETs after them show their effect).
 */
import { readFile } from 'node:fs/promises';
import { ParseError, errorMessage } from '../../../core/errors';
import { parseReportDescriptor } from '../hid/descriptor';
import { parseHidDump, type HidDump, type HidDumpReport, type HidDumpWarning } from '../hid/dump';
import { HidTransportError, type HidDeviceInfo, type HidTransport, type HidTransportHandlers } from '../types';

export interface ReplayOptions {
  /** Name for messages and the device's `path` (the file). */
  source?: string;
  /** USB string descriptors by index, beyond those the dump reveals. */
  strings?: ReadonlyMap<number, string>;
  /** Answer each GET of a report with the next reply recorded for it, in the dump's order (the last repeats). */
  sequence?: boolean;
}

/** A recorded answer of the device to a GET (or the state a recorded SET left). */
function isDeviceAnswer(r: HidDumpReport): boolean {
  return r.source === 'get' || r.source === 'set' || (r.source === 'err' && r.origin !== 'int');
}

/** A recorded Input report. */
function isInterrupt(r: HidDumpReport): boolean {
  return r.source === 'int' || (r.source === 'err' && r.origin === 'int');
}

/** Which device string a usbhid-ups path's string index names. */
const STRING_PATHS: ReadonlyArray<[suffix: string, key: 'manufacturer' | 'product' | 'serialNumber']> = [
  ['.iManufacturer', 'manufacturer'],
  ['.iProduct', 'product'],
  ['.iSerialNumber', 'serialNumber'],
];

/** Reads and parses a dump file; ParseError when it holds no usable recording. */
export async function loadHidDump(file: string): Promise<HidDump> {
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch (err) {
    throw new ParseError(`cannot read the recording: ${errorMessage(err)}`, file);
  }
  return checkDump(parseHidDump(text, file), file);
}

/**
 * A dump the replay can play: it must have a descriptor and at least one
 * recorded Feature report. A descriptor left out as damaged is named with
 * its line.
 */
export function checkDump(dump: HidDump, source: string): HidDump {
  if (!dump.descriptor) {
    const damaged = dump.warnings?.find((w) => w.message.startsWith('report descriptor:'));
    if (damaged) throw new ParseError(damaged.message, source, damaged.line);
    throw new ParseError('no "Report Descriptor: (N bytes) =>" line: not a usbhid-ups debug dump', source);
  }
  if (!dump.reports.some((r) => isDeviceAnswer(r) || r.source === 'buf')) {
    throw new ParseError('no "Report[get]" or "Report[buf]" lines: the dump has no report data', source);
  }
  return dump;
}

/** Whether reports start with an ID byte; a descriptor the driver cannot parse fails there, not here. */
function usesReportIds(descriptor: Uint8Array): boolean {
  try {
    return parseReportDescriptor(descriptor).usesReportIds;
  } catch {
    return true;
  }
}

export class ReplayTransport implements HidTransport {
  /**
   * What the device answers per report (ID byte first when IDs are used; none for ID 0):
   * the recorded answers in order; the last one is the device's state now.
   */
  private readonly answers = new Map<number, Uint8Array[]>();
  /** With `sequence`: how many GETs of each report were answered. */
  private readonly answered = new Map<number, number>();
  private readonly strings = new Map<number, string>();
  private handlers: HidTransportHandlers | null = null;
  private present = true;
  private readsLeft: number | null = null;
  /** Every Feature report written, as sent (ID first, 0 for none). */
  readonly writes: Uint8Array[] = [];
  /** Feature report IDs read, in order (tests check what a poll asked for). */
  readonly reads: number[] = [];

  constructor(
    private readonly dump: HidDump,
    private readonly opts: ReplayOptions = {},
  ) {
    checkDump(dump, opts.source ?? 'recording');
    const numbered = usesReportIds(dump.descriptor as Uint8Array);
    const key = (r: HidDumpReport): number => (numbered ? (r.requestedId ?? (r.bytes[0] as number)) : 0);
    const buffered = new Map<number, Uint8Array>();
    const written = new Map<number, Uint8Array>();
    for (const r of dump.reports) {
      if (r.bytes.length === 0) continue;
      if (r.source === 'buf') buffered.set(key(r), r.bytes);
      // In sequence, the GETs recorded after a SET already show what it changed.
      else if (r.source === 'set' && opts.sequence) written.set(key(r), r.bytes);
      else if (r.source === 'set') this.accept(key(r), r.bytes, false);
      else if (isDeviceAnswer(r)) this.answers.set(key(r), [...(this.answers.get(key(r)) ?? []), r.bytes]);
    }
    // NUT's buffer (or what NUT wrote) stands in only for a report the device was never seen answering.
    for (const fallback of [written, buffered]) for (const [id, bytes] of fallback) if (!this.answers.has(id)) this.answers.set(id, [bytes]);
    for (const p of dump.paths) {
      const which = STRING_PATHS.find(([suffix]) => p.path.endsWith(suffix));
      const text = which ? dump.device[which[1]] : undefined;
      // NUT prints the index as a physical value; only a whole number is an index.
      if (text !== undefined && p.value !== undefined && Number.isInteger(p.value) && p.value > 0) this.strings.set(p.value, text);
    }
    for (const [i, s] of opts.strings ?? []) this.strings.set(i, s);
  }

  static async fromFile(file: string, opts: Omit<ReplayOptions, 'source'> = {}): Promise<ReplayTransport> {
    return new ReplayTransport(await loadHidDump(file), { ...opts, source: file });
  }

  get source(): string {
    return this.opts.source ?? 'recording';
  }

  get isOpen(): boolean {
    return this.handlers !== null;
  }

  async open(handlers: HidTransportHandlers): Promise<HidDeviceInfo> {
    if (!this.present) throw new HidTransportError(`${this.source}: the device is unplugged`, true);
    this.handlers = handlers;
    return { ...this.dump.device, path: this.source };
  }

  async close(): Promise<void> {
    this.handlers = null;
  }

  async getReportDescriptor(): Promise<Uint8Array> {
    this.check();
    return (this.dump.descriptor as Uint8Array).slice();
  }

  async getFeatureReport(reportId: number, length: number): Promise<Uint8Array> {
    this.check();
    if (this.readsLeft !== null) {
      if (this.readsLeft === 0) {
        this.unplug(new Error('device vanished during a read'));
        this.check();
      }
      this.readsLeft--;
    }
    this.reads.push(reportId);
    const list = this.answers.get(reportId);
    // A report the recording lacks is one the device refused (a STALL on a real one).
    if (!list || list.length === 0) throw new HidTransportError(`${this.source}: feature report ${reportId} was not recorded`, false);
    let data = list[list.length - 1] as Uint8Array;
    if (this.opts.sequence) {
      const n = this.answered.get(reportId) ?? 0;
      data = list[Math.min(n, list.length - 1)] as Uint8Array;
      this.answered.set(reportId, n + 1);
    }
    // As recorded (short stays short); a device sends no more than it is asked for.
    return data.slice(0, length > 0 ? length : data.length);
  }

  async sendFeatureReport(data: Uint8Array): Promise<void> {
    this.check();
    this.writes.push(data.slice());
    const id = data[0] ?? 0;
    this.accept(id, id === 0 ? data.slice(1) : data.slice(), true);
  }

  async getString(index: number): Promise<string | undefined> {
    this.check();
    return this.strings.get(index);
  }

  // ------------------------------------------------------------ scripting

  /** The device sends an Input (interrupt) report. */
  input(data: Uint8Array | number[]): void {
    this.handlers?.onInput(Uint8Array.from(data));
  }

  /** Plays the dump's recorded interrupt reports (`Report[int]`, and `Report[err]` of an interrupt) in order. */
  playInterrupts(): number {
    const ints = this.dump.reports.filter(isInterrupt);
    for (const r of ints) this.input(r.bytes);
    return ints.length;
  }

  /** Lines of the dump left out as damaged. */
  get warnings(): readonly HidDumpWarning[] {
    return this.dump.warnings ?? [];
  }

  /** The device is unplugged: an open transport reports the disconnect; reads fail until replug(). */
  unplug(err: Error = new Error('device unplugged')): void {
    this.present = false;
    this.readsLeft = null;
    const handlers = this.handlers;
    this.handlers = null;
    handlers?.onDisconnect(err);
  }

  replug(): void {
    this.present = true;
  }

  /** Vanishes on the (n+1)th Feature read from now: a disconnect in the middle of a poll. */
  vanishAfterReads(n: number): void {
    this.readsLeft = n;
  }

  /** A report as the device would answer the next GET (without counting it as one). */
  report(reportId: number): Uint8Array | undefined {
    const list = this.answers.get(reportId);
    if (!list || list.length === 0) return undefined;
    const n = this.opts.sequence ? Math.min(this.answered.get(reportId) ?? 0, list.length - 1) : list.length - 1;
    return list[n]?.slice();
  }

  /**
   * A SET the device accepted: from now on it answers with the written bytes,
   * as many as it answered with before when it answers short. A live write
   * replaces what the recording had left to play for that report.
   */
  private accept(id: number, written: Uint8Array, live: boolean): void {
    const list = this.answers.get(id) ?? [];
    const before = live ? this.report(id) : list[list.length - 1];
    const bytes = before && before.length < written.length ? written.slice(0, before.length) : written;
    if (live) {
      this.answers.set(id, [bytes]);
      this.answered.delete(id);
    } else {
      this.answers.set(id, [...list, bytes]);
    }
  }

  private check(): void {
    if (!this.present) throw new HidTransportError(`${this.source}: the device is unplugged`, true);
    if (!this.handlers) throw new HidTransportError(`${this.source}: not open`, true);
  }
}
