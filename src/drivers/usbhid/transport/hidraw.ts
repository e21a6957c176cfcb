/**
 * A HID device on Linux hidraw, through node-hid's asynchronous API (the
 * blocking one would stall the whole agent on a slow UPS). node-hid has no
 * call for the report descriptor, so it comes from sysfs.
 */
import { access } from 'node:fs/promises';
import { errorMessage } from '../../../core/errors';
import { HidTransportError, type HidDeviceInfo, type HidTransport, type HidTransportHandlers } from '../types';
import { loadNodeHid, type NodeHidApi, type NodeHidDevice, type NodeHidDeviceEntry } from './node-hid';
import { DEFAULT_SYSFS_ROOT, hidrawName, readReportDescriptor, readSysfsInfo } from './sysfs';
import { openUsbStrings, type UsbStringReader } from './usb-strings';

export interface HidrawOptions {
  /** /dev/hidrawN (or a udev alias of it). */
  path: string;
  /** Where sysfs is mounted; tests point it at a fake tree. */
  sysfsRoot?: string;
  /** node-hid, or a fake of it. */
  hid?: () => Promise<NodeHidApi>;
  /** Listen for Input (interrupt) reports; false for usbhid-ups' `pollonly`. Default true. */
  readInput?: boolean;
  /** Whether a path exists; tests fake unplugging. */
  exists?: (path: string) => Promise<boolean>;
  /** Where USB string descriptors come from (hidraw has no request for them); default the `usb` library. */
  strings?: (info: HidDeviceInfo) => Promise<UsbStringReader | undefined>;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function toBytes(data: Buffer | number[] | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : Uint8Array.from(data);
}

export class HidrawTransport implements HidTransport {
  private device: NodeHidDevice | null = null;
  private handlers: HidTransportHandlers | null = null;
  private name: string | null = null;
  private info: HidDeviceInfo | null = null;
  /** Opened on the first getString; null once it turned out unavailable. */
  private strings: Promise<UsbStringReader | undefined> | null = null;
  private readonly stringCache = new Map<number, string | undefined>();
  private readonly sysfsRoot: string;
  private readonly exists: (path: string) => Promise<boolean>;

  constructor(private readonly opts: HidrawOptions) {
    this.sysfsRoot = opts.sysfsRoot ?? DEFAULT_SYSFS_ROOT;
    this.exists = opts.exists ?? fileExists;
  }

  get path(): string {
    return this.opts.path;
  }

