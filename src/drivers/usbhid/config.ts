/** The usbhid driver's keys in a `ups:` entry, with usbhid-ups' names and meanings. */
import type { DriverSchema, UpsConfig } from '../../core/config';
import { errorMessage } from '../../core/errors';
import { bool, num, optional, refine, str, type ObjectOf } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';

/** A regular expression given as text (usbhid-ups matches USB strings with these). */
const regexText = refine(str({ minLength: 1 }), (re, path, issues) => {
  try {
    new RegExp(re, 'i');
  } catch (err) {
    issues.push({ path, message: `${JSON.stringify(re)} is not a valid regular expression (${errorMessage(err)})` });
  }
});

const usbId = (example: string) => optional(str({ pattern: /^(0x)?[0-9a-fA-F]{1,4}$/, patternText: `a USB ID of up to 4 hex digits, e.g. ${example}` }));

export const USBHID_OPTIONS = {
  /** Match the device by USB vendor/product ID (4 hex digits, as lsusb prints them). */
  vendorid: usbId('051d'),
  productid: usbId('0002'),
  /** Match by the USB strings; regular expressions, case-insensitive, as usbhid-ups takes them. */
  vendor: optional(regexText),
  product: optional(regexText),
  serial: optional(regexText),
  /** Seconds between full updates of every value (usbhid-ups pollfreq, default 30). */
  pollfreq: optional(num({ min: 1, max: 3600 })),
  /** Never use interrupt reports, poll only (usbhid-ups pollonly). */
  pollonly: optional(bool()),
  /** Only use interrupt reports, never poll the device (usbhid-ups interruptonly; PowerCOM tweak). */
  interruptonly: optional(bool()),
  /** Bytes to read from the interrupt pipe (usbhid-ups interruptsize). */
  interruptsize: optional(num({ min: 1, max: 4096, integer: true })),
  /** Read every report with the largest buffer (usbhid-ups maxreport: buggy APC Back-UPS firmware). */
  maxreport: optional(bool()),
  /** Treat OL+DISCHRG as on battery (usbhid-ups onlinedischarge_onbattery). */
  onlinedischarge: optional(bool()),
  /** Use this subdriver: its exact name, or a regular expression matched at the start of a name (usbhid-ups subdriver). */
  subdriver: optional(regexText),
  /** battery.charge.low, in percent, published instead of the device's (usbhid-ups lowbatt). */
  lowbatt: optional(num({ min: 0, max: 100 })),
  /** ups.delay.start, seconds (usbhid-ups ondelay; default 30, 120 for CyberPower). */
  ondelay: optional(num({ min: -1, max: 1_000_000, integer: true })),
  /** ups.delay.shutdown, seconds (usbhid-ups offdelay; default 20, 60 for CyberPower). */
  offdelay: optional(num({ min: -1, max: 1_000_000, integer: true })),
  /** APC: seconds an LB+RB report must last before it counts (usbhid-ups lbrb_log_delay_sec). */
  lbrb_log_delay_sec: optional(num({ min: 0, max: 86_400 })),
  /** APC: apply lbrb_log_delay_sec even when the UPS is not calibrating (usbhid-ups lbrb_log_delay_without_calibrating). */
  lbrb_log_delay_without_calibrating: optional(bool()),
};

export type UsbHidConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof USBHID_OPTIONS>;

export const usbhidSchema: DriverSchema = {
  name: 'usbhid',
  options: USBHID_OPTIONS,
  check(cfg, path, issues) {
    if (cfg.pollonly === true && cfg.interruptonly === true) {
      issues.push({ path: `${path}.interruptonly`, message: 'pollonly and interruptonly exclude each other; set one' });
    }
  },
  // `auto` and /dev nodes are hardware; anything else names a recorded dump to replay.
  portIsFile: (cfg) => cfg.port !== 'auto' && !cfg.port.startsWith('/dev/'),
};
