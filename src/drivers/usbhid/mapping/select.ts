/**
 * Which subdriver handles a device: the first in usbhid-ups' order whose
 * `matches` accepts it (by USB vendor ID, sometimes product ID or strings),
 * else the generic Power Device Class table.
 */
import type { HidDeviceInfo, Subdriver } from '../types';
import { apcSubdriver } from './vendors/apc';
import { arduinoSubdriver } from './vendors/arduino';
import { belkinSubdriver } from './vendors/belkin';
import { cpsSubdriver } from './vendors/cps';
import { deltaUpsSubdriver } from './vendors/delta-ups';
import { ecoflowSubdriver } from './vendors/ecoflow';
import { everSubdriver } from './vendors/ever';
import { genericSubdriver } from './vendors/generic';
import { idowellSubdriver } from './vendors/idowell';
import { legrandSubdriver } from './vendors/legrand';
import { liebertSubdriver } from './vendors/liebert';
import { mgeSubdriver } from './vendors/mge';
import { openupsSubdriver } from './vendors/openups';
import { powercomSubdriver } from './vendors/powercom';
import { powervarSubdriver } from './vendors/powervar';
import { salicruSubdriver } from './vendors/salicru';
import { trippliteSubdriver } from './vendors/tripplite';

/**
 * Vendor subdrivers in the order of usbhid-ups' subdriver_list (mge, apc,
 * arduino, belkin, cps, delta_ups, ecoflow, ever, idowell, legrand,
 * liebert, openups, powercom, powervar, salicru, tripplite). Register a
 * vendor table here: import its `Subdriver` from ./vendors/<name> and put
 * it at its place in this list. The order matters where IDs are shared:
 * Phoenixtec 06da:ffff goes to MGE when named AEG, to iDowell when its
 * strings say BMS / Smart-Battery (GoldenMate), else to Liebert; HP 03f0
 * is split between MGE and Tripp Lite by product ID, STMicro 0483 between
 * CyberPower (a430) and Ever (a113).
 */
export const SUBDRIVERS: readonly Subdriver[] = [
  mgeSubdriver,
  apcSubdriver,
  arduinoSubdriver,
  belkinSubdriver,
  cpsSubdriver,
  deltaUpsSubdriver,
  ecoflowSubdriver,
  everSubdriver,
  idowellSubdriver,
  legrandSubdriver,
  liebertSubdriver,
  openupsSubdriver,
  powercomSubdriver,
  powervarSubdriver,
  salicruSubdriver,
  trippliteSubdriver,
];

/** The subdriver for a device; the generic table when no vendor claims it. */
export function selectSubdriver(info: HidDeviceInfo, subdrivers: readonly Subdriver[] = SUBDRIVERS): Subdriver {
  return subdrivers.find((s) => s.matches(info)) ?? genericSubdriver;
}

/** Every selectable subdriver, generic last. */
export function allSubdrivers(): Subdriver[] {
  return [...SUBDRIVERS, genericSubdriver];
}

/**
 * A subdriver named in the configuration (NUT's `subdriver` option): the
 * exact name (`APC HID 0.100`), else a case-insensitive regular expression
 * matched at the start of the name (`apc`, `cyberpower.*`). Undefined when
 * none matches or the expression is invalid.
 */
export function findSubdriverByName(name: string): Subdriver | undefined {
  const all = allSubdrivers();
  const exact = all.find((s) => s.name === name);
  if (exact) return exact;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${name})`, 'i');
  } catch {
    return undefined;
  }
  return all.find((s) => re.test(s.name));
}

/** Device handling hints that are not table rows (facts from the vendor subdrivers). */
export interface DeviceQuirks {
  /** Do not use the interrupt pipe, only poll (APC 5G models use it for a proprietary protocol). */
  pollOnly?: boolean;
  /** Read reports with the largest size the device accepts (some Back-UPS overflow otherwise; NUT: maxreport). */
  maxReportSize?: boolean;
  /** Report IDs never to read (a firmware bug answers them wrongly). */
  skipReportIds?: number[];
  /**
   * Never poll: read the device by interrupt reports only, and map table
   * paths to Input items (NUT: interrupt_only, which powercom-hid.c sets for
   * 0d9f:0001; the interruptonly option). Pass it on as HidMapperOptions.interruptOnly.
   */
  interruptOnly?: boolean;
  /** Bytes to read per interrupt report (NUT: interrupt_size; the interruptsize option). */
  interruptSize?: number;
}

export function deviceQuirks(info: HidDeviceInfo): DeviceQuirks {
  const quirks: DeviceQuirks = {};
  if (info.vendorId === 0x051d && info.productId === 0x0003) quirks.pollOnly = true;
  if (info.vendorId === 0x051d && info.productId === 0x0002) {
    const product = info.product ?? '';
    // Back-UPS ES 525 overflows on report 0x0c, Back-UPS CS 650 on 0x46 (ES 700 and 725 do not).
    if (product.startsWith('Back-UPS ES 525') || product.startsWith('Back-UPS CS')) quirks.maxReportSize = true;
  }
  // Legrand Keor PDU (1cb0:0038) and Keor SP (1cb0:0032): legrand-hid.c turns their interrupt pipe off.
  if (info.vendorId === 0x1cb0 && (info.productId === 0x0038 || info.productId === 0x0032)) quirks.pollOnly = true;
  // Tripp Lite SU3000LCD2UHV answers report 0x54 wrongly.
  if (info.vendorId === 0x09ae && info.productId === 0x1330) quirks.skipReportIds = [0x54];
  // PowerCOM 0d9f:0001: interrupt reports only, 8 bytes each.
  if (info.vendorId === 0x0d9f && info.productId === 0x0001) {
    quirks.interruptOnly = true;
    quirks.interruptSize = 8;
  }
  return quirks;
}
