/**
 * Field values in report data, as NUT's usbhid-ups reads and writes them.
 *
 * Report data is what travels on the wire: the report ID byte first when the
 * device uses report IDs (field.reportId !== 0), then the fields, bit offsets
 * counted after that byte, little endian, LSB first.
 */
import type { HidField, HidReportDescriptor, ReportKind } from '../types';
import { HidReportError } from './errors';

/** Bits of report data before a field's offset 0: the report ID byte, when there is one. */
function base(field: HidField): number {
  return field.reportId !== 0 ? 8 : 0;
}

/**
 * Where a field's bits lie in report data as it travels: bits start..end-1,
 * counted from the first byte (the report ID byte included when there is one).
 */
export function fieldBits(field: HidField): { start: number; end: number } {
  const start = base(field) + field.offset;
  return { start, end: start + field.size };
}

function checkFits(field: HidField, report: Uint8Array): void {
  const end = base(field) + field.offset + field.size;
  if (report.length * 8 < end) {
    throw new HidReportError(`${field.path}: report ${field.reportId} has ${report.length} bytes, the field needs ${Math.ceil(end / 8)}`);
  }
  if (field.reportId !== 0 && report[0] !== field.reportId) {
    throw new HidReportError(`${field.path}: report ID byte is ${report[0]}, the field is in report ${field.reportId}`);
  }
}

/** Number of significant bits of x (0 for 0): where NUT puts the sign bit. */
function bitLength(x: number): number {
  let n = 0;
  while (x >= 1) {
    x = Math.floor(x / 2);
    n++;
  }
  return n;
}

/**
 * The logical value of a field, as NUT reads it: the raw bits are cut to the
 * bits LogMin..LogMax need (devices send garbage above them), sign-extended
 * when LogMin < 0, then clamped into LogMin..LogMax.
 */
export function readLogical(field: HidField, report: Uint8Array): number {
  checkFits(field, report);
  const start = base(field) + field.offset;
  // Bits above 2^53 cannot matter: no extent needs them.
  const width = Math.min(field.size, 53);
  let raw = 0;
  for (let i = 0; i < width; i++) {
    const bit = start + i;
    if (((report[bit >> 3] as number) >> (bit & 7)) & 1) raw += 2 ** i;
  }

  const { logicalMin: min, logicalMax: max } = field;
  const magMax = max >= 0 ? max : -(max + 1);
  const magMin = min >= 0 ? min : -(min + 1);
  const signBit = 2 ** bitLength(Math.max(magMax, magMin));
  const modulus = min < 0 ? signBit * 2 : signBit;
  let value = raw % modulus;
  if (min < 0 && value >= signBit) value -= modulus;
  // In NUT's order: below LogMin first, then above LogMax.
  return value < min ? min : value > max ? max : value;
}

/** NUT's unit table: the exponent the HID Power Device spec builds into volts and watts/VA. */
const UNIT_BASE_EXPONENT: ReadonlyMap<number, number> = new Map([
  [0x00f0d121, 7], // volt
  [0x0000d121, 7], // watt, VA
]);

/** The power of ten NUT applies: unit exponent less the unit's built-in one. */
export function valueExponent(field: HidField): number {
  return field.unitExponent - (UNIT_BASE_EXPONENT.get(field.unit >>> 0) ?? 0);
}

function scale(value: number, exp: number): number {
  // Dividing by 10^n keeps 1358 * 10^-2 at 13.58 rather than 13.580000000000002.
  return exp >= 0 ? value * 10 ** exp : value / 10 ** -exp;
}

/** True when the physical extents mean anything (NUT: both declared, not both 0, increasing, with increasing logical extents). */
function scaled(field: HidField): boolean {
  const { physicalMin: pmin, physicalMax: pmax, logicalMin: lmin, logicalMax: lmax } = field;
  if (pmin === 0 && pmax === 0) return false;
  return pmax > pmin && lmax > lmin;
}

/** Logical -> physical (linear map onto PhyMin..PhyMax, clamped), then the unit exponent. */
export function toPhysical(field: HidField, logical: number): number {
  let v = logical;
  if (scaled(field)) {
    const { physicalMin: pmin, physicalMax: pmax, logicalMin: lmin, logicalMax: lmax } = field;
    v = ((logical - lmin) * (pmax - pmin)) / (lmax - lmin) + pmin;
    v = v > pmax ? pmax : v < pmin ? pmin : v;
  }
  return scale(v, valueExponent(field));
}

