/**
 * Readers for recorded HID devices, as found in nut-ddl files and bug reports:
 *
 * - usbhid-ups debug output (`-DDD` and up): the report descriptor hex
 *   (`Report Descriptor: (N bytes) => ...`, continued on following lines),
 *   the raw reports NUT printed, the decoded `Path: ...` lines, the device's
 *   USB identity (`- VendorID:`...) and the HID layer's messages:
 *   - `Report[get]` a Feature report read now; `Report[buf]` NUT's buffer of a
 *     report reused within the poll interval (declared length, stale bytes
 *     included); `Report[int]` an interrupt report as filed; `Report[set]` a
 *     Feature report written; `Report[err]` a reply of another length than
 *     NUT's buffer, exactly the bytes received, after a
 *     `refresh_report_buffer: expected N bytes, but got M instead` (a GET) or
 *     `file_report_buffer: ...` (an interrupt) message;
 *   - `Got N HID objects` (an interrupt report was decoded), `N HID objects
 *     found`, `Report Descriptor size = N`, `HIDParse: ...` parser warnings,
 *     `Can't retrieve Report xx` (a read that failed).
 * - `lsusb -v` output, whose report descriptor is decoded item by item
 *   (`Item(Global): Usage Page, data= [ 0x84 ] 132`): the bytes are rebuilt.
 *
 * Lines may carry any prefix NUT, syslog/journald or a reporter adds (`#`,
 * `Apr 21 10:52:45 host usbhid-ups[123]:`, ISO times, `   0.123456\t`,
 * `[D3]`, `[D3:123]`); any other text is ignored. A damaged line (hex that
 * stops early or is not hex, a Path line that does not parse) costs that
 * line only: it is left out and listed in `warnings` (or thrown as a
 * ParseError with `strict`).
 */
import { ParseError } from '../../../core/errors';
import type { HidDeviceInfo, ReportKind } from '../types';

export interface HidDumpReport {
  /** How NUT got it: get (read now), buf (from its buffer), int (interrupt), set (written), err (unexpected length). */
  source: string;
  /** As printed: report ID byte first when the device uses IDs. For `err`, exactly the bytes the device sent. */
  bytes: Uint8Array;
  /** 1-based line of the text. */
  line: number;
  /** For `err`: the read it comes from, a GET (`get`) or an interrupt report (`int`). */
  origin?: 'get' | 'int';
  /** For `err`: NUT's buffer length, from the "expected N bytes" message before it. */
  expected?: number;
  /**
   * The report NUT was reading, from the Path line decoded right after, when
   * it is not the first byte: a reply with a wrong report ID, or data of a
   * device without IDs (requestedId 0).
   */
  requestedId?: number;
}

export interface HidDumpPath {
  path: string;
  kind: ReportKind;
  reportId: number;
  offset: number;
  size: number;
  /** The physical value NUT printed; absent when it could not read the report. */
  value?: number;
  line: number;
}

/** NUT's HID-layer messages, in the order they appear. */
export type HidDumpEvent =
  /** `refresh_report_buffer` (a GET) or `file_report_buffer` (an interrupt): expected N bytes, but got M instead. */
  | { type: 'length'; fn: 'refresh_report_buffer' | 'file_report_buffer'; expected: number; got: number; line: number }
  /** `Got N HID objects...`: an interrupt report decoded into N items (0: none arrived). */
  | { type: 'interrupt'; objects: number; line: number }
  /** `N HID objects found`: the items NUT's parser made of the descriptor. */
  | { type: 'objects'; count: number; line: number }
  /** `Report Descriptor size = N`. */
  | { type: 'descriptor-size'; size: number; line: number }
  /** A parser message (`HIDParse: ...`, `ERROR in Parse_ReportDesc: ...`). */
  | { type: 'hidparse'; message: string; line: number }
  /** `Can't retrieve Report xx`: a GET that failed. */
  | { type: 'read-failed'; reportId: number; line: number };

/** A line left out because it is damaged. */
export interface HidDumpWarning {
  line: number;
  message: string;
}

export interface HidDump {
  /** The report descriptor, when the dump has one. */
  descriptor?: Uint8Array;
  reports: HidDumpReport[];
  paths: HidDumpPath[];
  /** The USB identity NUT printed for the device it used (vendorId/productId 0 when absent). */
  device: HidDeviceInfo;
  /** NUT's HID-layer messages (always set by parseHidDump). */
  events?: HidDumpEvent[];
  /** Damaged lines that were left out (always set by parseHidDump). */
  warnings?: HidDumpWarning[];
}

