/**
 * The usbhid driver module: NUT's usbhid-ups on our layers.
 *
 *   connector -> transport (hidraw | replay)  -> HID layer (descriptor, codec)
 *             -> mapping (subdriver table)    -> this module -> UPS store, bus
 *
 * It reads every Feature report the subdriver's table needs at start, then
 * polls: every `pollInterval` seconds the status-critical (quick-poll)
 * entries, every `pollfreq` seconds everything. Input reports update values
 * at once. A vanished device marks the data stale and is reconnected (by
 * vendor/product/serial) with backoff, without restarting the agent.
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, UpsAgentError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { attachDriver, detachDriver, type DriverDeps } from '../types';
import { buildReport, readField } from './hid/codec';
import { parseReportDescriptor } from './hid/descriptor';
import { usageNameMap } from './mapping/engine';
import { HidReportError } from './hid/errors';
import type { HidMapper, HidWrite, MappedVar, PollMode } from './mapping/engine';
import { describeDevice, matchFromConfig, mismatch, sameDevice, type DeviceMatch } from './matcher';
import type { HidConnector } from './transport/connector';
import {
  HidTransportError,
  type HidDeviceInfo,
  type HidField,
  type HidReportDescriptor,
  type HidTransport,
  type Subdriver,
} from './types';

/** usbhid-ups' defaults, in seconds: main loop interval and full-update period. */
export const DEFAULT_POLL_INTERVAL = 2;
export const DEFAULT_POLLFREQ = 30;
/** Reconnect attempts start at the poll interval and back off up to this many seconds. */
export const MAX_RECONNECT_DELAY = 30;

/** What clients read in driver.name: NUT's programs and scripts key on it. */
export const DRIVER_NAME = 'usbhid-ups';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers, looked up at call time so test fakes installed later are used. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The mapping layer, injected so the driver does not fix which tables exist. */
export interface MappingLayer {
  selectSubdriver(info: HidDeviceInfo): Subdriver;
  createMapper(subdriver: Subdriver, descriptor: HidReportDescriptor, info: HidDeviceInfo, opts: { onlineDischarge?: boolean }): HidMapper;
  /** Known device bugs the driver works around. */
  quirks?(info: HidDeviceInfo): { pollOnly?: boolean; skipReportIds?: readonly number[] };
}

export interface UsbHidDriverOptions {
  connector: HidConnector;
  mapping: MappingLayer;
  timers?: Timers;
  /** Published as driver.version; default this agent's version. */
  version?: string;
}

/** One connection to the device: what was learnt from it and the values read so far. */
interface Session {
  transport: HidTransport;
  info: HidDeviceInfo;
  descriptorBytes: Uint8Array;
  descriptor: HidReportDescriptor;
  mapper: HidMapper;
  /** Latest value of every path read, physical units. */
  values: Map<string, number>;
  /** USB strings by index, for the table's string-index rows. */
  strings: Map<number, string>;
  /** Last bytes of each Feature report, as read: the base of a write. */
  reports: Map<number, Uint8Array>;
  /** Interrupt reports are ignored (config `pollonly`, or a device known to misuse them). */
  pollOnly: boolean;
  /** Reports a firmware bug answers wrongly: never read. */
  skipReportIds: ReadonlySet<number>;
}

interface Published {
  value: string;
  /** Flags, enums, range and length, as one comparable text. */
  type: string;
}

function typeKey(v: MappedVar): string {
  return JSON.stringify([v.rw, v.stringLength ?? null, v.enums ?? null, v.range ?? null]);
}

export class UsbHidDriver implements Module {
  readonly name: string;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly timers: Timers;
  private readonly match: DeviceMatch;
  private readonly pollMs: number;
  private readonly fullMs: number;
  private readonly pollOnly: boolean;

  private running = false;
  private session: Session | null = null;
  /** The device the driver had: reconnects accept only this one (NUT's exact matcher). */
  private known: HidDeviceInfo | undefined;
  /** Mapper of the last session, reused after a reconnect when the descriptor is the same. */
  private lastMapper: { bytes: Uint8Array; mapper: HidMapper } | undefined;
  private pollTimer: unknown = null;
  private reconnectTimer: unknown = null;
  private reconnectDelay: number;
  private lastFull = 0;
  /** A SET VAR or INSTCMD changed the device: the next poll reads everything (NUT: data_has_changed). */
  private changed = false;
  /** Device I/O runs one operation at a time; this is the tail of the queue. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly vars = new Map<string, Published>();
  private readonly commands = new Set<string>();
  private lastError: Error | undefined;
  /** The last failure was logged; repeats go to debug until something works again. */
  private failureLogged = false;

