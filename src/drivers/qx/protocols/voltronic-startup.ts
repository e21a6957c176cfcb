/**
 * Voltronic's ups.conf-only options (nutdrv_qx_voltronic.c, "Not available
 * in NUT": QX_FLAG_NONUT setvars), written once per connection after the
 * opening pass, as NUT writes them during its first walk:
 *  - reset_to_default: `PF\r`, only while the UPS is in standby (OFF);
 *  - the capability options (bypass_alarm ... limited_runtime_on_battery):
 *    `PE<letter>\r` / `PD<letter>\r` when QFLAG reports the capability and
 *    its state differs from the option's (enabled/disabled, any case);
 *  - battery_number: `BATN<n>\r` when it differs from QBV's count.
 * They use the opening pass's replies (QFLAG, QBV), so nothing more is asked.
 * The bypass limits (max/min_bypass_volt/freq), output_phase_angle and
 * work_range_type, which need queries of their own, are not carried.
 */
import type { QxContext, QxStartupWrite } from '../protocol';
import { parseFlags } from './voltronic-flags';

/** ups.conf option -> QFLAG letter; the command letter is its upper case (nutdrv_qx_voltronic.c table order). */
export const NONUT_CAPABILITIES: ReadonlyArray<readonly [string, string]> = [
  ['bypass_alarm', 'p'],
  ['battery_alarm', 'b'],
  ['bypass_when_off', 'o'],
  ['alarm_control', 'a'],
  ['converter_mode', 'v'],
  ['eco_mode', 'e'],
  ['battery_open_status_check', 'd'],
  ['bypass_forbidding', 'f'],
  ['site_fault_detection', 'l'],
  ['advanced_eco_mode', 'n'],
  ['constant_phase_angle', 'q'],
  ['limited_runtime_on_battery', 'w'],
];

class StartupOptionError extends Error {
  override name = 'StartupOptionError';
}

export const RESET_TO_DEFAULT: QxStartupWrite = {
  name: 'reset_to_default',
  writes(_reply, ctx) {
    if (ctx.options.raw.reset_to_default !== true) return [];
    const status = (ctx.vars.get('ups.status') ?? '').split(' ');
    if (!status.includes('OFF')) throw new StartupOptionError("capability options can be reset only while the UPS is in standby (ups.status OFF); nothing sent");
    return ['PF\r'];
  },
};

function capabilityOption(name: string, letter: string): QxStartupWrite {
  return {
    name,
    writes(_reply, ctx) {
      const want = ctx.options.raw[name];
      if (typeof want !== 'string') return [];
      const now = capabilityState(ctx, letter);
      if (now === undefined) throw new StartupOptionError(`the UPS does not report this capability (QFLAG has no '${letter}'); nothing sent`);
      if (want.toLowerCase() === now) return [];
      return [`P${want.toLowerCase() === 'enabled' ? 'E' : 'D'}${letter.toUpperCase()}\r`];
    },
  };
}

/** The capability's state in the opening pass's QFLAG reply, or undefined when absent. */
function capabilityState(ctx: QxContext, letter: string): 'enabled' | 'disabled' | undefined {
  const reply = ctx.replies?.get('QFLAG\r');
  if (reply === undefined) return undefined;
  const { enabled, disabled } = parseFlags(reply);
  if (enabled.includes(letter)) return 'enabled';
  if (disabled.includes(letter)) return 'disabled';
  return undefined;
}

/**
 * battery_number: NUT compares with the count QBV gave (columns 7-9) and,
 * when QBV gave none, with its initial 0, so the value is then sent anyway.
 */
export const BATTERY_NUMBER: QxStartupWrite = {
  name: 'battery_number',
  writes(_reply, ctx) {
    const want = ctx.options.raw.battery_number;
    if (typeof want !== 'number') return [];
    const qbv = ctx.replies?.get('QBV\r');
    const field = qbv?.slice(7, 10) ?? '';
    const now = qbv !== undefined && /^[0-9 .]*$/.test(field) ? parseInt(field, 10) || 0 : 0;
    return now === want ? [] : [`BATN${want.toFixed(0)}\r`];
  },
};

export const VOLTRONIC_STARTUP: readonly QxStartupWrite[] = [RESET_TO_DEFAULT, ...NONUT_CAPABILITIES.map(([n, l]) => capabilityOption(n, l)), BATTERY_NUMBER];
