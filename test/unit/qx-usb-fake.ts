/**
 * A fake USB device for the qx USB bridges: it records every transfer
 * (bmRequestType, bRequest, wValue, wIndex, data, length, endpoint,
 * timeout) and answers through a responder written like the bridge chip
 * behaves. Helpers build the usual responders: a serial bridge (command in
 * SET_REPORT / interrupt OUT chunks, reply in interrupt IN chunks) and a
 * string-descriptor bridge (krauler/fabula/hunnox).
 */
import {
  UsbTransferError,
  type UsbDeviceHandle,
  type UsbEndpointInfo,
  type UsbFailureKind,
  type UsbLike,
  type UsbListedDevice,
  type UsbSetup,
} from '../../src/drivers/qx/usb/usb-like';

export type Transfer =
  | { kind: 'controlOut'; setup: UsbSetup; data: number[]; timeoutMs: number }
  | { kind: 'controlIn'; setup: UsbSetup; length: number; timeoutMs: number }
  | { kind: 'interruptIn'; endpoint: number; length: number; timeoutMs: number }
  | { kind: 'interruptOut'; endpoint: number; data: number[]; timeoutMs: number }
  | { kind: 'clearHalt'; endpoint: number }
  | { kind: 'reset' }
  | { kind: 'close' };

/** What the responder answers: bytes (IN), a count (OUT), a failure, or never. */
export type Answer = Uint8Array | number[] | number | UsbFailureKind | 'hang' | Error;

export type Responder = (t: Transfer, dev: FakeUsbDevice) => Answer | undefined;

export class FakeUsbDevice implements UsbDeviceHandle {
  readonly transfers: Transfer[] = [];
  closed = false;
  /** After this, every transfer fails `gone` (unplugged). */
  unplugged = false;
  eps: UsbEndpointInfo[] = [
    { address: 0x81, type: 'interrupt', packetSize: 8 },
  ];

  constructor(public responder: Responder) {}

  private answer(t: Transfer): Promise<Answer> {
    this.transfers.push(t);
    if (this.unplugged) return Promise.resolve('gone');
    const a = this.responder(t, this);
    if (a === 'hang') return new Promise(() => undefined);
    if (a === undefined) {
      // Unanswered: OUT transfers take all, IN transfers time out (after the timeout, as the chip would).
      if (t.kind === 'controlOut' || t.kind === 'interruptOut') return Promise.resolve(t.data.length);
      if (t.kind === 'controlIn' || t.kind === 'interruptIn') return new Promise((r) => setTimeout(() => r('timeout'), Math.min(t.timeoutMs, 20)));
      return Promise.resolve(0);
    }
    return Promise.resolve(a);
  }

  private static fail(a: Answer): void {
    if (a instanceof Error) throw a;
    if (typeof a === 'string' && a !== 'hang') throw new UsbTransferError(a, `fake: ${a}`);
  }

  private async inData(t: Transfer): Promise<Uint8Array> {
    const a = await this.answer(t);
    FakeUsbDevice.fail(a);
    if (typeof a === 'number') return new Uint8Array(0);
    const len = 'length' in t ? t.length : Infinity;
    return Uint8Array.from(a as ArrayLike<number>).slice(0, len);
  }

  private async outCount(t: Transfer): Promise<number> {
    const a = await this.answer(t);
    FakeUsbDevice.fail(a);
    return typeof a === 'number' ? a : (a as ArrayLike<number>).length;
  }

  controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<number> {
    return this.outCount({ kind: 'controlOut', setup: { ...setup }, data: [...data], timeoutMs });
  }
  controlIn(setup: UsbSetup, length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.inData({ kind: 'controlIn', setup: { ...setup }, length, timeoutMs });
  }
  interruptIn(endpoint: number, length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.inData({ kind: 'interruptIn', endpoint, length, timeoutMs });
  }
  interruptOut(endpoint: number, data: Uint8Array, timeoutMs: number): Promise<number> {
    return this.outCount({ kind: 'interruptOut', endpoint, data: [...data], timeoutMs });
  }
  async clearHalt(endpoint: number): Promise<void> {
    const a = await this.answer({ kind: 'clearHalt', endpoint });
    FakeUsbDevice.fail(a);
  }
  async reset(): Promise<void> {
    this.transfers.push({ kind: 'reset' });
  }
  endpoints(): readonly UsbEndpointInfo[] {
    return this.eps;
  }
  async close(): Promise<void> {
    this.transfers.push({ kind: 'close' });
    this.closed = true;
  }

