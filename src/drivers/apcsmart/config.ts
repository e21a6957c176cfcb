/** The apcsmart driver's keys in a `ups:` entry, with NUT apcsmart's names, values and meanings (apcsmart(8)). */
import type { DriverSchema, UpsConfig } from '../../core/config';
import { bool, num, optional, str, type ObjectOf } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';

/** The dual-mode cable: DTR on, RTS off powers its level shifter (NUT ALT_CABLE_1). */
export const ALT_CABLE = '940-0095B';

export const APCSMART_OPTIONS = {
  /** `940-0095B` for APC's dual-mode cable (DTR set, RTS cleared); unset: the usual 940-0024C smart cable. */
  cable: optional(str({ minLength: 1 })),
  /** `raw` or `canon`: NUT's tty discipline. Ours reads the same way in both (CR dropped, lines end at LF); kept so ups.conf values carry over. */
  ttymode: optional(str({ minLength: 1 })),
  /** Shutdown method when no advorder: 0 S on battery else @nnn, 1 S then @nnn, 2 Z, 3 K, 4 CS hack, 5 @nnn (default 0). */
  sdtype: optional(num({ min: 0, max: 5, integer: true })),
  /** Shutdown methods to try in turn: `no`, or 1-5 digits of 0 S, 1 @nnn, 2 K, 3 Z, 4 CS; overrides sdtype. */
  advorder: optional(str({ pattern: /^([0-4]{1,5}|[Nn][Oo])$/, patternText: 'no, or 1 to 5 digits 0-4' })),
  /** Extra wake-up delay of @nnn, in 6-minute units, 1 to 3 digits; exactly 2 digits sends the 2-digit variant (default 000). */
  awd: optional(str({ pattern: /^[0-9]{1,3}$/, patternText: '1 to 3 digits' })),
  /** Seconds between simulated power failure and S in the CS hack, 0 to 9.9 (default 3.5). */
  cshdelay: optional(num({ min: 0, max: 9.9 })),
  /** Ignore the UPS's LB; set LB from battery.charge < battery.charge.low or battery.runtime < battery.runtime.low instead (NUT ignorelb). */
  ignorelb: optional(bool()),
};

export type ApcSmartConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof APCSMART_OPTIONS>;

export const apcsmartSchema: DriverSchema = {
  name: 'apcsmart',
  options: APCSMART_OPTIONS,
  check(cfg, path, issues) {
    if (typeof cfg.cshdelay === 'number' && !/^([0-9]\.?|[0-9]?\.[0-9])$/.test(String(cfg.cshdelay))) {
      issues.push({ path: `${path}.cshdelay`, message: `${cfg.cshdelay} has more than one decimal; NUT takes e.g. 3.5` });
    }
  },
};
