/**
 * Which USB HID device a `driver: usbhid` UPS is: usbhid-ups' matching rules
 * (vendorid/productid/vendor/product/serial) and the `port: auto` choice
 * among the HID devices on the system. Pure functions over device listings,
 * shared by the driver, its reconnect logic and `upsagent scan`.
 */
import type { UsbHidConfig } from './config';
import type { HidDeviceInfo } from './types';

/** A HID device as the system lists it (node-hid's devices(), one entry per hidraw node). */
export interface ListedHidDevice extends HidDeviceInfo {
  /** /dev/hidrawN */
  path: string;
  /** Usage page and usage of the device's first top-level collection (0x84 = Power Device). */
  usagePage?: number;
  usage?: number;
  /** USB interface number. */
  interface?: number;
}

/** HID usage pages a UPS speaks: Power Device and Battery System. */
export const POWER_DEVICE_PAGE = 0x84;
export const BATTERY_SYSTEM_PAGE = 0x85;

/**
 * USB vendor IDs of UPS makers whose devices usbhid-ups drives, with the
 * name we show. Some UPSes declare a vendor usage page instead of 0x84, so
 * the vendor ID is the second way to recognise them (as nut-scanner does
 * with the drivers' device tables). Chip and board makers whose IDs UPSes
 * borrow (STMicroelectronics 0483 for some CyberPower and Ever units,
 * Microchip 04d8 for openUPS, Arduino 2341 / 2a03) are left out: they would
 * also pick keyboards and boards; such UPSes are found by usage page.
 */
export const UPS_VENDORS: ReadonlyMap<number, string> = new Map([
  [0x03f0, 'HP'],
  [0x0463, 'Eaton / MGE'],
  [0x047c, 'Dell'],
  [0x04b3, 'IBM'],
  [0x050d, 'Belkin'],
  [0x051d, 'APC'],
  [0x0592, 'Powerware'],
  [0x05dd, 'Delta'],
  [0x06da, 'Phoenixtec / Liebert'],
  [0x075d, 'iDowell'],
  [0x0764, 'CyberPower'],
  [0x09ae, 'Tripp Lite'],
  [0x09d6, 'KSTAR'],
  [0x0d9f, 'Powercom'],
  [0x10af, 'Liebert'],
  [0x1cb0, 'Legrand'],
  [0x2b2d, 'AEG'],
  [0x2e51, 'Ever'],
  [0x2e66, 'Salicru'],
  [0x3746, 'EcoFlow'],
  [0x4234, 'Powervar'],
]);

/** True when the device looks like a UPS: a Power Device / Battery System usage page, or a UPS maker's vendor ID. */
export function isLikelyUps(dev: Pick<ListedHidDevice, 'vendorId' | 'usagePage'>): boolean {
  return dev.usagePage === POWER_DEVICE_PAGE || dev.usagePage === BATTERY_SYSTEM_PAGE || UPS_VENDORS.has(dev.vendorId);
}

/** What the configuration asks of the device; every given field must match. */
export interface DeviceMatch {
  vendorId?: number;
  productId?: number;
  vendor?: RegExp;
  product?: RegExp;
  serial?: RegExp;
}

/**
 * A usbhid-ups string option as a regular expression: case-insensitive and
 * matching the WHOLE string, as NUT anchors its matches (`serial: AB12` does
 * not match `AB123`). The config validator has already checked the syntax.
 */
function wholeMatch(re: string): RegExp {
  return new RegExp(`^(?:${re})$`, 'i');
}

/** The `vendorid`-style option as a number (`051d`, `0x051D`). */
export function parseUsbId(text: string): number {
  return parseInt(text.replace(/^0x/i, ''), 16);
}

