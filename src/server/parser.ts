/**
 * Streaming request parser for the NUT server: the same state machine upsd
 * 2.8.0 runs over each client byte (NUT's common/parseconf.c), so requests
 * split into words exactly as real upsd splits them:
 *
 * - words are separated by whitespace (space, \t, \v, \f, \r); \n ends a line
 *   (a CR alone ends nothing: `VER\rVER\n` is one request of two words);
 * - `"..."` groups a word (an empty `""` is a word); a quote in the middle of
 *   a word is an ordinary character;
 * - `\x` takes x literally; `\` before a newline joins the next line, and a
 *   newline inside quotes does not end the line;
 * - `#` outside quotes starts a comment;
 * - `=` is a word of its own (`a=b` is three words);
 * - bytes below 0x20 and above 0x7f are dropped (0x7f is kept);
 * - a word keeps at most 512 characters and a line at most 32 words; more is
 *   dropped, as upsd does. So a line of any length costs bounded memory.
 *
 * A `#` inside quotes is a parse error, and upsd's recovery is peculiar: it
 * answers nothing, throws away the rest of the bytes it had read with that
 * read() (it reads at most READ_SIZE bytes at a time), and starts the next
 * read with a fresh line, wherever in the line that is. We do the same with
 * each buffer handed to next() taken as what arrived together, cut into
 * READ_SIZE windows counted from its start: the bytes after the error up to
 * the end of its window are dropped and an `error` line is reported.
 */

/** upsd reads client input SMALLBUF (512) bytes at a time; a parse error loses the rest of one such read. */
export const READ_SIZE = 512;
export const MAX_WORD = 512;
export const MAX_ARGS = 32;

const enum S {
  FindWordStart,
  FindEol,
  QuoteCollect,
  QuoteLiteral,
  Collect,
  CollectLiteral,
}

const NL = 0x0a;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const EQUALS = 0x3d;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** What one finished line produced. */
export type ParsedLine =
  | { kind: 'words'; words: string[] }
  /** A parse error (upsd logs it and answers nothing); the rest of its read window was dropped. */
  | { kind: 'error'; message: string };

const UNBALANCED: ParsedLine = { kind: 'error', message: 'Unbalanced word due to unescaped # in quotes' };

export class RequestParser {
  private state = S.FindWordStart;
  private readonly word = Buffer.allocUnsafe(MAX_WORD);
  private wordLen = 0;
  private words: string[] = [];
  private ready: ParsedLine | null = null;

  /**
   * Consumes bytes from `buf` (one arrival, see READ_SIZE) starting at `pos`
   * until one line is complete, a parse error, or the buffer ends; returns
   * the position after the last byte consumed (after a parse error: the end
   * of its read window). When a line completed or failed, take() returns it.
   */
  next(buf: Buffer, pos: number): number {
    const end = buf.length;
    while (pos < end) {
      const c = buf[pos++]!;
      switch (this.state) {
        case S.FindWordStart:
          if (c === NL) {
            this.endLine();
            return pos;
          }
          if (c === HASH) this.state = S.FindEol;
          else if (isSpace(c)) break;
          else if (c === BACKSLASH) this.state = S.CollectLiteral;
          else if (c === QUOTE) this.state = S.QuoteCollect;
          else {
            this.addChar(c);
            if (c === EQUALS) this.endWord();
            else this.state = S.Collect;
          }
          break;
        case S.FindEol:
          if (c === NL) {
            this.endLine();
            return pos;
          }
          break;
        case S.QuoteCollect:
          if (c === HASH) {
            // upsd returns from its read handler: the rest of this read is never parsed.
            this.reset();
            this.ready = UNBALANCED;
            return Math.min(end, Math.ceil(pos / READ_SIZE) * READ_SIZE);
          } else if (c === QUOTE) {
            this.endWord();
            this.state = S.FindWordStart;
          } else if (c === BACKSLASH) this.state = S.QuoteLiteral;
          else this.addChar(c);
          break;
        case S.QuoteLiteral:
          if (c !== NL) this.addChar(c);
          this.state = S.QuoteCollect;
          break;
        case S.Collect:
          if (c === HASH) {
            this.endWord();
            this.state = S.FindEol;
          } else if (c === NL) {
            this.endWord();
            this.endLine();
            return pos;
          } else if (isSpace(c)) {
            this.endWord();
            this.state = S.FindWordStart;
          } else if (c === EQUALS) {
            this.endWord();
            this.addChar(c);
            this.endWord();
            this.state = S.FindWordStart;
          } else if (c === BACKSLASH) this.state = S.CollectLiteral;
          else this.addChar(c);
          break;
        case S.CollectLiteral:
          if (c !== NL) this.addChar(c);
          this.state = S.Collect;
          break;
      }
    }
    return pos;
  }

  /** Nothing of a line has been read yet: the next byte starts one. */
  atLineStart(): boolean {
    return this.state === S.FindWordStart && this.wordLen === 0 && this.words.length === 0;
  }

  /** The line completed by the last next() call, once. */
  take(): ParsedLine | null {
    const r = this.ready;
    this.ready = null;
    return r;
  }

  private addChar(c: number): void {
    if (c < 0x20 || c > 0x7f) return;
    if (this.wordLen >= MAX_WORD) return;
    this.word[this.wordLen++] = c;
  }

  private endWord(): void {
    if (this.words.length < MAX_ARGS) this.words.push(this.word.toString('latin1', 0, this.wordLen));
    this.wordLen = 0;
  }

  private endLine(): void {
    this.ready = { kind: 'words', words: this.words };
    this.words = [];
    this.state = S.FindWordStart;
  }

  private reset(): void {
    this.state = S.FindWordStart;
    this.words = [];
    this.wordLen = 0;
  }
}
