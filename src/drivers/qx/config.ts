/**
 * The qx driver's keys in a `ups:` entry, with nutdrv_qx's names and
 * meanings (NUT's nutdrv_qx(8)). Keys a later protocol or USB bridge needs
 * are added here, one entry each.
 */
import type { DriverSchema, UpsConfig } from '../../core/config';
import { errorMessage } from '../../core/errors';
import { bool, num, oneOf, optional, refine, str, type ObjectOf, type Schema } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';
import { parseRuntimeCal } from './battery';
import { isQxUsbConfig } from './usb/selected';

/*
 * The protocol and USB bridge tables (and node-usb behind the bridges) are
 * required when a qx UPS is first checked, not at start: every config check
 * goes through this schema, and an agent without a qx UPS (the demo, most
 * installs) would otherwise keep them all resident.
 */
type Protocols = typeof import('./protocols/index');
type QxUsb = typeof import('./usb/index');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, and schema checks are synchronous
const protocols = (): Protocols => require('./protocols/index') as Protocols;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const qxUsb = (): QxUsb => require('./usb/index') as QxUsb;

const usbId = (example: string) => optional(str({ pattern: /^(0x)?[0-9a-fA-F]{1,4}$/, patternText: `a USB ID of up to 4 hex digits, e.g. ${example}` }));

/** A protocol name, checked against the protocols this build has (others add theirs to the list). */
const protocolSchema = refine(str({ minLength: 1 }), (name, path, issues) => {
  const { findProtocol, protocolNames } = protocols();
  if (!findProtocol(name)) issues.push({ path, message: `${JSON.stringify(name)} is not a qx protocol; known: ${protocolNames().join(', ')}` });
});

const runtimecalSchema = refine(str({ minLength: 1 }), (text, path, issues) => {
  try {
    parseRuntimeCal(text);
  } catch (err) {
    issues.push({ path, message: `${errorMessage(err)} (e.g. "240,100,720,50": 240 s at 100 % load, 720 s at 50 %)` });
  }
});

/** A voltronic capability option's value: NUT compares it case-insensitively. */
const capabilityOption = optional(oneOf(['enabled', 'disabled'] as const));

/** voltronic output_phase_angle: NUT's enum 000, 120, 180, 240; YAML's 0 or 120 (numbers) mean the same. */
const phaseAngle: Schema<string> = {
  expected: 'one of 000, 120, 180, 240',
  optional: false,
  check(v, path, issues) {
    const text = typeof v === 'number' && Number.isInteger(v) ? String(v).padStart(3, '0') : typeof v === 'string' ? v : undefined;
    if (text !== undefined && ['000', '120', '180', '240'].includes(text)) return text;
    issues.push({ path, message: `${JSON.stringify(v)} is not one of 000, 120, 180, 240` });
    return undefined;
  },
};

