/**
 * HID report descriptor parser (HID 1.11 §6.2.2), producing the fields NUT's
 * usbhid-ups sees, named and placed exactly as NUT does:
 *
 * - A field's path is the usages of the enclosing collections, then its own.
 *   A collection whose type is vendor defined (0x80..0xff) adds an index node
 *   `[type & 0x7f]` after its usage (`UPS.Flow.[4].ConfigVoltage`).
 * - A Main item with Report Count n takes n slots of Report Size bits. Slot i
 *   is named by the i-th pending usage; a slot left without one (padding, or
 *   more slots than usages) takes its room in the report but makes no field.
 *   Arrays and variables are named the same way (NUT makes no difference).
 * - Constant items that carry a usage are fields (read-only features are
 *   often declared constant); bit offsets count per (report ID, kind).
 * - A usage item of 1-2 bytes takes the Usage Page current at that item; a
 *   4-byte one is an extended usage (its own page).
 * - Logical/physical extents are signed by their item size; a Logical Maximum
 *   below the Logical Minimum is re-read unsigned (assumedLogicalMax).
 *
 * Beyond NUT (which ignores them): Push/Pop, Usage Minimum/Maximum (expanded
 * into the usage list), Delimiter sets (first usage kept), long items (skipped).
 * Limits follow the Linux HID parser; anything malformed throws
 * HidDescriptorError with the byte offset, never another exception.
 */
import { HidDescriptorError, type HidField, type HidReportDescriptor, type ReportKind } from '../types';
import { INDEX_NODE, usagesToPath, type UsageNames } from './usages';

export interface ParseOptions {
  /** Vendor usage names (a subdriver table), used before the generic ones when naming paths. */
  usageNames?: UsageNames;
}

// Limits, as the Linux HID core enforces them: beyond these a descriptor is broken.
const MAX_REPORT_SIZE_BITS = 256;
const MAX_REPORT_COUNT = 12288;
const MAX_USAGES = 12288;
const MAX_REPORT_BYTES = 16384;
const MAX_COLLECTION_DEPTH = 64;
const MAX_PUSH_DEPTH = 32;
const MAX_FIELDS = 65536;

const ITEM_SIZE = [0, 1, 2, 4] as const;

const TYPE_MAIN = 0;
const TYPE_GLOBAL = 1;
const TYPE_LOCAL = 2;

interface GlobalState {
  usagePage: number;
  logicalMin: number;
  logicalMax: number;
  /** The Logical Maximum was re-read unsigned (see the Logical Maximum item). */
  assumedLogicalMax: boolean;
  physicalMin: number;
  physicalMax: number;
  havePhysicalMin: boolean;
  havePhysicalMax: boolean;
  unitExponent: number;
  unit: number;
  reportSize: number;
  reportId: number;
  reportCount: number;
}

interface LocalState {
  usages: number[];
  usageMin?: number;
  usageMax?: number;
  stringIndex?: number;
  /** Inside a delimiter set: only its first usage counts. */
  delimiterOpen: boolean;
  delimiterTaken: boolean;
}

function freshLocal(): LocalState {
  return { usages: [], delimiterOpen: false, delimiterTaken: false };
}

/** NUT keeps the low byte as a signed number and reads 8..15 as the 4-bit two's complement nibble of the spec. */
function unitExponentOf(raw: number): number {
  const b = raw & 0xff;
  const s = b >= 0x80 ? b - 0x100 : b;
  return s >= 8 && s <= 15 ? s - 16 : s;
}

const KIND_BY_TAG: Readonly<Record<number, ReportKind>> = { 8: 'input', 9: 'output', 11: 'feature' };

class ParsedDescriptor implements HidReportDescriptor {
  constructor(
    readonly fields: readonly HidField[],
    readonly usesReportIds: boolean,
    private readonly bits: ReadonlyMap<string, number>,
  ) {}

  reportLength(kind: ReportKind, reportId: number): number {
    const bits = this.bits.get(`${kind}:${reportId}`);
    if (bits === undefined) return 0;
    return Math.ceil(bits / 8) + (this.usesReportIds ? 1 : 0);
  }

  reportIds(kind: ReportKind): number[] {
    const ids = new Set<number>();
    for (const f of this.fields) if (f.kind === kind) ids.add(f.reportId);
    return [...ids].sort((a, b) => a - b);
  }

  /** First field by `path` and by `kind:path`, built on first use (drivers look paths up at every poll). */
  private index?: Map<string, HidField>;

