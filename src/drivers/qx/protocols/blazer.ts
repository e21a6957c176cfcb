/**
 * What the Megatec-derived protocols share (NUT's nutdrv_qx_blazer-common
 * and the identical tables of megatec, megatec/old, mustek, zinto, mecer,
 * bestups, q1): the 46-character status reply, the F rating reply, the
 * I vendor reply, the shutdown/test commands and the two server-side
 * delays. Each protocol file picks its commands and parts from here.
 *
 *   Q1 -> (226.0 195.0 226.0 014 49.0 27.5 30.0 00001000
 *         0         1         2         3         4
 *         0123456789012345678901234567890123456789012345
 *   F  -> #220.0 000 024.0 50.0
 *   I  -> #Company_Name___ UPS_Model_ Version___
 */
import { QxValueError, bitColumn, checkShape, numberColumn, textColumn } from '../fields';
import type { QxContext, QxInstantCommand, QxQuery, QxReading, QxSetting, QxStatusUpdate } from '../protocol';

/** Status reply length without `\r` (NUT's answer_len 47 counts it). */
export const STATUS_REPLY_LENGTH = 46;

export interface StatusReplyOptions {
  /** Publish ups.beeper.status from bit 0 (BestUPS: not supported, always 0). */
  beeper?: boolean;
  /**
   * Decides the bypass/boost/buck bit, given its raw value and the status
   * so far from the same reply (BestUPS ignores it on battery, in a test
   * or a shutdown, and inverts it on some models). Default: the bit as is.
   */
  bbbBit?(raw: boolean, status: QxStatusUpdate, ctx: QxContext): boolean;
}

/**
 * The Q1-style status query (`Q1\r`, `D\r`, `QS\r`). Bits (from column 38):
 * utility fail -> OL cleared, battery low -> LB, bypass/boost/buck ->
 * TRIM, BYPASS or BOOST by the output/input voltage ratio (<0.95 trim,
 * <1.05 bypass, <1.5 boost, as blazer does), UPS failed -> ups.alarm,
 * line-interactive -> ups.type, test in progress -> CAL, shutdown active
 * -> FSD (unless ignoresab), beeper -> ups.beeper.status.
 */
export function statusQuery(command: string, opts: StatusReplyOptions = {}): QxQuery {
  return {
    command,
    kind: 'status',
    parse(reply, ctx) {
      checkShape(command, reply, { leading: '(', minLength: STATUS_REPLY_LENGTH });
      const vars: Record<string, string> = {};
      const put = (name: string, v: string | undefined): void => {
        if (v !== undefined) vars[name] = v;
      };
      put('input.voltage', numberColumn(reply, 1, 5, 1));
      put('input.voltage.fault', numberColumn(reply, 7, 11, 1));
      put('output.voltage', numberColumn(reply, 13, 17, 1));
      put('ups.load', numberColumn(reply, 19, 21, 0));
      put('input.frequency', numberColumn(reply, 23, 26, 1));
      put('battery.voltage', batteryVoltage(numberColumn(reply, 28, 31, 2), ctx));
      put('ups.temperature', numberColumn(reply, 33, 36, 1));

      // The bits NUT polls in every quick poll must all be 0 or 1, or the poll fails.
      const status: QxStatusUpdate = {
        OL: !bitColumn(command, reply, 38),
        LB: bitColumn(command, reply, 39),
      };
      const bbbRaw = bitColumn(command, reply, 40);
      status.CAL = bitColumn(command, reply, 43);
      const sab = bitColumn(command, reply, 44);
      if (!ctx.options.ignoresab) status.FSD = sab;
      const bbb = opts.bbbBit ? opts.bbbBit(bbbRaw, status, ctx) : bbbRaw;
      Object.assign(status, bypassBoostTrim(bbb, vars['input.voltage'], vars['output.voltage']));

      // The others only lose their own variable when they are not 0/1, as in NUT.
      const alarms: string[] = [];
      const failed = optionalBit(reply, 41);
      if (failed === true) alarms.push('UPS selftest failed!');
      const type = optionalBit(reply, 42);
      if (type !== undefined) vars['ups.type'] = type ? 'offline / line interactive' : 'online';
      if (opts.beeper !== false) {
        const beeper = optionalBit(reply, 45);
        if (beeper !== undefined) vars['ups.beeper.status'] = beeper ? 'enabled' : 'disabled';
      }
      const reading: QxReading = { vars, status };
      if (alarms.length) reading.alarms = alarms;
      return reading;
    },
  };
}

