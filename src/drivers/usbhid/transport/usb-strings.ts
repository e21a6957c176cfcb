/**
 * USB string descriptors for a device driven through hidraw. hidraw has no
 * request for them, yet a UPS's tables point at some (battery chemistry,
 * OEM information): usbhid-ups reads them with a GET_DESCRIPTOR control
 * request on the device, which we make through the `usb` library. Opening
 * the USB device for a control request to the device itself neither claims
 * nor detaches the HID interface the kernel holds.
 *
 * Best effort: no `usb` binary, no permission on /dev/bus/usb, a device that
 * stalls the request all give "unknown string" and the driver falls back to
 * the strings sysfs gave.
 */
import type { HidDeviceInfo } from '../types';

/** The calls made on a WebUSB device (the `usb` library's USBDevice). */
export interface UsbDeviceLike {
  vendorId: number;
  productId: number;
  serialNumber?: string | null;
  open(): Promise<void>;
  close(): Promise<void>;
  controlTransferIn(
    setup: { requestType: 'standard'; recipient: 'device'; request: number; value: number; index: number },
    length: number,
  ): Promise<{ data?: DataView; status: string }>;
}

export interface UsbStringReader {
  read(index: number): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Lists the USB devices (the `usb` library's WebUSB getDevices). */
export type UsbDeviceLister = () => Promise<UsbDeviceLike[]>;

const GET_DESCRIPTOR = 0x06;
const STRING_DESCRIPTOR = 0x03;
const ENGLISH_US = 0x0409;

async function listWithUsb(): Promise<UsbDeviceLike[]> {
  const { WebUSB } = await import('usb');
  return (await new WebUSB({ allowAllDevices: true }).getDevices()) as unknown as UsbDeviceLike[];
}

/** A string descriptor's text: bLength, bDescriptorType 3, then UTF-16LE. undefined when it is not one. */
export function decodeStringDescriptor(bytes: Uint8Array): string | undefined {
  if (bytes.length < 2 || bytes[1] !== STRING_DESCRIPTOR) return undefined;
  const end = Math.min(bytes[0] ?? 0, bytes.length);
  let text = '';
  for (let i = 2; i + 1 < end; i += 2) text += String.fromCharCode((bytes[i] as number) | ((bytes[i + 1] as number) << 8));
  return text;
}

function bytesOf(view: DataView | undefined): Uint8Array {
  return view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : new Uint8Array(0);
}

/**
 * A reader for the USB device behind `info`: the one with the same IDs and
 * serial, or the only one with these IDs. undefined when it cannot be told
 * apart or opened.
 */
export async function openUsbStrings(info: HidDeviceInfo, list: UsbDeviceLister = listWithUsb): Promise<UsbStringReader | undefined> {
  let devices: UsbDeviceLike[];
  try {
    devices = (await list()).filter((d) => d.vendorId === info.vendorId && d.productId === info.productId);
  } catch {
    return undefined;
  }
  const serial = info.serialNumber?.trim();
  const bySerial = serial ? devices.filter((d) => (d.serialNumber ?? '').trim() === serial) : [];
  const device = bySerial.length === 1 ? bySerial[0] : devices.length === 1 ? devices[0] : undefined;
  if (!device) return undefined;
  try {
    await device.open();
  } catch {
    return undefined;
  }
  let lang: number | undefined;
  const request = async (index: number, langId: number): Promise<Uint8Array | undefined> => {
    try {
      const r = await device.controlTransferIn(
        { requestType: 'standard', recipient: 'device', request: GET_DESCRIPTOR, value: (STRING_DESCRIPTOR << 8) | index, index: langId },
        255,
      );
      return r.status === 'ok' ? bytesOf(r.data) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async read(index) {
      if (index <= 0 || index > 255) return undefined;
      if (lang === undefined) {
        // String 0 lists the languages; the first one is what the device speaks.
        const langs = await request(0, 0);
        lang = langs && langs.length >= 4 && langs[1] === STRING_DESCRIPTOR ? (langs[2] as number) | ((langs[3] as number) << 8) : ENGLISH_US;
      }
      const bytes = await request(index, lang);
      return bytes ? decodeStringDescriptor(bytes) : undefined;
    },
    async close() {
      await device.close().catch(() => undefined);
    },
  };
}