  constructor(
    private readonly cfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: UsbHidDriverOptions,
  ) {
    this.name = `driver:${deps.ups}`;
    this.log = deps.log;
    this.clock = deps.clock ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.match = matchFromConfig(cfg);
    this.pollMs = (cfg.pollInterval ?? DEFAULT_POLL_INTERVAL) * 1000;
    this.fullMs = (cfg.pollfreq ?? DEFAULT_POLLFREQ) * 1000;
    this.pollOnly = cfg.pollonly === true;
    this.reconnectDelay = this.pollMs;
  }

  /** Link state, for `driver replay` and tests. */
  status(): { connected: boolean; device?: HidDeviceInfo; subdriver?: string; lastError?: Error } {
    const s = this.session;
    return { connected: s !== null, device: s?.info, subdriver: s?.mapper.subdriver.name, lastError: this.lastError };
  }

  /** Resolves when the device I/O queued so far (polls, writes, reconnects) is done; for tests and tools. */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.queue;
      await tail.catch(() => undefined);
    } while (tail !== this.queue);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    attachDriver(this.deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) });
    this.publishDriverInfo();
    // The first attempt is awaited so a device that is present has its data before the server answers.
    await this.exclusive(() => this.connect());
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearTimer('pollTimer');
    this.clearTimer('reconnectTimer');
    this.deps.bus.removeAll(this);
    // Let an operation in flight finish (it sees running=false and publishes nothing).
    await this.queue.catch(() => undefined);
    const s = this.session;
    this.session = null;
    if (s) await s.transport.close().catch(() => undefined);
    detachDriver(this.deps, this);
  }

  // ---------------------------------------------------------------- connecting

  private async connect(): Promise<void> {
    if (!this.running || this.session) return;
    let transport: HidTransport | undefined;
    try {
      transport = await this.opts.connector.connect(this.known);
      const t = transport;
      const info = await t.open({
        onInput: (data) => this.onInput(t, data),
        onDisconnect: (err) => this.background(() => this.lost(t, err)),
      });
      const session = await this.setUp(t, info);
      if (!this.running) {
        await t.close().catch(() => undefined);
        return;
      }
      this.session = session;
      this.known = info;
      await this.walk(session, 'init');
      if (this.session !== session) return;
      this.lastFull = this.clock();
      this.publishAll(session);
      if (this.failureLogged || this.reconnectDelay !== this.pollMs) this.log.info(`connected again to ${describeDevice(info)}`);
      else this.log.info(`connected to ${describeDevice(info)}, subdriver ${session.mapper.subdriver.name}`);
      this.failureLogged = false;
      this.lastError = undefined;
      this.reconnectDelay = this.pollMs;
      this.deps.publisher.dataOk();
      this.deps.publisher.setDriverState('connected');
      this.schedulePoll();
    } catch (err) {
      if (this.session && this.session.transport === transport) this.session = null;
      if (transport) await transport.close().catch(() => undefined);
      this.failed(err);
    }
  }

  /** Checks the device, reads and parses its descriptor, picks the subdriver. */
  private async setUp(transport: HidTransport, info: HidDeviceInfo): Promise<Session> {
    const wrong = mismatch(this.match, info) ?? (this.known ? sameDevice(this.known, info) : undefined);
    if (wrong !== undefined) {
      // Not ours: treated as absent, so the driver keeps looking for its own device.
      throw new HidTransportError(`${describeDevice(info)} is not this UPS: ${wrong}`, true);
    }
    const bytes = await transport.getReportDescriptor();
    let mapper: HidMapper;
    if (this.lastMapper && sameBytes(this.lastMapper.bytes, bytes)) {
      mapper = this.lastMapper.mapper;
      mapper.resetStatus();
    } else {
      const subdriver = this.opts.mapping.selectSubdriver(info);
      // The subdriver's vendor usage names go to the parser: a vendor usage on page 0x00ff
      // would otherwise read as a collection index (`[86]`) that no table row can name.
      const descriptor = parseReportDescriptor(bytes, { usageNames: usageNameMap(subdriver) });
      mapper = this.opts.mapping.createMapper(subdriver, descriptor, info, { onlineDischarge: this.cfg.onlinedischarge === true });
      this.lastMapper = { bytes, mapper };
    }
    const quirks = this.opts.mapping.quirks?.(info) ?? {};
    if (quirks.pollOnly && !this.pollOnly) this.log.info(`${describeDevice(info)}: interrupt reports ignored, as for every device of this model`);
    return {
      transport,
      info,
      descriptorBytes: bytes,
      descriptor: mapper.descriptor,
      mapper,
      values: new Map(),
      strings: new Map(),
      reports: new Map(),
      pollOnly: this.pollOnly || quirks.pollOnly === true,
      skipReportIds: new Set(quirks.skipReportIds ?? []),
    };
  }

  /** A connection attempt failed: stale data, and another attempt later, each one waiting longer. */
  private failed(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.lastError = e;
    const p = this.deps.publisher;
    p.dataStale();
    p.setDriverState('disconnected');
    if (!this.running) return;
    const retry = Math.round(this.reconnectDelay / 1000);
    const target = this.opts.connector.target;
    const why = describeError(e);
    const msg = `${why.startsWith(target) ? why : `${target}: ${why}`}; retrying in ${retry} s`;
    if (this.failureLogged) this.log.debug(msg);
    else this.log.warn(msg);
    this.failureLogged = true;
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.background(() => this.connect());
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, Math.max(MAX_RECONNECT_DELAY * 1000, this.pollMs));
  }

  /** The device went away (transport event or failed I/O): drop the session, reconnect later. */
  private async lost(transport: HidTransport, err: unknown): Promise<void> {
    const s = this.session;
    if (!s || s.transport !== transport) return;
    this.session = null;
    this.clearTimer('pollTimer');
    this.log.warn(`lost ${describeDevice(s.info)}: ${describeError(err)}`);
    this.failureLogged = true;
    await transport.close().catch(() => undefined);
    this.failed(err);
  }

  // ---------------------------------------------------------------- polling

  private schedulePoll(): void {
    this.clearTimer('pollTimer');
    if (!this.running || !this.session) return;
    this.pollTimer = this.timers.setTimeout(() => {
      this.pollTimer = null;
      this.background(() => this.poll());
    }, this.pollMs);
  }

  /** One main-loop pass: a full update every pollfreq (or after a change), else a quick one. */
  private async poll(): Promise<void> {
    const s = this.session;
    if (!s || !this.running) return;
    const now = this.clock();
    const full = this.changed || now - this.lastFull >= this.fullMs;
    try {
      await this.walk(s, full ? 'full' : 'quick');
    } catch (err) {
      await this.ioFailed(s, err);
      return;
    }
    if (this.session !== s) return;
    if (full) {
      this.lastFull = now;
      this.changed = false;
    }
    this.publishAll(s);
    this.deps.publisher.dataOk();
    this.schedulePoll();
  }

  /**
   * Reads the Feature reports that carry the mapper's paths for `mode`, once
   * each, into the session's values. A report the device refuses is skipped
   * (NUT goes on with the next item); when every report fails, or the device
   * is gone, it throws.
   */
  private async walk(s: Session, mode: PollMode): Promise<void> {
    const byReport = new Map<number, HidField[]>();
    for (const path of s.mapper.pollPaths(mode)) {
      const field = s.descriptor.find(path, 'feature');
      if (!field || s.skipReportIds.has(field.reportId)) continue;
      const list = byReport.get(field.reportId) ?? [];
      list.push(field);
      byReport.set(field.reportId, list);
    }
    let ok = 0;
    let lastFailure: unknown;
    for (const [id, fields] of byReport) {
      let data: Uint8Array;
      try {
        data = await s.transport.getFeatureReport(id, s.descriptor.reportLength('feature', id));
      } catch (err) {
        if (err instanceof HidTransportError && err.disconnected) throw err;
        lastFailure = err;
        this.log.debug(`feature report ${id}: ${errorMessage(err)}`);
        continue;
      }
      if (this.session !== s) return;
      ok++;
      s.reports.set(id, data);
      for (const field of fields) this.readInto(s, field, data);
    }
    if (byReport.size > 0 && ok === 0) {
      throw new HidTransportError(`no feature report could be read (${errorMessage(lastFailure)})`, false);
    }
    if (mode === 'init') await this.readStrings(s);
  }

  private readInto(s: Session, field: HidField, data: Uint8Array): void {
    try {
      s.values.set(field.path, readField(field, data));
    } catch (err) {
      // A report shorter than declared, or with the wrong ID: this field has no value this time.
      if (!(err instanceof HidReportError)) throw err;
      this.log.debug(errorMessage(err));
    }
  }

  /**
   * USB strings the table's string-index rows point at. hidraw cannot read
   * string descriptors, so the device's manufacturer/product/serial strings
   * stand in for the iManufacturer/iProduct/iSerialNumber indexes.
   */
  private async readStrings(s: Session): Promise<void> {
    const fallback: Array<[string, string | undefined]> = [
      ['.iManufacturer', s.info.manufacturer],
      ['.iProduct', s.info.product],
      ['.iSerialNumber', s.info.serialNumber],
    ];
    for (const path of s.mapper.stringPaths()) {
      const value = s.values.get(path);
      if (value === undefined || !Number.isFinite(value)) continue;
      const index = Math.trunc(value);
      if (index <= 0 || s.strings.has(index)) continue;
      let text: string | undefined;
      if (s.transport.getString) {
        try {
          text = await s.transport.getString(index);
        } catch (err) {
          if (err instanceof HidTransportError && err.disconnected) throw err;
          this.log.debug(`string ${index}: ${errorMessage(err)}`);
        }
      }
      text ??= fallback.find(([suffix]) => path.endsWith(suffix))?.[1];
      if (text !== undefined) s.strings.set(index, text);
    }
  }

  /**
   * A poll or write failed. A gone device is reconnected; so is one that is
   * there but answers nothing, since reopening it is what helps (NUT
   * reconnects too). Anything else is a bug of ours: logged, never fatal.
   */
  private async ioFailed(s: Session, err: unknown): Promise<void> {
    if (this.session !== s) return;
    if (err instanceof HidTransportError) {
      await this.lost(s.transport, err);
      return;
    }
    this.log.error(`poll failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.deps.publisher.dataStale();
    this.schedulePoll();
  }

  /** An Input report: decode the fields it carries and publish at once. */
  private onInput(transport: HidTransport, data: Uint8Array): void {
    try {
      this.applyInput(transport, data);
    } catch (err) {
      // Device input must never take the driver down; a failure here is a bug of ours.
      this.log.error(`input report: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private applyInput(transport: HidTransport, data: Uint8Array): void {
    const s = this.session;
    if (!s || s.transport !== transport || s.pollOnly || !this.running) return;
    const id = s.descriptor.usesReportIds ? (data[0] ?? 0) : 0;
    let got = 0;
    for (const field of s.descriptor.fields) {
      if (field.kind !== 'input' || field.reportId !== id) continue;
      try {
        s.values.set(field.path, readField(field, data));
        got++;
      } catch (err) {
        if (!(err instanceof HidReportError)) throw err;
      }
    }
    if (got === 0) {
      this.log.debug(`input report ${id}: nothing this device declares`);
      return;
    }
    this.publishAll(s);
    this.deps.publisher.dataOk();
  }

  // ---------------------------------------------------------------- publishing

  private publishDriverInfo(): void {
    const c = this.cfg;
    const info: Array<[string, string | undefined]> = [
      ['driver.name', DRIVER_NAME],
      ['driver.version', this.opts.version ?? pkg.version],
      ['driver.parameter.port', c.port],
      ['driver.parameter.pollfreq', String(c.pollfreq ?? DEFAULT_POLLFREQ)],
      ['driver.parameter.pollinterval', String(c.pollInterval ?? DEFAULT_POLL_INTERVAL)],
      ['driver.parameter.synchronous', 'auto'],
      ['driver.parameter.vendorid', c.vendorid],
      ['driver.parameter.productid', c.productid],
      ['driver.parameter.vendor', c.vendor],
      ['driver.parameter.product', c.product],
      ['driver.parameter.serial', c.serial],
      ['driver.flag.pollonly', c.pollonly ? 'enabled' : undefined],
      ['driver.flag.onlinedischarge', c.onlinedischarge ? 'enabled' : undefined],
    ];
    for (const [name, value] of info) if (value !== undefined) this.put({ name, value, rw: false });
  }

  /** Brings the store to what the mapper computes now; unchanged values are not touched. */
  private publishAll(s: Session): void {
    if (!this.running) return;
    const result = s.mapper.compute(s.values, s.strings);
    const seen = new Set<string>();
    this.put({ name: 'driver.version.data', value: s.mapper.subdriver.name, rw: false });
    seen.add('driver.version.data');
    for (const v of result.vars) {
      this.put(v);
      seen.add(v.name.toLowerCase());
    }
    for (const key of [...this.vars.keys()]) {
      // Device variables the device no longer gives go away; the driver's own stay.
      if (!seen.has(key) && !key.startsWith('driver.')) {
        this.vars.delete(key);
        this.deps.publisher.deleteVar(key);
      }
    }
    const wanted = new Set(result.commands);
    for (const c of [...this.commands]) {
      if (!wanted.has(c)) {
        this.commands.delete(c);
        this.deps.publisher.deleteCommand(c);
      }
    }
    for (const c of result.commands) {
      if (this.commands.has(c)) continue;
      this.commands.add(c);
      this.deps.publisher.addCommand(c);
    }
  }

  private put(v: MappedVar): void {
    const p = this.deps.publisher;
    const key = v.name.toLowerCase();
    const type = typeKey(v);
    const had = this.vars.get(key);
    if (!had || had.value !== v.value) p.setVar(v.name, v.value);
    if (!had || had.type !== type) {
      p.setFlags(v.name, { rw: v.rw, string: v.stringLength !== undefined }, v.stringLength ?? 0);
      p.setEnums(v.name, v.enums ?? []);
      p.setRanges(v.name, v.range ? [v.range] : []);
    }
    this.vars.set(key, { value: v.value, type });
  }

  // ---------------------------------------------------------------- requests

  private async setVar(req: SetVarRequest): Promise<void> {
    await this.exclusive(async () => {
      const s = this.connected();
      const writes = s.mapper.setVar(req.name, req.value);
      this.log.info(`SET ${req.name} = ${JSON.stringify(req.value)}`);
      await this.write(s, writes, 'SET-FAILED', `SET ${req.name}`);
    });
  }

  private async instCmd(req: InstCmdRequest): Promise<void> {
    await this.exclusive(async () => {
      const s = this.connected();
      const writes = s.mapper.instCmd(req.name, req.param);
      this.log.info(`instant command ${req.name}${req.param !== undefined ? ` ${req.param}` : ''}`);
      await this.write(s, writes, 'INSTCMD-FAILED', req.name);
    });
  }

  private connected(): Session {
    const s = this.session;
    if (!s) throw new RequestError('DRIVER-NOT-CONNECTED', `${this.deps.ups}: the UPS is not connected`);
    return s;
  }

  /**
   * Sends the writes in order, one Feature report each. Each report starts
   * from what the device holds now, so fields sharing the report keep their
   * values. Then everything is read again, so clients see the effect.
   */
  private async write(s: Session, writes: HidWrite[], failure: 'SET-FAILED' | 'INSTCMD-FAILED', what: string): Promise<void> {
    if (writes.length === 0) {
      // A server-side variable: only the published value changes.
      this.publishAll(s);
      return;
    }
    for (const w of writes) {
      const field = s.descriptor.find(w.path, 'feature');
      if (!field) throw new RequestError(failure, `${what}: ${w.path} is not a feature of this device`);
      let data: Uint8Array;
      try {
        const current = await this.currentReport(s, field.reportId);
        data = buildReport(s.descriptor, 'feature', field.reportId, [{ field, value: w.value }], current);
        await s.transport.sendFeatureReport(data);
      } catch (err) {
        if (err instanceof HidTransportError && err.disconnected) await this.lost(s.transport, err);
        if (err instanceof RequestError) throw err;
        throw new RequestError(failure, `${what}: ${errorMessage(err)}`);
      }
      // The device now holds what was written (a read below refreshes it if it chose otherwise).
      s.reports.set(field.reportId, s.descriptor.usesReportIds ? data : data.subarray(1));
    }
    this.changed = true;
    try {
      await this.walk(s, 'full');
    } catch (err) {
      await this.ioFailed(s, err);
      return;
    }
    if (this.session !== s) return;
    this.lastFull = this.clock();
    this.changed = false;
    this.publishAll(s);
    this.deps.publisher.dataOk();
  }

  /** The report as the device has it now; the last read copy if it refuses the read. */
  private async currentReport(s: Session, reportId: number): Promise<Uint8Array | undefined> {
    try {
      const data = await s.transport.getFeatureReport(reportId, s.descriptor.reportLength('feature', reportId));
      s.reports.set(reportId, data);
      return data;
    } catch (err) {
      if (err instanceof HidTransportError && err.disconnected) throw err;
      return s.reports.get(reportId);
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Work started by a timer or a device event. Nobody awaits it, so a failure
   * (a bug of ours: device errors are handled inside) is logged here, the data
   * marked stale and polling kept going, instead of an unhandled rejection
   * taking the agent down.
   */
  private background(fn: () => Promise<void>): void {
    this.exclusive(fn).catch((err: unknown) => {
      this.log.error(`usbhid driver: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!this.running) return;
      this.deps.publisher.dataStale();
      if (this.session && this.pollTimer === null) this.schedulePoll();
    });
  }

  /** Runs device I/O one operation at a time (a poll never interleaves with a SET). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private clearTimer(which: 'pollTimer' | 'reconnectTimer'): void {
    const h = this[which];
    if (h !== null) this.timers.clearTimeout(h);
    this[which] = null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function describeError(err: unknown): string {
  if (err instanceof UpsAgentError) return err.message;
  return errorMessage(err);
}
