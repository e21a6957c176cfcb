/**
 * What a USB-to-serial bridge is (nutdrv_qx's "USB subdrivers": the
 * *_command functions of nutdrv_qx.c): how one command goes out and how
 * its reply comes back. Each bridge is a small module in ./bridges/ with
 * one `exchange` function over a BridgeIo, which makes every transfer
 * under the exchange's deadline, so a bridge is plain sequencing code and
 * tests run it against a fake device.
 *
 * A bridge resolves with the reply bytes as NUT's function leaves them in
 * its buffer (normally ending in `\r`); the transport cuts at the first
 * `\r`. An empty result is NUT's "return 0" without a USB error (fabula's
 * `UPS No Ack`, krauler's exhausted retries): no reply, which queries see
 * as a failure and instant commands as success, as in NUT. Transfer
 * failures reject UsbTransferError, with `partial` set when some of the
 * reply had come.
 */
import {
  GET_DESCRIPTOR,
  STANDARD_DEVICE_IN,
  STRING_DESCRIPTOR,
  UsbTransferError,
  type UsbEndpointInfo,
  type UsbSetup,
} from './usb-like';

/** NUT's names for the bridges (`subdriver:`), in nutdrv_qx.c's usbsubdriver[] order. */
export const QX_USB_SUBDRIVERS = [
  'cypress',
  'phoenixtec',
  'phoenix',
  'ippon',
  'omron',
  'krauler',
  'fabula',
  'hunnox',
  'fuji',
  'sgs',
  'snr',
  'ablerex',
  'armac',
  'gtec',
] as const;
export type QxUsbSubdriver = (typeof QX_USB_SUBDRIVERS)[number];

/** Options and per-connection memory a bridge may use. */
export interface BridgeContext {
  /** langid_fix, when set (NUT's langid_fix != -1). */
  readonly langidFix?: number;
  /** novendor: hunnox's lock-step skips the vendor string. */
  readonly novendor: boolean;
  /** State kept for the life of one opened device (hunnox's step, armac's endpoint check); reset on reopen. */
  readonly state: Record<string, unknown>;
}

/** The transfers a bridge makes; each is bounded by `timeoutMs` AND by what is left of the exchange's deadline. */
export interface BridgeIo {
  controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<number>;
  controlIn(setup: UsbSetup, length: number, timeoutMs: number): Promise<Uint8Array>;
  interruptIn(endpoint: number, length: number, timeoutMs: number): Promise<Uint8Array>;
  interruptOut(endpoint: number, data: Uint8Array, timeoutMs: number): Promise<number>;
  clearHalt(endpoint: number): Promise<void>;
  /** usleep(): also bounded by the deadline and the signal. */
  sleep(ms: number): Promise<void>;
  endpoints(): readonly UsbEndpointInfo[];
}

export interface QxUsbBridge {
  readonly name: QxUsbSubdriver;
  /**
   * The least time one exchange needs, for bridges whose NUT code sleeps
   * (ablerex waits 500 ms between command and reply, up to 3 tries): the
   * exchange's deadline is at least this long whatever the protocol's
   * reply timeout.
   */
  readonly minBudgetMs?: number;
  exchange(io: BridgeIo, command: Uint8Array, ctx: BridgeContext): Promise<Uint8Array>;
}

/** libusb's default control timeout for descriptor requests (libusb_get_string_descriptor): 1 s. */
export const DESCRIPTOR_TIMEOUT_MS = 1000;

/** libusb_get_string_descriptor: GET_DESCRIPTOR(STRING, index) for `langid`, `length` bytes; the raw descriptor. */
export function getStringDescriptor(io: BridgeIo, index: number, langid: number, length: number): Promise<Uint8Array> {
  return io.controlIn(
    { bmRequestType: STANDARD_DEVICE_IN, bRequest: GET_DESCRIPTOR, wValue: (STRING_DESCRIPTOR << 8) | (index & 0xff), wIndex: langid & 0xffff },
    length,
    DESCRIPTOR_TIMEOUT_MS,
  );
}

/**
 * libusb_get_string_descriptor_ascii (NUT's usb_get_string_simple): the
 * first language of string 0, then the string in it, UTF-16 turned into
 * ASCII with `?` for anything else, at most `buflen - 1` characters. A
 * descriptor that is not a string or claims more bytes than came is an I/O
 * error, as libusb says.
 */
