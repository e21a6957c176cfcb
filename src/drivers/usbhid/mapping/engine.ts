/**
 * The mapping engine: one subdriver table applied to one device. It decides
 * once which table rows the device supports (their path exists in its
 * descriptor), then turns HID values into NUT variables, ups.status and
 * commands, and NUT requests (SET VAR, INSTCMD) into HID writes. It does no
 * I/O: the driver reads and writes the reports.
 */
import { RequestError } from '../../../core/errors';
import type {
  HidDeviceInfo,
  HidField,
  HidInfoEntry,
  HidLookupContext,
  HidReportDescriptor,
  HidValues,
  ReportKind,
  Subdriver,
} from '../types';
import { formatValue } from './format';
import {
  isContextualLookup,
  isConvertedStringIndexLookup,
  isRawReportLookup,
  isStringIndexLookup,
  statusBit,
  toLong,
  type HidWriteContext,
  type RawReportRequest,
} from './lookups';
import { buildStatus, isStatusFlag, LbrbTimer, StatusFlags, type StatusOptions } from './status';
import { apcLbrbDefaultDelaySec } from './vendors/apc';
import { cpsDelayWarnings, cpsSubdriver } from './vendors/cps';

/**
 * The usbhid-ups options the mapping applies. Every field is optional; an
 * absent field behaves as usbhid-ups does without the option. From
 * StatusOptions: `onlineDischarge` (onlinedischarge_onbattery, alias
 * onlinedischarge), `onlineDischargeCalibration` (onlinedischarge_calibration),
 * `ignoreLowBattery` (the ignorelb flag), `lbrbLogDelaySec`
 * (lbrb_log_delay_sec; absent: 3 s for the APC models usbhid-ups names,
 * see apcLbrbDefaultDelaySec, else 0) and `lbrbLogDelayWithoutCalibrating`
 * (lbrb_log_delay_without_calibrating; default false).
 */
export interface HidMapperOptions extends StatusOptions {
  /**
   * Use Input items instead of Feature items (NUT: interruptonly; default
   * false). Pass true also when deviceQuirks() says `interruptOnly`
   * (PowerCOM 0d9f:0001), as the subdriver sets it in NUT.
   */
  interruptOnly?: boolean;
  /** Leave the descriptor as the device sent it (NUT: disable_fix_report_desc; default false). */
  disableDescriptorFix?: boolean;
  /**
   * ups.delay.start in seconds (NUT: ondelay). Absent: the table's default,
   * 30 s (NUT's DEFAULT_ONDELAY), 120 s on CyberPower, 60 s on PowerCOM.
   * Replaces the published value where the device has the variable; SET VAR
   * changes it later. shutdown.return writes the published value with
   * load.on.delay; PowerCOM's start commands without a parameter use this
   * option first, as powercom-hid.c does.
   */
  onDelay?: number;
  /**
   * ups.delay.shutdown in seconds (NUT: offdelay). Absent: 20 s (NUT's
   * DEFAULT_OFFDELAY), 60 s on CyberPower. Used like `onDelay` by
   * shutdown.return / shutdown.stayoff and PowerCOM's shutdown commands.
   */
  offDelay?: number;
  /**
   * battery.charge.low in percent (NUT: lowbatt). Absent: the device's own
   * value (usbhid-ups documents 30 as a fallback but never applies it).
   * Replaces the published value where the device publishes
   * battery.charge.low, without writing it to the device, until the device
   * reports a different value or a SET VAR battery.charge.low. The device's
   * own LB report is unchanged; with `ignoreLowBattery` LB follows it.
   */
  lowBatt?: number;
  /** Milliseconds since the epoch, for `lbrbLogDelaySec`; default Date.now. */
  clock?: () => number;
}

/** Variables the engine publishes itself (device identity and status), not from table rows. */
export const ENGINE_VARS: readonly string[] = [
  'device.type',
  'device.mfr',
  'device.model',
  'device.serial',
  'ups.mfr',
  'ups.model',
  'ups.serial',
  'ups.vendorid',
  'ups.productid',
  'ups.status',
  'ups.alarm',
  'input.transfer.reason',
];

/**
 * The subdriver's vendor usage names by usage, the form the HID layer's
 * parser takes to name paths (`parseReportDescriptor(bytes, { usageNames })`).
 */
export function usageNameMap(subdriver: Subdriver): Map<number, string> {
  return new Map(Object.entries(subdriver.usageNames ?? {}).map(([name, usage]) => [usage, name]));
}

export interface MappedVar {
  name: string;
  value: string;
  rw: boolean;
  stringLength?: number;
  enums?: string[];
  range?: [number, number];
}

