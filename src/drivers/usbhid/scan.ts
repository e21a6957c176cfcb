/**
 * `upsagent scan`: finds UPSes on USB HID and lists serial ports, and writes
 * a ready-to-paste `ups:` section for each, as nut-scanner writes ups.conf
 * sections. Device lists are injected so the command runs in tests without
 * hardware.
 */
import { errorMessage } from '../../core/errors';
import { UPS_VENDORS, hex4, isLikelyUps, sortByPath, type ListedHidDevice } from './matcher';

/** A serial port as serialport's SerialPort.list() describes it. */
export interface ListedSerialPort {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  pnpId?: string;
}

export interface ScanSources {
  hid: () => Promise<ListedHidDevice[]>;
  serial: () => Promise<ListedSerialPort[]>;
}

/** One `ups:` entry to suggest. */
export interface FoundUps {
  name: string;
  driver: 'usbhid';
  port: string;
  vendorid: string;
  productid: string;
  serial?: string;
  desc: string;
  /** Where and how it was found, for a comment line. */
  note: string;
}

export interface ScanResult {
  ups: FoundUps[];
  serialPorts: ListedSerialPort[];
  /** Sources that could not be listed (no node-hid binary, udevadm missing...). */
  problems: string[];
}

/** A config value used as a regular expression (serial) that must match this text literally. */
export function literalRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `Back-UPS 500 FW: 6.5.I` -> `back-ups-500`: a UPS name the config accepts, from the product string. */
export function upsNameFor(dev: ListedHidDevice): string {
  const words = (dev.product ?? '').split(/\s+(?:FW|USB FW)\s*:/i)[0] ?? '';
  const slug = words
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return slug || (UPS_VENDORS.get(dev.vendorId)?.split(/\W/)[0]?.toLowerCase() ?? 'ups');
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base}-${i}`;
  taken.add(name.toLowerCase());
  return name;
}

/** Suggestions for the UPS-like HID devices among `devices`. */
export function suggestHidUps(devices: readonly ListedHidDevice[]): FoundUps[] {
  const upses = sortByPath(devices.filter(isLikelyUps));
  const taken = new Set<string>();
  return upses.map((dev) => {
    const serial = dev.serialNumber?.trim();
    // `port: auto` with IDs and serial survives the hidraw number changing between boots;
    // two identical UPSes without a serial can only be told apart by their node.
    const twin = upses.some(
      (o) => o !== dev && o.vendorId === dev.vendorId && o.productId === dev.productId && (o.serialNumber?.trim() ?? '') === (serial ?? ''),
    );
    const found: FoundUps = {
      name: uniqueName(upsNameFor(dev), taken),
      driver: 'usbhid',
      port: twin ? dev.path : 'auto',
      vendorid: hex4(dev.vendorId),
      productid: hex4(dev.productId),
      desc: [dev.manufacturer?.trim(), dev.product?.trim()].filter((s) => s).join(' ') || `USB HID ${hex4(dev.vendorId)}:${hex4(dev.productId)}`,
      note: `${dev.path}${dev.usagePage !== undefined ? `, usage page 0x${dev.usagePage.toString(16)}` : ''}${UPS_VENDORS.has(dev.vendorId) ? `, ${UPS_VENDORS.get(dev.vendorId)}` : ''}`,
    };
    if (serial) found.serial = literalRegex(serial);
    return found;
  });
}

export async function scan(sources: ScanSources): Promise<ScanResult> {
  const problems: string[] = [];
  let hid: ListedHidDevice[] = [];
  let serialPorts: ListedSerialPort[] = [];
  try {
    hid = await sources.hid();
  } catch (err) {
    problems.push(`USB HID devices could not be listed: ${errorMessage(err)}`);
  }
  try {
    serialPorts = await sources.serial();
  } catch (err) {
    problems.push(`serial ports could not be listed: ${errorMessage(err)}`);
  }
  return { ups: suggestHidUps(hid), serialPorts: sortByPath(serialPorts), problems };
}

/** YAML 1.2 reads a JSON string as a double-quoted scalar: every value is written that way, never misread as a number. */
const q = (s: string): string => JSON.stringify(s);

/** Single-line text for a YAML comment. */
const comment = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/**
 * The scan as YAML: a `ups:` section with one entry per UPS found, and
 * serial ports as comments (this build has no serial UPS driver to put in a
 * `driver:` line, and a port alone does not tell what is attached to it).
 * undefined when nothing was found.
 */
export function formatScanYaml(result: ScanResult): string | undefined {
  if (result.ups.length === 0 && result.serialPorts.length === 0) return undefined;
  const lines: string[] = [];
  if (result.ups.length > 0) {
    lines.push(`# ${result.ups.length} UPS found on USB HID by upsagent scan; paste into the configuration file.`);
    lines.push('ups:');
    for (const u of result.ups) {
      lines.push(`  # ${comment(u.note)}`);
      lines.push(`  ${u.name}:`);
      lines.push(`    driver: ${u.driver}`);
      lines.push(`    port: ${q(u.port)}`);
      lines.push(`    vendorid: ${q(u.vendorid)}`);
      lines.push(`    productid: ${q(u.productid)}`);
      if (u.serial !== undefined) lines.push(`    serial: ${q(u.serial)}`);
      lines.push(`    desc: ${q(u.desc.slice(0, 255))}`);
    }
  }
  if (result.serialPorts.length > 0) {
    if (lines.length) lines.push('');
    lines.push(`# ${result.serialPorts.length} serial port(s); a UPS on one needs a serial driver, which this build does not have yet:`);
    for (const p of result.serialPorts) {
      const about = [p.manufacturer, p.vendorId && p.productId ? `USB ${p.vendorId}:${p.productId}` : undefined, p.serialNumber ? `serial ${p.serialNumber}` : undefined]
        .filter((s) => s)
        .join(', ');
      lines.push(`#   ${comment(p.path)}${about ? ` (${comment(about)})` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
