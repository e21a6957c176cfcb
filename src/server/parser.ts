/**
 * Streaming request parser for the NUT server: the same state machine upsd
 * 2.8.0 runs over each client byte (NUT's parseconf), so requests split into
 * words exactly as real upsd splits them:
 *
 * - words are separated by whitespace (space, \t, \v, \f, \r); \n ends a line;
 * - `"..."` groups a word (an empty `""` is a word); a quote in the middle of
 *   a word is an ordinary character;
 * - `\x` takes x literally; `\` before a newline joins the next line, and a
 *   newline inside quotes does not end the line;
 * - `#` outside quotes starts a comment; `#` inside quotes is a parse error:
 *   upsd sends no reply and drops what it had read, we drop the rest of that
 *   line (the same thing for a client that writes one line at a time);
 * - `=` is a word of its own (`a=b` is three words);
 * - bytes below 0x20 and above 0x7f are dropped (0x7f is kept);
 * - a word keeps at most 512 characters and a line at most 32 words; more is
 *   dropped, as upsd does.
 *
 * One thing upsd does not do: a logical line longer than MAX_LINE bytes is
 * discarded up to its newline and reported as `tooLong` (the server answers
 * ERR UNKNOWN-COMMAND, which is what upsd answers such garbage), so one
 * client cannot make us buffer without bound.
 */

export const MAX_WORD = 512;
export const MAX_ARGS = 32;
export const MAX_LINE = 16 * 1024;

const enum S {
  FindWordStart,
  FindEol,
  QuoteCollect,
  QuoteLiteral,
  Collect,
  CollectLiteral,
  /** After a parse error or an overlong line: skip to the newline. */
  SkipLine,
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
  /** Longer than MAX_LINE: answer ERR UNKNOWN-COMMAND. */
  | { kind: 'tooLong' };

export class RequestParser {
  private state = S.FindWordStart;
  private readonly word = Buffer.allocUnsafe(MAX_WORD);
  private wordLen = 0;
  private words: string[] = [];
  private lineBytes = 0;
  /** Why we are skipping: an overlong line is answered, a parse error is not. */
  private skipAnswers = false;
  private ready: ParsedLine | null = null;

  /**
   * Consumes bytes from `buf` starting at `pos` until one line is complete or
   * the buffer ends; returns the position after the last byte consumed. When
   * a line completed, take() returns it.
   */
  next(buf: Buffer, pos: number): number {
    const end = buf.length;
    while (pos < end) {
      const c = buf[pos++]!;
      if (this.state !== S.SkipLine && ++this.lineBytes > MAX_LINE) {
        this.startSkip(true);
      }
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
            // upsd: "Unbalanced word due to unescaped # in quotes"; no reply.
            this.startSkip(false);
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
        case S.SkipLine:
          if (c === NL) {
            const answer = this.skipAnswers;
            this.reset();
            if (answer) {
              this.ready = { kind: 'tooLong' };
              return pos;
            }
          }
          break;
      }
    }
    return pos;
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
    this.lineBytes = 0;
    this.state = S.FindWordStart;
  }

  private startSkip(answer: boolean): void {
    this.state = S.SkipLine;
    this.skipAnswers = answer;
    this.words = [];
    this.wordLen = 0;
  }

  private reset(): void {
    this.state = S.FindWordStart;
    this.words = [];
    this.wordLen = 0;
    this.lineBytes = 0;
    this.skipAnswers = false;
  }
}
