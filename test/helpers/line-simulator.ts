/**
 * The part every `\r`-terminated UPS simulator shares (Megatec Q1,
 * Voltronic, Voltronic QS): it opens the peer end of a pty pair
 * (./pty-pair.ts) as a serial port, cuts what arrives into commands at
 * each `\r`, records every one (with its `\r`) and writes back, in one
 * write as a UPS sends a line, what the subclass answers. Tests may make
 * it silent, inject bytes nobody asked for, and wait for commands.
 */
import { openSerialPort, type SerialLink } from '../../src/drivers/serial/link';

export abstract class LineSimulator {
  /** Every command received, with its \r, in order. */
  readonly received: string[] = [];
  /** Stop answering anything (a unit switched off or a cable pulled); commands are still recorded. */
  silent = false;
  /** Replies to use instead of the state's, by command without \r: how each simulator sends them is its own. */
  readonly override = new Map<string, string>();
  private link: SerialLink | null = null;
  private buf = '';
  private waiters: Array<{ n: number; resolve(): void }> = [];

  constructor(readonly path: string) {}

  async start(): Promise<void> {
    this.link = await openSerialPort(this.path, { baudRate: 2400 });
    this.link.onUnsolicited((d) => this.onData(d.toString('latin1')));
  }

  async stop(): Promise<void> {
    const l = this.link;
    this.link = null;
    await l?.close();
  }

  /** Sends bytes nobody asked for (line noise, a late reply), as a confused unit might. */
  async inject(bytes: string): Promise<void> {
    await this.link?.write(bytes);
  }

  /** Resolves once `n` commands in all have been received (bounded by `ms`). */
  waitForCommands(n: number, ms = 10_000): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`simulator got ${this.received.length} commands, not ${n}, within ${ms} ms: ${JSON.stringify(this.received.slice(-5))}`)), ms);
      this.waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  /** The bytes (latin1) the unit sends back to `cmd` (without its \r), its own \r included; null for nothing. */
  protected abstract reply(cmd: string): string | null;

  private onData(text: string): void {
    this.buf += text;
    let i;
    while ((i = this.buf.indexOf('\r')) >= 0) {
      const cmd = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      this.received.push(`${cmd}\r`);
      for (const w of [...this.waiters]) {
        if (this.received.length >= w.n) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      const reply = this.silent ? null : this.reply(cmd);
      if (reply !== null && this.link?.isOpen) void this.link.write(reply).catch(() => undefined);
    }
  }
}
