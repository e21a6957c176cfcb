/**
 * The qx driver on USB (nutdrv_qx with `port = auto`): finds the device
 * as NUT does (regex matcher on vendorid/productid/vendor/product/serial/
 * bus, then the ID table or a forced `subdriver`), opens it and returns
 * the QxTransport of its bridge. Each call of the returned OpenQxTransport
 * opens afresh (the runtime calls it again after DeviceGoneError); after
 * the first success only that same device (IDs and strings) will do, NUT's
 * reopen matcher.
 *
 * Use from the driver core (src/drivers/qx/index.ts, createQxDriver):
 *
 *   cfg.port === 'auto'
 *     ? openQxUsb(cfg, { log: (line) => deps.log.info(line) })
 *     : serialTransport(cfg, ...)
 *
 * (NUT also goes USB when any USB option is set with a serial port:
 * isQxUsbConfig(cfg).) openQxUsb throws QxUsbConfigError at once for what
 * nutdrv_qx refuses at start. The transport's `ids` are ups.vendorid and
 * ups.productid, which NUT publishes for a USB unit.
 */
import { UpsAgentError } from '../../../core/errors';
import { DeviceGoneError } from '../../runtime/errors';
import { describeDevice, parseUsbId } from '../../usbhid/matcher';
import type { HidDeviceInfo } from '../../usbhid/types';
import type { OpenQxTransport, QxTransport } from '../transport';
import { DESCRIPTOR_TIMEOUT_MS, getStringDescriptor, type QxUsbBridge, type QxUsbSubdriver } from './bridge';
import { QX_USB_BRIDGES } from './bridges/index';
import { chooseDevice, identity, qxUsbMatch } from './match';
import { QX_USB_IDS, defaultSubdriver, findSubdriver } from './table';
import { UsbQxTransport, deadlineIo } from './transport';
import type { UsbLike, UsbListedDevice } from './usb-like';
import type { UsbIdentity } from '../../types';
import { loadNodeUsb } from './node-usb';

export { QX_USB_SUBDRIVERS, type QxUsbSubdriver } from './bridge';
export { QX_USB_IDS, defaultSubdriver } from './table';
export { UsbQxTransport } from './transport';
export type { UsbLike, UsbDeviceHandle, UsbListedDevice, UsbSetup } from './usb-like';

import { isQxUsbConfig, type QxUsbOptions } from './selected';

export { isQxUsbConfig, type QxUsbOptions };

export interface QxUsbDeps {
  /** The USB library; default the `usb` package. Tests pass a fake. */
  usb?: UsbLike | (() => Promise<UsbLike>);
  /** Informational lines (the first language ID when langid_fix is set, as NUT logs it). */
  log?: (line: string) => void;
}

/** A configuration NUT would refuse at start (fatalx): not worth retrying. */
export class QxUsbConfigError extends UpsAgentError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

export function bridgeFor(name: QxUsbSubdriver): QxUsbBridge {
  return QX_USB_BRIDGES[name];
}

/** One problem with the USB options, under the key it is about (the message names the key too). */
export interface QxUsbIssue {
  key: keyof QxUsbOptions;
  message: string;
}

/**
 * What nutdrv_qx refuses at start (fatalx) in the USB options: an unknown
 * `subdriver`, `subdriver` without vendorid and productid, a bad
 * langid_fix, snr without langid_fix, a regex that does not compile. Pure,
 * for the config check (qxSchema.check can report these with the file's
 * paths) and for openQxUsb.
 */
export function qxUsbConfigIssues(options: QxUsbOptions): QxUsbIssue[] {
  const issues: QxUsbIssue[] = [];
  let forced: QxUsbSubdriver | undefined;
  if (options.subdriver !== undefined) {
    forced = findSubdriver(options.subdriver);
    if (!forced) issues.push({ key: 'subdriver', message: `subdriver ${JSON.stringify(options.subdriver)} not found; known: ${Object.keys(QX_USB_BRIDGES).join(', ')}` });
    else if (options.vendorid === undefined || options.productid === undefined) {
      issues.push({ key: 'subdriver', message: `subdriver ${forced}: vendorid and productid are mandatory with a USB subdriver (nutdrv_qx)` });
    }
  }
  if (options.langid_fix !== undefined) {
    const id = parseUsbId(options.langid_fix);
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) issues.push({ key: 'langid_fix', message: `langid_fix ${JSON.stringify(options.langid_fix)} is not a language ID such as 0x409` });
  } else if (forced === 'snr') {
    issues.push({ key: 'langid_fix', message: 'subdriver snr needs langid_fix (NUT sends it as the language ID of every request)' });
  }
  for (const key of ['vendor', 'product', 'serial', 'bus', 'device'] as const) {
    const re = options[key];
    if (re === undefined) continue;
    try {
      new RegExp(re);
    } catch (err) {
      issues.push({ key, message: `${key}: ${JSON.stringify(re)} is not a valid regular expression (${(err as Error).message})` });
    }
  }
  return issues;
}