function optionalBit(reply: string, pos: number): boolean | undefined {
  const c = reply.charAt(pos);
  return c === '1' ? true : c === '0' ? false : undefined;
}

/**
 * The bypass/boost/buck bit as TRIM, BYPASS or BOOST. Two deliberate
 * departures from nutdrv_qx: a cleared bit clears all three (NUT leaves
 * them set until the next full poll), and a ratio outside 0.5..1.5 (on
 * battery the input is ~0) sets none instead of failing the whole poll.
 */
function bypassBoostTrim(bit: boolean, vin: string | undefined, vout: string | undefined): QxStatusUpdate {
  const none = { TRIM: false, BYPASS: false, BOOST: false };
  if (!bit || vin === undefined || vout === undefined) return none;
  const vi = Number(vin);
  const vo = Number(vout);
  if (vo < 0.5 * vi) return none;
  if (vo < 0.95 * vi) return { ...none, TRIM: true };
  if (vo < 1.05 * vi) return { ...none, BYPASS: true };
  if (vo < 1.5 * vi) return { ...none, BOOST: true };
  return none;
}

/**
 * battery.voltage, multiplied by battery.packs when the user says the
 * device reports one pack (battery_voltage_reports_one_pack; NUT's
 * qx_multiply_battvolt), else as the device gives it.
 */
export function batteryVoltage(v: string | undefined, ctx: QxContext): string | undefined {
  if (v === undefined || !ctx.options.batteryVoltageReportsOnePack) return v;
  const packs = Number(ctx.vars.get('battery.packs'));
  if (!Number.isFinite(packs) || packs < 2) return v;
  return (Number(v) * packs).toFixed(2);
}

/** `F\r` -> `#220.0 000 024.0 50.0`: the ratings, read once (skipped with norating). */
export const RATING_QUERY: QxQuery = {
  command: 'F\r',
  kind: 'static',
  skipWhen: 'norating',
  parse(reply) {
    checkShape('F\r', reply, { leading: '#', minLength: 21 });
    const vars: Record<string, string> = {};
    const put = (name: string, v: string | undefined): void => {
      if (v !== undefined) vars[name] = v;
    };
    put('input.voltage.nominal', numberColumn(reply, 1, 5, 0));
    put('input.current.nominal', numberColumn(reply, 7, 9, 1));
    put('battery.voltage.nominal', numberColumn(reply, 11, 15, 1));
    put('input.frequency.nominal', numberColumn(reply, 17, 20, 0));
    return { vars };
  },
};

/**
 * The vendor reply (`I\r`, zinto's `FW?\r`): company 15, model 10,
 * version 10 characters, as megatec.txt and NUT 2.8.0 read it. (Newer
 * NUT reads a "Megatec IC" layout with a serial number and runtime in
 * place of the company's last letters; we keep the documented layout,
 * which every other Q1 dialect uses too.)
 */
export function vendorQuery(command: string): QxQuery {
  return {
    command,
    kind: 'static',
    skipWhen: 'novendor',
    parse(reply) {
      checkShape(command, reply, { leading: '#', minLength: 38 });
      const vars: Record<string, string> = {};
      const put = (name: string, v: string | undefined): void => {
        if (v !== undefined) vars[name] = v;
      };
      put('device.mfr', textColumn(reply, 1, 15));
      put('device.model', textColumn(reply, 17, 26));
      put('ups.firmware', textColumn(reply, 28, 37));
      return { vars };
    },
  };
}

// ------------------------------------------------------------ commands

/** A command with fixed bytes. */
export function fixed(name: string, bytes: string): QxInstantCommand {
  return { name, build: () => bytes };
}

function delayVar(ctx: QxContext, name: string): number {
  const v = Number.parseInt(ctx.vars.get(name) ?? '', 10);
  return Number.isFinite(v) ? v : 0;
}

