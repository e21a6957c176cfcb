/**
 * The NUT network protocol's wire format, shared by server and client:
 * splitting a line into words (whitespace-separated, "double quotes" group
 * words, backslash escapes the next character) and quoting values on the way
 * out. See NUT's docs/net-protocol.txt.
 */

/** Error codes a server sends as `ERR <CODE>`. */
export const NUT_ERRORS = [
  'ACCESS-DENIED',
  'UNKNOWN-UPS',
  'VAR-NOT-SUPPORTED',
  'CMD-NOT-SUPPORTED',
  'INVALID-ARGUMENT',
  'INSTCMD-FAILED',
  'SET-FAILED',
  'READONLY',
  'TOO-LONG',
  'FEATURE-NOT-SUPPORTED',
  'FEATURE-NOT-CONFIGURED',
  'ALREADY-SSL-MODE',
  'DRIVER-NOT-CONNECTED',
  'DATA-STALE',
  'ALREADY-LOGGED-IN',
  'INVALID-PASSWORD',
  'ALREADY-SET-PASSWORD',
  'INVALID-USERNAME',
  'ALREADY-SET-USERNAME',
  'USERNAME-REQUIRED',
  'PASSWORD-REQUIRED',
  'UNKNOWN-COMMAND',
  'INVALID-VALUE',
] as const;
export type NutErrorCode = (typeof NUT_ERRORS)[number];

/**
 * Splits one protocol line (without its newline) into words, as upsd does:
 * spaces, tabs and CR separate words; "..." groups; `\x` stands for x anywhere.
 * Control and non-ASCII bytes are dropped, like upsd's parser drops them.
 * Returns null for an unterminated quote.
 * `keepNonAscii` keeps characters above 0x7e: a client reading upsd's replies
 * must keep UTF-8 text (descriptions, models) that upsd passes through.
 */
export function splitWords(line: string, opts: { keepNonAscii?: boolean } = {}): string[] | null {
  const maxChar = opts.keepNonAscii ? Infinity : 0x7e;
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++;
      if (i < line.length) {
        const n = line.charCodeAt(i);
        if (n >= 0x20 && n <= maxChar && n !== 0x7f) cur += line[i];
      }
      inWord = true;
      continue;
    }
    if (c === 0x22 /* " */) {
      if (quoted) {
        quoted = false;
        words.push(cur);
        cur = '';
        inWord = false;
      } else {
        if (inWord) {
          words.push(cur);
          cur = '';
        }
        quoted = true;
        inWord = true;
      }
      continue;
    }
    if (!quoted && (c === 0x20 || c === 0x09 || c === 0x0d)) {
      if (inWord) {
        words.push(cur);
        cur = '';
        inWord = false;
      }
      continue;
    }
    if (c < 0x20 || c > maxChar || c === 0x7f) continue;
    cur += line[i];
    inWord = true;
  }
  if (quoted) return null;
  if (inWord) words.push(cur);
  return words;
}

/**
 * Escapes `\`, `"` and `#` so a value can sit between double quotes. upsd
 * escapes `#` in what it sends, and refuses a request with a bare `#` inside
 * quotes (a parse error: no reply at all), so requests must escape it too.
 */
export function escapeValue(value: string): string {
  return /["\\#]/.test(value) ? value.replace(/(["\\#])/g, '\\$1') : value;
}

/** `"value"` with escapes: how every value travels on the wire. */
export function quote(value: string): string {
  return `"${escapeValue(value)}"`;
}

/**
 * Quotes a word only when it needs it: empty, or holding whitespace, quotes,
 * backslashes, `#` (a comment outside quotes) or `=` (a word of its own
 * outside quotes, for upsd's parser).
 */
export function quoteIfNeeded(word: string): string {
  return word === '' || /[\s"\\#=]/.test(word) ? quote(word) : word;
}

/** Builds a request line from words, quoting those that need it. */
export function formatLine(words: readonly string[]): string {
  return words.map(quoteIfNeeded).join(' ');
}

/** `ERR CODE [extra]` -> the code and extra text, else null. */
export function parseErrorLine(line: string): { code: string; extra: string } | null {
  const m = /^ERR\s+(\S+)\s*(.*)$/.exec(line);
  return m ? { code: m[1]!, extra: m[2]! } : null;
}
