/**
 * Which USB device a qx UPS entry is: NUT's USB regex matcher
 * (usb-common.c: vendorid, productid, vendor, product, serial, bus; each a
 * case-insensitive extended regex that must match the WHOLE value, with
 * blanks around the device's strings trimmed and a missing string
 * matching as empty), followed by nutdrv_qx's device matcher (the ID
 * table, unless `subdriver` is set, when any device the regexes let
 * through will do). The vendor/product/serial part is usbhid's matcher,
 * shared; `bus` (the bus number as NUT prints it, "%03d") is added here.
 */
import { describeDevice, matchFromConfig, mismatch, sameDevice, type DeviceMatch } from '../../usbhid/matcher';
import type { HidDeviceInfo } from '../../usbhid/types';
import type { QxUsbSubdriver } from './bridge';
import { defaultSubdriver } from './table';
import type { UsbListedDevice } from './usb-like';

export interface QxUsbMatchOptions {
  vendorid?: string;
  productid?: string;
  vendor?: string;
  product?: string;
  serial?: string;
  bus?: string;
  /** NUT's `device` (the address, "%03d"); not a qx config key yet. */
  device?: string;
}

export interface QxUsbMatch {
  device: DeviceMatch;
  bus?: RegExp;
  address?: RegExp;
}

/** Throws (with the option's name) for a regular expression JavaScript cannot compile. */
export function qxUsbMatch(opts: QxUsbMatchOptions): QxUsbMatch {
  for (const key of ['vendor', 'product', 'serial', 'bus', 'device'] as const) {
    const re = opts[key];
    if (re === undefined) continue;
    try {
      new RegExp(re);
    } catch (err) {
      throw new Error(`${key}: ${JSON.stringify(re)} is not a valid regular expression (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const m: QxUsbMatch = { device: matchFromConfig(opts) };
  if (opts.bus !== undefined) m.bus = new RegExp(`^(?:${opts.bus})$`, 'i');
  if (opts.device !== undefined) m.address = new RegExp(`^(?:${opts.device})$`, 'i');
  return m;
}

/** What usbhid's matcher compares, from a listed USB device. */
export function identity(dev: UsbListedDevice): HidDeviceInfo {
  const info: HidDeviceInfo = { vendorId: dev.vendorId, productId: dev.productId };
  if (dev.manufacturer !== undefined) info.manufacturer = dev.manufacturer;
  if (dev.product !== undefined) info.product = dev.product;
  if (dev.serialNumber !== undefined) info.serialNumber = dev.serialNumber;
  return info;
}

/** Why the regex matcher refuses the device, or undefined when it passes. */
export function usbMismatch(m: QxUsbMatch, dev: UsbListedDevice): string | undefined {
  const why = mismatch(m.device, identity(dev));
  if (why) return why;
  if (m.bus && !m.bus.test(dev.bus.trim())) return `bus ${dev.bus} does not match ${m.bus.source.slice(4, -2)}`;
  if (m.address && !m.address.test(dev.device.trim())) return `device ${dev.device} does not match ${m.address.source.slice(4, -2)}`;
  return undefined;
}

export interface ChosenDevice {
  device: UsbListedDevice;
  subdriver: QxUsbSubdriver;
}

/**
 * libusb's open_dev over the listing: the first device (by bus, then
 * address) that the regex matcher lets through and that has a bridge
 * (forced, or from the ID table); `previous` (the device opened before)
 * narrows it to that one, NUT's reopen matcher. undefined with the
 * reasons when none fits.
 */
export function chooseDevice(
  devices: readonly UsbListedDevice[],
  m: QxUsbMatch,
  forced: QxUsbSubdriver | undefined,
  previous?: HidDeviceInfo,
): ChosenDevice | { reasons: string[] } {
  const reasons: string[] = [];
  const ordered = [...devices].sort((a, b) => Number(a.bus) - Number(b.bus) || Number(a.device) - Number(b.device));
  for (const dev of ordered) {
    const name = `${describeDevice(identity(dev))} (bus ${dev.bus} device ${dev.device})`;
    const why = usbMismatch(m, dev) ?? (previous ? sameDevice(previous, identity(dev)) : undefined);
    if (why) {
      reasons.push(`${name}: ${why}`);
      continue;
    }
    if (forced) return { device: dev, subdriver: forced };
    const found = defaultSubdriver(identity(dev));
    if (found.support === 'supported') return { device: dev, subdriver: found.subdriver };
    reasons.push(`${name}: ${found.support === 'possibly' ? 'a known vendor, but no default subdriver for this device (set subdriver)' : 'not a known qx USB device'}`);
  }
  return { reasons };
}
