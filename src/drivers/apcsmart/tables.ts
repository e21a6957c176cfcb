/**
 * The APC Smart protocol as data: which one-byte command reads which NUT
 * variable and how its value is written, which bytes are instant commands,
 * the status bits of `Q`, the alert characters, and the firmware list of
 * units too old to answer `a`. Facts from NUT 2.8.0's apcsmart_tabs.c and
 * apcsmart.h (table version 3.1); the order of VARIABLES matters, as in
 * NUT: of several rows for one NUT name or one byte, the first one the UPS
 * answers in the expected shape wins.
 */

/** How a raw value becomes a NUT value (NUT's APC_F_* formats). */
export type ApcFormat = 'leave' | 'percent' | 'volt' | 'amp' | 'celsius' | 'hex' | 'dec' | 'seconds' | 'minutes' | 'hours' | 'reason';

export interface ApcVarDef {
  readonly name: string;
  /** The byte sent to read it (and, for EEPROM values, to cycle it). */
  readonly cmd: string;
  readonly format: ApcFormat;
  /** Read on every poll, not only on the hourly full scan. */
  readonly poll?: boolean;
  /** An 8-character settable string (ups.id, battery.date). */
  readonly string?: boolean;
  /** Another row shares its name or byte: the first that answers matching `regex` is kept. */
  readonly multi?: boolean;
  /** Comma-separated fields, one per sensor: ambient.0.x becomes ambient.1.x, ambient.2.x... */
  readonly pack?: boolean;
  /** The raw reply must match this to count as this variable. */
  readonly regex?: RegExp;
}

const v = (name: string, cmd: string, format: ApcFormat, extra: Partial<ApcVarDef> = {}): ApcVarDef => ({ name, cmd, format, ...extra });
const P = { poll: true } as const;

export const VARIABLES: readonly ApcVarDef[] = [
  v('ups.temperature', 'C', 'celsius', P),
  v('ups.load', 'P', 'percent', P),
  v('ups.test.interval', 'E', 'hours'),
  v('ups.test.result', 'X', 'leave', P),
  v('ups.delay.start', 'r', 'seconds'),
  v('ups.delay.shutdown', 'p', 'seconds'),
  v('ups.id', 'c', 'leave', { string: true }),
  v('ups.contacts', 'i', 'hex', P),
  v('ups.display.language', '\x0c', 'leave'),
  v('input.voltage', 'L', 'volt', P),
  v('input.frequency', 'F', 'dec', P),
  v('input.sensitivity', 's', 'leave'),
  v('input.quality', '9', 'hex', P),
  v('input.transfer.low', 'l', 'volt'),
  v('input.transfer.high', 'u', 'volt'),
  v('input.transfer.reason', 'G', 'reason', P),
  v('input.voltage.maximum', 'M', 'volt', P),
  v('input.voltage.minimum', 'N', 'volt', P),
  v('output.current', '/', 'amp', P),
  v('output.voltage', 'O', 'volt', P),
  v('output.voltage.nominal', 'o', 'volt'),
  v('ambient.humidity', 'h', 'percent', P),
  v('ambient.0.humidity', 'H', 'percent', { poll: true, pack: true }),
  v('ambient.0.humidity.high', '{', 'percent', { poll: true, pack: true }),
  v('ambient.0.humidity.low', '}', 'percent', { poll: true, pack: true }),
  v('ambient.temperature', 't', 'celsius', P),
  v('ambient.0.temperature', 'T', 'celsius', { poll: true, pack: true, multi: true, regex: /^[0-9]{2}\.[0-9]{2}$/ }),
  v('ambient.0.temperature.high', '[', 'celsius', { poll: true, pack: true }),
  v('ambient.0.temperature.low', ']', 'celsius', { poll: true, pack: true }),
  v('battery.date', 'x', 'leave', { string: true }),
  v('battery.charge', 'f', 'percent', P),
  v('battery.charge.restart', 'e', 'percent'),
  v('battery.voltage', 'B', 'volt', P),
  v('battery.voltage.nominal', 'g', 'leave'),
  v('battery.runtime', 'j', 'minutes', P),
  v('battery.runtime.low', 'q', 'minutes'),
  v('battery.packs', '>', 'dec'),
  v('battery.packs.bad', '<', 'dec'),
  v('battery.alarm.threshold', 'k', 'leave'),
  v('device.uptime', 'T', 'hours', { poll: true, multi: true, regex: /^[0-9]{3}\.[0-9]$/ }),
  v('ups.serial', 'n', 'leave'),
  v('ups.mfr.date', 'm', 'leave'),
  v('ups.model', '\x01', 'leave'),
  v('ups.firmware.aux', 'v', 'leave'),
  v('ups.firmware', 'b', 'leave', { multi: true, regex: /^[A-Za-z0-9]+\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/ }),
  v('ups.firmware', 'V', 'leave', { multi: true }),
];

