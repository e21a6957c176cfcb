/**
 * Readers for recorded HID devices, as found in nut-ddl files and bug reports:
 *
 * - usbhid-ups debug output (`-DDD` and up): the report descriptor hex
 *   (`Report Descriptor: (N bytes) => ...`, continued on following lines),
 *   the raw reports (`Report[get]`, `Report[buf]`, `Report[int]`...), the
 *   decoded `Path: ...` lines and the device's USB identity (`- VendorID:`...).
 * - `lsusb -v` output, whose report descriptor is decoded item by item
 *   (`Item(Global): Usage Page, data= [ 0x84 ] 132`): the bytes are rebuilt.
 *
 * Lines may carry any prefix NUT or a reporter adds (`#`, `[D3]`, timestamps);
 * any other text is ignored.
 */
import { ParseError } from '../../../core/errors';
import type { HidDeviceInfo, ReportKind } from '../types';

export interface HidDumpReport {
  /** How NUT got it: get (read now), buf (from its buffer), int (interrupt), set, err (unexpected length). */
  source: string;
  /** As on the wire: report ID byte first when the device uses IDs. */
  bytes: Uint8Array;
  /** 1-based line of the text. */
  line: number;
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

export interface HidDump {
  /** The report descriptor, when the dump has one. */
  descriptor?: Uint8Array;
  reports: HidDumpReport[];
  paths: HidDumpPath[];
  /** The USB identity NUT printed for the device it used (vendorId/productId 0 when absent). */
  device: HidDeviceInfo;
}

/** Prefixes a dump line may carry: comment mark, timestamp, debug level. */
const PREFIX = /^\s*#?\s*(?:\d+\.\d+\s+)?(?:\[D\d\]\s*)?/;
const HEX_LINE = /^(?:[0-9a-fA-F]{2}(?:\s+|$))+$/;

function strip(line: string): string {
  return line.replace(/\r$/, '').replace(PREFIX, '');
}

function hexBytes(text: string): number[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/).map((h) => parseInt(h, 16));
}

/**
 * Reads `count` hex bytes starting with `first` (the text after `=>`), taking
 * continuation lines of bare hex while more are expected. Returns the bytes
 * and the index of the last line used.
 */
function readHexRun(lines: readonly string[], index: number, first: string, count: number, what: string, source?: string): [Uint8Array, number] {
  if (first.trim() !== '' && !HEX_LINE.test(first.trim())) throw new ParseError(`${what}: not hex bytes`, source, index + 1);
  const out = hexBytes(first);
  let i = index;
  while (out.length < count && i + 1 < lines.length) {
    const next = strip(lines[i + 1] as string).trim();
    if (next === '' || !HEX_LINE.test(next)) break;
    out.push(...hexBytes(next));
    i++;
  }
  if (out.length !== count) throw new ParseError(`${what}: ${count} bytes announced, ${out.length} found`, source, index + 1);
  return [Uint8Array.from(out), i];
}

const KINDS: Readonly<Record<string, ReportKind>> = { Input: 'input', Output: 'output', Feature: 'feature' };

const DEVICE_LINE = /^- (VendorID|ProductID|Manufacturer|Product|Serial Number|Device release number): ?(.*)$/;

/** Parses a usbhid-ups debug dump. Throws ParseError for announced data that is not there. */
export function parseHidDump(text: string, source?: string): HidDump {
  const lines = text.split('\n');
  const dump: HidDump = { reports: [], paths: [], device: { vendorId: 0, productId: 0 } };
  // NUT may list several devices before one matches: keep the one it matched, else the last.
  let current: HidDeviceInfo | undefined;
  let matched = false;

  for (let i = 0; i < lines.length; i++) {
    const line = strip(lines[i] as string);

    const desc = /Report Descriptor: \((\d+) bytes\) =>(.*)$/.exec(line);
    if (desc) {
      const [bytes, last] = readHexRun(lines, i, desc[2] as string, Number(desc[1]), 'report descriptor', source);
      dump.descriptor ??= bytes;
      i = last;
      continue;
    }

    const rep = /^Report\[(\w+)\]: \((\d+) bytes\) =>(.*)$/.exec(line);
    if (rep) {
      const [bytes, last] = readHexRun(lines, i, rep[3] as string, Number(rep[2]), `Report[${rep[1]}]`, source);
      dump.reports.push({ source: rep[1] as string, bytes, line: i + 1 });
      i = last;
      continue;
    }

    const path = /^Path: ([^,]+), Type: (\w+), ReportID: 0x([0-9a-fA-F]+), Offset: (\d+), Size: (\d+)(?:, Value: (\S+))?/.exec(line);
    if (path) {
      const kind = KINDS[path[2] as string];
      if (!kind) throw new ParseError(`unknown report type ${path[2]}`, source, i + 1);
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
        if (!Number.isFinite(v)) throw new ParseError(`value ${path[6]} is not a number`, source, i + 1);
        p.value = v;
      }
      dump.paths.push(p);
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
