import type { HidDeviceInfo, Subdriver } from '../types';

/** A subdriver's USB device table (NUT's *_usb_device_table): vendor and product IDs it claims. */
export type UsbDeviceTable = ReadonlyArray<readonly [vendorId: number, productId: number]>;

/** True when the device's vendor and product IDs are in the table. */
export function inDeviceTable(table: UsbDeviceTable, info: Pick<HidDeviceInfo, 'vendorId' | 'productId'>): boolean {
  return table.some(([v, p]) => info.vendorId === v && info.productId === p);
}

/** A Subdriver.matches that claims exactly the devices of its table. */
export function claims(table: UsbDeviceTable): (info: HidDeviceInfo) => boolean {
  return (info) => inDeviceTable(table, info);
}

/**
 * A Subdriver.formatStrings that keeps the USB strings as they are and names
 * the maker when the device has no manufacturer string (NUT's
 * `*_format_mfr` functions: `return str ? str : "<Vendor>"`).
 */
export function defaultMfr(name: string): NonNullable<Subdriver['formatStrings']> {
  return (_info, strings) => ({ mfr: strings.mfr ?? name, model: strings.model, serial: strings.serial });
}
