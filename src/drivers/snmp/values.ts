/**
 * From an SNMP value to the text NUT publishes, exactly as snmp-ups does
 * it (drivers/snmp-ups.c decode_str, nut_snmp_get_int, su_ups_get): the
 * ASN.1 type decides, multipliers apply to numbers only, a number with a
 * fraction is printed with two decimals of a C float.
 */
import type { Lookup } from './mib';
import type { SnmpValue } from './transport';

/** NUT's value buffers are SU_INFOSIZE (128) bytes with the terminating NUL. */
export const INFO_SIZE = 128;

/** A value that is itself an OID: NUT reads the OID it points to, and takes its last number when that fails. */
export interface Follow {
  follow: string;
}

export function isFollow(v: unknown): v is Follow {
  return typeof v === 'object' && v !== null && 'follow' in v;
}

/** C isprint || isspace, in the C locale. */
function printable(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || (b >= 0x09 && b <= 0x0d);
}

/** net-snmp's snprint_hexstring: "0A 1B 2C " (upper case, a space after each byte). */
function hexString(buf: Buffer): string {
  let s = '';
  for (const b of buf) s += `${b.toString(16).toUpperCase().padStart(2, '0')} `;
  return s.slice(0, INFO_SIZE - 1);
}

export function lookupText(lookup: Lookup | undefined, n: number): string | undefined {
  return lookup?.find(([k]) => k === n)?.[1];
}

/** The number a lookup text stands for (NUT su_find_valinfo), for SET VAR. */
export function lookupValue(lookup: Lookup, text: string): number | undefined {
  return lookup.find(([, v]) => v === text)?.[0];
}

/**
 * A value read as text (ST_FLAG_STRING entries; NUT decode_str): strings
 * as they are (hex when not printable), integers through the lookup (no
 * match: nothing published) or in decimal, TimeTicks in seconds.
 * null: the card has no usable value.
 */
export function decodeString(v: SnmpValue, lookup: Lookup | undefined): string | Follow | null {
  switch (v.kind) {
    case 'string': {
      if (!v.value.every(printable)) return hexString(v.value);
      // NUL bytes end a C string.
      const nul = v.value.indexOf(0);
      const bytes = nul >= 0 ? v.value.subarray(0, nul) : v.value;
      return bytes.subarray(0, INFO_SIZE - 1).toString('latin1');
    }
    case 'int':
      if (lookup) return lookupText(lookup, v.value) ?? null;
      return String(v.value);
    case 'ticks':
      return String(Math.trunc(v.value / 100));
    case 'oid':
      return { follow: v.value };
    default:
      return null;
  }
}

/** C strtol(s, NULL, 0): leading blanks, a sign, 0x hex / 0 octal / decimal digits; nothing valid reads 0. */
export function strtol0(s: string): number {
  const m = /^[\s]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  const digits = m[2]!;
  if (/^0[xX]/.test(digits)) return sign * Number.parseInt(digits.slice(2), 16);
  if (digits.length > 1 && digits.startsWith('0')) return sign * Number.parseInt(digits.slice(1), 8);
  return sign * Number.parseInt(digits, 10);
}

/** A value read as a number (NUT nut_snmp_get_int). null: none. */
export function decodeInt(v: SnmpValue): number | Follow | null {
  switch (v.kind) {
    case 'string': {
      const nul = v.value.indexOf(0);
      return strtol0((nul >= 0 ? v.value.subarray(0, nul) : v.value).toString('latin1'));
    }
    case 'int':
      return v.value;
    case 'ticks':
      return Math.trunc(v.value / 100);
    case 'oid':
      return { follow: v.value };
    default:
      return null;
  }
}

/** The last number of an OID, as NUT falls back to when the OID a value points to cannot be read. */
export function oidLeaf(oid: string): number {
  return strtol0(oid.slice(oid.lastIndexOf('.') + 1));
}

/**
 * value × multiplier as snmp-ups prints it: "%i" when the C float of the
 * product equals its integer part (f_equal), else "%.2f" of the float.
 */
export function formatScaled(value: number, multiplier: number): string {
  const d = value * multiplier;
  const i = Math.trunc(d);
  if (Math.abs(Math.fround(i) - Math.fround(d)) <= 1.1920928955078125e-7) return String(i | 0);
  return Math.fround(d).toFixed(2);
}

/** NUT's su_convert_to_iso_date (pw battery.date): "mm/dd/yyyy" -> "yyyy-mm-dd"; anything else unchanged. */
export function usDateToIso(s: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s.trim());
  return m ? `${m[3]}-${m[1]}-${m[2]}` : s;
}