export interface ParseDumpOptions {
  /** Throw a ParseError at the first damaged line instead of leaving it out. */
  strict?: boolean;
}

/** What syslog / journald put before a program's message: a date (classic or ISO), the host, the program. */
const LOGGER = String.raw`(?:(?:[A-Z][a-z]{2}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)\s+\S+\s+[^\s:]+:\s*)`;
/** Prefixes a dump line may carry: comment mark, logger, NUT's timestamp, debug level (with a pid in 2.8.1+). */
const PREFIX = new RegExp(String.raw`^\s*#?\s*${LOGGER}?(?:\d+\.\d+\s+)?(?:\[D\d+(?::\d+)?\]\s*)?`);
const HEX_LINE = /^(?:[0-9a-fA-F]{2}(?:\s+|$))+$/;
/** More than any report or descriptor can be (the Linux HID core's limit). */
const MAX_DUMP_BYTES = 16384;

function strip(line: string): string {
  return line.replace(/\r$/, '').replace(PREFIX, '');
}

function hexBytes(text: string): number[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/).map((h) => parseInt(h, 16));
}

type HexRun = { bytes: Uint8Array; last: number } | { problem: string; last: number };

/**
 * Reads `count` hex bytes starting with `first` (the text after `=>`), taking
 * continuation lines of bare hex while more are expected. Returns the bytes
 * (or what is wrong with them) and the index of the last line used.
 */
function readHexRun(lines: readonly string[], index: number, first: string, count: number, what: string): HexRun {
  if (count > MAX_DUMP_BYTES) return { problem: `${what}: ${count} bytes announced, more than any report`, last: index };
  if (first.trim() !== '' && !HEX_LINE.test(first.trim())) return { problem: `${what}: not hex bytes`, last: index };
  const out = hexBytes(first);
  let i = index;
  while (out.length < count && i + 1 < lines.length) {
    const next = strip(lines[i + 1] as string).trim();
    if (next === '' || !HEX_LINE.test(next)) break;
    out.push(...hexBytes(next));
    i++;
  }
  if (out.length !== count) return { problem: `${what}: ${count} bytes announced, ${out.length} found`, last: i };
  return { bytes: Uint8Array.from(out), last: i };
}

const KINDS: Readonly<Record<string, ReportKind>> = { Input: 'input', Output: 'output', Feature: 'feature' };

const DEVICE_LINE = /^- (VendorID|ProductID|Manufacturer|Product|Serial Number|Device release number): ?(.*)$/;
const REPORT_LINE = /^Report\[(\w+)\]:\s*\((\d+) bytes?\)\s*=>(.*)$/;
const PATH_LINE = /^Path: ([^,]+), Type: (\w+), ReportID: 0x([0-9a-fA-F]+), Offset: (\d+), Size: (\d+)(?:, Value: (\S+))?/;
const LENGTH_LINE = /^(refresh_report_buffer|file_report_buffer): expected (\d+) bytes, but got (\d+) instead/;

/** Report lines a following Path line tells the requested report of. */
const READ_SOURCES = new Set(['get', 'err', 'buf', 'int']);

/**
 * Parses a usbhid-ups debug dump. Damaged lines are left out and listed in
 * `warnings`; with `strict` the first one throws a ParseError (with its line).
 */
