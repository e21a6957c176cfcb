/**
 * QxTransport over a USB-to-serial bridge: one exchange of a bridge (see
 * ./bridge.ts) per command, every transfer under the exchange's deadline,
 * and the libusb failures turned into the runtime's errors as nutdrv_qx's
 * qx_command treats them:
 *  - unplugged or an I/O error (LIBUSB_ERROR_NO_DEVICE / IO / ACCESS...):
 *    DeviceGoneError, the runtime reconnects (NUT closes and reopens);
 *  - a stalled endpoint (LIBUSB_ERROR_PIPE): the halt on 0x81 is cleared
 *    and the poll is missed; when clearing fails, reopen;
 *  - an oversized interrupt frame (LIBUSB_ERROR_OVERFLOW): a missed poll;
 *    the third in a row resets the device and reopens (NUT issue #598);
 *  - a timeout: DeviceTimeoutError when nothing came, QxTruncatedReplyError
 *    when part of the reply had (the QxTransport contract);
 *  - garbage the bridge cannot make a reply of: a missed poll.
 * The reply is the bridge's bytes up to the first `\r`; an empty one is
 * NUT's "no reply" (queries fail on it, instant commands succeed).
 */
import { DeviceGoneError, DeviceReplyError, DeviceTimeoutError } from '../../runtime/errors';
import { QxTruncatedReplyError, printable, type QxQueryOptions, type QxTransport } from '../transport';
import { BridgeReplyError, CR, bytes, text, type BridgeContext, type BridgeIo, type QxUsbBridge } from './bridge';
import { EP_IN_1, UsbTransferError, type UsbDeviceHandle, type UsbSetup } from './usb-like';

/** NUT's QX_USB_OVERFLOW_RESET_TRIES. */
const OVERFLOW_RESET_TRIES = 3;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/**
 * The transfers of one exchange: each bounded by its own timeout and by
 * the deadline, whichever comes first (the native call gets the same
 * timeout, and its late result is ignored), and cut short by the signal.
 */
export function deadlineIo(handle: UsbDeviceHandle, deadline: number, signal?: AbortSignal, now: () => number = Date.now): BridgeIo {
  const bounded = <T>(what: string, timeoutMs: number, run: (t: number) => Promise<T>): Promise<T> => {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const left = deadline - now();
    const t = Math.ceil(Math.min(timeoutMs, left));
    if (t <= 0) return Promise.reject(new UsbTransferError('timeout', `${what}: no time left`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => finish(() => reject(abortReason(signal as AbortSignal)));
      const timer = setTimeout(() => finish(() => reject(new UsbTransferError('timeout', `${what}: no answer within ${t} ms`))), t);
      signal?.addEventListener('abort', onAbort, { once: true });
      let call: Promise<T>;
      try {
        call = run(t);
      } catch (err) {
        call = Promise.reject(err);
      }
      call.then(
        (v) => finish(() => resolve(v)),
        (e) => finish(() => reject(e)),
      );
    });
  };
  const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
  const setupText = (s: UsbSetup): string => `control ${hex(s.bmRequestType)}/${hex(s.bRequest)} ${hex(s.wValue)}`;
  return {
    controlOut: (setup, data, timeoutMs) => bounded(setupText(setup), timeoutMs, (t) => handle.controlOut(setup, data, t)),
    controlIn: (setup, length, timeoutMs) => bounded(setupText(setup), timeoutMs, (t) => handle.controlIn(setup, length, t)),
    interruptIn: (ep, length, timeoutMs) => bounded(`interrupt in ${hex(ep)}`, timeoutMs, (t) => handle.interruptIn(ep, length, t)),
    interruptOut: (ep, data, timeoutMs) => bounded(`interrupt out ${hex(ep)}`, timeoutMs, (t) => handle.interruptOut(ep, data, t)),
    clearHalt: (ep) => bounded(`clear halt ${hex(ep)}`, 1000, () => handle.clearHalt(ep)),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortReason(signal));
        const left = deadline - now();
        // A pause longer than what is left ends at the deadline as a timeout (never a race of two timers).
        const wait = Math.max(0, Math.min(ms, left));
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(abortReason(signal as AbortSignal));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          if (wait < ms) reject(new UsbTransferError('timeout', `pause of ${ms} ms: only ${Math.round(wait)} ms left`));
          else resolve();
        }, wait);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    endpoints: () => handle.endpoints(),
  };
}