  /** The transfers of one kind, for assertions. */
  of<K extends Transfer['kind']>(kind: K): Array<Extract<Transfer, { kind: K }>> {
    return this.transfers.filter((t): t is Extract<Transfer, { kind: K }> => t.kind === kind);
  }
  clear(): void {
    this.transfers.length = 0;
  }
}

export const latin1 = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/**
 * A cypress-like chip: SET_REPORT (or interrupt OUT) chunks are collected
 * until a `\r` (padding NULs dropped), then `reply(command)` is served in
 * interrupt IN reads of up to `chunk` bytes, the last one NUL-padded to
 * the chunk. Undefined from `reply`: the UPS stays silent.
 */
export function serialChip(reply: (command: string) => string | undefined, opts: { chunk?: number; pad?: boolean } = {}): Responder {
  let pending: number[] = [];
  let inbox = '';
  const chunk = opts.chunk ?? 8;
  return (t) => {
    if (t.kind === 'controlOut' || t.kind === 'interruptOut') {
      inbox += String.fromCharCode(...t.data.filter((b) => b !== 0));
      const cr = inbox.indexOf('\r');
      if (cr >= 0) {
        const cmd = inbox.slice(0, cr + 1);
        inbox = '';
        const r = reply(cmd);
        pending = r === undefined ? [] : latin1(r);
      }
      return t.data.length;
    }
    if (t.kind === 'interruptIn') {
      if (pending.length === 0) return undefined;
      const n = Math.min(chunk, t.length);
      const out = pending.slice(0, n);
      pending = pending.slice(n);
      while (opts.pad !== false && out.length < n) out.push(0);
      return out;
    }
    return undefined;
  };
}

/** A USB string descriptor: bLength, 3, UTF-16LE. */
export function stringDescriptor(s: string): number[] {
  const out = [2 + s.length * 2, 3];
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out.push(c & 0xff, c >> 8);
  }
  return out;
}

/** Descriptor 0 listing language IDs. */
export function languages(...ids: number[]): number[] {
  const out = [2 + ids.length * 2, 3];
  for (const id of ids) out.push(id & 0xff, id >> 8);
  return out;
}

/**
 * A krauler/fabula-like device: GET_DESCRIPTOR(STRING, i) answers
 * `strings(i, langid)` (a string, raw bytes, or undefined = timeout);
 * string 0 answers the language list.
 */
export function stringChip(strings: (index: number, langid: number) => string | number[] | undefined, langs: number[] = [0x0409]): Responder {
  return (t) => {
    if (t.kind !== 'controlIn' || t.setup.bmRequestType !== 0x80 || t.setup.bRequest !== 0x06 || t.setup.wValue >> 8 !== 3) return undefined;
    const index = t.setup.wValue & 0xff;
    if (index === 0) return languages(...langs);
    const s = strings(index, t.setup.wIndex);
    if (s === undefined) return undefined;
    return typeof s === 'string' ? stringDescriptor(s) : s;
  };
}

/** A UsbLike listing these devices; each opens the given fake (or a fresh silent one). */
export function fakeUsb(devices: Array<Omit<UsbListedDevice, 'open'> & { handle?: FakeUsbDevice }>): UsbLike & { opened: FakeUsbDevice[] } {
  const opened: FakeUsbDevice[] = [];
  return {
    opened,
    async list() {
      return devices.map((d) => ({
        ...d,
        async open() {
          const h = d.handle ?? new FakeUsbDevice(() => undefined);
          opened.push(h);
          return h;
        },
      }));
    },
  };
}

/** A Q1 status reply as Megatec units send it. */
export const Q1_REPLY = '(215.0 195.0 230.0 014 49.0 2.27 48.0 00000001\r';