export function parseHidDump(text: string, source?: string, options: ParseDumpOptions = {}): HidDump {
  const lines = text.split('\n');
  const events: HidDumpEvent[] = [];
  const warnings: HidDumpWarning[] = [];
  const dump: HidDump = { reports: [], paths: [], device: { vendorId: 0, productId: 0 }, events, warnings };
  const warn = (line: number, message: string): void => {
    if (options.strict) throw new ParseError(message, source, line);
    warnings.push({ line, message });
  };
  // NUT may list several devices before one matches: keep the one it matched, else the last.
  let current: HidDeviceInfo | undefined;
  let matched = false;
  /** The last length message not yet matched to its Report[err] line. */
  let pendingLength: Extract<HidDumpEvent, { type: 'length' }> | undefined;
  /** The last read report, waiting for the Path line that names the report NUT asked for. */
  let awaitingPath: HidDumpReport | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = strip(lines[i] as string);

    const desc = /Report Descriptor: \((\d+) bytes\) =>(.*)$/.exec(line);
    if (desc) {
      const run = readHexRun(lines, i, desc[2] as string, Number(desc[1]), 'report descriptor');
      if ('problem' in run) warn(i + 1, run.problem);
      else dump.descriptor ??= run.bytes;
      i = run.last;
      continue;
    }

    if (line.startsWith('Report[')) {
      const rep = REPORT_LINE.exec(line);
      if (!rep) {
        warn(i + 1, `unreadable report line: ${line.slice(0, 60)}`);
        continue;
      }
      const kind = rep[1] as string;
      const run = readHexRun(lines, i, rep[3] as string, Number(rep[2]), `Report[${kind}]`);
      const length = pendingLength;
      pendingLength = undefined;
      awaitingPath = undefined;
      if ('problem' in run) {
        warn(i + 1, run.problem);
        i = run.last;
        continue;
      }
      const report: HidDumpReport = { source: kind, bytes: run.bytes, line: i + 1 };
      if (kind === 'err') {
        if (length && length.got === run.bytes.length) {
          report.origin = length.fn === 'file_report_buffer' ? 'int' : 'get';
          report.expected = length.expected;
        } else {
          report.origin = interruptFollows(lines, run.last + 1) ? 'int' : 'get';
        }
      }
      dump.reports.push(report);
      if (READ_SOURCES.has(kind)) awaitingPath = report;
      i = run.last;
      continue;
    }

    if (line.startsWith('Path: ')) {
      const path = PATH_LINE.exec(line);
      const kind = path ? KINDS[path[2] as string] : undefined;
      if (!path || !kind) {
        warn(i + 1, path ? `unknown report type ${path[2]}` : `unreadable Path line: ${line.slice(0, 60)}`);
        continue;
      }
      const p: HidDumpPath = {
        path: path[1] as string,
        kind,
        reportId: parseInt(path[3] as string, 16),
        offset: Number(path[4]),
        size: Number(path[5]),
        line: i + 1,
      };
      if (path[6] !== undefined) {
        const v = Number(path[6]);
        if (Number.isFinite(v)) p.value = v;
        else warn(i + 1, `value ${path[6]} is not a number`);
      }
      dump.paths.push(p);
      if (awaitingPath) {
        if (awaitingPath.bytes[0] !== p.reportId) awaitingPath.requestedId = p.reportId;
        awaitingPath = undefined;
      }
      continue;
    }

    const len = LENGTH_LINE.exec(line);
    if (len) {
      pendingLength = {
        type: 'length',
        fn: len[1] as 'refresh_report_buffer' | 'file_report_buffer',
        expected: Number(len[2]),
        got: Number(len[3]),
        line: i + 1,
      };
      events.push(pendingLength);
      continue;
    }
    const got = /^Got (\d+) HID objects/.exec(line);
    if (got) {
      events.push({ type: 'interrupt', objects: Number(got[1]), line: i + 1 });
      continue;
    }
    const found = /^(\d+) HID objects found/.exec(line);
    if (found) {
      events.push({ type: 'objects', count: Number(found[1]), line: i + 1 });
      continue;
    }
    const size = /^Report Descriptor size = (\d+)/.exec(line);
    if (size) {
      events.push({ type: 'descriptor-size', size: Number(size[1]), line: i + 1 });
      continue;
    }
    const parse = /^(?:HIDParse: |ERROR in (?:HIDParse|Parse_ReportDesc): )(.*)$/.exec(line);
    if (parse) {
      events.push({ type: 'hidparse', message: (parse[1] as string).trim(), line: i + 1 });
      continue;
    }
    const failed = /^Can't retrieve Report ([0-9a-fA-F]{1,2})\b/.exec(line);
    if (failed) {
      events.push({ type: 'read-failed', reportId: parseInt(failed[1] as string, 16), line: i + 1 });
      awaitingPath = undefined;
      continue;
    }

    const dev = DEVICE_LINE.exec(line);
    if (dev && !matched) {
      const [, key, raw = ''] = dev;
      if (key === 'VendorID' || !current) {
        current = { vendorId: 0, productId: 0 };
        dump.device = current;
      }
      const hex = parseInt(raw.trim(), 16);
      switch (key) {
        case 'VendorID':
          current.vendorId = Number.isNaN(hex) ? 0 : hex;
          break;
        case 'ProductID':
          current.productId = Number.isNaN(hex) ? 0 : hex;
          break;
        case 'Manufacturer':
          current.manufacturer = raw;
          break;
        case 'Product':
          current.product = raw;
          break;
        case 'Serial Number':
          current.serialNumber = raw;
          break;
        default:
          if (!Number.isNaN(hex)) current.release = hex;
      }
      continue;
    }
    if (/^Device matches\b/.test(line) && current) matched = true;
  }
  return dump;
}