/** APC's settable strings are 8 characters, padded with CRs when shorter (NUT APC_STRLEN). */
export const APC_STRLEN = 8;

/** How NUT handles an instant command. */
export type CmdKind =
  | 'plain' // one byte, the UPS answers OK
  | 'repeat' // the byte twice, 1.3 s apart (shutdown K, off Z, on ^N)
  | 'calibration' // D, after Q says whether a calibration runs
  | 'shutdown'; // S, @nnn or the CS hack

export interface ApcCmdDef {
  readonly name: string;
  readonly cmd: string;
  readonly kind: CmdKind;
  /** Must be asked for twice, 3 to 15 s apart, before it is carried out (NUT APC_NASTY). */
  readonly nasty?: boolean;
  /** The argument it takes; without one it takes none (NUT's ext regex). */
  readonly arg?: RegExp;
}

export const COMMANDS: readonly ApcCmdDef[] = [
  { name: 'shutdown.return', cmd: '@', kind: 'shutdown', nasty: true, arg: /^[Aa][Tt]:[0-9]{1,3}$/ },
  { name: 'shutdown.return', cmd: 'S', kind: 'shutdown', nasty: true, arg: /^([Cc][Ss]|)$/ },
  { name: 'shutdown.stayoff', cmd: 'K', kind: 'repeat', nasty: true },
  { name: 'load.off', cmd: 'Z', kind: 'repeat', nasty: true },
  { name: 'load.on', cmd: '\x0e', kind: 'repeat' },
  { name: 'calibrate.start', cmd: 'D', kind: 'calibration' },
  { name: 'calibrate.stop', cmd: 'D', kind: 'calibration' },
  { name: 'test.panel.start', cmd: 'A', kind: 'plain' },
  { name: 'test.failure.start', cmd: 'U', kind: 'plain' },
  { name: 'test.battery.start', cmd: 'W', kind: 'plain' },
  { name: 'test.battery.stop', cmd: 'W', kind: 'plain' },
  { name: 'bypass.start', cmd: '^', kind: 'plain' },
  { name: 'bypass.stop', cmd: '^', kind: 'plain' },
];

/** The window in seconds within which a nasty command must be repeated (NUT MINCMDTIME / MAXCMDTIME). */
export const NASTY_MIN_S = 3;
export const NASTY_MAX_S = 15;

/** Protocol bytes the driver uses itself or leaves alone; `a` listing them is not news (NUT APC_UNR_CMDS). */
export const UNEXPOSED = '\x1a\x7f~\')-+8QRYayz';

export const CMD = {
  status: 'Q',
  smart: 'Y',
  dumb: 'R',
  cmdset: 'a',
  caps: '\x1a',
  next: '-',
  fwOld: 'V',
  fwNew: 'b',
  esc: '\x1b',
  simulate: 'U',
  soft: 'S',
  hibernate: '@',
  stayoff: 'K',
  off: 'Z',
} as const;

