/**
 * How the qx driver talks to a Q1-family UPS: one command out, one reply
 * line back. The serial implementation is here; USB-to-serial bridges
 * (cypress, phoenix, ippon, krauler, fabula, hunnox, fuji... of NUT's
 * nutdrv_qx) implement the same interface in src/drivers/qx/usb/, so every
 * protocol works over every link unchanged.
 *
 * Contract for every implementation:
 *  - `command` strings are the exact bytes to send, latin1, with the
 *    terminator the protocol wants (almost always `\r`): the transport adds
 *    nothing and strips nothing on the way out.
 *  - `query` resolves with the reply line WITHOUT its terminating `\r`
 *    (latin1, one char per byte; NUL bytes kept). Bytes left over from an
 *    earlier exchange are dropped before sending (NUT: ser_flush_io).
 *  - No byte at all before the deadline: reject DeviceTimeoutError (the
 *    device is hung or absent; the runtime reopens it).
 *    Some bytes but no terminator before the deadline: reject
 *    QxTruncatedReplyError (a DeviceReplyError: a missed poll, never data).
 *    The link gone: reject DeviceGoneError (`disconnected: true`).
 *    An aborted `signal`: reject with its reason, at once.
 *  - The transport judges nothing about content: an echoed command, `NAK`
 *    or garbage comes back as a reply; the driver core and the protocol
 *    decide what it means.
 *  - One exchange at a time: the driver never overlaps calls (its runtime
 *    serialises all device I/O), so implementations need no locking.
 */
import { DeviceReplyError, DeviceTimeoutError } from '../runtime/errors';
import type { OpenSerial, SerialLink, SerialOptions } from '../serial/link';

export interface QxQueryOptions {
  /** Deadline for the whole reply (NUT waits SER_WAIT_SEC = 1 s on serial; 3 s suits BestUPS). */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface QxTransport {
  /** Names the link in log lines: `/dev/ttyS0`, `usb 0665:5161 (cypress)`. */
  readonly description: string;
  /** Variables the link itself knows, published with the device's (USB: ups.vendorid, ups.productid). */
  readonly ids?: Readonly<Record<string, string>>;
  /** Sends `command` and resolves with the reply line, without its `\r` (see the contract above). */
  query(command: string, opts: QxQueryOptions): Promise<string>;
  /** Sends `command` and expects nothing back (pending input is flushed first, as for query). */
  send(command: string): Promise<void>;
  /** Releases the link; never throws for a link already gone. */
  close(): Promise<void>;
}

/** Opens the transport of one UPS entry: the serial port, or (later) a USB bridge. */
export type OpenQxTransport = () => Promise<QxTransport>;

/** Bytes arrived but the reply never ended: a missed poll, not a hung device. */
export class QxTruncatedReplyError extends DeviceReplyError {
  constructor(
    readonly command: string,
    readonly partial: string,
  ) {
    super(`reply to ${printable(command)} cut short: ${printable(partial)} (no \\r within the deadline)`);
  }
}

/** NUT's serial line for the Q1 family: 2400 baud, 8 data bits, no parity, 1 stop bit. */
export const QX_SERIAL_DEFAULTS: SerialOptions = { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 };

const CR = 0x0d;

/** QxTransport over a serial line (a real port, a pty in tests). */
export class SerialQxTransport implements QxTransport {
  constructor(readonly link: SerialLink) {}

  get description(): string {
    return this.link.path;
  }

  /** Opens `path` with `open` (openSerialPort in production) and the Q1 line settings. */
  static async open(open: OpenSerial, path: string, opts: SerialOptions = QX_SERIAL_DEFAULTS): Promise<SerialQxTransport> {
    return new SerialQxTransport(await open(path, opts));
  }

  async query(command: string, opts: QxQueryOptions): Promise<string> {
    this.link.drain();
    await this.link.write(Buffer.from(command, 'latin1'));
    try {
      const reply = await this.link.read(CR, opts.timeoutMs, opts.signal);
      return reply.subarray(0, reply.length - 1).toString('latin1');
    } catch (err) {
      if (err instanceof DeviceTimeoutError) {
        // What came without an end is a truncated reply; nothing at all means the device is silent.
        const partial = this.link.drain();
        if (partial.length > 0) throw new QxTruncatedReplyError(command, partial.toString('latin1'));
      }
      throw err;
    }
  }

  async send(command: string): Promise<void> {
    this.link.drain();
    await this.link.write(Buffer.from(command, 'latin1'));
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

/** A command or reply as a log line shows it: `\r` and other control bytes escaped. */
export function printable(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}
