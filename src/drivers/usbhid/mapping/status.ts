/**
 * ups.status and ups.alarm from the internal status flags, as usbhid-ups
 * builds them: the HID tables only collect flags (online, discharging, ...);
 * this module interprets them into NUT's tokens, in NUT's order.
 */

export const STATUS_FLAGS = [
  'online',
  'discharging',
  'charging',
  'lowbatt',
  'overload',
  'replacebatt',
  'shutdownimm',
  'trim',
  'boost',
  'bypassauto',
  'bypassman',
  'ecomode',
  'essmode',
  'off',
  'cal',
  'overheat',
  'commfault',
  'depleted',
  'timelimitexpired',
  'fullycharged',
  'awaitingpower',
  'fanfail',
  'nobattery',
  'battvoltlo',
  'battvolthi',
  'chargerfail',
  'vrange',
  'frange',
] as const;

export type StatusFlag = (typeof STATUS_FLAGS)[number];

const FLAG_SET: ReadonlySet<string> = new Set(STATUS_FLAGS);

export function isStatusFlag(name: string): name is StatusFlag {
  return FLAG_SET.has(name);
}

/**
 * The remembered flags. Like NUT's ups_status word they persist between
 * reports: a report that does not carry a bit leaves it as it was.
 */
export class StatusFlags {
  private readonly flags = new Set<StatusFlag>();

  /**
   * Applies a lookup result: `flag` sets, `!flag` clears; several may be
   * given separated by spaces. Unknown names are ignored (NUT logs them).
   */
  apply(tokens: string): void {
    for (const token of tokens.split(/\s+/)) {
      const clear = token.startsWith('!');
      const name = (clear ? token.slice(1) : token).toLowerCase();
      if (!isStatusFlag(name)) continue;
      if (clear) this.flags.delete(name);
      else this.flags.add(name);
    }
  }

  set(flag: StatusFlag, on: boolean): void {
    if (on) this.flags.add(flag);
    else this.flags.delete(flag);
  }

  has(flag: StatusFlag): boolean {
    return this.flags.has(flag);
  }

  clear(): void {
    this.flags.clear();
  }

  snapshot(): ReadonlySet<StatusFlag> {
    return new Set(this.flags);
  }
}

export interface StatusOptions {
  /**
   * Online and discharging at once means on battery (NUT:
   * onlinedischarge_onbattery, alias onlinedischarge). CyberPower UT models
   * report this when the mains is gone.
   */
  onlineDischarge?: boolean;
  /** Online and discharging at once means a calibration (NUT: onlinedischarge_calibration). */
  onlineDischargeCalibration?: boolean;
  /**
   * Ignore the device's low-battery report and decide LB from battery.charge
   * < battery.charge.low or battery.runtime < battery.runtime.low (NUT:
   * driver flag ignorelb, usually with override.battery.charge.low).
   */
  ignoreLowBattery?: boolean;
  /**
   * Seconds a low-battery (LB) or replace-battery (RB) report must last
   * before it shows in ups.status, while the unit is on line and
   * calibrating (NUT: lbrb_log_delay_sec; 0 or absent: no delay). Some APC
   * Back-UPS flash LB, RB and "all fine" within seconds while calibrating.
   * Needs a `LbrbTimer` in the inputs to take effect.
   */
  lbrbLogDelaySec?: number;
  /** Apply `lbrbLogDelaySec` whether or not the unit says it is calibrating (NUT: lbrb_log_delay_without_calibrating). */
  lbrbLogDelayWithoutCalibrating?: boolean;
}

/**
 * When LB and RB were first seen while held back by `lbrbLogDelaySec`, in
 * whole seconds of the caller's clock (NUT: last_lb_start, last_rb_start).
 * The caller keeps one per device between status builds.
 */
export class LbrbTimer {
  lowBatterySince: number | undefined;
  replaceBatterySince: number | undefined;

  clear(): void {
    this.lowBatterySince = undefined;
    this.replaceBatterySince = undefined;
  }
}

/**
 * The delay in force: the option truncated to whole seconds as NUT's atoi
 * reads it; a negative or unreadable value counts as NUT's fallback of 3.
 */
export function lbrbDelaySeconds(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0) return 3;
  return Math.trunc(value);
}

/** What else the status depends on: published values the ignorelb rule reads, and table alarms. */
export interface StatusInputs {
  /** ups.alarm texts raised by table rows (they come before the flag alarms, as in NUT). */
  alarms?: readonly string[];
  charge?: string;
  chargeLow?: string;
  runtime?: string;
  runtimeLow?: string;
  /** The LB/RB delay state (see `lbrbLogDelaySec`); without it LB and RB show at once. */
  lbrb?: LbrbTimer;
  /** Now, in milliseconds, for the LB/RB delay; default Date.now(). */
  now?: number;
}

export interface StatusResult {
  /** ups.status; `ALARM` leads when ups.alarm is set. */
  status: string;
  /** ups.alarm texts in NUT's order (empty: no ups.alarm). */
  alarms: string[];
  /** input.transfer.reason, or undefined to delete it. */
  transferReason?: string;
  /** Online and discharging with neither option set: NUT warns about it in its log. */
  onlineDischarging: boolean;
}

