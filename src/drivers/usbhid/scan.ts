/**
 * `upsagent scan`: finds UPSes on USB HID, lists serial ports and (unless
 * told not to) asks each serial port read-only questions for the qx and
 * APC Smart protocols (../serial/probe.ts), and writes a ready-to-paste
 * `ups:` section for each UPS found, as nut-scanner writes ups.conf
 * sections. Device lists and the serial probe are injected so the command
 * runs in tests without hardware.
 */
import { errorMessage } from '../../core/errors';
import type { UsbIdentity } from '../types';
import type { ProbeSerialPort, SerialProbeResult, SerialUpsFound } from '../serial/probe';
import { BATTERY_SYSTEM_PAGE, POWER_DEVICE_PAGE, UPS_VENDORS, hex4, isLikelyUps, sortByPath, type ListedHidDevice } from './matcher';

/** A serial port as serialport's SerialPort.list() describes it. */
export interface ListedSerialPort {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  pnpId?: string;
}

/**
 * A UPS on USB that another driver claims by its IDs (qx's USB-to-serial
 * bridges, which are not HID Power Devices even when they enumerate as
 * HID), with the `ups:` keys that select it. Kept neutral so this module
 * imports no other driver; the CLI maps qx's candidates to it.
 */
export interface OtherUsbUps extends UsbIdentity {
  /** driver, port, vendorid, productid (and subdriver when the IDs tell it). */
  suggested: Record<string, string>;
  /** When the IDs alone do not say which bridge: the choices for `subdriver`; the entry is then a comment. */
  subdriverChoices?: readonly string[];
  /** What the IDs are known as, for the comment. */
  known: string;
}

export interface ScanSources {
  hid: () => Promise<ListedHidDevice[]>;
  /** USB devices other drivers claim by ID (qx bridges); absent: not listed. */
  otherUsb?: () => Promise<OtherUsbUps[]>;
  serial: () => Promise<ListedSerialPort[]>;
  /** Asks one serial port what is on it (never rejects); absent: the ports are listed, not opened (`--no-probe`). */
  probeSerial?: ProbeSerialPort;
}

/** One `ups:` entry for a UPS found on a serial port. */
export interface FoundSerialUps extends SerialUpsFound {
  name: string;
  desc: string;
  /** Where and how it was found, for a comment line. */
  note: string;
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

/** A `ups:` entry for a UPS another driver claims on USB. */
export interface FoundOtherUsbUps extends OtherUsbUps {
  name: string;
  desc: string;
  note: string;
}

export interface ScanResult {
  ups: FoundUps[];
  /** USB UPSes of other drivers (qx bridges), named after the HID ones. */
  otherUsb?: FoundOtherUsbUps[];
  /** Found by the serial probe, named after the HID ones (names unique over both). */
  serialUps: FoundSerialUps[];
  serialPorts: ListedSerialPort[];
  /** The probe's result per listed port (same order), or undefined when the ports were not opened. */
  probes?: SerialProbeResult[];
  /** Sources that could not be listed (no node-hid binary, udevadm missing...). */
  problems: string[];
}

/** A config value used as a regular expression (serial) that must match this text literally. */
export function literalRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `Back-UPS 500` -> `back-ups-500`: lower case letters, digits and dashes, at most 32; '' when nothing is left. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
}

/** `Back-UPS 500 FW: 6.5.I` -> `back-ups-500`: a UPS name the config accepts, from the product string. */
export function upsNameFor(dev: ListedHidDevice): string {
  const words = (dev.product ?? '').split(/\s+(?:FW|USB FW)\s*:/i)[0] ?? '';
  return slug(words) || (UPS_VENDORS.get(dev.vendorId)?.split(/\W/)[0]?.toLowerCase() ?? 'ups');
}

/** A name for a serial UPS: its model, else its maker, else the driver's kind of UPS. */
export function serialUpsNameFor(u: SerialUpsFound): string {
  return slug(u.model ?? '') || slug(u.mfr ?? '') || (u.driver === 'apcsmart' ? 'apc-smart-ups' : 'qx-ups');
}

