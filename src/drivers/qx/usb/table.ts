/**
 * Which bridge a USB device gets when `subdriver` is not set: nutdrv_qx's
 * qx_usb_id[] table as data, in its order. The first entry whose IDs
 * match, and whose manufacturer/product strings match when given
 * (case-insensitive, whole string, as strcasecmp), and which names a
 * bridge, wins. 0001:0000 is shared by several makers: MEC / MEC0003 is
 * fabula, any MEC0003 hunnox, ATCL FOR UPS fuji, anything else krauler
 * (so snr, listed after it, is only reached with `subdriver: snr`).
 * 1a86:7523 (QinHeng CH340) is known but names no bridge: a CH340 may be
 * anything, so it needs `subdriver`.
 */
import type { QxUsbSubdriver } from './bridge';
import { QX_USB_SUBDRIVERS } from './bridge';

export interface QxUsbId {
  vendorId: number;
  productId: number;
  /** iManufacturer must equal this (case-insensitive) when given. */
  vendor?: string;
  /** iProduct must equal this (case-insensitive) when given. */
  product?: string;
  /** null: known to NUT, but no bridge chosen by default. */
  subdriver: QxUsbSubdriver | null;
  /** The device, as NUT's comment names it. */
  device: string;
}

export const QX_USB_IDS: readonly QxUsbId[] = [
  { vendorId: 0x05b8, productId: 0x0000, subdriver: 'cypress', device: 'Agiler UPS' },
  { vendorId: 0xffff, productId: 0x0000, subdriver: 'ablerex', device: 'Ablerex 625L USB' },
  { vendorId: 0x1cb0, productId: 0x0035, subdriver: 'krauler', device: 'Legrand Daker DK / DK Plus' },
  { vendorId: 0x0665, productId: 0x5161, subdriver: 'cypress', device: 'Belkin F6C1200-UNV / Voltronic Power UPSes' },
  { vendorId: 0x06da, productId: 0x0002, vendor: 'Phoenixtec Power', product: 'USB Cable (V2.00)', subdriver: 'phoenixtec', device: 'Masterguard A Series' },
  { vendorId: 0x06da, productId: 0x0002, subdriver: 'cypress', device: 'Online Yunto YQ450' },
  { vendorId: 0x06da, productId: 0x0003, subdriver: 'ippon', device: 'Mustek Powermust' },
  { vendorId: 0x06da, productId: 0x0004, subdriver: 'cypress', device: 'Phoenixtec Innova 3/1 T' },
  { vendorId: 0x06da, productId: 0x0005, subdriver: 'cypress', device: 'Phoenixtec Innova RT' },
  { vendorId: 0x06da, productId: 0x0201, subdriver: 'cypress', device: 'Phoenixtec Innova T' },
  { vendorId: 0x06da, productId: 0x0601, subdriver: 'phoenix', device: 'Online Zinto A' },
  { vendorId: 0x0f03, productId: 0x0001, subdriver: 'cypress', device: 'Unitek Alpha 1200Sx' },
  { vendorId: 0x14f0, productId: 0x00c9, subdriver: 'phoenix', device: 'GE EP series' },
  { vendorId: 0x1a86, productId: 0x7523, subdriver: null, device: 'QinHeng CH340 (Ippon Innova TAE, and non-UPS devices)' },
  { vendorId: 0x0483, productId: 0x0035, subdriver: 'sgs', device: 'TS Shara UPSes' },
  { vendorId: 0x0590, productId: 0x00b7, subdriver: 'omron', device: 'OMRON BN150T' },
  { vendorId: 0x0001, productId: 0x0000, vendor: 'MEC', product: 'MEC0003', subdriver: 'fabula', device: 'Fideltronik/MEC LUPUS 500 USB' },
  { vendorId: 0x0001, productId: 0x0000, product: 'MEC0003', subdriver: 'hunnox', device: 'Hunnox HNX 850, Powercool and others' },
  { vendorId: 0x0001, productId: 0x0000, vendor: 'ATCL FOR UPS', product: 'ATCL FOR UPS', subdriver: 'fuji', device: 'Fuji UPSes' },
  { vendorId: 0x0001, productId: 0x0000, subdriver: 'krauler', device: 'Krauler UP-M500VA' },
  { vendorId: 0x0001, productId: 0x0000, product: 'MEC0003', subdriver: 'snr', device: 'SNR-UPS-LID-XXXX UPSes' },
  { vendorId: 0x0925, productId: 0x1234, subdriver: 'armac', device: 'Armac UPS (Richcomm PowerManagerII)' },
];

export interface UsbIdentity {
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
}

/**
 * NUT's qx_is_usb_device_supported: `supported` with the bridge, `possibly`
 * for a vendor NUT knows with another product (or with no default bridge),
 * `no` otherwise.
 */
export function defaultSubdriver(dev: UsbIdentity): { support: 'supported'; subdriver: QxUsbSubdriver; entry: QxUsbId } | { support: 'possibly' | 'no' } {
  let support: 'possibly' | 'no' = 'no';
  for (const entry of QX_USB_IDS) {
    if (entry.vendorId !== dev.vendorId) continue;
    support = 'possibly';
    if (entry.productId !== dev.productId) continue;
    if (entry.vendor !== undefined && (dev.manufacturer === undefined || entry.vendor.toLowerCase() !== dev.manufacturer.toLowerCase())) continue;
    if (entry.product !== undefined && (dev.product === undefined || entry.product.toLowerCase() !== dev.product.toLowerCase())) continue;
    if (entry.subdriver) return { support: 'supported', subdriver: entry.subdriver, entry };
  }
  return { support };
}

/** `subdriver:` as NUT reads it (case-insensitive), or undefined for a name it does not have. */
export function findSubdriver(name: string): QxUsbSubdriver | undefined {
  const lower = name.toLowerCase();
  return QX_USB_SUBDRIVERS.find((s) => s === lower);
}
