/**
 * Pure functions over what an APC Smart UPS sends: no I/O here, so every
 * malformed, truncated or echoed reply can be tested byte by byte.
 */
import { DeviceReplyError } from '../runtime/errors';
import { ALERTS, CMDSET_FORMAT, STATUS_BITS, type ApcVarDef } from './tables';

/** What the UPS sent could not be used: garbage, an echo, a partial line. The exchange counts as failed (a missed poll, a failed request). */
export class ApcReplyError extends DeviceReplyError {}

/** The UPS said nothing in time where an answer was needed. A missed poll; the runtime reopens (and says Y again) after a few. */
export class ApcNoReplyError extends DeviceReplyError {}

/** Transfer causes of `G` as NUT words them. */
const REASONS: Readonly<Record<string, string>> = {
  R: 'unacceptable utility voltage rate of change',
  H: 'high utility voltage',
  L: 'low utility voltage',
  T: 'line voltage notch or spike',
  O: 'no transfers yet since turnon',
  S: 'simulated power failure or UPS test',
};

/** C's strtol: leading blanks, a sign, digits; 0 when there are none. */
function leadingInt(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

/** A raw value as NUT publishes it: minutes and hours become seconds, G becomes words, the rest passes (NUT convert_data). */
export function convertValue(format: ApcVarDef['format'], raw: string): string {
  switch (format) {
    case 'hours':
      return String(3600 * leadingInt(raw));
    case 'minutes':
      return String(60 * leadingInt(raw));
    case 'reason':
      return REASONS[raw[0] ?? ''] ?? raw;
    default:
      return raw;
  }
}

/**
 * A packed value split into its fields (ambient.0.x -> ambient.1.x ...):
 * at most 4, an empty field reads N/A (NUT apc_dstate_setinfo).
 */
export function unpack(def: ApcVarDef, raw: string): Array<[string, string]> {
  const fields = raw.split(',');
  const kept = fields.slice(0, 4);
  return kept.map((f, i) => [def.name.replace('.0.', `.${i + 1}.`), f === '' ? 'N/A' : convertValue(def.format, f)]);
}

/** Names a packed definition may have published, for withdrawing them all. */
export function packedNames(def: ApcVarDef): string[] {
  return [1, 2, 3, 4].map((i) => def.name.replace('.0.', `.${i}.`));
}

/** The status words of a `Q` byte, in NUT's order; a UPS reporting no bit at all is OFF. */
export function statusWords(bits: number): string[] {
  const words = STATUS_BITS.filter(([b]) => (bits & b) !== 0).map(([, w]) => w);
  return words.length ? words : ['OFF'];
}

/**
 * The `Q` reply: two hex digits. NUT takes whatever strtol makes of it; we
 * refuse anything but hex digits, so an echoed command or line noise is a
 * failed poll rather than a made-up status.
 */
export function parseStatus(reply: string): number {
  if (!/^[0-9A-Fa-f]{1,2}$/.test(reply)) throw new ApcReplyError(`status reply ${JSON.stringify(reply)} is not a hex byte`);
  return Number.parseInt(reply, 16);
}

/** A status after an alert character (NUT alert_handler); unknown characters change nothing. */
export function applyAlert(bits: number, ch: string): number {
  const a = ALERTS[ch];
  if (!a) return bits;
  return ((bits & ~(a.clear ?? 0)) | (a.set ?? 0)) & 0xff;
}

/**
 * One line the UPS sent, with the ignore set applied: the reply text, and
 * the alert characters found in it (only when `alerts` says to look).
 */
export function cleanLine(raw: string, ignore: string, alerts: boolean): { text: string; alerts: string[] } {
  let text = '';
  const found: string[] = [];
  for (const ch of raw) {
    if (ch === '\n') continue;
    if (ignore.includes(ch)) continue;
    if (alerts && ch in ALERTS) {
      found.push(ch);
      continue;
    }
    text += ch;
  }
  return { text, alerts: found };
}

/** The commands part of an `a` reply (protocol.alerts.commands[.more]), or null when it is not one. */
export function parseCmdSet(reply: string): string | null {
  if (!CMDSET_FORMAT.test(reply)) return null;
  const parts = reply.split('.');
  return parts[2] ?? null;
}

export interface CapsEntry {
  cmd: string;
  /** Locale letter the values are for; `4` means every locale. */
  locale: string;
  values: string[];
}

/**
 * The ^Z EEPROM table: `#` then entries of command byte, locale, count and
 * width (digits offset from '0'), and count values of that width; Matrix
 * units repeat `##` before each entry (NUT apc_getcaps). A table that
 * overflows (an entry longer than what is left) is an error unless the
 * firmware is known to do it (`tolerateOverflow`); the entries before it are kept.
 */
export function parseCaps(reply: string, tolerateOverflow = false): { entries: CapsEntry[]; problem?: string } {
  if (reply[0] !== '#') return { entries: [], problem: `capability table starts with ${JSON.stringify(reply[0] ?? '')}, not #` };
  const matrix = reply[1] === '#';
  let i = matrix ? 0 : 1;
  const entries: CapsEntry[] = [];
  const stop = (problem: string) => (tolerateOverflow ? { entries } : { entries, problem });
  while (i < reply.length) {
    if (matrix) i += 2;
    if (matrix && i >= reply.length) break;
    if (i + 4 > reply.length) return stop(`capability table ends inside an entry at offset ${i}`);
    const cmd = reply[i]!;
    const locale = reply[i + 1]!;
    const count = reply.charCodeAt(i + 2) - 48;
    const width = reply.charCodeAt(i + 3) - 48;
    if (count < 0 || width < 0 || count > 40 || width > 40) return { entries, problem: `capability entry ${JSON.stringify(cmd)}: count or width out of range` };
    i += 4;
    const values: string[] = [];
    for (let k = 0; k < count; k++) {
      if (i + width > reply.length) return stop(`capability entry ${JSON.stringify(cmd)} is cut short`);
      values.push(reply.slice(i, i + width));
      i += width;
    }
    entries.push({ cmd, locale, values });
  }
  return { entries };
}

const NUMERIC = /^[+-]?\d+(\.\d+)?$/;

/**
 * Whether a raw reply has the shape its format calls for. NUT publishes
 * whatever comes; we refuse what cannot be the value (an echoed command
 * byte glued to the reply, line noise), so a wrong value is never shown.
 */
export function plausible(format: ApcVarDef['format'], raw: string): boolean {
  switch (format) {
    case 'percent':
    case 'volt':
    case 'amp':
    case 'celsius':
    case 'dec':
      return NUMERIC.test(raw);
    case 'hex':
      return /^[0-9A-Fa-f]+$/.test(raw);
    case 'minutes':
      // j answers e.g. 0327: (minutes and a colon).
      return /^\d+:?$/.test(raw);
    case 'seconds':
      return /^\d+$/.test(raw);
    case 'reason':
      return /^[A-Za-z]$/.test(raw);
    default:
      // Strings, and E, whose values include ON and OFF.
      return /^[\x20-\x7e]*$/.test(raw);
  }
}

/** A packed reply's fields each have the shape of the format (empty fields are allowed: N/A). */
export function plausiblePacked(format: ApcVarDef['format'], raw: string): boolean {
  return raw.split(',').every((f) => f === '' || plausible(format, f));
}

/** A raw reply for a variable that is absent: nothing, or APC's "NA". */
export function isNotAvailable(reply: string): boolean {
  return reply === '' || reply === 'NA';
}