/** Suggestions for the UPSes the serial probe found, with names not in `taken` (the HID ones). */
export function suggestSerialUps(probes: readonly SerialProbeResult[], ports: readonly ListedSerialPort[], takenNames: Iterable<string>): FoundSerialUps[] {
  const taken = new Set([...takenNames].map((n) => n.toLowerCase()));
  const out: FoundSerialUps[] = [];
  for (const p of probes) {
    if (!p.ups) continue;
    const u = p.ups;
    const listed = ports.find((x) => x.path === p.port);
    const maker = u.mfr ?? (u.driver === 'apcsmart' ? 'APC' : undefined);
    const desc = [maker, u.model].filter((s) => s).join(' ') || (u.driver === 'apcsmart' ? 'APC Smart-UPS' : `qx ${u.protocolVersion ?? u.protocol ?? ''}`.trim());
    out.push({ ...u, name: uniqueName(serialUpsNameFor(u), taken), desc, note: `${p.port}${listed ? aboutPort(listed, ' ') : ''}: ${p.note}` });
  }
  return out;
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

/** Suggestions for the USB UPSes of other drivers, with names not in `taken`. */
export function suggestOtherUsb(devices: readonly OtherUsbUps[], takenNames: Iterable<string>): FoundOtherUsbUps[] {
  const taken = new Set([...takenNames].map((n) => n.toLowerCase()));
  return devices.map((d) => {
    const ids = `${hex4(d.vendorId)}:${hex4(d.productId)}`;
    const base = slug(d.product ?? '') || slug(d.manufacturer ?? '') || `${d.suggested.driver ?? 'usb'}-ups`;
    return {
      ...d,
      name: uniqueName(base, taken),
      desc: [d.manufacturer?.trim(), d.product?.trim()].filter((s) => s).join(' ') || d.known,
      note: `USB ${ids} on bus ${d.bus} device ${d.device}: ${d.known}`,
    };
  });
}

export async function scan(sources: ScanSources): Promise<ScanResult> {
  const problems: string[] = [];
  let probes: SerialProbeResult[] | undefined;
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
  let other: OtherUsbUps[] = [];
  try {
    other = (await sources.otherUsb?.()) ?? [];
  } catch (err) {
    problems.push(`USB devices could not be listed: ${errorMessage(err)}`);
  }
  // A bridge that enumerates as HID but is no Power Device is the other driver's, not usbhid's.
  const claimed = (d: ListedHidDevice): boolean =>
    d.usagePage !== POWER_DEVICE_PAGE && d.usagePage !== BATTERY_SYSTEM_PAGE && other.some((o) => o.vendorId === d.vendorId && o.productId === d.productId);
  const ups = suggestHidUps(hid.filter((d) => !claimed(d)));
  const otherUsb = suggestOtherUsb(other, ups.map((u) => u.name));
  const ports = sortByPath(serialPorts);
  const probe = sources.probeSerial;
  if (probe && ports.length > 0) {
    // Ports are independent: probed at the same time, so the scan takes one port's budget, not their sum.
    probes = await Promise.all(
      ports.map((p) =>
        probe(p.path).catch((err: unknown): SerialProbeResult => ({ port: p.path, ups: null, note: `probe failed: ${errorMessage(err)}`, sent: '', ms: 0 })),
      ),
    );
    for (const r of probes) if (!r.ups) problems.push(`${r.port}: ${r.note}`);
  }
  const serialUps = probes ? suggestSerialUps(probes, ports, [...ups, ...otherUsb].map((u) => u.name)) : [];
  return { ups, ...(otherUsb.length ? { otherUsb } : {}), serialUps, serialPorts: ports, ...(probes ? { probes } : {}), problems };
}

/** ` (FTDI, USB 0403:6001, serial A1B2)` for a port's comment, or ''. */
function aboutPort(p: ListedSerialPort, lead = ''): string {
  const about = [p.manufacturer, p.vendorId && p.productId ? `USB ${p.vendorId}:${p.productId}` : undefined, p.serialNumber ? `serial ${p.serialNumber}` : undefined]
    .filter((s) => s)
    .join(', ');
  return about ? `${lead}(${about})` : '';
}

/** YAML 1.2 reads a JSON string as a double-quoted scalar: every value is written that way, never misread as a number. */
const q = (s: string): string => JSON.stringify(s);

/** Single-line text for a YAML comment. */
const comment = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/**
 * The scan as YAML: a `ups:` section with one entry per UPS found (USB
 * HID, then serial), and the serial ports where none was found as
 * comments. undefined when nothing was found.
 */
export function formatScanYaml(result: ScanResult): string | undefined {
  const serialUps = result.serialUps ?? [];
  const otherUsb = (result.otherUsb ?? []).filter((u) => !u.subdriverChoices);
  const undecided = (result.otherUsb ?? []).filter((u) => u.subdriverChoices);
  if (result.ups.length === 0 && otherUsb.length === 0 && undecided.length === 0 && serialUps.length === 0 && result.serialPorts.length === 0) return undefined;
  const lines: string[] = [];
  const usb = result.ups.length + otherUsb.length;
  const total = usb + serialUps.length;
  if (total > 0) {
    if (serialUps.length === 0) lines.push(`# ${usb} UPS found on USB by upsagent scan; paste into the configuration file.`);
    else if (usb === 0) lines.push(`# ${serialUps.length} UPS found on serial ports by upsagent scan; paste into the configuration file.`);
    else lines.push(`# ${total} UPS found by upsagent scan (${usb} on USB, ${serialUps.length} on serial ports); paste into the configuration file.`);
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
    for (const u of otherUsb) {
      lines.push(`  # ${comment(u.note)}`);
      lines.push(`  ${u.name}:`);
      for (const [k, v] of Object.entries(u.suggested)) lines.push(`    ${k}: ${k === 'driver' ? v : q(v)}`);
      lines.push(`    desc: ${q(u.desc.slice(0, 255))}`);
    }
    for (const u of serialUps) {
      lines.push(`  # ${comment(u.note)}`);
      lines.push(`  ${u.name}:`);
      lines.push(`    driver: ${u.driver}`);
      lines.push(`    port: ${q(u.port)}`);
      if (u.protocol !== undefined) lines.push(`    protocol: ${q(u.protocol)}`);
      if (u.cable !== undefined) lines.push(`    cable: ${q(u.cable)}`);
      lines.push(`    desc: ${q(u.desc.slice(0, 255))}`);
    }
  }
  if (undecided.length > 0) {
    if (lines.length) lines.push('');
    lines.push(`# ${undecided.length} USB device(s) whose IDs some UPS bridges use, but not only UPSes; if one is a UPS, add it with the subdriver its bridge needs:`);
    for (const u of undecided) {
      const keys = Object.entries(u.suggested).map(([k, v]) => `${k}: ${v}`).join(', ');
      lines.push(`#   ${comment(u.note)}: ${keys}, subdriver: one of ${u.subdriverChoices!.join(', ')}`);
    }
  }
  const foundOn = new Set(serialUps.map((u) => u.port));
  const rest = result.serialPorts.filter((p) => !foundOn.has(p.path));
  if (rest.length > 0) {
    if (lines.length) lines.push('');
    if (result.probes) {
      lines.push(`# ${rest.length} serial port(s) where no qx (Megatec/Q1) or APC Smart UPS answered; a contact-closure UPS there needs driver genericups with its upstype:`);
    } else {
      lines.push(`# ${rest.length} serial port(s); a UPS on one needs a serial driver (qx, apcsmart or genericups) with the port; not probed:`);
    }
    for (const p of rest) {
      const probe = result.probes?.find((r) => r.port === p.path);
      lines.push(`#   ${comment(p.path)}${comment(aboutPort(p, ' '))}${probe ? `: ${comment(probe.note)}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