  find(path: string, kind?: ReportKind): HidField | undefined {
    if (!this.index) {
      this.index = new Map();
      for (const f of this.fields) {
        if (!this.index.has(f.path)) this.index.set(f.path, f);
        const key = `${f.kind}:${f.path}`;
        if (!this.index.has(key)) this.index.set(key, f);
      }
    }
    return this.index.get(kind === undefined ? path : `${kind}:${path}`);
  }
}

export function parseReportDescriptor(bytes: Uint8Array, options: ParseOptions = {}): HidReportDescriptor {
  const names = options.usageNames;
  const fields: HidField[] = [];
  /** Report bits used so far, by `${kind}:${reportId}`. */
  const bits = new Map<string, number>();
  let usesReportIds = false;

  let g: GlobalState = {
    usagePage: 0,
    logicalMin: 0,
    logicalMax: 0,
    assumedLogicalMax: false,
    physicalMin: 0,
    physicalMax: 0,
    havePhysicalMin: false,
    havePhysicalMax: false,
    unitExponent: 0,
    unit: 0,
    reportSize: 0,
    reportId: 0,
    reportCount: 0,
  };
  const globalStack: GlobalState[] = [];
  let local = freshLocal();
  /** Path nodes of the open collections. */
  const path: number[] = [];
  /** How many nodes each open collection added (1, or 2 with an index). */
  const collectionNodes: number[] = [];

  const addUsage = (usage: number, at: number): void => {
    if (local.delimiterOpen) {
      if (local.delimiterTaken) return;
      local.delimiterTaken = true;
    }
    if (local.usages.length >= MAX_USAGES) throw new HidDescriptorError(`more than ${MAX_USAGES} usages`, at);
    local.usages.push(usage >>> 0);
  };

  const usageOf = (value: number, size: number): number => (size === 4 ? value >>> 0 : ((g.usagePage << 16) | (value & 0xffff)) >>> 0);

  const expandRange = (at: number): void => {
    const { usageMin: lo, usageMax: hi } = local;
    if (lo === undefined || hi === undefined) return;
    local.usageMin = undefined;
    local.usageMax = undefined;
    // A reversed range names nothing; not worth rejecting the device for.
    if (hi < lo) return;
    if (hi - lo + 1 + local.usages.length > MAX_USAGES) throw new HidDescriptorError(`usage range of ${hi - lo + 1} usages`, at);
    for (let u = lo; u <= hi; u++) addUsage(u, at);
  };

  const mainDataItem = (kind: ReportKind, flags: number, at: number): void => {
    const key = `${kind}:${g.reportId}`;
    let offset = bits.get(key) ?? 0;
    const physical = g.havePhysicalMin && g.havePhysicalMax;
    for (let slot = 0; slot < g.reportCount; slot++) {
      const usage = local.usages[slot] ?? 0;
      if (usage !== 0) {
        if (fields.length >= MAX_FIELDS) throw new HidDescriptorError(`more than ${MAX_FIELDS} fields`, at);
        const usages = [...path, usage];
        const field: HidField = {
          path: usagesToPath(usages, names),
          usages,
          kind,
          reportId: g.reportId,
          offset,
          size: g.reportSize,
          logicalMin: g.logicalMin,
          logicalMax: g.logicalMax,
          // NUT: physical extents count only when both are declared; 0/0 means "same as logical".
          physicalMin: physical ? g.physicalMin : 0,
          physicalMax: physical ? g.physicalMax : 0,
          unit: g.unit,
          unitExponent: g.unitExponent,
          flags,
        };
        if (g.assumedLogicalMax) field.assumedLogicalMax = true;
        if (local.stringIndex !== undefined) field.stringIndex = local.stringIndex;
        fields.push(field);
      }
      offset += g.reportSize;
    }
    if (offset > MAX_REPORT_BYTES * 8) throw new HidDescriptorError(`report ${g.reportId} longer than ${MAX_REPORT_BYTES} bytes`, at);
    if (g.reportCount > 0 || bits.has(key)) bits.set(key, offset);
  };

  let pos = 0;
  while (pos < bytes.length) {
    const at = pos;
    const prefix = bytes[pos] as number;

    if (prefix === 0xfe) {
      // Long item: size byte, tag byte, then data. No long item tags are defined; skip it.
      if (pos + 3 > bytes.length) throw new HidDescriptorError('truncated long item', at);
      const size = bytes[pos + 1] as number;
      if (pos + 3 + size > bytes.length) throw new HidDescriptorError('truncated long item', at);
      pos += 3 + size;
      continue;
    }

    const size = ITEM_SIZE[prefix & 3] as number;
    const type = (prefix >> 2) & 3;
    const tag = prefix >> 4;
    if (pos + 1 + size > bytes.length) throw new HidDescriptorError(`truncated item 0x${prefix.toString(16).padStart(2, '0')}`, at);
    let value = 0;
    for (let i = 0; i < size; i++) value += (bytes[pos + 1 + i] as number) * 2 ** (8 * i);
    // Two's complement view of the same data, for the items the spec defines as signed.
    const signed = size === 0 ? 0 : value >= 2 ** (8 * size - 1) ? value - 2 ** (8 * size) : value;
    pos += 1 + size;

    if (type === TYPE_MAIN) {
      const kind = KIND_BY_TAG[tag];
      if (kind) {
        expandRange(at);
        mainDataItem(kind, value, at);
        local = freshLocal();
      } else if (tag === 10) {
        // Collection
        expandRange(at);
        if (collectionNodes.length >= MAX_COLLECTION_DEPTH) throw new HidDescriptorError('collections nested too deep', at);
        path.push(local.usages[0] ?? 0);
        if (value >= 0x80) {
          path.push((INDEX_NODE | (value & 0x7f)) >>> 0);
          collectionNodes.push(2);
        } else {
          collectionNodes.push(1);
        }
        local = freshLocal();
      } else if (tag === 12) {
        // End Collection
        const n = collectionNodes.pop();
        if (n === undefined) throw new HidDescriptorError('End Collection without an open collection', at);
        path.length -= n;
        local = freshLocal();
      }
      // Other main tags are reserved: ignored.
    } else if (type === TYPE_GLOBAL) {
      switch (tag) {
        case 0:
          g.usagePage = value & 0xffff;
          break;
        case 1:
          g.logicalMin = signed;
          break;
        case 2:
          // Firmware often writes an unsigned maximum in too few bytes (0xffff for
          // 65535 reads -1). As NUT does: a maximum below the current minimum is
          // taken unsigned, and flagged so vendor fixups know it was guessed.
          g.assumedLogicalMax = signed < g.logicalMin;
          g.logicalMax = g.assumedLogicalMax ? value : signed;
          break;
        case 3:
          g.physicalMin = signed;
          g.havePhysicalMin = true;
          break;
        case 4:
          g.physicalMax = signed;
          g.havePhysicalMax = true;
          break;
        case 5:
          g.unitExponent = unitExponentOf(value);
          break;
        case 6:
          g.unit = value >>> 0;
          break;
        case 7:
          if (value > MAX_REPORT_SIZE_BITS) throw new HidDescriptorError(`Report Size ${value} bits`, at);
          g.reportSize = value;
          break;
        case 8:
          if (value === 0 || value > 255) throw new HidDescriptorError(`Report ID ${value}`, at);
          g.reportId = value;
          usesReportIds = true;
          break;
        case 9:
          if (value > MAX_REPORT_COUNT) throw new HidDescriptorError(`Report Count ${value}`, at);
          g.reportCount = value;
          break;
        case 10:
          if (globalStack.length >= MAX_PUSH_DEPTH) throw new HidDescriptorError('Push nested too deep', at);
          globalStack.push({ ...g });
          break;
        case 11: {
          const popped = globalStack.pop();
          if (!popped) throw new HidDescriptorError('Pop without Push', at);
          g = popped;
          break;
        }
        // Reserved global tags: ignored.
      }
    } else if (type === TYPE_LOCAL) {
      switch (tag) {
        case 0:
          addUsage(usageOf(value, size), at);
          break;
        case 1:
          local.usageMin = usageOf(value, size);
          expandRange(at);
          break;
        case 2:
          local.usageMax = usageOf(value, size);
          expandRange(at);
          break;
        case 7:
          local.stringIndex = value;
          break;
        case 10:
          // Delimiter: 1 opens a set of alternative usages, 0 closes it.
          local.delimiterOpen = value === 1;
          local.delimiterTaken = false;
          break;
        // Designator index/min/max, string min/max: nothing NUT or we use.
      }
    }
    // Type 3 short items are reserved: skipped.
  }

  if (collectionNodes.length > 0) throw new HidDescriptorError(`${collectionNodes.length} collection(s) not closed`, bytes.length);
  return new ParsedDescriptor(fields, usesReportIds, bits);
}