/**
 * NUT truncates toward zero when it turns a physical value into a logical
 * one; float noise (13.6 V / 0.01 = 1359.9999999999998) must not cost a unit.
 */
function truncate(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.trunc(x);
}

/** Physical -> logical: the inverse of toPhysical, truncated, clamped to LogMin..LogMax when scaled (as NUT). */
export function toLogical(field: HidField, physical: number): number {
  const v = scale(physical, -valueExponent(field));
  if (!scaled(field)) return truncate(v);
  const { physicalMin: pmin, physicalMax: pmax, logicalMin: lmin, logicalMax: lmax } = field;
  const l = truncate(((v - pmin) * (lmax - lmin)) / (pmax - pmin)) + lmin;
  return l > lmax ? lmax : l < lmin ? lmin : l;
}

/** The physical value of a field in report data. */
export function readField(field: HidField, report: Uint8Array): number {
  return toPhysical(field, readLogical(field, report));
}

/** Writes a logical value into the field's bits (two's complement, cut to the field's size). */
export function writeLogical(field: HidField, logical: number, report: Uint8Array): void {
  checkFits(field, report);
  const start = base(field) + field.offset;
  // Two's complement of negatives, modulo 2^53 so the bit walk stays exact.
  let v = Math.trunc(logical);
  if (v < 0) v += 2 ** 53;
  for (let i = 0; i < field.size; i++) {
    const bit = start + i;
    const set = i < 53 ? Math.floor(v / 2 ** i) % 2 === 1 : logical < 0;
    const idx = bit >> 3;
    const mask = 1 << (bit & 7);
    report[idx] = set ? (report[idx] as number) | mask : (report[idx] as number) & ~mask;
  }
}

/** Writes a physical value into the field's bits. */
export function writeField(field: HidField, physical: number, report: Uint8Array): void {
  writeLogical(field, toLogical(field, physical), report);
}

/**
 * Every field of one report -> physical value, by path. `report` is as the
 * device sent it (ID byte first when IDs are used). A device that sends a
 * shorter report than it declared gets the fields that fit; the others are
 * left out rather than read from bytes that are not there.
 */
export function decodeReport(descriptor: HidReportDescriptor, kind: ReportKind, report: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  if (descriptor.usesReportIds && report.length === 0) throw new HidReportError('empty report');
  const id = descriptor.usesReportIds ? (report[0] as number) : 0;
  for (const field of descriptor.fields) {
    if (field.kind !== kind || field.reportId !== id) continue;
    if (report.length * 8 < base(field) + field.offset + field.size) continue;
    // The first field of a path wins, as NUT's lookups return the first match.
    if (!out.has(field.path)) out.set(field.path, readField(field, report));
  }
  return out;
}

/**
 * A report to send (Feature or Output), ready for sendFeatureReport: report
 * ID first, a 0 byte when the device uses no IDs. Starts from `current` (the
 * report as last read, same form as the device sends it) so the fields not
 * written keep their values; zeros otherwise.
 */
export function buildReport(
  descriptor: HidReportDescriptor,
  kind: ReportKind,
  reportId: number,
  writes: ReadonlyArray<{ field: HidField; value: number }>,
  current?: Uint8Array,
): Uint8Array {
  const length = descriptor.reportLength(kind, reportId);
  if (length === 0) throw new HidReportError(`no ${kind} report ${reportId} in the descriptor`);
  if (current && descriptor.usesReportIds && current.length > 0 && current[0] !== reportId) {
    throw new HidReportError(`current data is report ${current[0]}, not ${reportId}`);
  }
  const data = new Uint8Array(length);
  if (current) data.set(current.subarray(0, length));
  if (descriptor.usesReportIds) data[0] = reportId;
  for (const { field, value } of writes) {
    if (field.kind !== kind || field.reportId !== reportId) {
      throw new HidReportError(`${field.path} is in ${field.kind} report ${field.reportId}, not ${kind} report ${reportId}`);
    }
    writeField(field, value, data);
  }
  if (descriptor.usesReportIds) return data;
  const withZero = new Uint8Array(length + 1);
  withZero.set(data, 1);
  return withZero;
}