export interface UsbQxTransportOptions {
  description: string;
  /** The device's IDs: NUT publishes them as ups.vendorid / ups.productid ("%04x"). */
  vendorId?: number;
  productId?: number;
  bridge: QxUsbBridge;
  langidFix?: number;
  novendor?: boolean;
  now?: () => number;
}

export class UsbQxTransport implements QxTransport {
  private handle: UsbDeviceHandle | null;
  private overflows = 0;
  private readonly ctx: BridgeContext;

  constructor(
    handle: UsbDeviceHandle,
    private readonly opts: UsbQxTransportOptions,
  ) {
    this.handle = handle;
    const ctx: { langidFix?: number; novendor: boolean; state: Record<string, unknown> } = { novendor: opts.novendor ?? false, state: {} };
    if (opts.langidFix !== undefined) ctx.langidFix = opts.langidFix;
    this.ctx = ctx;
  }

  get description(): string {
    return this.opts.description;
  }

  /** ups.vendorid / ups.productid as NUT publishes them for a USB unit (4 hex digits), when known. */
  get ids(): { 'ups.vendorid': string; 'ups.productid': string } | undefined {
    const { vendorId, productId } = this.opts;
    if (vendorId === undefined || productId === undefined) return undefined;
    return { 'ups.vendorid': vendorId.toString(16).padStart(4, '0'), 'ups.productid': productId.toString(16).padStart(4, '0') };
  }

  /** The bridge in use (NUT's subdriver name). */
  get subdriver(): string {
    return this.opts.bridge.name;
  }

  async query(command: string, opts: QxQueryOptions): Promise<string> {
    const reply = await this.exchange(command, opts);
    const cr = reply.indexOf(CR);
    return text(cr < 0 ? reply : reply.subarray(0, cr));
  }

  async send(command: string): Promise<void> {
    try {
      await this.exchange(command, { timeoutMs: 1000 });
    } catch (err) {
      // Nothing is expected back: only a link that is gone (or a bug) matters.
      if (err instanceof DeviceTimeoutError || err instanceof DeviceReplyError) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle) await handle.close().catch(() => undefined);
  }

  private async exchange(command: string, opts: QxQueryOptions): Promise<Uint8Array> {
    const handle = this.handle;
    if (!handle) throw new DeviceGoneError(`${this.description} is closed`);
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const budget = Math.max(opts.timeoutMs, this.opts.bridge.minBudgetMs ?? 0);
    const now = this.opts.now ?? Date.now;
    const io = deadlineIo(handle, now() + budget, opts.signal, now);
    try {
      const reply = await this.opts.bridge.exchange(io, bytes(command), this.ctx);
      this.overflows = 0;
      return reply;
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      throw await this.failure(handle, command, budget, err);
    }
  }

  private async failure(handle: UsbDeviceHandle, command: string, budget: number, err: unknown): Promise<unknown> {
    const what = `${this.description}: ${printable(command)}`;
    if (err instanceof BridgeReplyError) return new DeviceReplyError(`${what}: ${err.message}`);
    if (!(err instanceof UsbTransferError)) return err;
    switch (err.kind) {
      case 'timeout':
        if (err.partial.length > 0) return new QxTruncatedReplyError(command, text(err.partial));
        return new DeviceTimeoutError(what, budget);
      case 'stall': {
        const cleared = await handle.clearHalt(EP_IN_1).then(
          () => true,
          () => false,
        );
        return new DeviceReplyError(`${what}: endpoint stalled${cleared ? ' (halt cleared)' : ' and the halt could not be cleared'}`, !cleared);
      }
      case 'overflow':
        if (++this.overflows < OVERFLOW_RESET_TRIES) return new DeviceReplyError(`${what}: oversized interrupt frame (${this.overflows}/${OVERFLOW_RESET_TRIES})`);
        this.overflows = 0;
        await handle.reset().catch(() => undefined);
        return new DeviceReplyError(`${what}: oversized interrupt frames ${OVERFLOW_RESET_TRIES} times in a row; device reset`, true);
      case 'gone':
      case 'io':
        await this.close();
        return new DeviceGoneError(`${what}: ${err.kind === 'gone' ? 'the device is gone' : err.message}`);
    }
  }
}
