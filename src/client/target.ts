/**
 * Parses NUT's `upsname[@hostname[:port]]` and `hostname[:port]` the way
 * upsclient (upscli_splitname / upscli_splitaddr) does, including its quirks,
 * so that every argument a script passes to NUT's upsc also works here:
 * `[v6addr]:port` brackets, a port followed by junk (`:3493x` reads 3493),
 * strtok's skipping of empty fields (`@host` takes "host" as the UPS name).
 * On failure it returns the diagnostic line upsclient prints, if any.
 */
import { DEFAULT_HOST, DEFAULT_PORT } from './client';

export interface HostPort {
  host: string;
  port: number;
}

export interface UpsTarget extends HostPort {
  ups: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; diagnostic?: string };

/** C strtok on one call: skip leading delimiters, take the token up to the next one. */
function strtok(s: string, delims: string): { token: string; rest: string | null } | null {
  let a = 0;
  while (a < s.length && delims.includes(s[a]!)) a++;
  if (a >= s.length) return null;
  let b = a;
  while (b < s.length && !delims.includes(s[b]!)) b++;
  return { token: s.slice(a, b), rest: b < s.length ? s.slice(b + 1) : null };
}

/** strtol on a port: optional blanks and sign, then digits; junk after them is ignored. */
function parsePort(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!m) return null;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return n >= 1 && n <= 65535 ? n : null;
}

const NO_PORT = "upscli_splitaddr: no port specified after ':' separator";

/** `hostname[:port]` or `[address]:port`. */
export function splitAddr(text: string | undefined): Parsed<HostPort> {
  if (text === undefined) return { ok: false };
  if (text === '') return { ok: false, diagnostic: "upscli_splitaddr: can't parse empty string" };
  let host: string;
  let portText: string | null;
  if (text.startsWith('[')) {
    if (!text.includes(']')) return { ok: false, diagnostic: 'upscli_splitaddr: missing closing bracket in [domain literal]' };
    const t = strtok(text.slice(1), ']');
    // "[]" alone: upsclient would crash here; refuse it instead.
    if (!t) return { ok: false };
    host = t.token;
    // What follows "]" names a port only when it starts with ":".
    portText = t.rest !== null && t.rest.startsWith(':') ? t.rest.slice(1) : null;
  } else {
    const colon = text.indexOf(':');
    const t = strtok(text, ':');
    if (!t) return { ok: false };
    host = t.token;
    portText = colon < 0 ? null : text.slice(colon + 1);
  }
  if (portText === null) return { ok: true, value: { host, port: DEFAULT_PORT } };
  const port = portText === '' ? null : parsePort(portText);
  if (port === null) return { ok: false, diagnostic: NO_PORT };
  return { ok: true, value: { host, port } };
}

/** `upsname[@hostname[:port]]`; host defaults to localhost, port to 3493. */
export function splitName(text: string | undefined): Parsed<UpsTarget> {
  if (text === undefined) return { ok: false };
  if (text === '') return { ok: false, diagnostic: "upscli_splitname: can't parse empty string" };
  const at = text.indexOf('@');
  const t = strtok(text, '@');
  // Only "@" signs: upsclient would crash; refuse it instead.
  if (!t) return { ok: false };
  if (at < 0) return { ok: true, value: { ups: t.token, host: DEFAULT_HOST, port: DEFAULT_PORT } };
  const addr = splitAddr(text.slice(at + 1));
  return addr.ok ? { ok: true, value: { ups: t.token, ...addr.value } } : addr;
}
