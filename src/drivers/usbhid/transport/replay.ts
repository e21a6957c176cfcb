/**
 * A recorded device played back: a usbhid-ups debug dump (nut-ddl style)
 * with its report descriptor and the Feature reports NUT read. It answers as
 * the device answered; SET writes change the recorded report so a later read
 * returns them, as a device that accepted the value would. Tests script
 * Input reports, a vanishing device and its return.
 */
import { readFile } from 'node:fs/promises';
import { ParseError, errorMessage } from '../../../core/errors';
import { parseReportDescriptor } from '../hid/descriptor';
import { parseHidDump, type HidDump } from '../hid/dump';
import { HidTransportError, type HidDeviceInfo, type HidTransport, type HidTransportHandlers } from '../types';

export interface ReplayOptions {
  /** Name for messages and the device's `path` (the file). */
  source?: string;
  /** USB string descriptors by index, beyond those the dump reveals. */
  strings?: ReadonlyMap<number, string>;
}

/** Report sources in a dump that hold a Feature report's content (not interrupt data, not failed reads). */
const FEATURE_SOURCES = new Set(['get', 'buf', 'set']);

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

/** A dump the replay can play: it must have a descriptor and at least one report. */
export function checkDump(dump: HidDump, source: string): HidDump {
  if (!dump.descriptor) throw new ParseError('no "Report Descriptor: (N bytes) =>" line: not a usbhid-ups debug dump', source);
  if (!dump.reports.some((r) => FEATURE_SOURCES.has(r.source))) throw new ParseError('no "Report[get]" or "Report[buf]" lines: the dump has no report data', source);
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
  /** Feature reports by ID, as the device would answer now (ID byte first when IDs are used; none for ID 0). */
  private readonly reports = new Map<number, Uint8Array>();
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
    for (const r of dump.reports) {
      if (!FEATURE_SOURCES.has(r.source) || r.bytes.length === 0) continue;
      // Later recordings of a report are the device's later state: the last one wins.
      this.reports.set(numbered ? (r.bytes[0] as number) : 0, r.bytes);
    }
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
    const data = this.reports.get(reportId);
    // A report the recording lacks is one the device refused (a STALL on a real one).
    if (!data) throw new HidTransportError(`${this.source}: feature report ${reportId} was not recorded`, false);
    return data.slice(0, length > 0 ? length : data.length);
  }

  async sendFeatureReport(data: Uint8Array): Promise<void> {
    this.check();
    this.writes.push(data.slice());
    const id = data[0] ?? 0;
    this.reports.set(id, id === 0 ? data.slice(1) : data.slice());
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

  /** Plays the dump's recorded interrupt reports (`Report[int]`) in order. */
  playInterrupts(): number {
    const ints = this.dump.reports.filter((r) => r.source === 'int');
    for (const r of ints) this.input(r.bytes);
    return ints.length;
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

  /** A report as the device would answer it now. */
  report(reportId: number): Uint8Array | undefined {
    return this.reports.get(reportId)?.slice();
  }

  private check(): void {
    if (!this.present) throw new HidTransportError(`${this.source}: the device is unplugged`, true);
    if (!this.handlers) throw new HidTransportError(`${this.source}: not open`, true);
  }
}
