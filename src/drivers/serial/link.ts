/**
 * A serial line as the serial drivers (qx, apcsmart, genericups) use it:
 * write bytes, read a reply up to its end with a deadline, drop what came
 * unasked, and drive or read the modem lines. Drivers get an OpenSerial
 * passed in, so tests hand them a fake or a pty; the real one wraps the
 * serialport package. Bytes that arrive are buffered here, so a reply
 * split over several reads (or several replies in one read) is handled in
 * one place.
 */
import { DeviceGoneError, DeviceTimeoutError } from '../runtime/errors';

export interface SerialOptions {
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

/** Modem control lines the host drives (NUT: ser_set_dtr/rts, TIOCSBRK). */
export interface OutputLines {
  dtr?: boolean;
  rts?: boolean;
  brk?: boolean;
}

/** Modem status lines the host reads (NUT: TIOCMGET). `ri` is null where the platform cannot read it. */
export interface InputLines {
  cts: boolean;
  dsr: boolean;
  dcd: boolean;
  ri: boolean | null;
}

/**
 * Where a reply ends: a byte (e.g. 0x0d for `\r`), or a function that gets
 * what has been buffered and returns how many bytes make the reply (0 while
 * it is not complete yet).
 */
export type ReplyEnd = number | ((buffered: Buffer) => number);

export interface SerialLink {
  readonly path: string;
  write(data: Buffer | string): Promise<void>;
  /** The next reply, ending as `end` says; rejects DeviceTimeoutError after timeoutMs, or the signal's reason. */
  read(end: ReplyEnd, timeoutMs: number, signal?: AbortSignal): Promise<Buffer>;
  /** Whatever arrived and was not read yet, taken out (NUT ser_flush_in). */
  drain(): Buffer;
  /** Called with bytes as they arrive while no read() is waiting (APC's unasked alert characters). */
  onUnsolicited(fn: (data: Buffer) => void): void;
  setLines(lines: OutputLines): Promise<void>;
  getLines(): Promise<InputLines>;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export type OpenSerial = (path: string, opts: SerialOptions) => Promise<SerialLink>;

/** What a link does with bytes: the buffering and reply matching, shared by the real link and test fakes. */
export class ReplyBuffer {
  private buf = Buffer.alloc(0);
  private waiter: { end: ReplyEnd; resolve(b: Buffer): void } | null = null;
  private unsolicited: Array<(data: Buffer) => void> = [];

  push(data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : Buffer.from(data);
    if (!this.waiter) {
      if (this.unsolicited.length) {
        const d = this.drain();
        for (const fn of this.unsolicited) fn(d);
      }
      return;
    }
    this.tryResolve();
  }

  onUnsolicited(fn: (data: Buffer) => void): void {
    this.unsolicited.push(fn);
  }

  drain(): Buffer {
    const d = this.buf;
    this.buf = Buffer.alloc(0);
    return d;
  }

  read(end: ReplyEnd, timeoutMs: number, what: string, signal?: AbortSignal): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Error(`${what}: a read is already waiting`));
    return new Promise<Buffer>((resolve, reject) => {
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
        fn();
      };
      // Not unref'd: a read waits on an open port, and its deadline must fire even if nothing else is pending.
      const timer = setTimeout(() => done(() => reject(new DeviceTimeoutError(what, timeoutMs))), timeoutMs);
      const onAbort = (): void => done(() => reject(signal!.reason));
      if (signal?.aborted) {
        done(() => reject(signal.reason));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = { end, resolve: (b) => done(() => resolve(b)) };
      this.tryResolve();
    });
  }

  private tryResolve(): void {
    const w = this.waiter;
    if (!w) return;
    const n = typeof w.end === 'number' ? this.buf.indexOf(w.end) + 1 : w.end(this.buf);
    if (n <= 0) return;
    const reply = this.buf.subarray(0, n);
    this.buf = Buffer.from(this.buf.subarray(n));
    w.resolve(Buffer.from(reply));
  }
}

/** The real serial port (serialport package), loaded only when a serial UPS is configured. */
export const openSerialPort: OpenSerial = async (path, opts) => {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({
    path,
    baudRate: opts.baudRate,
    dataBits: opts.dataBits ?? 8,
    parity: opts.parity ?? 'none',
    stopBits: opts.stopBits ?? 1,
    autoOpen: false,
    // NUT opens the line without hardware flow control and with the modem lines as the cable wants.
    rtscts: false,
    hupcl: false,
  });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new DeviceGoneError(`${path}: ${err.message}`)) : resolve())));
  const rb = new ReplyBuffer();
  let open = true;
  let closeErr: Error | null = null;
  const rejectors = new Set<(e: Error) => void>();
  port.on('data', (d: Buffer) => rb.push(d));
  port.on('close', (err?: Error | null) => {
    open = false;
    closeErr = new DeviceGoneError(`${path}: ${err ? err.message : 'closed'}`);
    for (const r of rejectors) r(closeErr);
  });
  port.on('error', () => undefined);
  const gone = (): DeviceGoneError => new DeviceGoneError(`${path}: the port is closed`);
  return {
    path,
    get isOpen() {
      return open;
    },
    write(data) {
      if (!open) return Promise.reject(closeErr ?? gone());
      return new Promise<void>((resolve, reject) => {
        port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (err) => {
          if (err) reject(new DeviceGoneError(`${path}: write failed: ${err.message}`));
        });
        port.drain((err) => (err ? reject(new DeviceGoneError(`${path}: write failed: ${err.message}`)) : resolve()));
      });
    },
    read(end, timeoutMs, signal) {
      if (!open) return Promise.reject(closeErr ?? gone());
      // A port that closes while a reply is awaited fails the read at once, not at its deadline.
      let rejectGone: (e: Error) => void = () => undefined;
      const lost = new Promise<never>((_, reject) => (rejectGone = reject));
      rejectors.add(rejectGone);
      const reading = rb.read(end, timeoutMs, `read from ${path}`, signal);
      return Promise.race([reading, lost]).finally(() => rejectors.delete(rejectGone));
    },
    drain: () => rb.drain(),
    onUnsolicited: (fn) => rb.onUnsolicited(fn),
    setLines(lines) {
      if (!open) return Promise.reject(closeErr ?? gone());
      return new Promise<void>((resolve, reject) =>
        port.set({ dtr: lines.dtr, rts: lines.rts, brk: lines.brk }, (err) => (err ? reject(new DeviceGoneError(`${path}: ${err.message}`)) : resolve())),
      );
    },
    getLines() {
      if (!open) return Promise.reject(closeErr ?? gone());
      return new Promise<InputLines>((resolve, reject) =>
        port.get((err, s) => (err || !s ? reject(new DeviceGoneError(`${path}: ${err?.message ?? 'no line status'}`)) : resolve({ cts: s.cts, dsr: s.dsr, dcd: s.dcd, ri: null }))),
      );
    },
    close() {
      if (!open) return Promise.resolve();
      return new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
};