/** ups.alarm texts for flags, in the order usbhid-ups raises them. */
const ALARMS: ReadonlyArray<readonly [StatusFlag, string]> = [
  ['replacebatt', 'Replace battery!'],
  ['shutdownimm', 'Shutdown imminent!'],
  ['fanfail', 'Fan failure!'],
  ['nobattery', 'No battery installed!'],
  ['battvoltlo', 'Battery voltage too low!'],
  ['battvolthi', 'Battery voltage too high!'],
  ['chargerfail', 'Battery charger fail!'],
  ['overheat', 'Temperature too high!'],
  ['commfault', 'Internal UPS fault!'],
  ['awaitingpower', 'Awaiting power!'],
  ['bypassauto', 'Automatic bypass mode!'],
  ['bypassman', 'Manual bypass mode!'],
];

/** C's strtol on a published value: leading integer, else 0. */
function leadingInt(text: string): number {
  const m = /^\s*[-+]?\d+/.exec(text);
  return m ? Number(m[0]) : 0;
}

function isLowByLimits(inputs: StatusInputs): boolean {
  const below = (v?: string, low?: string): boolean => v !== undefined && low !== undefined && leadingInt(v) < leadingInt(low);
  return below(inputs.charge, inputs.chargeLow) || below(inputs.runtime, inputs.runtimeLow);
}

/**
 * Builds ups.status from the flags. Token order is usbhid-ups's: CAL, OL/OB,
 * DISCHRG, CHRG, LB, OVER, RB, TRIM, BOOST, BYPASS, ECO, ESS, OFF.
 *
 * - OB when not online. Online and discharging: OB with `onlineDischarge`,
 *   CAL (without OL, as NUT) with `onlineDischargeCalibration`, otherwise OL DISCHRG as
 *   the device says (APC Back-UPS BK650M2 and others report this while on
 *   line) and `onlineDischarging` tells the caller to warn.
 * - DISCHRG unless depleted; CHRG unless fully charged.
 * - LB from lowbatt, timelimitexpired or shutdownimm.
 * - RB from replacebatt or nobattery; BYPASS from either bypass flag.
 * - With `lbrbLogDelaySec` and a `LbrbTimer`, while on line and calibrating
 *   (CAL is shown, or always with `lbrbLogDelayWithoutCalibrating`), LB shows
 *   only once it has been reported for more than that many seconds. RB is
 *   held back the same way while LB is being held back or shown that way;
 *   on battery, or once LB clears, both show at once.
 */
export function buildStatus(flags: ReadonlySet<StatusFlag>, options: StatusOptions = {}, inputs: StatusInputs = {}): StatusResult {
  const tokens: string[] = [];
  const add = (t: string): void => {
    if (!tokens.includes(t)) tokens.push(t);
  };
  const on = (f: StatusFlag): boolean => flags.has(f);
  let onlineDischarging = false;

  // Calibration first: it looks like OB/OFF on many devices and must not alarm.
  if (on('cal')) add('CAL');

  if (!on('online')) {
    add('OB');
  } else if (on('discharging')) {
    if (options.onlineDischargeCalibration) add('CAL');
    if (options.onlineDischarge) add('OB');
    if (!options.onlineDischarge && !options.onlineDischargeCalibration) {
      if (!on('cal')) onlineDischarging = true;
      add('OL');
    }
  } else {
    add('OL');
  }

  // Decided here, before the tokens below, as NUT does.
  const calibrating = tokens.includes('CAL');

  if (on('discharging') && !on('depleted')) add('DISCHRG');
  if (on('charging') && !on('fullycharged')) add('CHRG');

  const delay = lbrbDelaySeconds(options.lbrbLogDelaySec);
  const timer = inputs.lbrb;
  const nowSec = Math.floor((inputs.now ?? Date.now()) / 1000);
  // Held back only on line, while calibrating (or always when asked); on battery a low battery is real.
  const holdBack = delay >= 1 && timer !== undefined && (calibrating || options.lbrbLogDelayWithoutCalibrating === true) && on('online');

  if (on('lowbatt') || on('timelimitexpired') || on('shutdownimm')) {
    let show = true;
    if (holdBack) {
      if (timer.lowBatterySince === undefined) {
        timer.lowBatterySince = nowSec;
        show = false;
      } else {
        show = nowSec - timer.lowBatterySince > delay;
      }
    }
    // With ignorelb the device's LB never shows (the limits decide, below); the delay still keeps time.
    if (show && !options.ignoreLowBattery) add('LB');
  } else if (timer) {
    timer.lowBatterySince = undefined;
  }
  if (on('overload')) add('OVER');
  if (on('replacebatt') || on('nobattery')) {
    let show = true;
    // Only while an LB is being timed: once LB has cleared, RB is taken as real.
    if (holdBack && timer.lowBatterySince !== undefined) {
      if (timer.replaceBatterySince === undefined) {
        timer.replaceBatterySince = nowSec;
        show = false;
      } else {
        show = nowSec - timer.replaceBatterySince > delay;
      }
    }
    if (show) add('RB');
  } else if (timer) {
    timer.replaceBatterySince = undefined;
  }
  if (on('trim')) add('TRIM');
  if (on('boost')) add('BOOST');
  if (on('bypassauto') || on('bypassman')) add('BYPASS');
  if (on('ecomode')) add('ECO');
  if (on('essmode')) add('ESS');
  if (on('off')) add('OFF');
  if (options.ignoreLowBattery && isLowByLimits(inputs)) add('LB');

  const alarms = [...(inputs.alarms ?? []), ...ALARMS.filter(([f]) => on(f)).map(([, text]) => text)];
  if (alarms.length > 0) tokens.unshift('ALARM');

  let transferReason: string | undefined;
  if (on('vrange')) transferReason = 'input voltage out of range';
  else if (on('frange')) transferReason = 'input frequency out of range';

  return { status: tokens.join(' '), alarms, transferReason, onlineDischarging };
}
