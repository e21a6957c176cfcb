/**
 * UsbLike over the `usb` package (3.x, napi-rs over nusb), loaded lazily:
 * only a qx UPS on USB needs it. In the single executable the build
 * replaces the package's loader with src/platform/native's
 * loadNativeAddon, so `import('usb')` works there as under tsx.
 *
 * Opening claims interface 0, detaching the kernel driver first (usbhid
 * takes most of these bridges, being HID class), as NUT's libusb1.c does.
 */
import { errorMessage } from '../../../core/errors';
import { UsbTransferError, type UsbDeviceHandle, type UsbEndpointInfo, type UsbFailureKind, type UsbLike, type UsbListedDevice, type UsbSetup } from './usb-like';

/** The parts of the `usb` package's UsbDevice used here (its index.d.ts). */
export interface NativeSetup {
  requestType: 'standard' | 'class' | 'vendor';
  recipient: 'device' | 'interface' | 'endpoint' | 'other';
  request: number;
  value: number;
  index: number;
}
export interface NativeUsbDevice {
  vendorId: number;
  productId: number;
  bus: string;
  address: number;
  readonly manufacturerName: string | null;
  readonly productName: string | null;
  readonly serialNumber: string | null;
  readonly configuration: { interfaces: Array<{ interfaceNumber: number; alternate: { endpoints: Array<{ endpointNumber: number; direction: 'in' | 'out'; type: string; packetSize: number }> } }> } | null;
  open(): Promise<void>;
  close(): Promise<void>;
  reset(): Promise<void>;
  claimInterface(n: number): Promise<void>;
  releaseInterface(n: number): Promise<void>;
  detachKernelDriver(n: number): Promise<void>;
  nativeControlTransferIn(setup: NativeSetup, timeout: number, length: number): Promise<Uint8Array | null>;
  nativeControlTransferOut(setup: NativeSetup, timeout: number, data?: Uint8Array): Promise<number>;
  nativeTransferIn(endpointNumber: number, timeout: number, length: number): Promise<Uint8Array | null>;
  nativeTransferOut(endpointNumber: number, timeout: number, data: Uint8Array): Promise<number>;
  clearHalt(direction: 'in' | 'out', endpointNumber: number): Promise<void>;
}

const TYPES = ['standard', 'class', 'vendor', 'standard'] as const;
const RECIPIENTS = ['device', 'interface', 'endpoint', 'other'] as const;

/** bmRequestType as the WebUSB-style setup the library takes (the direction picks the In or Out call). */
export function nativeSetup(s: UsbSetup): NativeSetup {
  return {
    requestType: TYPES[(s.bmRequestType >> 5) & 3] as NativeSetup['requestType'],
    recipient: RECIPIENTS[Math.min(s.bmRequestType & 0x1f, 3)] as NativeSetup['recipient'],
    request: s.bRequest,
    value: s.wValue,
    index: s.wIndex,
  };
}

/** nusb's error texts (and libusb-style ones) in NUT's categories. */
export function failureKind(message: string): UsbFailureKind {
  if (/disconnect|no such device|ENODEV|not found/i.test(message)) return 'gone';
  if (/stall|broken pipe|EPIPE/i.test(message)) return 'stall';
  if (/cancel|timed? ?out|ETIMEDOUT/i.test(message)) return 'timeout';
  if (/overflow|EOVERFLOW/i.test(message)) return 'overflow';
  return 'io';
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UsbTransferError) throw err;
    const message = errorMessage(err);
    throw new UsbTransferError(failureKind(message), `${what}: ${message}`);
  }
}

function stalledIfNull(data: Uint8Array | null, what: string): Uint8Array {
  if (!data) throw new UsbTransferError('stall', `${what}: stalled`);
  return data;
}

class NodeUsbHandle implements UsbDeviceHandle {
  constructor(private readonly dev: NativeUsbDevice) {}

  controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<number> {
    return call('control out', () => this.dev.nativeControlTransferOut(nativeSetup(setup), timeoutMs, data));
  }
  async controlIn(setup: UsbSetup, length: number, timeoutMs: number): Promise<Uint8Array> {
    return stalledIfNull(await call('control in', () => this.dev.nativeControlTransferIn(nativeSetup(setup), timeoutMs, length)), 'control in');
  }
  async interruptIn(endpoint: number, length: number, timeoutMs: number): Promise<Uint8Array> {
    return stalledIfNull(await call('interrupt in', () => this.dev.nativeTransferIn(endpoint & 0x0f, timeoutMs, length)), 'interrupt in');
  }
  interruptOut(endpoint: number, data: Uint8Array, timeoutMs: number): Promise<number> {
    return call('interrupt out', () => this.dev.nativeTransferOut(endpoint & 0x0f, timeoutMs, data));
  }
  clearHalt(endpoint: number): Promise<void> {
    return call('clear halt', () => this.dev.clearHalt(endpoint & 0x80 ? 'in' : 'out', endpoint & 0x0f));
  }
  reset(): Promise<void> {
    return call('reset', () => this.dev.reset());
  }
  endpoints(): readonly UsbEndpointInfo[] {
    try {
      const iface = this.dev.configuration?.interfaces.find((i) => i.interfaceNumber === 0);
      return (iface?.alternate.endpoints ?? []).map((e) => ({
        address: (e.direction === 'in' ? 0x80 : 0) | e.endpointNumber,
        type: (['interrupt', 'bulk', 'isochronous'].includes(e.type) ? e.type : 'control') as UsbEndpointInfo['type'],
        packetSize: e.packetSize,
      }));
    } catch {
      return [];
    }
  }
  async close(): Promise<void> {
    await this.dev.releaseInterface(0).catch(() => undefined);
    await this.dev.close().catch(() => undefined);
  }
}

function threeDigits(n: number): string {
  return String(n).padStart(3, '0');
}

/** One device of the library's listing as UsbListedDevice (exported for tests with a stand-in of the library's object). */
export function listed(dev: NativeUsbDevice): UsbListedDevice {
  // The library's `bus` is the port path ("1-1.4"); NUT's Bus is the bus number.
  const busNumber = /^(\d+)/.exec(String(dev.bus))?.[1];
  const entry: UsbListedDevice = {
    vendorId: dev.vendorId,
    productId: dev.productId,
    bus: threeDigits(busNumber ? Number(busNumber) : 0),
    device: threeDigits(dev.address),
    async open() {
      await call('open', () => dev.open());
      await dev.detachKernelDriver(0).catch(() => undefined);
      try {
        await call('claim interface 0', () => dev.claimInterface(0));
      } catch (err) {
        await dev.close().catch(() => undefined);
        throw err;
      }
      return new NodeUsbHandle(dev);
    },
  };
  const strings: Array<[keyof UsbListedDevice & ('manufacturer' | 'product' | 'serialNumber'), () => string | null]> = [
    ['manufacturer', () => dev.manufacturerName],
    ['product', () => dev.productName],
    ['serialNumber', () => dev.serialNumber],
  ];
  for (const [key, get] of strings) {
    try {
      const v = get();
      if (v !== null && v !== undefined) entry[key] = v;
    } catch {
      // A string the system cannot read is a missing one.
    }
  }
  return entry;
}

/** The `usb` package as UsbLike. */
export async function loadNodeUsb(): Promise<UsbLike> {
  const { WebUSB } = await import('usb');
  const webusb = new WebUSB({ allowAllDevices: true });
  return {
    async list() {
      const devices = (await webusb.getDevices()) as unknown as NativeUsbDevice[];
      return devices.map(listed);
    },
  };
}