export interface MappingResult {
  vars: MappedVar[];
  /** ups.status; also present in `vars`. */
  status: string;
  commands: string[];
}

/** One value to write: the driver encodes it into the field's report and sends it. */
export interface HidWrite {
  path: string;
  value: number;
}

export type PollMode = 'init' | 'quick' | 'full';

/** A value an option puts in place of the device's (NUT sets these once, after the first walk). */
interface Override {
  readonly text: string;
  /** The device's HID value when the override was first published; a different one ends it. */
  raw?: number;
}

/** A table row the device supports, with the field that carries it. */
interface ActiveRow {
  readonly row: HidInfoEntry;
  readonly field: HidField;
  /** The field's path as the HID layer names it: the key of HidValues and HidWrite. */
  readonly path: string;
}

const HEX_USAGE = /^[0-9a-f]{8}$/;

/** Rewrites a HID-layer path with the subdriver's vendor usage names, so it compares with table paths. */
function canonicalPath(path: string, namesByUsage: ReadonlyMap<number, string>): string {
  if (namesByUsage.size === 0) return path;
  return path
    .split('.')
    .map((part) => (HEX_USAGE.test(part) ? (namesByUsage.get(parseInt(part, 16)) ?? part) : part))
    .join('.');
}

/** Leading integer of a text as C's atol reads it; undefined when there is none. */
function parseLong(text: string): number | undefined {
  const m = /^\s*([-+]?\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export class HidMapper {
  private readonly rows: ActiveRow[] = [];
  private readonly varRows = new Map<string, ActiveRow>();
  private readonly cmdRows = new Map<string, ActiveRow>();
  private readonly flags = new StatusFlags();
  /** Values of server-side variables (NUT: HU_FLAG_ABSENT) after SET VAR. */
  private readonly serverVars = new Map<string, string>();
  /** What the last compute() published, for composite commands that read it. */
  private lastVars = new Map<string, string>();
  private readonly memo = new Map<string, unknown>();
  /** Option values shown instead of what the device reports, by lower-case variable name. */
  private readonly overrides = new Map<string, Override>();
  private readonly lbrb = new LbrbTimer();
  private readonly statusOptions: StatusOptions;
  private readonly clock: () => number;

  constructor(
    readonly subdriver: Subdriver,
    readonly descriptor: HidReportDescriptor,
    readonly info: HidDeviceInfo,
    private readonly options: HidMapperOptions = {},
  ) {
    if (!options.disableDescriptorFix) subdriver.fixDescriptor?.(descriptor, info);
    const wanted: ReportKind = options.interruptOnly ? 'input' : 'feature';
    const namesByUsage = usageNameMap(subdriver);
    const fields = new Map<string, HidField>();
    for (const field of descriptor.fields) {
      if (field.kind !== wanted) continue;
      const key = canonicalPath(field.path, namesByUsage);
      if (!fields.has(key)) fields.set(key, field);
    }

    for (const row of subdriver.table) {
      const field = fields.get(row.path);
      if (!field) continue;
      const active: ActiveRow = { row, field, path: field.path };
      const key = row.nut.toLowerCase();
      if (row.kind === 'cmd') {
        // Every supported command row stays; the first one per name is used.
        if (!this.cmdRows.has(key)) this.cmdRows.set(key, active);
      } else if (row.kind === 'var' && key !== 'ups.alarm') {
        // The first supported row is the one SET VAR writes; later rows for the same
        // variable stay as fallbacks for compute(), since NUT keeps the first row that
        // actually publishes a value (a lookup may publish nothing for this device).
        if (!this.varRows.has(key)) this.varRows.set(key, active);
      }
      this.rows.push(active);
    }
    // NUT: dstate_setinfo("%ld", strtol(option)) on the published variable, where it exists.
    const optionValues: ReadonlyArray<readonly [string, number | undefined]> = [
      ['ups.delay.start', options.onDelay],
      ['ups.delay.shutdown', options.offDelay],
      ['battery.charge.low', options.lowBatt],
    ];
    for (const [name, value] of optionValues) {
      if (value === undefined || !Number.isFinite(value)) continue;
      const text = String(Math.trunc(value));
      this.serverVars.set(name, text);
      this.overrides.set(name, { text });
    }
    this.statusOptions = {
      ...options,
      lbrbLogDelaySec: options.lbrbLogDelaySec ?? apcLbrbDefaultDelaySec(info),
    };
    this.clock = options.clock ?? Date.now;
  }

  /**
   * What usbhid-ups would log about the options for this device (CyberPower
   * delays that its firmware rounds down to whole minutes). The driver logs them.
   */
  optionWarnings(): string[] {
    if (this.subdriver !== cpsSubdriver) return [];
    const has = (name: string): boolean => this.varRows.has(name);
    return cpsDelayWarnings(has('ups.delay.start') ? this.options.onDelay : undefined, has('ups.delay.shutdown') ? this.options.offDelay : undefined);
  }

  /**
   * Feature reports outside the descriptor that table rows read as raw bytes
   * (PowerCOM's battery voltage, report 0xa4): read them with the full polls
   * and pass the bytes to compute().
   */
  rawReports(): RawReportRequest[] {
    const out = new Map<number, RawReportRequest>();
    for (const { row } of this.rows) {
      if (isRawReportLookup(row.lookup)) out.set(row.lookup.rawReport.reportId, row.lookup.rawReport);
    }
    return [...out.values()];
  }

  /** Paths whose values are USB string indexes: the driver reads those strings for compute(). */
  stringPaths(): string[] {
    return [...new Set(this.rows.filter((r) => isStringIndexLookup(r.row.lookup)).map((r) => r.path))];
  }

  /**
   * Paths to read: at start everything the table uses ('init'), on a quick
   * poll only status-critical rows ('quick'), on a full poll all but static
   * rows, commands and server-side variables ('full').
   */
  pollPaths(mode: PollMode): string[] {
    const rows = this.rows.filter(({ row }) => {
      const serverSide = row.kind === 'var' && row.value !== undefined;
      if (mode === 'init') return !serverSide;
      if (mode === 'quick') return row.quickPoll === true && !serverSide && row.kind !== 'cmd';
      return !serverSide && row.kind !== 'cmd' && !row.static;
    });
    return [...new Set(rows.map((r) => r.path))];
  }

  /** Instant commands the device supports, including the ones composed from delays. */
  commands(): string[] {
    const names = [...this.cmdRows.values()].map((r) => r.row.nut);
    const has = (n: string): boolean => this.cmdRows.has(n);
    if (has('load.off.delay')) names.push('load.off');
    if (has('load.on.delay')) names.push('load.on');
    if (has('load.off.delay') && has('load.on.delay')) names.push('shutdown.return', 'shutdown.stayoff');
    return [...new Set(names)];
  }

  /** Forgets the remembered status flags (after a reconnect the device reports them afresh). */
  resetStatus(): void {
    this.flags.clear();
    this.lbrb.clear();
  }

  /**
   * The NUT view of the device: identity variables, every table variable whose
   * value is known, ups.status / ups.alarm / input.transfer.reason, commands.
   * Status bits are remembered between calls, as a report may carry only some.
   * `raw`: the bytes of the reports `rawReports()` lists, by report ID.
   */
  compute(
    values: HidValues,
    strings: ReadonlyMap<number, string> = new Map(),
    raw: ReadonlyMap<number, Uint8Array> = new Map(),
  ): MappingResult {
    const vars = new Map<string, MappedVar>();
    const published = new Map<string, string>();
    const put = (v: MappedVar): void => {
      vars.set(v.name, v);
      published.set(v.name, v.value);
    };

    this.identity(put);

    const ctx: HidLookupContext = { info: this.info, vars: published, memo: this.memo };
    const alarms: string[] = [];
    /** Variables a table row already published in this pass: later rows for them are fallbacks only. */
    const fromTable = new Set<string>();
    for (const active of this.rows) {
      const { row } = active;
      if (row.kind === 'cmd') continue;
      const key = row.nut.toLowerCase();
      if (row.kind === 'var' && key !== 'ups.alarm' && fromTable.has(key)) continue;
      if (row.kind === 'var' && row.value !== undefined) {
        fromTable.add(key);
        put(this.describe(active, this.serverVars.get(row.nut) ?? String(row.value)));
        continue;
      }
      const value = values.get(active.path);
      if (value === undefined) continue;
      if (row.kind === 'status') {
        const token = (row.lookup ?? (isStatusFlag(row.nut) ? statusBit(row.nut) : undefined))?.toNut(value, ctx);
        if (token !== undefined) this.flags.apply(token);
        continue;
      }
      const text = this.toText(row, value, strings, raw, ctx);
      if (text === undefined) continue;
      if (key === 'ups.alarm') alarms.push(text);
      else {
        fromTable.add(key);
        put(this.describe(active, this.overridden(key, value, text)));
      }
    }

    // NUT copies ups.mfr / ups.model / ups.serial to device.* once the first walk is done,
    // so a table row that publishes one of them (MGE's model, PowerCOM's serial) sets both.
    for (const key of ['mfr', 'model', 'serial']) {
      const value = fromTable.has(`ups.${key}`) ? published.get(`ups.${key}`) : undefined;
      if (value !== undefined) put({ name: `device.${key}`, value, rw: false });
    }

    const result = buildStatus(this.flags.snapshot(), this.statusOptions, {
      alarms,
      charge: published.get('battery.charge'),
      chargeLow: published.get('battery.charge.low'),
      runtime: published.get('battery.runtime'),
      runtimeLow: published.get('battery.runtime.low'),
      lbrb: this.lbrb,
      now: this.clock(),
    });
    if (result.alarms.length > 0) put({ name: 'ups.alarm', value: result.alarms.join(' '), rw: false });
    if (result.transferReason !== undefined) put({ name: 'input.transfer.reason', value: result.transferReason, rw: false });
    put({ name: 'ups.status', value: result.status, rw: false });

    this.lastVars = published;
    return { vars: [...vars.values()], status: result.status, commands: this.commands() };
  }

  /**
   * SET VAR: the HID writes that carry it. Server-side variables change here
   * and write nothing. Throws RequestError VAR-NOT-SUPPORTED, READONLY,
   * TOO-LONG or INVALID-VALUE.
   */
  setVar(name: string, value: string): HidWrite[] {
    const active = this.varRows.get(name.toLowerCase());
    if (!active) {
      if (this.lastVars.has(name)) throw new RequestError('READONLY', `${name} is read-only`);
      throw new RequestError('VAR-NOT-SUPPORTED', `${name} is not supported by this device`);
    }
    const { row, field, path } = active;
    if (!row.rw) throw new RequestError('READONLY', `${row.nut} is read-only`);
    if (row.stringLength !== undefined && row.stringLength > 0 && value.length > row.stringLength) {
      throw new RequestError('TOO-LONG', `${row.nut} takes at most ${row.stringLength} characters`);
    }
    if (row.value !== undefined) {
      this.serverVars.set(row.nut, value);
      return [];
    }
    let hid: number | undefined;
    if (isContextualLookup(row.lookup)) {
      hid = row.lookup.fromNutInContext(value, this.writeContext());
    } else if (row.lookup) {
      hid = row.lookup.fromNut?.(value);
    } else {
      hid = parseLong(value);
    }
    if (hid === undefined || !Number.isFinite(hid)) {
      throw new RequestError('INVALID-VALUE', `${JSON.stringify(value)} is not a valid value for ${row.nut}`);
    }
    if (row.range) {
      const [min, max] = rangeOf(field);
      if (hid < min || hid > max) throw new RequestError('INVALID-VALUE', `${row.nut} must be between ${min} and ${max}`);
    }
    // The device now holds what was asked: an option's value no longer stands in for it.
    this.overrides.delete(row.nut.toLowerCase());
    return [{ path, value: hid }];
  }

  /**
   * INSTCMD: the HID writes that carry it, in order. `param` replaces the
   * table's value (e.g. a delay). Composite commands (load.on/off,
   * shutdown.return/stayoff) are built from the delay commands as usbhid-ups
   * does. Throws RequestError CMD-NOT-SUPPORTED or INVALID-ARGUMENT.
   */
  instCmd(name: string, param?: string): HidWrite[] {
    const key = name.toLowerCase();
    // Old names kept working in NUT with a warning.
    if (key === 'beeper.off') return this.instCmd('beeper.disable');
    if (key === 'beeper.on') return this.instCmd('beeper.enable');

    const active = this.cmdRows.get(key);
    if (active) return [{ path: active.path, value: this.commandValue(active.row, param) }];

    switch (key) {
      case 'load.on':
        return this.instCmd('load.on.delay', '0');
      case 'load.off':
        return this.instCmd('load.off.delay', '0');
      case 'shutdown.return':
      case 'shutdown.stayoff': {
        const stayOff = key === 'shutdown.stayoff';
        if (!this.cmdRows.has('load.on.delay') || !this.cmdRows.has('load.off.delay')) break;
        const writes: HidWrite[] = [];
        // Restart on power return follows the command where the device has the setting.
        if (this.varRows.has('ups.start.auto') && this.lastVars.has('ups.start.auto')) {
          writes.push(...this.trySetVar('ups.start.auto', stayOff ? 'no' : 'yes'));
        }
        const now = this.currentVars();
        writes.push(...this.instCmd('load.on.delay', stayOff ? '-1' : now.get('ups.delay.start')));
        writes.push(...this.instCmd('load.off.delay', now.get('ups.delay.shutdown')));
        return writes;
      }
    }
    throw new RequestError('CMD-NOT-SUPPORTED', `${name} is not supported by this device`);
  }

  // ---------------------------------------------------------------- helpers

  private trySetVar(name: string, value: string): HidWrite[] {
    try {
      return this.setVar(name, value);
    } catch {
      // NUT goes on with the shutdown even when this setting fails.
      return [];
    }
  }

  private commandValue(row: HidInfoEntry, param: string | undefined): number {
    const text = param ?? (row.value === undefined ? undefined : String(row.value));
    let value: number | undefined;
    if (isContextualLookup(row.lookup)) value = row.lookup.fromNutInContext(text, this.writeContext());
    else if (text !== undefined) value = row.lookup ? row.lookup.fromNut?.(text) : parseLong(text);
    if (value === undefined || !Number.isFinite(value)) {
      throw new RequestError('INVALID-ARGUMENT', `${JSON.stringify(text ?? '')} is not a valid argument for ${row.nut}`);
    }
    return value;
  }

  /**
   * The variables as published now: the last compute(), with the current
   * values of the server-side variables (also before the first compute).
   */
  private currentVars(): Map<string, string> {
    const vars = new Map(this.lastVars);
    for (const { row } of this.varRows.values()) {
      if (row.kind === 'var' && row.value !== undefined) vars.set(row.nut, this.serverVars.get(row.nut) ?? String(row.value));
    }
    return vars;
  }

  private writeContext(): HidWriteContext {
    return {
      info: this.info,
      vars: this.currentVars(),
      memo: this.memo,
      options: { onDelay: this.options.onDelay, offDelay: this.options.offDelay },
    };
  }

  /** An option's value in place of the device's, until the device reports something else. */
  private overridden(key: string, value: number, text: string): string {
    const o = this.overrides.get(key);
    if (!o) return text;
    if (o.raw === undefined) o.raw = value;
    if (o.raw === value || (Number.isNaN(o.raw) && Number.isNaN(value))) return o.text;
    this.overrides.delete(key);
    return text;
  }

  /** ups.* / device.* identity from the USB device: vendor formatting, IDs. */
  private identity(put: (v: MappedVar) => void): void {
    const raw = { mfr: this.info.manufacturer, model: this.info.product, serial: this.info.serialNumber };
    const formatted = this.subdriver.formatStrings ? this.subdriver.formatStrings(this.info, raw) : raw;
    put({ name: 'device.type', value: 'ups', rw: false });
    for (const key of ['mfr', 'model', 'serial'] as const) {
      const value = formatted[key];
      if (value === undefined) continue;
      put({ name: `ups.${key}`, value, rw: false });
      put({ name: `device.${key}`, value, rw: false });
    }
    for (const [name, value] of Object.entries(('vars' in formatted && formatted.vars) || {})) put({ name, value, rw: false });
    put({ name: 'ups.vendorid', value: formatValue('%04x', this.info.vendorId), rw: false });
    put({ name: 'ups.productid', value: formatValue('%04x', this.info.productId), rw: false });
  }

  private toText(
    row: HidInfoEntry,
    value: number,
    strings: ReadonlyMap<number, string>,
    raw: ReadonlyMap<number, Uint8Array>,
    ctx: HidLookupContext,
  ): string | undefined {
    if (isRawReportLookup(row.lookup)) {
      const bytes = raw.get(row.lookup.rawReport.reportId);
      return bytes === undefined ? undefined : row.lookup.fromReport(bytes, ctx);
    }
    if (isStringIndexLookup(row.lookup)) {
      const index = toLong(value);
      const text = index === undefined ? undefined : strings.get(index);
      if (text === undefined) return undefined;
      if (isConvertedStringIndexLookup(row.lookup)) return row.lookup.fromString(text.replace(/\n+$/, ''), ctx);
      return text.trimEnd();
    }
    if (row.lookup) return row.lookup.toNut(value, ctx);
    if (!Number.isFinite(value)) return undefined;
    return formatValue(row.format ?? '%.0f', value);
  }

  private describe(active: ActiveRow, value: string): MappedVar {
    const { row, field } = active;
    const v: MappedVar = { name: row.nut, value, rw: row.rw === true };
    if (row.stringLength !== undefined) v.stringLength = row.stringLength;
    if (row.rw && row.lookup?.enumValues) v.enums = [...row.lookup.enumValues];
    if (row.rw && row.range) v.range = rangeOf(field);
    return v;
  }
}

/** A writable field's allowed values: its physical range when declared, else its logical range. */
function rangeOf(field: HidField): [number, number] {
  if (field.physicalMin !== field.physicalMax) return [field.physicalMin, field.physicalMax];
  return [field.logicalMin, field.logicalMax];
}
