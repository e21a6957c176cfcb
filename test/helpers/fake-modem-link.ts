/**
 * A serial link whose modem lines the test drives: what the host sets
 * (setLines) is recorded with the time it happened, what the host reads
 * (getLines) is whatever the test put there. A pty cannot carry modem
 * lines, so genericups is tested this way. The port can be made to vanish
 * (reads and opens fail as a removed USB adapter does) and come back.
 */
import { DeviceGoneError } from '../../src/drivers/runtime/errors';
import type { InputLines, OpenSerial, OutputLines, SerialLink } from '../../src/drivers/serial/link';

export interface LineChange extends Required<OutputLines> {
  /** Clock time of the call. */
  at: number;
}

export class FakeModemPort {
  /** Input levels the UPS presents. `ri: null` stands for a port that cannot report RI (the real serialport link). */
  inputs: InputLines = { cts: false, dsr: false, dcd: false, ri: false };
  /** Every setLines call, in order, on any link opened on this port. */
  readonly changes: LineChange[] = [];
  opens = 0;
  closes = 0;
  private present = true;
  private current: FakeLink | null = null;

  constructor(
    readonly path: string,
    private readonly now: () => number,
  ) {}

  readonly open: OpenSerial = (path) => {
    if (path !== this.path || !this.present) return Promise.reject(new DeviceGoneError(`${path}: No such file or directory`));
    this.opens++;
    this.current = new FakeLink(this);
    return Promise.resolve(this.current);
  };

  /** The port disappears: the open link fails from now on, opening fails. */
  unplug(): void {
    this.present = false;
    this.current?.kill();
    this.current = null;
  }

  plug(): void {
    this.present = true;
  }

  /** The levels the host drives now (last setLines), or undefined before any. */
  get outputs(): LineChange | undefined {
    return this.changes[this.changes.length - 1];
  }

  record(lines: OutputLines): void {
    this.changes.push({ dtr: lines.dtr === true, rts: lines.rts === true, brk: lines.brk === true, at: this.now() });
  }
}

class FakeLink implements SerialLink {
  private open = true;
  private dead = false;
  constructor(private readonly port: FakeModemPort) {}
  get path(): string {
    return this.port.path;
  }
  get isOpen(): boolean {
    return this.open && !this.dead;
  }
  kill(): void {
    this.dead = true;
  }
  private check(): void {
    if (this.dead) throw new DeviceGoneError(`${this.port.path}: Input/output error`);
    if (!this.open) throw new DeviceGoneError(`${this.port.path}: the port is closed`);
  }
  write(): Promise<void> {
    return Promise.reject(new Error('genericups writes no bytes'));
  }
  read(): Promise<Buffer> {
    return Promise.reject(new Error('genericups reads no bytes'));
  }
  drain(): Buffer {
    return Buffer.alloc(0);
  }
  onUnsolicited(): void {}
  setLines(lines: OutputLines): Promise<void> {
    try {
      this.check();
    } catch (err) {
      return Promise.reject(err);
    }
    this.port.record(lines);
    return Promise.resolve();
  }
  getLines(): Promise<InputLines> {
    try {
      this.check();
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve({ ...this.port.inputs });
  }
  close(): Promise<void> {
    if (this.open) this.port.closes++;
    this.open = false;
    return Promise.resolve();
  }
}