/** The shutdown delay as Megatec writes it: `.n` (n × 6 s) under a minute, else `nn` minutes. */
export function offdelayText(offdelay: number): string {
  return offdelay < 60 ? `.${Math.trunc(offdelay / 6)}` : pad(Math.trunc(offdelay / 60), 2);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * shutdown.return: `S<off>` when ups.delay.start is under a minute, else
 * `S<off>R<on minutes, 4 digits>` (blazer_process_command).
 */
export const SHUTDOWN_RETURN: QxInstantCommand = {
  name: 'shutdown.return',
  build(_value, ctx) {
    const off = delayVar(ctx, 'ups.delay.shutdown');
    const on = Math.trunc(delayVar(ctx, 'ups.delay.start') / 60);
    if (off < 0) throw new QxValueError('INVALID-ARGUMENT', `ups.delay.shutdown ${off} is negative`);
    return on <= 0 ? `S${offdelayText(off)}\r` : `S${offdelayText(off)}R${pad(on, 4)}\r`;
  },
};

/** shutdown.stayoff: `S<off>R0000` (BestUPS: `S<off>` with no return part, `suffix` ''). */
export function shutdownStayoff(suffix = 'R0000'): QxInstantCommand {
  return {
    name: 'shutdown.stayoff',
    build(_value, ctx) {
      const off = delayVar(ctx, 'ups.delay.shutdown');
      if (off < 0) throw new QxValueError('INVALID-ARGUMENT', `ups.delay.shutdown ${off} is negative`);
      return `S${offdelayText(off)}${suffix}\r`;
    },
  };
}

/** test.battery.start: `T<minutes, 2 digits>` from the argument in seconds (60..5940, default 600). */
export const TEST_BATTERY_START: QxInstantCommand = {
  name: 'test.battery.start',
  build(value) {
    const secs = value === undefined || value === '' ? 600 : strtol(value);
    if (secs < 60 || secs > 5940) {
      throw new QxValueError('INVALID-ARGUMENT', `battery test time ${JSON.stringify(value)} out of range [60..5940] seconds`);
    }
    return `T${pad(Math.trunc(secs / 60), 2)}\r`;
  },
};

/** C's strtol on a client's text: leading digits, 0 when there are none. */
export function strtol(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

/** The commands megatec, megatec/old, mustek, zinto and q1 share, with their bytes. */
export const BLAZER_COMMANDS: readonly QxInstantCommand[] = [
  fixed('beeper.toggle', 'Q\r'),
  fixed('load.off', 'S00R0000\r'),
  fixed('load.on', 'C\r'),
  SHUTDOWN_RETURN,
  shutdownStayoff(),
  fixed('shutdown.stop', 'C\r'),
  TEST_BATTERY_START,
  fixed('test.battery.start.deep', 'TL\r'),
  fixed('test.battery.start.quick', 'T\r'),
  fixed('test.battery.stop', 'CT\r'),
];

// ------------------------------------------------------------ settings

/** NUT's defaults for ondelay (180 s) and offdelay (30 s). */
export const DEFAULT_ONDELAY = '180';
export const DEFAULT_OFFDELAY = '30';

function delayValue(name: string, value: string): number {
  if (!/^\s*[+-]?\d/.test(value)) throw new QxValueError('INVALID-VALUE', `${name}: ${JSON.stringify(value)} is not a number of seconds`);
  const n = strtol(value);
  if (n < 0) throw new QxValueError('INVALID-VALUE', `${name}: ${n} should not be negative`);
  return n;
}

/** ups.delay.start (ondelay): truncated to whole minutes, as blazer_process_setvar does. */
export function ondelaySetting(range: readonly [number, number] = [0, 599940]): QxSetting {
  return {
    name: 'ups.delay.start',
    option: 'ondelay',
    fallback: DEFAULT_ONDELAY,
    range,
    normalize(value) {
      const n = delayValue('ups.delay.start', value);
      return String(n - (n % 60));
    },
  };
}

/** ups.delay.shutdown (offdelay): 6 s steps under a minute, whole minutes above. */
export function offdelaySetting(range: readonly [number, number] = [12, 600]): QxSetting {
  return {
    name: 'ups.delay.shutdown',
    option: 'offdelay',
    fallback: DEFAULT_OFFDELAY,
    range,
    normalize(value) {
      const n = delayValue('ups.delay.shutdown', value);
      return String(n < 60 ? n - (n % 6) : n - (n % 60));
    },
  };
}

export const BLAZER_SETTINGS: readonly QxSetting[] = [ondelaySetting(), offdelaySetting()];
