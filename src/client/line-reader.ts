import { StringDecoder } from 'node:string_decoder';

/**
 * Turns socket chunks into lines. A chunk may end mid-line or mid-UTF-8
 * character, and one chunk may hold many lines (a whole LIST), so bytes are
 * decoded with a StringDecoder and the tail is carried to the next chunk.
 */
export class LineReader {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  /** @param maxLine longest line accepted (characters, without newline). */
  constructor(private readonly maxLine: number) {}

  /**
   * Lines completed by this chunk, without their `\n` (and a `\r` before it).
   * Returns null when a line grows past maxLine: the peer is not speaking
   * NUT, and buffering more would only eat memory.
   */
  push(chunk: Buffer): string[] | null {
    this.pending += this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = this.pending.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && this.pending.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      const line = this.pending.slice(start, end);
      if (line.length > this.maxLine) return null;
      lines.push(line);
      start = nl + 1;
    }
    this.pending = this.pending.slice(start);
    if (this.pending.length > this.maxLine) return null;
    return lines;
  }

  /** Characters received after the last newline. */
  get buffered(): number {
    return this.pending.length;
  }
}