export const QX_OPTIONS = {
  /** The protocol, skipping autodetection (nutdrv_qx protocol): megatec, megatec/old, mustek, bestups, mecer, zinto, q1, ... */
  protocol: optional(protocolSchema),
  /** USB (port: auto; setting any USB key means USB, as in NUT): the USB-to-serial bridge (nutdrv_qx subdriver: cypress, phoenix, ippon, krauler, fabula, hunnox, fuji...). */
  subdriver: optional(str({ minLength: 1 })),
  /** USB only: match the device by vendor/product ID (4 hex digits, as lsusb prints them), vendor/product/serial strings, bus. */
  vendorid: usbId('0665'),
  productid: usbId('5161'),
  vendor: optional(str({ minLength: 1 })),
  product: optional(str({ minLength: 1 })),
  serial: optional(str({ minLength: 1 })),
  bus: optional(str({ minLength: 1 })),
  /** USB krauler: the language ID workaround (nutdrv_qx langid_fix, e.g. 0x409) and noscanlangid. */
  langid_fix: optional(str({ pattern: /^(0x)?[0-9a-fA-F]{1,4}$/, patternText: 'a language ID such as 0x409' })),
  noscanlangid: optional(bool()),
  /** Serial only: which modem lines power the cable (nutdrv_qx cablepower): normal = DTR on, RTS off (default). */
  cablepower: optional(oneOf(['normal', 'reverse', 'both', 'none'] as const)),
  /** Seconds between full updates; quick status polls in between (nutdrv_qx pollfreq, default 30). */
  pollfreq: optional(num({ min: 1, max: 3600, integer: true })),
  /** ups.delay.start in seconds (nutdrv_qx ondelay, default 180; whole minutes on Megatec units). */
  ondelay: optional(num({ min: 0, max: 10_000_000, integer: true })),
  /** ups.delay.shutdown in seconds (nutdrv_qx offdelay, default 30; 6 s steps under a minute). */
  offdelay: optional(num({ min: 0, max: 10_000_000, integer: true })),
  /** The UPS does not power back on after the shutdown that shutdown.default sends (nutdrv_qx stayoff). */
  stayoff: optional(bool()),
  /** Skip the rating query F (nutdrv_qx norating). */
  norating: optional(bool()),
  /** Skip the vendor query I (nutdrv_qx novendor): for units that answer it with garbage. */
  novendor: optional(bool()),
  /** q2/q6: do not ask the output load statistics WA, for units without it (nutdrv_qx nooutstats). */
  nooutstats: optional(bool()),
  /** Ignore the 'shutdown active' status bit, for units that raise it wrongly (nutdrv_qx ignoresab). */
  ignoresab: optional(bool()),
  /** Estimate battery.runtime: "runtime1,load1,runtime2,load2" in seconds and percent (nutdrv_qx runtimecal). */
  runtimecal: optional(runtimecalSchema),
  /** Seconds to charge the battery from empty to full, for runtimecal (nutdrv_qx chargetime, default 43200). */
  chargetime: optional(num({ min: 1, max: 10_000_000, integer: true })),
  /** Load in percent assumed at least when estimating runtime (nutdrv_qx idleload, default 10). */
  idleload: optional(num({ min: 0.000001, max: 100 })),
  /** The device reports one battery pack's voltage: battery.voltage is multiplied by battery.packs (nutdrv_qx battery_voltage_reports_one_pack). */
  battery_voltage_reports_one_pack: optional(bool()),
  /** battery.voltage.high / .low when the device gives none (ups.conf default.battery.voltage.high/low): the charge estimate's 100 % and 0 %. */
  'default.battery.voltage.high': optional(num({ min: 0.1, max: 10_000 })),
  'default.battery.voltage.low': optional(num({ min: 0.1, max: 10_000 })),
  /** battery.voltage.nominal when the device gives none (default.*) or whatever it says (override.*), for units with a wrong rating. */
  'default.battery.voltage.nominal': optional(num({ min: 0.1, max: 10_000 })),
  'override.battery.voltage.nominal': optional(num({ min: 0.1, max: 10_000 })),
  /** battery.packs, whatever the device says (ups.conf override.battery.packs), e.g. with battery_voltage_reports_one_pack. */
  'override.battery.packs': optional(num({ min: 0.5, max: 1000 })),
  /** bestups: set the DB9 port's pin 1 / pin 7 shutdown mode (Best Power EPS-0059) to 0..6 at start-up, when the unit's differs (nutdrv_qx pins_shutdown_mode). */
  pins_shutdown_mode: optional(num({ min: 0, max: 6, integer: true })),
  /** voltronic: reset the capability options and their limits to safe defaults (`PF`) at start-up; only while the UPS is in standby (OFF) (nutdrv_qx reset_to_default). */
  reset_to_default: optional(bool()),
  /** voltronic: capability options written at start-up when the unit reports the capability and it differs: enabled or disabled (nutdrv_qx's names: `PE<x>`/`PD<x>`). */
  bypass_alarm: capabilityOption,
  battery_alarm: capabilityOption,
  bypass_when_off: capabilityOption,
  alarm_control: capabilityOption,
  converter_mode: capabilityOption,
  eco_mode: capabilityOption,
  battery_open_status_check: capabilityOption,
  bypass_forbidding: capabilityOption,
  site_fault_detection: capabilityOption,
  advanced_eco_mode: capabilityOption,
  constant_phase_angle: capabilityOption,
  limited_runtime_on_battery: capabilityOption,
  /** voltronic: the number of batteries that make a pack, 1..9, written at start-up when QBV says otherwise (`BATN<n>`; nutdrv_qx battery_number). */
  battery_number: optional(num({ min: 1, max: 9, integer: true })),
  /** voltronic: bypass mode voltage and frequency limits, written at start-up (after QBYV/QBYF) when they differ, within the unit's range (nutdrv_qx max/min_bypass_volt, max/min_bypass_freq). */
  max_bypass_volt: optional(num({ min: 0, max: 999 })),
  min_bypass_volt: optional(num({ min: 0, max: 999 })),
  max_bypass_freq: optional(num({ min: 0, max: 99.9 })),
  min_bypass_freq: optional(num({ min: 0, max: 99.9 })),
  /** voltronic P31: the grid working range, Appliance or UPS (nutdrv_qx work_range_type). */
  work_range_type: optional(oneOf(['Appliance', 'UPS'] as const)),
  /** voltronic: the output phase angle, 000, 120, 180 or 240 (nutdrv_qx output_phase_angle). */
  output_phase_angle: optional(phaseAngle),
  /** Ignore the device's LB; set LB when battery.charge < battery.charge.low or battery.runtime < battery.runtime.low (NUT's ignorelb, compared as whole numbers). */
  ignorelb: optional(bool()),
  /** The low marks ignorelb compares with: whatever the device says (override.*) or where it gives none (default.*); percent and seconds. */
  'override.battery.charge.low': optional(num({ min: 0, max: 100 })),
  'override.battery.runtime.low': optional(num({ min: 0, max: 10_000_000 })),
  'default.battery.charge.low': optional(num({ min: 0, max: 100 })),
  'default.battery.runtime.low': optional(num({ min: 0, max: 10_000_000 })),
};

export type QxConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof QX_OPTIONS>;

export const qxSchema: DriverSchema = {
  name: 'qx',
  options: QX_OPTIONS,
  check(cfg, path, issues) {
    const c = cfg as QxConfig;
    const high = c['default.battery.voltage.high'];
    const low = c['default.battery.voltage.low'];
    if (high !== undefined && low !== undefined && high <= low) {
      issues.push({ path: `${path}.default.battery.voltage.high`, message: `must be above default.battery.voltage.low (${low})` });
    }
    if (isQxUsbConfig(c)) {
      // What nutdrv_qx refuses at start (a bad subdriver, subdriver without IDs, a bad regex): said now, under its key.
      for (const i of qxUsb().qxUsbConfigIssues(c)) issues.push({ path: `${path}.${i.key}`, message: i.message });
    } else if (!c.port.startsWith('/')) {
      issues.push({ path: `${path}.port`, message: `${JSON.stringify(c.port)} is neither a serial device path (/dev/ttyS0, /dev/ttyUSB0) nor auto (USB)` });
    }
  },
};