/**
 * A Report[err] line without its message (a dump at -DDD with the D2 line cut
 * away): an interrupt report when NUT's "Got N HID objects" comes before the
 * next report or Path line.
 */
function interruptFollows(lines: readonly string[], from: number): boolean {
  for (let i = from; i < lines.length && i < from + 50; i++) {
    const line = strip(lines[i] as string);
    if (/^Got \d+ HID objects/.test(line)) return true;
    if (line.startsWith('Report[') || line.startsWith('Path: ') || LENGTH_LINE.test(line)) return false;
  }
  return false;
}

/** lsusb's item names -> the item prefix without its size bits (tag << 4 | type << 2). */
const LSUSB_ITEMS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  Main: { Input: 0x80, Output: 0x90, Feature: 0xb0, Collection: 0xa0, 'End Collection': 0xc0 },
  Global: {
    'Usage Page': 0x04,
    'Logical Minimum': 0x14,
    'Logical Maximum': 0x24,
    'Physical Minimum': 0x34,
    'Physical Maximum': 0x44,
    'Unit Exponent': 0x54,
    Unit: 0x64,
    'Report Size': 0x74,
    'Report ID': 0x84,
    'Report Count': 0x94,
    Push: 0xa4,
    Pop: 0xb4,
  },
  Local: {
    Usage: 0x08,
    'Usage Minimum': 0x18,
    'Usage Maximum': 0x28,
    'Designator Index': 0x38,
    'Designator Minimum': 0x48,
    'Designator Maximum': 0x58,
    'String Index': 0x78,
    'String Minimum': 0x88,
    'String Maximum': 0x98,
    Delimiter: 0xa8,
  },
};

const SIZE_CODE: Readonly<Record<number, number>> = { 0: 0, 1: 1, 2: 2, 4: 3 };

/**
 * Rebuilds the bytes of the first report descriptor that `lsusb -v` decoded
 * in `text` (`Report Descriptor: (length is N)` then `Item(...)` lines).
 * undefined when there is none; ParseError for an item it cannot encode or a
 * length that does not add up.
 */
export function parseLsusbDescriptor(text: string, source?: string): Uint8Array | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /Report Descriptor: \(length is \d+\)/.test(l));
  if (start < 0) return undefined;
  const length = Number(/\(length is (\d+)\)/.exec(lines[start] as string)?.[1]);
  const out: number[] = [];
  for (let i = start + 1; i < lines.length && out.length < length; i++) {
    const line = strip(lines[i] as string);
    const m = /^Item\((Main|Global|Local)\s*\): ([A-Za-z ]+?), data=\s*(?:none|\[([^\]]*)\])/.exec(line);
    if (!m) {
      // Item lines are followed by indented decodings; anything else ends the descriptor.
      if (/^(Endpoint Descriptor|Interface Descriptor|HID Device Descriptor):?/.test(line.trim())) break;
      continue;
    }
    const prefix = LSUSB_ITEMS[m[1] as string]?.[m[2] as string];
    if (prefix === undefined) throw new ParseError(`unknown item ${m[1]}: ${m[2]}`, source, i + 1);
    const data = m[3] === undefined ? [] : m[3].trim() === '' ? [] : m[3].trim().split(/\s+/).map((h) => parseInt(h, 16));
    const code = SIZE_CODE[data.length];
    if (code === undefined || data.some((b) => Number.isNaN(b) || b > 0xff)) throw new ParseError(`item data [${m[3]}] is not 0, 1, 2 or 4 bytes`, source, i + 1);
    out.push(prefix | code, ...data);
  }
  if (out.length !== length) throw new ParseError(`report descriptor: length is ${length}, items make ${out.length} bytes`, source, start + 1);
  return Uint8Array.from(out);
}