export async function getStringAscii(io: BridgeIo, index: number, buflen: number): Promise<Uint8Array> {
  const langs = await getStringDescriptor(io, 0, 0, 255);
  // libusb fails these with LIBUSB_ERROR_IO (NUT then reconnects); here garbage is a missed poll.
  if (langs.length < 4) throw new BridgeReplyError(`string descriptor 0 is ${langs.length} bytes: no language ID`);
  const langid = (langs[2] as number) | ((langs[3] as number) << 8);
  const desc = await getStringDescriptor(io, index, langid, 255);
  if (desc.length < 2 || desc[1] !== STRING_DESCRIPTOR) throw new BridgeReplyError(`descriptor ${index} is not a string descriptor`);
  if ((desc[0] as number) > desc.length) throw new BridgeReplyError(`string descriptor ${index} claims ${desc[0]} bytes, ${desc.length} came`);
  return utf16ToAscii(desc, desc[0] as number, buflen, true);
}

/**
 * The UTF-16LE characters of a string descriptor of `size` bytes as
 * single bytes: a character with a high byte becomes `?` (and with
 * `strict7bit`, as libusb does, one above 0x7f too), at most `buflen - 1`.
 */
export function utf16ToAscii(desc: Uint8Array, size: number, buflen: number, strict7bit: boolean): Uint8Array {
  const out: number[] = [];
  for (let si = 2; si < size && si < desc.length; si += 2) {
    if (out.length >= buflen - 1) break;
    const lo = desc[si] as number;
    const hi = desc[si + 1] ?? 0;
    out.push(hi !== 0 || (strict7bit && lo & 0x80) ? 0x3f : lo);
  }
  return Uint8Array.from(out);
}

export const CR = 0x0d;

/** A latin1 string as bytes and back. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}
export function text(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

/** The command up to (without) its first `\r` (NUT: strcspn(cmd, "\r")). */
export function commandWord(command: Uint8Array): string {
  const cr = command.indexOf(CR);
  return text(cr < 0 ? command : command.subarray(0, cr));
}

/** Rethrows a transfer failure with the reply gathered so far, so a cut reply is told from silence. */
export function withPartial(err: unknown, partial: Uint8Array): unknown {
  if (err instanceof UsbTransferError && err.partial.length === 0 && partial.length > 0) err.partial = partial.slice();
  return err;
}

/** NUT's `memchr(buf, '\r', ...) == NULL` + "add the missing CR". */
export function ensureCr(data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.includes(CR)) return data;
  const out = new Uint8Array(data.length + 1);
  out.set(data);
  out[data.length] = CR;
  return out;
}

/** The bytes before the first NUL (NUT's strlen on its buffer). */
export function untilNul(data: Uint8Array): Uint8Array {
  const nul = data.indexOf(0);
  return nul < 0 ? data : data.subarray(0, nul);
}

/**
 * A command table lookup as NUT's strncmp(cmd, entry, cmdlen): the entry
 * begins with the whole command (so `Q1\r` finds `Q1\r`, never `Q\r`).
 */
export function sameCommand(command: Uint8Array, entry: string): boolean {
  return entry.startsWith(text(command));
}

/** The device answered with something no reply can be made of (armac's endless stream): a missed poll. */
export class BridgeReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BridgeReplyError';
  }
}

/** `UPS No Ack` (case-insensitive) up to the `\r`: the string bridges' "no answer". */
export function isNoAck(data: Uint8Array): boolean {
  const cr = data.indexOf(CR);
  const line = text(cr < 0 ? untilNul(data) : data.subarray(0, cr));
  return line.length === 10 && line.toLowerCase() === 'ups no ack';
}

/** The reply buffer nutdrv_qx's qx_process hands every bridge: sizeof(item->answer) - 1 = SMALLBUF - 1. */
export const QX_BUFLEN = 511;

/** The command in a zeroed buffer of `size` bytes (NUT's memset + memcpy into tmp[]), cut to fit. */
export function padded(command: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(command.subarray(0, size));
  return out;
}

/** A write that transferred nothing is NUT's `ret <= 0`: "timeout". */
export function checkWritten(n: number, what: string): void {
  if (n <= 0) throw new UsbTransferError('timeout', `${what}: nothing written`);
}
