/**
 * Building blocks for Q1-family reply parsers: fixed columns, numbers
 * printed as NUT prints them, status bits, and the blazer claim. Columns
 * are counted as NUT's item tables count them (0-based, inclusive, on the
 * reply with its leading `(` or `#`), so a protocol reads like the NUT
 * table it comes from without copying it.
 */
import { RequestError, type RequestFailure } from '../../core/errors';
import { DeviceReplyError } from '../runtime/errors';
import type { QxProbe, QxQuery, QxQueryKind, QxContext } from './protocol';
import { printable } from './transport';

/** The reply cannot be used: a missed poll (the core logs it), never a value. */
export class QxParseError extends DeviceReplyError {
  constructor(
    readonly command: string,
    readonly reply: string,
    readonly reason: string,
  ) {
    super(`reply to ${printable(command)} unusable (${reason}): ${printable(reply)}`);
  }
}

/** A client's INSTCMD argument or SET value NUT would refuse (or an option value at start). */
export class QxValueError extends RequestError {
  constructor(failure: Extract<RequestFailure, 'INVALID-VALUE' | 'INVALID-ARGUMENT'>, message: string) {
    super(failure, message);
  }
}

/** The shape every fixed-column reply must have before any column is read. */
export interface ReplyShape {
  /** The first character (`(` for Q1, `#` for F and I); NUT's item->leading. */
  leading?: string;
  /** Shortest usable reply WITHOUT the `\r` (NUT's answer_len minus one). */
  minLength?: number;
}

/** Throws QxParseError unless `reply` has `shape`. */
export function checkShape(command: string, reply: string, shape: ReplyShape): void {
  if (shape.minLength !== undefined && reply.length < shape.minLength) {
    throw new QxParseError(command, reply, `${reply.length} characters, at least ${shape.minLength} expected`);
  }
  if (shape.leading !== undefined && !reply.startsWith(shape.leading)) {
    throw new QxParseError(command, reply, `does not start with ${printable(shape.leading)}`);
  }
}

/** Characters from..to, inclusive; `to` 0 means to the end of the line (NUT's convention). */
export function column(reply: string, from: number, to: number): string {
  return to === 0 ? reply.slice(from) : reply.slice(from, to + 1);
}

/**
 * A numeric column as NUT publishes it (ups_infoval_set): only digits,
 * blanks and dots allowed, then printf'ed with `decimals`. Anything else
 * (`@@@@`, `----`, letters) yields undefined: the variable is left out,
 * as NUT leaves it unset. An empty or all-blank field is left out too
 * (NUT would print 0 for it, a value the device never gave).
 */
export function numberColumn(reply: string, from: number, to: number, decimals: number): string | undefined {
  const raw = column(reply, from, to);
  if (!/^[0-9 .]+$/.test(raw) || !/[0-9]/.test(raw)) return undefined;
  const v = parseLeadingFloat(raw);
  return v === undefined ? undefined : formatFixed(v, decimals);
}

/** A numeric column of a fixed-width reply: its NUT name, first and last character, decimals (the item's %.Nf). */
export type NumberColumnSpec = readonly [name: string, from: number, to: number, decimals: number];

/** The numeric columns under their NUT names; a column holding no number is left out (see numberColumn). */
export function numberColumns(reply: string, specs: readonly NumberColumnSpec[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, from, to, decimals] of specs) {
    const v = numberColumn(reply, from, to, decimals);
    if (v !== undefined) vars[name] = v;
  }
  return vars;
}

/** A query whose reply is only numeric columns (a shape check, then each column under its NUT name). */
export function columnsQuery(command: string, kind: QxQueryKind, shape: ReplyShape, specs: readonly NumberColumnSpec[]): QxQuery {
  return {
    command,
    kind,
    parse(reply) {
      checkShape(command, reply, shape);
      return { vars: numberColumns(reply, specs) };
    },
  };
}

/** A text column, trimmed of blanks and `#` when `trim` (NUT QX_FLAG_TRIM); undefined when nothing is left. */
export function textColumn(reply: string, from: number, to: number, trim = true): string | undefined {
  let raw = column(reply, from, to);
  if (trim) raw = raw.replace(/^[# ]+|[# ]+$/g, '');
  return raw === '' ? undefined : raw;
}

/** One status bit: exactly `0` or `1`, else the whole reply is unusable (NUT fails the poll). */
export function bitColumn(command: string, reply: string, pos: number): boolean {
  const c = reply.charAt(pos);
  if (c === '1') return true;
  if (c === '0') return false;
  throw new QxParseError(command, reply, `status bit at ${pos} is ${printable(c)}, not 0 or 1`);
}

/** strtod on a field NUT accepted: leading blanks, then the longest number. */
function parseLeadingFloat(s: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]*)/.exec(s);
  if (!m || m[1] === '' || m[1] === '.') return undefined;
  return Number(m[1]);
}

/**
 * printf("%.Nf") as glibc does it: the exact binary value, ties (exactly
 * half way) to even. Number#toFixed rounds exact ties up, so 220.5 would
 * print "221" where NUT prints "220".
 */
export function formatFixed(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return String(v);
  const neg = v < 0;
  const a = Math.abs(v);
  // The exact decimal expansion, far enough to see whether the rest is exactly half.
  const exact = a.toFixed(Math.min(100, decimals + 30));
  const dot = exact.indexOf('.');
  const keep = exact.slice(0, dot + 1 + decimals).replace(/\.$/, '');
  const rest = exact.slice(dot + 1 + decimals);
  let out = a.toFixed(decimals);
  if (/^50*$/.test(rest)) {
    const lastDigit = Number(keep.charAt(keep.length - 1));
    // A tie: keep the even neighbour.
    out = lastDigit % 2 === 0 ? keep : out;
  }
  return neg && /[1-9]/.test(out) ? `-${out}` : out;
}

/**
 * NUT's blazer_claim: the device is this protocol's when the status query
 * answers with a usable input.voltage and, unless `novendor`, the vendor
 * query answers with a usable ups.firmware (an all-blank one fails the
 * claim in NUT, 2.8.0 and newer alike: such a unit falls back to q1).
 */
export async function claimWith(probe: QxProbe, statusQuery: QxQuery, vendorQuery?: QxQuery): Promise<boolean> {
  const ctx: QxContext = { options: probe.options, vars: new Map() };
  if (!(await parses(probe, statusQuery, ctx, (r) => r.vars?.['input.voltage'] !== undefined))) return false;
  if (probe.options.novendor || !vendorQuery) return true;
  return parses(probe, vendorQuery, ctx, (r) => r.vars?.['ups.firmware'] !== undefined);
}

async function parses(probe: QxProbe, q: QxQuery, ctx: QxContext, ok: (r: ReturnType<QxQuery['parse']>) => boolean): Promise<boolean> {
  const reply = await probe.query(q.command);
  if (reply === null) return false;
  try {
    return ok(q.parse(reply, ctx));
  } catch (err) {
    if (err instanceof QxParseError) return false;
    throw err;
  }
}