  async open(handlers: HidTransportHandlers): Promise<HidDeviceInfo> {
    if (this.device) throw new HidTransportError(`${this.opts.path} is already open`, false);
    const hid = await this.loadHid();
    this.name = await hidrawName(this.opts.path);
    let device: NodeHidDevice;
    try {
      device = await hid.HIDAsync.open(this.opts.path);
    } catch (err) {
      throw await this.failure(`cannot open ${this.opts.path}`, err);
    }
    this.device = device;
    this.handlers = handlers;
    device.on('error', (err) => this.lost(err));
    if (this.opts.readInput !== false) {
      device.on('data', (data) => {
        if (this.device === device) this.handlers?.onInput(toBytes(data));
      });
    }
    try {
      this.info = await this.deviceInfo(device);
      return this.info;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    const device = this.device;
    this.device = null;
    this.handlers = null;
    const strings = this.strings;
    this.strings = null;
    this.stringCache.clear();
    if (strings) await (await strings)?.close();
    if (!device) return;
    device.removeAllListeners('data');
    try {
      await device.close();
    } catch {
      // Closing a device that is already gone fails; there is nothing left to release.
    }
    device.removeAllListeners();
  }

  async getReportDescriptor(): Promise<Uint8Array> {
    const name = this.name ?? (await hidrawName(this.opts.path));
    try {
      return await readReportDescriptor(this.sysfsRoot, name);
    } catch (err) {
      throw await this.failure(`cannot read the report descriptor of ${this.opts.path} from sysfs`, err);
    }
  }

  /**
   * A Feature report exactly as the device answered: a short reply stays
   * short and a longer one (when more was asked for) keeps its bytes; the
   * caller (ReportBuffer) decides what they mean. A failed request is a
   * HidTransportError, disconnected only when the device is gone.
   */
  async getFeatureReport(reportId: number, length: number): Promise<Uint8Array> {
    const device = this.openDevice();
    if (!Number.isInteger(length) || length <= 0) {
      throw new HidTransportError(`cannot read feature report ${reportId} from ${this.opts.path}: asked for ${length} bytes`, false);
    }
    // hidapi always puts the report number first, 0 for a device without report IDs:
    // ask one byte more then and drop it, so callers see the report as it travels.
    const numbered = reportId !== 0;
    let data: Uint8Array;
    try {
      data = toBytes(await device.getFeatureReport(reportId, numbered ? length : length + 1));
    } catch (err) {
      throw await this.failure(`cannot read feature report ${reportId} from ${this.opts.path}`, err, length);
    }
    return numbered ? data : data.subarray(1);
  }

  async sendFeatureReport(data: Uint8Array): Promise<void> {
    const device = this.openDevice();
    let sent: number;
    try {
      sent = await device.sendFeatureReport(Buffer.from(data));
    } catch (err) {
      throw await this.failure(`cannot write feature report ${data[0] ?? 0} to ${this.opts.path}`, err);
    }
    if (sent < 0) throw await this.failure(`cannot write feature report ${data[0] ?? 0} to ${this.opts.path}`, new Error(`wrote ${sent}`));
  }

  /**
   * A USB string descriptor. hidraw cannot ask for one, so the USB device is
   * asked directly (see usb-strings.ts); undefined when that is not possible,
   * and the driver falls back to the manufacturer/product/serial strings.
   */
  async getString(index: number): Promise<string | undefined> {
    if (!this.device || !this.info) throw new HidTransportError(`${this.opts.path} is not open`, true);
    if (this.stringCache.has(index)) return this.stringCache.get(index);
    this.strings ??= (this.opts.strings ?? ((info) => openUsbStrings(info)))(this.info).catch(() => undefined);
    const reader = await this.strings;
    const text = reader ? await reader.read(index).catch(() => undefined) : undefined;
    this.stringCache.set(index, text);
    return text;
  }

  private openDevice(): NodeHidDevice {
    if (!this.device) throw new HidTransportError(`${this.opts.path} is not open`, true);
    return this.device;
  }

  private async loadHid(): Promise<NodeHidApi> {
    try {
      return await (this.opts.hid ?? loadNodeHid)();
    } catch (err) {
      throw new HidTransportError(`cannot load node-hid: ${errorMessage(err)}`, false);
    }
  }

  /** node-hid's own view first; sysfs fills what it lacks (older hidapi has no device info on hidraw). */
  private async deviceInfo(device: NodeHidDevice): Promise<HidDeviceInfo> {
    let entry: NodeHidDeviceEntry | undefined;
    try {
      entry = await device.getDeviceInfo();
    } catch {
      entry = undefined;
    }
    const sys = await readSysfsInfo(this.sysfsRoot, this.name ?? (await hidrawName(this.opts.path)));
    if (!entry && !sys) throw new HidTransportError(`${this.opts.path}: no device information from node-hid or sysfs`, true);
    const pick = <T>(a: T | undefined, b: T | undefined): T | undefined => (a !== undefined && a !== '' ? a : b);
    const info: HidDeviceInfo = {
      vendorId: entry?.vendorId || sys?.vendorId || 0,
      productId: entry?.productId || sys?.productId || 0,
      path: this.opts.path,
    };
    const manufacturer = pick(entry?.manufacturer, sys?.manufacturer);
    const product = pick(entry?.product, sys?.product);
    const serialNumber = pick(entry?.serialNumber, sys?.serialNumber);
    const release = pick(entry?.release, sys?.release);
    if (manufacturer !== undefined) info.manufacturer = manufacturer;
    if (product !== undefined) info.product = product;
    if (serialNumber !== undefined) info.serialNumber = serialNumber;
    if (release !== undefined) info.release = release;
    return info;
  }

  /** The read thread failed: the device is gone (unplugged, reset). Reported once, then closed. */
  private lost(err: unknown): void {
    const handlers = this.handlers;
    if (!handlers) return;
    void this.close();
    handlers.onDisconnect(err instanceof Error ? err : new Error(String(err)));
  }

  /**
   * A failed call, as a typed error. hidapi's messages rarely say whether
   * the device went away, so the node is checked: a vanished /dev/hidrawN
   * means unplugged (reconnect), and so do the kernel's "No such device" /
   * "transport endpoint shutdown" errors, which come while udev has not yet
   * removed the node; anything else means the request itself failed.
   */
  private async failure(what: string, err: unknown, asked?: number): Promise<HidTransportError> {
    const message = errorMessage(err);
    const gone = GONE.test(message) || !(await this.exists(this.opts.path).catch(() => true));
    // EOVERFLOW: the device sent more than was asked (the APC Back-UPS bug NUT's maxreport works around).
    const hint = !gone && asked !== undefined && OVERFLOW.test(message) ? ` (the reply was longer than the ${asked} bytes asked for)` : '';
    return new HidTransportError(`${what}: ${gone ? 'the device is gone' : message}${hint}`, gone);
  }
}

/** strerror() texts of ENODEV, ESHUTDOWN and ENXIO as hidapi passes them on: the USB device is gone. */
const GONE = /No such device|transport endpoint shutdown|\bE(?:NODEV|SHUTDOWN|NXIO)\b/i;
/** strerror(EOVERFLOW). */
const OVERFLOW = /Value too large for defined data type|\bEOVERFLOW\b/i;
