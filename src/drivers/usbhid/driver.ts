/**
 * The usbhid driver module: NUT's usbhid-ups on our layers.
 *
 *   connector -> transport (hidraw | replay)  -> HID layer (descriptor, codec)
 *             -> mapping (subdriver table)    -> this module -> UPS store, bus
 *
 * The shared driver runtime (../runtime) runs it: it opens the device and
 * reads every Feature report the subdriver's table needs, then polls — every
 * `pollInterval` seconds the status-critical (quick-poll) entries, every
 * `pollfreq` seconds everything — one operation at a time, each with a
 * deadline; a device that vanishes or hangs is marked stale and reconnected
 * (by vendor/product/serial) with backoff. Input reports update values at once.
 *
 * A value is only published while the device gives it: a report that can no
 * longer be read (an error, the wrong report ID, too short for a field)
 * takes its fields' values away, and when those carry the UPS status the
 * poll counts as missed, so clients see DATA-STALE rather than an old "OL".
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, UpsAgentError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { DeviceReplyError, DriverRuntime, runtimeSettings, type DeviceContext, type PollKind, type Timers } from '../runtime/index';
import { RuntimeLifecycle, type DriverDeps } from '../types';
import type { UsbHidConfig } from './config';
import { buildReport } from './hid/codec';
import { ReportBuffer, type FieldReading } from './hid/report-buffer';
import { parseReportDescriptor } from './hid/descriptor';
import { usageNameMap } from './mapping/engine';
import type { HidMapper, HidMapperOptions, HidWrite, MappedVar, PollMode } from './mapping/engine';
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
/** usbhid-ups (NUT 2.8.3 on) polls CyberPower units more often by default. */
export const DEFAULT_POLLFREQ_CPS = 12;

/** What clients read in driver.name: NUT's programs and scripts key on it. */
export const DRIVER_NAME = 'usbhid-ups';

export type { Timers };

/** The mapping layer, injected so the driver does not fix which tables exist. */
export interface MappingLayer {
  selectSubdriver(info: HidDeviceInfo): Subdriver;
  /** The subdriver a `subdriver:` option names (exact name, or a regular expression at the start of one). */
  findSubdriver?(name: string): Subdriver | undefined;
  createMapper(subdriver: Subdriver, descriptor: HidReportDescriptor, info: HidDeviceInfo, opts: HidMapperOptions): HidMapper;
  /** Known device bugs the driver works around. */
  quirks?(info: HidDeviceInfo): { pollOnly?: boolean; interruptOnly?: boolean; interruptSize?: number; maxReportSize?: boolean; skipReportIds?: readonly number[] };
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
  descriptor: HidReportDescriptor;
  mapper: HidMapper;
  /** Latest value of every path read, physical units; a path whose read failed has none. */
  values: Map<string, number>;
  /** USB strings by index, for the table's string-index rows. */
  strings: Map<number, string>;
  /**
   * NUT's per-report buffer: replies of any length decode as usbhid-ups
   * decodes them, and each reading says whether the device sent all of its
   * bits in this reply. Only such readings are published.
   */
  buffer: ReportBuffer;
  /** Reports a vendor reads as raw bytes (PowerCOM's battery voltage text in 0xa4), by ID; absent when the last read failed. */
  raw: Map<number, Uint8Array>;
  /** Interrupt reports are ignored (config `pollonly`, or a device known to misuse them). */
  pollOnly: boolean;
  /** Feature reports are never read; Input reports carry everything (config `interruptonly`, PowerCOM 0d9f:0001). */
  interruptOnly: boolean;
  /** Bytes of an interrupt report used (usbhid-ups interruptsize); undefined: all. */
  interruptSize: number | undefined;
  /** Reports a firmware bug answers wrongly: never read. */
  skipReportIds: ReadonlySet<number>;
  /** Paths that feed ups.status: when one that was read before cannot be read now, the data is not fresh. */
  statusPaths: ReadonlySet<string>;
  /**
   * Paths the device has sent a whole value for on this connection. A field
   * it never sends (a Back-UPS answering its status report with 2 of 5
   * bytes) is one it does not support; one it stops sending is lost.
   */
  seen: Set<string>;
  /** When the last Input report arrived (interrupt-only devices are stale without them). */
  lastInput: number;
  /** Aborted when the runtime gives the session up. */
  signal: AbortSignal;
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
  private readonly cfg: UsbHidConfig;
  private readonly match: DeviceMatch;
  private readonly pollMs: number;
  private fullMs: number;
  private readonly runtime: DriverRuntime<Session>;