export function matchFromConfig(cfg: Pick<UsbHidConfig, 'vendorid' | 'productid' | 'vendor' | 'product' | 'serial'>): DeviceMatch {
  const m: DeviceMatch = {};
  if (cfg.vendorid !== undefined) m.vendorId = parseUsbId(cfg.vendorid);
  if (cfg.productid !== undefined) m.productId = parseUsbId(cfg.productid);
  if (cfg.vendor !== undefined) m.vendor = wholeMatch(cfg.vendor);
  if (cfg.product !== undefined) m.product = wholeMatch(cfg.product);
  if (cfg.serial !== undefined) m.serial = wholeMatch(cfg.serial);
  return m;
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/**
 * Why the device does not match, in words; undefined when it matches. NUT
 * trims surrounding blanks off the device's strings and treats a missing
 * string as empty, so `serial: ""`-style checks behave the same here.
 */
export function mismatch(m: DeviceMatch, info: HidDeviceInfo): string | undefined {
  if (m.vendorId !== undefined && info.vendorId !== m.vendorId) return `vendor ID ${hex4(info.vendorId)} is not ${hex4(m.vendorId)}`;
  if (m.productId !== undefined && info.productId !== m.productId) return `product ID ${hex4(info.productId)} is not ${hex4(m.productId)}`;
  const checks: Array<[string, RegExp | undefined, string | undefined]> = [
    ['vendor', m.vendor, info.manufacturer],
    ['product', m.product, info.product],
    ['serial', m.serial, info.serialNumber],
  ];
  for (const [what, re, value] of checks) {
    if (re && !re.test((value ?? '').trim())) return `${what} ${JSON.stringify(value ?? '')} does not match ${re.source.slice(4, -2)}`;
  }
  return undefined;
}

export function matches(m: DeviceMatch, info: HidDeviceInfo): boolean {
  return mismatch(m, info) === undefined;
}

/**
 * The device the driver was using, for reconnecting: the same vendor and
 * product IDs and the same strings (NUT's exact matcher). The hidraw number
 * may change when a device comes back, so the path is not compared.
 */
export function sameDevice(before: HidDeviceInfo, now: HidDeviceInfo): string | undefined {
  if (before.vendorId !== now.vendorId || before.productId !== now.productId) {
    return `it is ${hex4(now.vendorId)}:${hex4(now.productId)}, not ${hex4(before.vendorId)}:${hex4(before.productId)}`;
  }
  const fields: Array<[string, string | undefined, string | undefined]> = [
    ['serial', before.serialNumber, now.serialNumber],
    ['vendor', before.manufacturer, now.manufacturer],
    ['product', before.product, now.product],
  ];
  for (const [what, a, b] of fields) {
    if ((a ?? '').trim() !== (b ?? '').trim()) return `its ${what} is ${JSON.stringify(b ?? '')}, not ${JSON.stringify(a ?? '')}`;
  }
  return undefined;
}

/**
 * `port: auto`: the first listed device that looks like a UPS and matches
 * the configuration, in path order (hidraw0 before hidraw10) so the choice
 * is stable between starts. `previous` narrows it to the device seen before.
 */
export function selectDevice(devices: readonly ListedHidDevice[], m: DeviceMatch, previous?: HidDeviceInfo): ListedHidDevice | undefined {
  return sortByPath(devices).find(
    (d) => isLikelyUps(d) && matches(m, d) && (previous === undefined || sameDevice(previous, d) === undefined),
  );
}

/** hidraw2 before hidraw10: numeric order of the trailing number. */
export function sortByPath<T extends { path: string }>(devices: readonly T[]): T[] {
  const key = (p: string): [string, number] => {
    const m = /^(.*?)(\d+)$/.exec(p);
    return m ? [m[1]!, Number(m[2])] : [p, -1];
  };
  return [...devices].sort((a, b) => {
    const [pa, na] = key(a.path);
    const [pb, nb] = key(b.path);
    return pa < pb ? -1 : pa > pb ? 1 : na - nb;
  });
}

/** One line naming a device for logs: `051d:0002 American Power Conversion Back-UPS 500 (serial X) at /dev/hidraw0`. */
export function describeDevice(info: HidDeviceInfo): string {
  const names = [info.manufacturer, info.product].map((s) => s?.trim()).filter((s) => s);
  const serial = info.serialNumber?.trim() ? ` (serial ${info.serialNumber.trim()})` : '';
  const where = info.path ? ` at ${info.path}` : '';
  return `${hex4(info.vendorId)}:${hex4(info.productId)}${names.length ? ` ${names.join(' ')}` : ''}${serial}${where}`;
}
