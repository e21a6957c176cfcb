/**
 * Request lines already split into words, by their exact bytes.
 *
 * Clients repeat the same few requests (upsmon, upsc, exporters poll
 * `GET VAR ups ups.status` for ever), so the words of a line are kept and
 * the next identical line skips the byte-by-byte parser. The words of a line
 * depend only on its bytes when the parser starts it at a line start and it
 * ends at its first newline without a parse error (see parser.ts: the only
 * thing that depends on the position in the read is a parse error's window),
 * so only such lines are kept. The same array is handed out each time: its
 * strings keep their hashes, which makes the lookups behind them cheaper too.
 *
 * Pure (bytes in, words out) and bounded, so one cache serves every
 * connection: it starts over when full, as clients mostly send a handful of
 * distinct lines.
 */

/** Longer lines are rare and not worth a key of their own. */
export const MAX_CACHED_LINE = 128;
const MAX_LINES = 1024;

/** A request's words, and its words without the command name, as the handlers take them. */
export interface LineWords {
  readonly words: readonly string[];
  readonly args: readonly string[];
}

export interface CachedLine extends LineWords {
  /** The line's bytes without its newline (the key, as bytes), for repeats(). */
  readonly bytes: Buffer;
}

const NL = 0x0a;

/**
 * Whether `buf` holds this same line again at `from`, newline included. A
 * client mostly sends what it sent last (a poller's one request, over and
 * over), so the connection asks this first: a byte compare of a few dozen
 * bytes, where a look-up needs the newline found, a string made and hashed.
 */
export function repeats(line: CachedLine, buf: Buffer, from: number): boolean {
  const b = line.bytes;
  const n = b.length;
  if (from + n >= buf.length || buf[from + n] !== NL) return false;
  for (let i = 0; i < n; i++) if (buf[from + i] !== b[i]) return false;
  return true;
}

const lines = new Map<string, CachedLine>();

/** The words of this line (its bytes without the newline, latin1), if seen before. */
export function cachedLine(key: string): CachedLine | undefined {
  return lines.get(key);
}

/** Keeps the words the parser found for this line. */
export function rememberLine(key: string, words: readonly string[]): CachedLine {
  if (lines.size >= MAX_LINES) lines.clear();
  const line: CachedLine = { words: Object.freeze([...words]), args: Object.freeze(words.slice(1)), bytes: Buffer.from(key, 'latin1') };
  lines.set(key, line);
  return line;
}