  /** The device the driver had: reconnects accept only this one (NUT's exact matcher). */
  private known: HidDeviceInfo | undefined;
  /** Mapper of the last session, reused after a reconnect when the descriptor is the same. */
  private lastMapper: { bytes: Uint8Array; mapper: HidMapper } | undefined;
  private readonly vars = new Map<string, Published>();
  private readonly commands = new Set<string>();
  private readonly life: RuntimeLifecycle;

  constructor(
    cfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: UsbHidDriverOptions,
  ) {
    this.cfg = cfg as UsbHidConfig;
    this.name = `driver:${deps.ups}`;
    this.log = deps.log;
    this.clock = deps.clock ?? Date.now;
    this.match = matchFromConfig(this.cfg);
    this.pollMs = (this.cfg.pollInterval ?? DEFAULT_POLL_INTERVAL) * 1000;
    this.fullMs = (this.cfg.pollfreq ?? DEFAULT_POLLFREQ) * 1000;
    this.runtime = new DriverRuntime<Session>(
      {
        target: opts.connector.target,
        open: (ctx, reconnect) => this.open(ctx, reconnect),
        poll: (s, kind, ctx) => this.poll(s, kind, ctx),
        close: (s) => s.transport.close(),
        describe: (s) => describeDevice(s.info),
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: this.pollMs,
        fullIntervalMs: this.fullMs,
        ...runtimeSettings(this.cfg),
        ...(opts.timers ? { timers: opts.timers } : {}),
        clock: this.clock,
      },
    );
    this.life = new RuntimeLifecycle(deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) }, () => this.publishDriverInfo(), this.runtime);
  }

  /** Link state, for `driver replay` and tests. */
  status(): { connected: boolean; device?: HidDeviceInfo; subdriver?: string; lastError?: Error } {
    const s = this.runtime.current();
    const r = this.runtime.status();
    return { connected: s !== null, device: s?.info, subdriver: s?.mapper.subdriver.name, ...(r.lastError ? { lastError: r.lastError } : {}) };
  }

  /** Resolves when the device I/O queued so far (polls, writes, reconnects) is done; for tests and tools. */
  idle(): Promise<void> {
    return this.runtime.idle();
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(): Promise<void> {
    return this.life.stop();
  }

  // ---------------------------------------------------------------- connecting

  private async open(ctx: DeviceContext, reconnect: boolean): Promise<Session> {
    const transport = await this.opts.connector.connect(this.known);
    // Given up (deadline, stop) while the device is still being opened or read: close it, so a
    // call that hangs in the kernel is released and the next attempt starts from a closed device.
    const onAbort = (): void => void transport.close().catch(() => undefined);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const info = await transport.open({
        onInput: (data) => this.onInput(transport, data),
        onDisconnect: (err) => {
          const s = this.runtime.current();
          if (s && s.transport === transport) this.runtime.deviceLost(s, err);
        },
      });
      const session = await this.setUp(transport, info, ctx.signal);
      abortIfCancelled(ctx);
      ctx.reading();
      await this.walk(session, 'init');
      abortIfCancelled(ctx);
      this.known = info;
      if (this.cfg.pollfreq === undefined && isCyberPower(session.mapper.subdriver)) {
        this.fullMs = DEFAULT_POLLFREQ_CPS * 1000;
        this.runtime.setFullIntervalMs(this.fullMs);
        this.put({ name: 'driver.parameter.pollfreq', value: String(DEFAULT_POLLFREQ_CPS), rw: false });
      }
      this.publishAll(session);
      if (reconnect) this.log.info(`connected again to ${describeDevice(info)}`);
      else this.log.info(`connected to ${describeDevice(info)}, subdriver ${session.mapper.subdriver.name}`);
      return session;
    } catch (err) {
      await transport.close().catch(() => undefined);
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Checks the device, reads and parses its descriptor, picks the subdriver. */
  private async setUp(transport: HidTransport, info: HidDeviceInfo, signal: AbortSignal): Promise<Session> {
    const wrong = mismatch(this.match, info) ?? (this.known ? sameDevice(this.known, info) : undefined);
    if (wrong !== undefined) {
      // Not ours: treated as absent, so the driver keeps looking for its own device.
      throw new HidTransportError(`${describeDevice(info)} is not this UPS: ${wrong}`, true);
    }
    const bytes = await transport.getReportDescriptor();
    const quirks = this.opts.mapping.quirks?.(info) ?? {};
    const pollOnly = this.cfg.pollonly === true || quirks.pollOnly === true;
    const interruptOnly = this.cfg.interruptonly === true || (quirks.interruptOnly === true && this.cfg.pollonly !== true);
    let mapper: HidMapper;
    if (this.lastMapper && sameBytes(this.lastMapper.bytes, bytes)) {
      mapper = this.lastMapper.mapper;
      mapper.resetStatus();
    } else {
      const subdriver = this.chooseSubdriver(info);
      // The subdriver's vendor usage names go to the parser: a vendor usage on page 0x00ff
      // would otherwise read as a collection index (`[86]`) that no table row can name.
      const descriptor = parseReportDescriptor(bytes, { usageNames: usageNameMap(subdriver) });
      mapper = this.opts.mapping.createMapper(subdriver, descriptor, info, this.mapperOptions(interruptOnly));
      for (const w of mapper.optionWarnings()) this.log.warn(w);
      this.lastMapper = { bytes, mapper };
    }
    if (quirks.pollOnly && this.cfg.pollonly !== true) this.log.info(`${describeDevice(info)}: interrupt reports ignored, as for every device of this model`);
    if (quirks.interruptOnly && this.cfg.interruptonly !== true && interruptOnly) {
      this.log.info(`${describeDevice(info)}: read by interrupt reports only, as for every device of this model`);
    }
    return {
      transport,
      info,
      descriptor: mapper.descriptor,
      mapper,
      values: new Map(),
      strings: new Map(),
      buffer: new ReportBuffer(mapper.descriptor, { maxReportSize: this.cfg.maxreport === true || quirks.maxReportSize === true }),
      raw: new Map(),
      pollOnly,
      interruptOnly,
      interruptSize: this.cfg.interruptsize ?? quirks.interruptSize,
      skipReportIds: new Set(quirks.skipReportIds ?? []),
      statusPaths: new Set(mapper.subdriver.table.filter((r) => r.kind === 'status').map((r) => r.path)),
      seen: new Set(),
      lastInput: this.clock(),
      signal,
    };
  }

  private chooseSubdriver(info: HidDeviceInfo): Subdriver {
    const wanted = this.cfg.subdriver;
    if (wanted === undefined) return this.opts.mapping.selectSubdriver(info);
    const found = this.opts.mapping.findSubdriver?.(wanted);
    // NUT stops when the named subdriver does not exist; so do we (for this attempt), loudly.
    if (!found) throw new UpsAgentError('USBHID-SUBDRIVER', `no usbhid subdriver is named ${JSON.stringify(wanted)}`);
    return found;
  }

  /** The usbhid-ups options the mapping layer applies (delays, low battery, status quirks). */
  private mapperOptions(interruptOnly: boolean): HidMapperOptions {
    const c = this.cfg;
    return {
      onlineDischarge: c.onlinedischarge === true,
      clock: this.clock,
      ...(interruptOnly ? { interruptOnly: true } : {}),
      ...(c.ondelay !== undefined ? { onDelay: c.ondelay } : {}),
      ...(c.offdelay !== undefined ? { offDelay: c.offdelay } : {}),
      ...(c.lowbatt !== undefined ? { lowBatt: c.lowbatt } : {}),
      ...(c.lbrb_log_delay_sec !== undefined ? { lbrbLogDelaySec: c.lbrb_log_delay_sec } : {}),
      ...(c.lbrb_log_delay_without_calibrating !== undefined ? { lbrbLogDelayWithoutCalibrating: c.lbrb_log_delay_without_calibrating } : {}),
    };
  }

  // ---------------------------------------------------------------- polling

  /** One main-loop pass of the runtime: a full update every pollfreq (or after a change), else a quick one. */
  private async poll(s: Session, kind: PollKind, ctx: DeviceContext): Promise<void> {
    if (s.interruptOnly) {
      // Nothing is read: Input reports bring the data. Without them for a whole full-update period it is not fresh.
      if (this.clock() - s.lastInput > Math.max(this.fullMs, 3 * this.pollMs)) {
        throw new DeviceReplyError(`no interrupt report for ${Math.round((this.clock() - s.lastInput) / 1000)} s`);
      }
      return;
    }
    await this.walk(s, kind);
    abortIfCancelled(ctx);
    this.publishAll(s);
  }

  /**
   * Reads the Feature reports that carry the mapper's paths for `mode`, once
   * each, into the session's values. A report that cannot be read takes its
   * fields' values away (nothing stale is published as fresh); when every
   * report fails, or the status cannot be read, the poll fails (a miss), and
   * a device that is gone throws its transport error (the runtime reconnects).
   */
  private async walk(s: Session, mode: PollMode): Promise<void> {
    if (s.interruptOnly) {
      if (mode === 'init') await this.readStrings(s);
      return;
    }
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
    const lostStatus: string[] = [];
    for (const [id, fields] of byReport) {
      if (s.signal.aborted) return;
      let data: Uint8Array;
      try {
        data = await s.transport.getFeatureReport(id, s.buffer.requestLength(id));
      } catch (err) {
        if (err instanceof HidTransportError && err.disconnected) throw err;
        s.buffer.invalidate(id);
        lastFailure = err;
        this.log.debug(`feature report ${id}: ${errorMessage(err)}`);
        this.forget(s, fields, lostStatus);
        continue;
      }
      if (s.signal.aborted) return;
      // NUT's rules for the reply's length; and ours: another report's bytes are a failed read, not this report.
      const outcome = s.buffer.storeFeature(id, data);
      if (outcome.message) this.log.debug(outcome.message);
      if (!outcome.accepted) {
        lastFailure = outcome.error;
        this.forget(s, fields, lostStatus);
        continue;
      }
      ok++;
      for (const field of fields) if (!this.take(s, field, s.buffer.read(field))) this.lostIfStatus(s, field.path, lostStatus);
    }
    if (byReport.size > 0 && ok === 0) {
      throw new DeviceReplyError(`no feature report could be read (${errorMessage(lastFailure)})`, true);
    }
    if (mode !== 'quick') await this.readRaw(s, mode);
    if (lostStatus.length > 0) {
      // Publish what was read (minus what was not), then count the poll as missed: the status is unknown.
      this.publishAll(s);
      throw new DeviceReplyError(`the UPS status could not be read (${lostStatus.join(', ')})`);
    }
    if (mode === 'init') await this.readStrings(s);
  }

  /**
   * Reports a vendor table decodes from raw bytes. At start a few tries
   * (NUT retries PowerCOM's 0xa4 up to 5 times); a report that cannot be
   * read leaves nothing behind, so its value is not shown as fresh.
   */
  private async readRaw(s: Session, mode: PollMode): Promise<void> {
    for (const req of s.mapper.rawReports()) {
      const tries = mode === 'init' ? 5 : 1;
      let got: Uint8Array | undefined;
      for (let i = 0; i < tries && got === undefined && !s.signal.aborted; i++) {
        try {
          const data = await s.transport.getFeatureReport(req.reportId, req.length);
          if (!s.descriptor.usesReportIds || data[0] === req.reportId) got = data;
        } catch (err) {
          if (err instanceof HidTransportError && err.disconnected) throw err;
          this.log.debug(`raw report ${req.reportId}: ${errorMessage(err)}`);
        }
      }
      if (got) s.raw.set(req.reportId, got);
      else s.raw.delete(req.reportId);
    }
  }

  /** A report could not be read: its fields have no value until it can. */
  private forget(s: Session, fields: readonly HidField[], lostStatus: string[]): void {
    for (const f of fields) {
      s.values.delete(f.path);
      this.lostIfStatus(s, f.path, lostStatus);
    }
  }

  /** A status field the device did send before and not now: the status is unknown. One never sent is unsupported. */
  private lostIfStatus(s: Session, path: string, lostStatus: string[]): void {
    if (s.statusPaths.has(path) && s.seen.has(path)) lostStatus.push(path);
  }

  /**
   * Takes a field's reading as its value when the device sent every bit of
   * it in this reply. NUT also publishes what a short reply left to its
   * buffer's zero fill or to an earlier reply (real dumps show a 16-bit
   * delay read as 255 and a 32-bit index as 5 that way); such a value was
   * not sent now, so it has no value this time. False when it has none.
   */
  private take(s: Session, field: HidField, reading: FieldReading | undefined): boolean {
    if (reading?.fresh) {
      s.values.set(field.path, reading.value);
      s.seen.add(field.path);
      return true;
    }
    s.values.delete(field.path);
    if (reading) this.log.debug(`${field.path}: not in the ${reading.source === 'partial' ? 'whole ' : ''}reply (NUT would show ${reading.value}); no value this time`);
    return false;
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

  /** An Input report: decode the fields it carries and publish at once. */
  private onInput(transport: HidTransport, data: Uint8Array): void {
    try {
      this.applyInput(transport, data);
    } catch (err) {
      // Device input must never take the driver down; a failure here is a bug of ours.
      this.log.error(`input report: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  private applyInput(transport: HidTransport, raw: Uint8Array): void {
    const s = this.runtime.current();
    if (!s || s.transport !== transport || s.pollOnly || !this.life.running) return;
    const data = s.interruptSize !== undefined ? raw.subarray(0, s.interruptSize) : raw;
    const outcome = s.buffer.storeInput(data);
    if (outcome.message) this.log.debug(outcome.message);
    if (!outcome.accepted) return;
    let got = 0;
    for (const [path, reading] of s.buffer.readReport('input', outcome.reportId) ?? []) {
      // A short interrupt report leaves the rest of its fields as they were: only what it carried changes.
      if (!reading.fresh) continue;
      s.values.set(path, reading.value);
      s.seen.add(path);
      got++;
    }
    if (got === 0) {
      this.log.debug(`input report ${outcome.reportId}: nothing this device declares`);
      return;
    }
    s.lastInput = this.clock();
    this.publishAll(s);
    this.runtime.fresh(s);
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
    if (!this.life.running || s.signal.aborted) return;
    const result = s.mapper.compute(s.values, s.strings, s.raw);
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
    await this.runtime.request(`SET ${req.name}`, async (s, ctx) => {
      const writes = s.mapper.setVar(req.name, req.value);
      this.log.info(`SET ${req.name} = ${JSON.stringify(req.value)}`);
      await this.write(s, ctx, writes, 'SET-FAILED', `SET ${req.name}`);
    }).catch((err: unknown) => rethrowAs(err, 'SET-FAILED', `SET ${req.name}`));
  }

  private async instCmd(req: InstCmdRequest): Promise<void> {
    await this.runtime.request(req.name, async (s, ctx) => {
      const writes = s.mapper.instCmd(req.name, req.param);
      this.log.info(`instant command ${req.name}${req.param !== undefined ? ` ${req.param}` : ''}`);
      await this.write(s, ctx, writes, 'INSTCMD-FAILED', req.name);
    }).catch((err: unknown) => rethrowAs(err, 'INSTCMD-FAILED', req.name));
  }

  /**
   * Sends the writes in order, one Feature report each. Each report starts
   * from what the device holds now, so fields sharing the report keep their
   * values. Then everything is read again, so clients see the effect.
   */
  private async write(s: Session, ctx: DeviceContext, writes: HidWrite[], failure: 'SET-FAILED' | 'INSTCMD-FAILED', what: string): Promise<void> {
    if (writes.length === 0) {
      // A server-side variable: only the published value changes.
      this.publishAll(s);
      return;
    }
    for (const w of writes) {
      const field = s.descriptor.find(w.path, 'feature');
      if (!field) throw new RequestError(failure, `${what}: ${w.path} is not a feature of this device`);
      const current = await this.currentReport(s, field.reportId);
      abortIfCancelled(ctx);
      const data = buildReport(s.descriptor, 'feature', field.reportId, [{ field, value: w.value }], current);
      await s.transport.sendFeatureReport(data);
    }
    try {
      // Reading everything back is the full update NUT does after a change (data_has_changed).
      await this.walk(s, 'full');
    } catch (err) {
      // The write went out; a failed read-back is the next poll's business, and that one reads everything.
      if (err instanceof HidTransportError && err.disconnected) throw err;
      this.runtime.requestFullPoll();
      this.log.debug(`${what}: reading back: ${errorMessage(err)}`);
    }
    abortIfCancelled(ctx);
    this.publishAll(s);
  }

  /** The report as the device has it now; NUT's buffer (the last reply) if it refuses the read. */
  private async currentReport(s: Session, reportId: number): Promise<Uint8Array | undefined> {
    try {
      const data = await s.transport.getFeatureReport(reportId, s.buffer.requestLength(reportId));
      if (s.buffer.storeFeature(reportId, data).accepted) return s.buffer.bytes(reportId);
    } catch (err) {
      if (err instanceof HidTransportError && err.disconnected) throw err;
    }
    return s.buffer.bytes(reportId);
  }
}

/** The operation was given up (deadline, stop): stop before touching the store or the device again. */
function abortIfCancelled(ctx: DeviceContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled');
}

/** A request's failure as the NUT server answers it: RequestErrors as they are, anything else as `failure`. */
function rethrowAs(err: unknown, failure: 'SET-FAILED' | 'INSTCMD-FAILED', what: string): never {
  if (err instanceof RequestError) throw err;
  throw new RequestError(failure, `${what}: ${describeError(err)}`);
}

function isCyberPower(s: Subdriver): boolean {
  return s.name.startsWith('CyberPower');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function describeError(err: unknown): string {
  if (err instanceof UpsAgentError) return err.message;
  return errorMessage(err);
}