/**
 * Checks the options now (what qxUsbConfigIssues finds: QxUsbConfigError,
 * as NUT's fatalx) and returns the opener.
 */
export function openQxUsb(options: QxUsbOptions, deps: QxUsbDeps = {}): OpenQxTransport {
  const issues = qxUsbConfigIssues(options);
  if (issues.length) throw new QxUsbConfigError(issues.map((i) => i.message).join('; '));
  const forced = options.subdriver !== undefined ? findSubdriver(options.subdriver) : undefined;
  const langidFix = options.langid_fix !== undefined ? parseUsbId(options.langid_fix) : undefined;
  const match = qxUsbMatch(options);

  let usb: UsbLike | undefined;
  let previous: HidDeviceInfo | undefined;
  const getUsb = async (): Promise<UsbLike> => {
    if (usb) return usb;
    const given = deps.usb ?? loadNodeUsb;
    try {
      usb = typeof given === 'function' ? await given() : given;
    } catch (err) {
      throw new QxUsbConfigError(`cannot load the usb library: ${(err as Error).message}`);
    }
    return usb;
  };

  return async (): Promise<QxTransport> => {
    const lib = await getUsb();
    let devices;
    try {
      devices = await lib.list();
    } catch (err) {
      throw new DeviceGoneError(`cannot list USB devices: ${(err as Error).message}`);
    }
    const chosen = chooseDevice(devices, match, forced, previous);
    if ('reasons' in chosen) {
      const what = previous ? describeDevice(previous) : 'qx USB device matching the configuration';
      const why = chosen.reasons.length ? `: ${chosen.reasons.join('; ')}` : '';
      throw new DeviceGoneError(`no ${what} among ${devices.length} USB device(s)${why}`);
    }
    const { device, subdriver } = chosen;
    let handle;
    try {
      handle = await device.open();
    } catch (err) {
      throw new DeviceGoneError(`cannot open ${describeDevice(identity(device))}: ${(err as Error).message}`);
    }
    previous = identity(device);
    const hex = (n: number): string => n.toString(16).padStart(4, '0');
    const description = `usb ${hex(device.vendorId)}:${hex(device.productId)} (${subdriver}) bus ${device.bus} device ${device.device}`;
    if (langidFix !== undefined && !options.noscanlangid) {
      // NUT reads string 0 (the language list) once and logs the first one, for reports.
      try {
        const langs = await getStringDescriptor(deadlineIo(handle, Date.now() + 2 * DESCRIPTOR_TIMEOUT_MS), 0, 0, 255);
        if (langs.length >= 4) deps.log?.(`${description}: first supported language ID 0x${((langs[2] as number) | ((langs[3] as number) << 8)).toString(16)}`);
      } catch {
        // Only informational.
      }
    }
    const opts: ConstructorParameters<typeof UsbQxTransport>[1] = {
      description,
      bridge: bridgeFor(subdriver),
      novendor: options.novendor ?? false,
      vendorId: device.vendorId,
      productId: device.productId,
    };
    if (langidFix !== undefined) opts.langidFix = langidFix;
    return new UsbQxTransport(handle, opts);
  };
}

/** A USB device nutdrv_qx knows, for `upsagent scan`. */
export interface QxUsbCandidate extends UsbIdentity {
  /** The default bridge, or null when only the vendor is known (then `subdriver` must be set). */
  subdriver: QxUsbSubdriver | null;
  /** The ups.conf-style keys that select this device (vendorid, productid, and subdriver when needed). */
  suggested: Record<string, string>;
}

/**
 * The devices of the listing whose IDs are in nutdrv_qx's table (what
 * nut-scanner reports from it), with the bridge NUT would pick, or null
 * for IDs without a default (a CH340: set `subdriver`). Listing only,
 * nothing is opened or sent.
 */
export function qxUsbCandidates(devices: readonly UsbListedDevice[]): QxUsbCandidate[] {
  const out: QxUsbCandidate[] = [];
  for (const dev of devices) {
    const found = defaultSubdriver(identity(dev));
    // Only IDs of the table: a known vendor alone (STMicro, Lakeview...) also makes boards and dongles.
    if (found.support !== 'supported' && !QX_USB_IDS.some((e) => e.vendorId === dev.vendorId && e.productId === dev.productId)) continue;
    const hex = (n: number): string => n.toString(16).padStart(4, '0');
    const c: QxUsbCandidate = {
      vendorId: dev.vendorId,
      productId: dev.productId,
      bus: dev.bus,
      device: dev.device,
      subdriver: found.support === 'supported' ? found.subdriver : null,
      suggested: { driver: 'qx', port: 'auto', vendorid: hex(dev.vendorId), productid: hex(dev.productId) },
    };
    if (dev.manufacturer !== undefined) c.manufacturer = dev.manufacturer;
    if (dev.product !== undefined) c.product = dev.product;
    if (dev.serialNumber !== undefined) c.serialNumber = dev.serialNumber;
    out.push(c);
  }
  return out;
}
