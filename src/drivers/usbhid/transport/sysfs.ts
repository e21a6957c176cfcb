/**
 * What Linux tells about a hidraw node in sysfs: the report descriptor
 * (node-hid has no call for it) and the USB device's IDs and strings. The
 * root is a parameter so tests build a fake tree in a temporary folder.
 *
 *   <root>/class/hidraw/hidrawN/device            -> the HID device (…/3-1:1.0/0003:051D:0002.0001)
 *   <root>/class/hidraw/hidrawN/device/report_descriptor
 *   <root>/class/hidraw/hidrawN/device/uevent     HID_ID=0003:0000051D:00000002, HID_NAME=…, HID_UNIQ=…
 *   two levels up from the HID device            the USB device: idVendor, idProduct, manufacturer, product, serial, bcdDevice
 */
import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HidDeviceInfo } from '../types';

export const DEFAULT_SYSFS_ROOT = '/sys';

/** `hidraw0` for `/dev/hidraw0`, following a udev alias such as `/dev/ups0` to its node. */
export async function hidrawName(devPath: string): Promise<string> {
  try {
    return basename(await realpath(devPath));
  } catch {
    // A node that is gone still names its sysfs entry; the caller finds out it is missing there.
    return basename(devPath);
  }
}

function hidDir(root: string, name: string): string {
  return join(root, 'class', 'hidraw', name, 'device');
}

export async function readReportDescriptor(root: string, name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(hidDir(root, name), 'report_descriptor')));
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

/** KEY=value lines of a uevent file. */
export function parseUevent(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/**
 * IDs and strings of the device behind a hidraw node; undefined when sysfs
 * does not know the node (unplugged). The USB device's own files win; the
 * HID uevent fills in for devices not on USB (Bluetooth, uhid).
 */
export async function readSysfsInfo(root: string, name: string): Promise<HidDeviceInfo | undefined> {
  const hid = hidDir(root, name);
  const uevent = await readText(join(hid, 'uevent'));
  if (uevent === undefined) return undefined;
  const ev = parseUevent(uevent);
  const info: HidDeviceInfo = { vendorId: 0, productId: 0 };
  // HID_ID=<bus>:<vendor>:<product>, 4 + 8 + 8 hex digits.
  const id = /^[0-9A-Fa-f]+:([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/.exec(ev.get('HID_ID') ?? '');
  if (id) {
    info.vendorId = parseInt(id[1]!, 16) & 0xffff;
    info.productId = parseInt(id[2]!, 16) & 0xffff;
  }
  const uniq = ev.get('HID_UNIQ');
  if (uniq) info.serialNumber = uniq;

  let usb: string | undefined;
  try {
    usb = dirname(dirname(await realpath(hid)));
  } catch {
    usb = undefined;
  }
  if (usb) {
    const [vid, pid, mfr, product, serial, bcd] = await Promise.all(
      ['idVendor', 'idProduct', 'manufacturer', 'product', 'serial', 'bcdDevice'].map((f) => readText(join(usb, f))),
    );
    if (vid && /^[0-9a-fA-F]{1,4}$/.test(vid)) info.vendorId = parseInt(vid, 16);
    if (pid && /^[0-9a-fA-F]{1,4}$/.test(pid)) info.productId = parseInt(pid, 16);
    if (mfr !== undefined) info.manufacturer = mfr;
    if (product !== undefined) info.product = product;
    if (serial !== undefined) info.serialNumber = serial;
    if (bcd && /^[0-9a-fA-F]{1,4}$/.test(bcd)) info.release = parseInt(bcd, 16);
  }
  if (info.product === undefined) {
    const hidName = ev.get('HID_NAME');
    if (hidName) info.product = hidName;
  }
  return info;
}
