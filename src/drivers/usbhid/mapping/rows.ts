/**
 * Short builders for subdriver table rows, so vendor tables read as one line
 * per fact (NUT variable, HID path, format or conversion, flags).
 */
import type { HidInfoEntry, HidLookup } from '../types';
import type { StatusFlag } from './status';
import { statusBit } from './lookups';

type RowOptions = Omit<Partial<HidInfoEntry>, 'nut' | 'kind' | 'path'>;

/** NUT's default delays (seconds) published as ups.delay.start / ups.delay.shutdown. */
export const DEFAULT_ONDELAY = 30;
export const DEFAULT_OFFDELAY = 20;

/** A read-only variable, formatted with `format` (printf) or converted by `lookup`. */
export function variable(nut: string, path: string, format: string | HidLookup = '%.0f', options: RowOptions = {}): HidInfoEntry {
  return typeof format === 'string'
    ? { nut, kind: 'var', path, format, ...options }
    : { nut, kind: 'var', path, format: '%s', lookup: format, ...options };
}

/**
 * A writable variable (NUT: ST_FLAG_RW | ST_FLAG_STRING, usually 10
 * characters). Its settings rarely change, so a full poll reads it only
 * after a write (NUT: HU_FLAG_SEMI_STATIC; the driver decides).
 */
export function writable(nut: string, path: string, format: string | HidLookup = '%.0f', options: RowOptions = {}): HidInfoEntry {
  return variable(nut, path, format, { rw: true, stringLength: 10, ...options });
}

/**
 * A server-side variable (NUT: HU_FLAG_ABSENT): published with `value` when
 * the device has `path`; SET VAR changes only the published value, which
 * the matching instant command then writes (ups.delay.* for load.*.delay).
 */
export function serverVar(nut: string, path: string, value: number | string): HidInfoEntry {
  return { nut, kind: 'var', path, value, rw: true, stringLength: 10 };
}

/** A timer read at every quick poll (ups.timer.*). */
export function timer(nut: string, path: string): HidInfoEntry {
  return { nut, kind: 'var', path, format: '%.0f', quickPoll: true };
}

/** A ups.status bit: value 1 sets `flag`, 0 clears it, unless `lookup` says otherwise. */
export function status(flag: StatusFlag, path: string, lookup: HidLookup = statusBit(flag), options: RowOptions = {}): HidInfoEntry {
  return { nut: flag, kind: 'status', path, lookup, ...options };
}

/** A status bit read at every quick poll (on line, charging, discharging, low battery). */
export function quickStatus(flag: StatusFlag, path: string, lookup: HidLookup = statusBit(flag)): HidInfoEntry {
  return status(flag, path, lookup, { quickPoll: true });
}

/** An instant command writing `value` to `path` (a parameter given with the command replaces it). */
export function command(nut: string, path: string, value: number | string, lookup?: HidLookup): HidInfoEntry {
  return lookup ? { nut, kind: 'cmd', path, value, lookup } : { nut, kind: 'cmd', path, value };
}

/**
 * The four delay commands of the Power Device Class on one collection: start
 * the shutdown and restart countdowns, cancel a shutdown (-1), reboot (10 s).
 * `prefix` is the collection path plus any vendor prefix of the usage names
 * (`UPS.PowerSummary.`, `UPS.APCGeneralCollection.APC`).
 */
export function delayCommands(prefix: string, delays: { off: number; on: number } = { off: DEFAULT_OFFDELAY, on: DEFAULT_ONDELAY }): HidInfoEntry[] {
  return [
    command('load.off.delay', `${prefix}DelayBeforeShutdown`, delays.off),
    command('load.on.delay', `${prefix}DelayBeforeStartup`, delays.on),
    command('shutdown.stop', `${prefix}DelayBeforeShutdown`, -1),
    command('shutdown.reboot', `${prefix}DelayBeforeReboot`, 10),
  ];
}