/** The `a` reply: protocol.alerts.commands[.more] (NUT APC_CMDSET_FMT). */
export const CMDSET_FORMAT = /^[0-9]\.[^.]*\.[^.]+(\.[^.]+)?$/;

/** Bits of the `Q` reply (two hex digits), in the order NUT lists the status words. */
export const STATUS_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'CAL'],
  [0x02, 'TRIM'],
  [0x04, 'BOOST'],
  [0x08, 'OL'],
  [0x10, 'OB'],
  [0x20, 'OVER'],
  [0x40, 'LB'],
  [0x80, 'RB'],
];
export const STAT = { CAL: 0x01, OL: 0x08, OB: 0x10, OVER: 0x20, LB: 0x40, RB: 0x80 } as const;

/** Alerts the UPS sends unasked and what each does to the status (NUT alert_handler). */
export const ALERTS: Readonly<Record<string, { set?: number; clear?: number; what: string }>> = {
  '!': { set: STAT.OB, clear: STAT.OL, what: 'on battery' },
  $: { set: STAT.OL, clear: STAT.OB, what: 'back on line' },
  '%': { set: STAT.LB, what: 'low battery' },
  '+': { clear: STAT.LB, what: 'battery no longer low' },
  '#': { set: STAT.RB, what: 'replace battery' },
  '?': { set: STAT.OVER, what: 'overload' },
  '=': { clear: STAT.OVER, what: 'overload over' },
};

/**
 * What a read drops (NUT's ignore sets). `|` (an EEPROM value changed), `&`
 * (see the alarm register) and CR (the line end's first half) are never
 * part of a reply; `*` (powering down) ends a line only where a shutdown's
 * answer is awaited. `a` lists the alert characters themselves, so its
 * reply is read with no ignore set at all; ^Z replies start with `#`.
 */
export const IGNORE = {
  alertAware: '\r|&*',
  plain: '\r|&*$!%+#?=',
  caps: '\r|&*$!%+?=',
  cmdset: '\r*',
} as const;

/** Firmware of units without `a`, and the commands they take (NUT apc_compattab). */
export const COMPAT_FIRMWARE: ReadonlyArray<readonly [string, string]> = [
  ['0XI', '@789ABCDEFGKLMNOPQRSTUVWXYZcefgjklmnopqrsuwxz/<>\\^\x0c\x16'],
  ['0XM', '@789ABCDEFGKLMNOPQRSTUVWXYZcefgjklmnopqrsuwxz/<>\\^\x0c\x16'],
  ['0ZI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz/<>'],
  ['5UI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz/<>'],
  ['5ZM', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz/<>'],
  ['6QD', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['6QI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['6TD', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['6TI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['7QD', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['7QI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['7TD', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['7TI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['6JI', '@789ABCFGKLMNOPQSTUVWXYZfg'],
  ['7II', '@79ABCEFGKLMNOPQRSUVWXYZcfg'],
  ['9II', '@79ABCEFGKLMNOPQRSUVWXYZcfg'],
  ['9GI', '@79ABCEFGKLMNOPQRSUVWXYZcfg'],
  ['8II', '@79ABCEFGKLMNOPQRSUVWXYZcfg'],
  ['8GI', '@79ABCEFGKLMNOPQRSUVWXYZfg'],
  ['8QD', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['8QI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['8TD', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['8TI', '@79ABCDEFGKLMNOPQRSUVWXYZcefgjklmnopqrsuxz'],
  ['5.4.D', '@\x01ABPQRSUYbdfgjmnx9'],
  // Old units that answer `b` with two hex digits (a voltage above 255 V) instead of a firmware.
  ['set\x01', '@789ABCFGKLMNOPQRSUVWXYZ'],
];

/** A firmware NUT knows overflows its capability string: a short ^Z table is then not an error. */
export const QUIRKY_CAPS_FIRMWARE = '451.2.I';

/** Byte as NUT's logs show it: the character, or 0xNN. */
export function printable(c: string): string {
  const code = c.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? c : `0x${code.toString(16).padStart(2, '0')}`;
}
