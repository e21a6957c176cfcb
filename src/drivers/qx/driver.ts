/**
 * The qx driver module: NUT's nutdrv_qx on the shared runtime, for the
 * Megatec/Q1 family. The protocol (./protocols/*) says what to send and
 * what replies mean; this core does what nutdrv_qx's main part does:
 *
 *   open:  open the transport, find the protocol (the configured one, or
 *          each in NUT's order, 3 claims each), read everything once
 *          (status, poll and static queries), set up the writable delays,
 *          the commands and the battery estimate, publish
 *   poll:  quick: the status queries only; full (every pollfreq, and after
 *          a command or SET): the poll queries too, then the battery guess
 *   INSTCMD: the protocol's bytes; `ACK` or no reply = done, anything
 *          else (the command echoed, `(NAK`) = INSTCMD-FAILED
 *   SET:   range-checked and rounded as NUT does; server-side delays stay
 *          in the driver, device settings are written
 *
 * What a reply costs: a status reply that is echoed, garbled, truncated
 * or silent fails the poll (the runtime marks it missed or reconnects);
 * another query's failure withdraws only its own variables. Nothing from
 * a bad reply is ever published.
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, UpsAgentError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { DeviceGoneError, DeviceReplyError, DeviceTimeoutError, DriverRuntime, runtimeSettings, type DeviceContext, type PollKind, type Timers } from '../runtime/index';
import { RuntimeLifecycle, type DriverDeps } from '../types';
import { BatteryEstimator, parseRuntimeCal } from './battery';
import type { QxConfig } from './config';
import { QxValueError } from './fields';
import type { QxContext, QxInstantCommand, QxOptions, QxProbe, QxProtocol, QxQuery, QxQueryKind, QxSetting, QxStatusFlag, QxStatusUpdate } from './protocol';
import { QX_PROTOCOLS } from './protocols/index';
import { applyIgnoreLb, IGNORELB_UNUSABLE } from '../ignorelb';
import { printable, type OpenQxTransport, type QxTransport } from './transport';

/** What clients read in driver.name. */
export const DRIVER_NAME = 'nutdrv_qx';
/** nutdrv_qx.c DRIVER_VERSION in NUT 2.8.0, published as driver.version.internal. */
export const QX_VERSION = '0.32';
/** NUT's main-loop interval and nutdrv_qx's full-update period, in seconds. */
export const DEFAULT_POLL_INTERVAL = 2;
export const DEFAULT_POLLFREQ = 30;
/** NUT tries each protocol's claim this many times (MAXTRIES). */
export const CLAIM_TRIES = 3;
/** NUT's serial wait for one reply (SER_WAIT_SEC). */
export const DEFAULT_REPLY_TIMEOUT_MS = 1000;

/** NUT's order of flags in ups.status after OL/OB (ups_status_set). */
const STATUS_ORDER: readonly QxStatusFlag[] = ['DISCHRG', 'CHRG', 'LB', 'OVER', 'RB', 'TRIM', 'BOOST', 'BYPASS', 'OFF', 'CAL', 'FSD'];

/** The device echoed the command back: it does not know it (Megatec's way of saying no). */
export class QxEchoError extends DeviceReplyError {
  constructor(readonly command: string) {
    super(`the device echoed ${printable(command)} back (command not supported)`);
  }
}

/** The device answered with the protocol's refusal (`(NAK`). */
export class QxRejectedError extends DeviceReplyError {
  constructor(
    readonly command: string,
    reply: string,
  ) {
    super(`the device refused ${printable(command)}: ${printable(reply)}`);
  }
}

/** No protocol claimed the device, or the configured one did not. */
export class QxNoProtocolError extends DeviceReplyError {
  constructor(message: string) {
    super(message, true);
  }
}

export interface QxDriverOptions {
  /** Opens the link to the device (serial port or USB bridge); see ./index.ts. */
  openTransport: OpenQxTransport;
  /** Protocols to choose from, in autodetection order (default: all, NUT's order). */
  protocols?: readonly QxProtocol[];
  timers?: Timers;
  /** Published as driver.version; default this agent's version. */
  version?: string;
}

interface Session {
  transport: QxTransport;
  protocol: QxProtocol;
  /** Static queries that failed at open: not sent again on this connection (NUT QX_FLAG_SKIP). */
  skipped: Set<QxQuery>;
  /** The status flags as they stand (NUT's ups_status). */
  status: QxStatusUpdate;
  battery: BatteryEstimator | null;
  /** Published beside the device's values: default.* options it did not override, the estimator's guesses. */
  extras: Record<string, string>;
  commands: Map<string, QxInstantCommand>;
  settings: Map<string, QxSetting>;
  /** QxContext.replies: the last reply that parsed, by command. */
  replies: Map<string, string>;
  /**
   * Alarms by the query that raised them. A quick poll only asks the status
   * queries, so the alarms of full-poll queries (voltronic's QWS, QMOD, QFS)
   * stand until the next full poll reads them again, as in NUT, instead of
   * vanishing at every quick poll.
   */
  alarms: Map<QxQuery, string[]>;
}

/** A pass's outcome before publishing. */
interface PassResult {
  vars: Map<QxQuery, Record<string, string>>;
  failed: Set<QxQuery>;
  status: QxStatusUpdate;
  alarms: Map<QxQuery, string[]>;
}

export class QxDriver implements Module {
  readonly name: string;
  private readonly cfg: QxConfig;
  private readonly log: Logger;
  private readonly options: QxOptions;
  private readonly protocols: readonly QxProtocol[];
  private readonly runtime: DriverRuntime<Session>;
  private readonly pollSeconds: number;
  private readonly pollfreq: number;
  private readonly clock: () => number;
  /** Every variable as published, so a value the device stops giving is withdrawn. */
  private readonly published = new Map<string, string>();
  /** ignorelb could not be applied at the last status: logged once until it can be. */
  private ignoreLbWarned = false;
  /** Which variables each query (or the battery estimate) gave last. */
  private readonly sources = new Map<QxQuery | 'battery' | 'settings', Set<string>>();
  private readonly commandsPublished = new Set<string>();
  private readonly rangesPublished = new Map<string, string>();
  /** The protocol found at the first open: a reconnect must find the same one (the same device). */
  private protocolSeen: QxProtocol | null = null;
  private readonly life: RuntimeLifecycle;

  constructor(
    cfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: QxDriverOptions,
  ) {
    this.cfg = cfg as QxConfig;
    this.name = `driver:${deps.ups}`;
    this.log = deps.log;
    this.clock = deps.clock ?? Date.now;
    this.options = {
      norating: this.cfg.norating === true,
      novendor: this.cfg.novendor === true,
      ignoresab: this.cfg.ignoresab === true,
      batteryVoltageReportsOnePack: this.cfg.battery_voltage_reports_one_pack === true,
      raw: this.cfg,
    };
    const all = opts.protocols ?? QX_PROTOCOLS;
    if (this.cfg.protocol !== undefined) {
      const want = this.cfg.protocol.toLowerCase();
      this.protocols = all.filter((p) => p.name === want);
      if (this.protocols.length === 0) throw new UpsAgentError('QX-PROTOCOL', `${deps.ups}: no qx protocol named ${JSON.stringify(this.cfg.protocol)}`);
    } else {
      this.protocols = all;
    }
    this.pollSeconds = this.cfg.pollInterval ?? DEFAULT_POLL_INTERVAL;
    this.pollfreq = this.cfg.pollfreq ?? DEFAULT_POLLFREQ;
    const settings = runtimeSettings(this.cfg);
    const replyMs = Math.max(...this.protocols.map((p) => p.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS));
    // A pass may wait out a reply per query (some units ignore what they lack): a full poll gets that long
    // unless `timeout` says otherwise; opening may also wait per claim try of every protocol.
    const queries = Math.max(...this.protocols.map((p) => p.queries.length));
    const passBudget = (queries + 2) * replyMs;
    const openBudget = (this.protocols.length * CLAIM_TRIES * 2 + queries + 5) * replyMs;
    if (settings.timeoutMs === undefined) settings.timeoutMs = Math.max(5000, passBudget);
    this.runtime = new DriverRuntime<Session>(
      {
        target: this.cfg.port,
        open: (ctx, reconnect) => this.open(ctx, reconnect),
        poll: (s, kind, ctx) => this.poll(s, kind, ctx),
        close: (s) => s.transport.close(),
        describe: (s) => `${s.transport.description} (${s.protocol.name})`,
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: this.pollSeconds * 1000,
        fullIntervalMs: this.pollfreq * 1000,
        ...settings,
        openTimeoutMs: Math.max(3 * (settings.timeoutMs ?? 5000), openBudget),
        ...(opts.timers ? { timers: opts.timers } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
    );
    this.life = new RuntimeLifecycle(deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) }, () => this.publishDriverInfo(), this.runtime);
  }

  idle(): Promise<void> {
    return this.runtime.idle();
  }

  status(): { connected: boolean; protocol?: string; lastError?: Error } {
    const r = this.runtime.status();
    const s = this.runtime.current();
    return { connected: r.connected, ...(s ? { protocol: s.protocol.name } : {}), ...(r.lastError ? { lastError: r.lastError } : {}) };
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(): Promise<void> {
    return this.life.stop();
  }

  // ---------------------------------------------------------------- device I/O

  /** One command and its reply; an echo or the protocol's refusal is an error, never data. */
  private async exchange(s: Pick<Session, 'transport' | 'protocol'>, command: string, signal: AbortSignal): Promise<string> {
    const reply = await s.transport.query(command, { timeoutMs: s.protocol.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS, signal });
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
    if (isEcho(command, reply)) throw new QxEchoError(command);
    if (s.protocol.rejected !== undefined && reply === s.protocol.rejected) throw new QxRejectedError(command, reply);
    this.log.debug(`${this.deps.ups}: ${printable(command)} -> ${printable(reply)}`);
    return reply;
  }

  private async open(ctx: DeviceContext, reconnect: boolean): Promise<Session> {
    const transport = await this.opts.openTransport();
    const onAbort = (): void => void transport.close().catch(() => undefined);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const protocol = await this.findProtocol(transport, ctx.signal);
      ctx.reading();
      const s: Session = { transport, protocol, skipped: new Set(), status: {}, battery: null, extras: {}, commands: new Map(), settings: new Map(), replies: new Map(), alarms: new Map() };
      const pass = await this.runPass(s, new Set<QxQueryKind>(['status', 'poll', 'static']), true, ctx.signal);
      abortIfCancelled(ctx);
      for (const q of pass.failed) if (q.kind === 'static') s.skipped.add(q);
      this.setUpBattery(s, pass);
      this.publishPass(s, pass, 'full');
      // After the read: a setting may depend on what the device said (BestUPS battery.packs).
      this.setUpSettings(s);
      await this.writeStartup(s, ctx.signal);
      this.publishCommands(s);
      this.put('driver.version.data', protocol.version);
      for (const [name, value] of Object.entries(transport.ids ?? {})) this.put(name, value);
      if (!reconnect) this.log.info(`${this.cfg.port}: using protocol ${protocol.version}`);
      this.protocolSeen = protocol;
      return s;
    } catch (err) {
      await transport.close().catch(() => undefined);
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  /** NUT's subdriver_matcher: each candidate's claim, up to 3 tries, in order; after a loss only the protocol found before. */
  private async findProtocol(transport: QxTransport, signal: AbortSignal): Promise<QxProtocol> {
    const candidates = this.protocolSeen ? [this.protocolSeen] : this.protocols;
    for (const protocol of candidates) {
      const probe = this.probeFor(transport, protocol, signal);
      for (let i = 0; i < CLAIM_TRIES; i++) {
        if (await protocol.claim(probe)) return protocol;
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
      }
    }
    const which = this.protocolSeen ? `protocol ${this.protocolSeen.name} (found before)` : this.cfg.protocol !== undefined ? `protocol ${this.cfg.protocol}` : `any of ${this.protocols.map((p) => p.name).join(', ')}`;
    throw new QxNoProtocolError(`${transport.description}: the device does not answer as ${which}`);
  }

  private probeFor(transport: QxTransport, protocol: QxProtocol, signal: AbortSignal): QxProbe {
    return {
      options: this.options,
      query: async (command) => {
        try {
          const reply = await transport.query(command, { timeoutMs: protocol.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS, signal });
          return isEcho(command, reply) ? null : reply;
        } catch (err) {
          if (err instanceof DeviceGoneError || signal.aborted) throw err;
          if (err instanceof DeviceTimeoutError || err instanceof DeviceReplyError) return null;
          throw err;
        }
      },
    };
  }

  private poll(s: Session, kind: PollKind, ctx: DeviceContext): Promise<void> {
    const kinds = new Set<QxQueryKind>(kind === 'full' ? ['status', 'poll'] : ['status']);
    return this.runPass(s, kinds, false, ctx.signal).then((pass) => {
      abortIfCancelled(ctx);
      this.publishPass(s, pass, kind);
      // A command may depend on what the device says (voltronic's capabilities): listed anew after each full poll.
      if (kind === 'full') {
        this.publishCommands(s);
        this.publishRanges(s);
      }
    });
  }

  /** The variables as a parse or command sees them: published ones, overlaid with this pass's so far. */
  private contextWith(extra: Iterable<Record<string, string>>, s?: Session): QxContext {
    const vars = new Map(this.published);
    for (const r of extra) for (const [k, v] of Object.entries(r)) vars.set(k, v);
    return s ? { options: this.options, vars, replies: s.replies } : { options: this.options, vars };
  }

  /**
   * Sends the queries of `kinds` (a command shared by several queries once)
   * and parses the replies. A status query's failure fails the pass; any
   * other failure is recorded and the pass goes on (a silent reply to an
   * optional query is not a hung device: some units ignore what they lack).
   */
  private async runPass(s: Session, kinds: Set<QxQueryKind>, opening: boolean, signal: AbortSignal): Promise<PassResult> {
    const replies = new Map<string, string | Error>();
    const vars = new Map<QxQuery, Record<string, string>>();
    const failed = new Set<QxQuery>();
    // NUT starts every full update from a clear status, a quick one from the last.
    const status: QxStatusUpdate = opening || kinds.has('poll') ? {} : { ...s.status };
    const alarms = new Map<QxQuery, string[]>();
    for (const q of s.protocol.queries) {
      if (!kinds.has(q.kind)) continue;
      // A query left out of a pass it belongs to says nothing now: its old alarms go (QFS once the fault is over).
      const leftOut = (): void => void alarms.set(q, []);
      if (s.skipped.has(q) || (q.skipWhen !== undefined && this.options[q.skipWhen])) {
        leftOut();
        continue;
      }
      const ctx = this.contextWith(vars.values(), s);
      if (q.enabled && !q.enabled(ctx)) {
        leftOut();
        continue;
      }
      try {
        let reply = replies.get(q.command);
        if (reply === undefined) {
          try {
            reply = await this.exchange(s, q.command, signal);
          } catch (err) {
            reply = err instanceof Error ? err : new Error(String(err));
          }
          replies.set(q.command, reply);
        }
        if (reply instanceof Error) throw reply;
        const r = q.parse(reply, ctx);
        s.replies.set(q.command, reply);
        vars.set(q, r.vars ?? {});
        if (r.status) Object.assign(status, r.status);
        alarms.set(q, r.alarms ?? []);
      } catch (err) {
        if (err instanceof DeviceGoneError || signal.aborted) throw err;
        if (q.kind === 'status') throw err;
        if (!(err instanceof UpsAgentError)) throw err;
        s.replies.delete(q.command);
        failed.add(q);
        this.log.debug(`${this.deps.ups}: ${printable(q.command)}: ${errorMessage(err)}`);
      }
    }
    return { vars, failed, status, alarms };
  }

  // ---------------------------------------------------------------- publishing

  /** ups.conf override.* values: published whatever the device says, never withdrawn. */
  private overrides(): Record<string, string> {
    const out: Record<string, string> = {};
    const c = this.cfg;
    if (c['override.battery.packs'] !== undefined) out['battery.packs'] = String(c['override.battery.packs']);
    if (c['override.battery.voltage.nominal'] !== undefined) out['battery.voltage.nominal'] = String(c['override.battery.voltage.nominal']);
    if (c['override.battery.charge.low'] !== undefined) out['battery.charge.low'] = String(c['override.battery.charge.low']);
    if (c['override.battery.runtime.low'] !== undefined) out['battery.runtime.low'] = String(c['override.battery.runtime.low']);
    return out;
  }

  /** ups.conf default.* low marks: published while the device gives none. */
  private defaults(): Record<string, string> {
    const out: Record<string, string> = {};
    const c = this.cfg;
    if (c['default.battery.charge.low'] !== undefined) out['battery.charge.low'] = String(c['default.battery.charge.low']);
    if (c['default.battery.runtime.low'] !== undefined) out['battery.runtime.low'] = String(c['default.battery.runtime.low']);
    return out;
  }

  /** ups.status; with ignorelb, LB as NUT's dstate sets it (src/drivers/ignorelb.ts). */
  private statusWords(status: QxStatusUpdate): string {
    const text = statusText(status);
    if (this.cfg.ignorelb !== true) return text;
    const r = applyIgnoreLb(text.split(' ').filter((w) => w !== ''), (n) => this.published.get(n));
    if (!r.applied && !this.ignoreLbWarned) this.log.error(`${this.deps.ups}: ${IGNORELB_UNUSABLE}`);
    this.ignoreLbWarned = !r.applied;
    return r.words.join(' ');
  }

  private put(name: string, value: string): void {
    const forced = this.overrides()[name];
    if (forced !== undefined) value = forced;
    if (this.published.get(name) === value) return;
    this.published.set(name, value);
    this.deps.publisher.setVar(name, value);
  }

  private drop(name: string): void {
    if (!this.published.has(name) || name in this.overrides()) return;
    this.published.delete(name);
    this.deps.publisher.deleteVar(name);
  }

  /** Publishes `values` as what `source` gives now; what it gave before and not now is withdrawn. */
  private putFrom(source: QxQuery | 'battery' | 'settings', values: Record<string, string>): void {
    const before = this.sources.get(source) ?? new Set<string>();
    const now = new Set(Object.keys(values));
    for (const name of before) if (!now.has(name) && !this.ownedElsewhere(name, source)) this.drop(name);
    for (const [name, value] of Object.entries(values)) this.put(name, value);
    this.sources.set(source, now);
  }

  private ownedElsewhere(name: string, source: QxQuery | 'battery' | 'settings'): boolean {
    for (const [other, names] of this.sources) if (other !== source && names.has(name)) return true;
    return false;
  }

  private publishPass(s: Session, pass: PassResult, kind: PollKind): void {
    for (const [q, values] of pass.vars) this.putFrom(q, values);
    for (const q of pass.failed) this.putFrom(q, {});
    s.status = pass.status;
    if (kind === 'full' && s.battery) {
      const online = s.status.OL !== false;
      // The device's values only: what the estimate published last time is not the device reporting a charge.
      const device = new Map(this.published);
      for (const name of this.sources.get('battery') ?? []) device.delete(name);
      this.putFrom('battery', { ...s.extras, ...s.battery.update(device, online, this.clock()) });
    }
    // A query read again replaces its alarms; one that failed takes them away (not read again, not shown).
    for (const [q, a] of pass.alarms) s.alarms.set(q, a);
    for (const q of pass.failed) s.alarms.delete(q);
    const alarms = s.protocol.queries.flatMap((q) => s.alarms.get(q) ?? []);
    if (s.status.RB) alarms.push('Replace battery!');
    if (s.status.FSD) alarms.push('Shutdown imminent!');
    if (alarms.length) this.put('ups.alarm', alarms.join(' '));
    else this.drop('ups.alarm');
    for (const [name, value] of Object.entries(this.defaults())) if (!this.published.has(name)) this.put(name, value);
    this.put('ups.status', (alarms.length ? 'ALARM ' : '') + this.statusWords(s.status));
  }

  private publishDriverInfo(): void {
    const c = this.cfg;
    const info: Array<[string, string | undefined]> = [
      ['device.type', 'ups'],
      ['driver.name', DRIVER_NAME],
      ['driver.version', this.opts.version ?? pkg.version],
      ['driver.version.internal', QX_VERSION],
      ['driver.parameter.port', c.port],
      ['driver.parameter.pollinterval', String(this.pollSeconds)],
      ['driver.parameter.pollfreq', String(this.pollfreq)],
      ['driver.parameter.synchronous', 'auto'],
      ['driver.parameter.protocol', c.protocol],
      ['driver.parameter.runtimecal', c.runtimecal],
      ['driver.parameter.chargetime', c.chargetime === undefined ? undefined : String(c.chargetime)],
      ['driver.parameter.idleload', c.idleload === undefined ? undefined : String(c.idleload)],
      ['driver.parameter.ondelay', c.ondelay === undefined ? undefined : String(c.ondelay)],
      ['driver.parameter.offdelay', c.offdelay === undefined ? undefined : String(c.offdelay)],
      ['driver.parameter.subdriver', c.subdriver],
      ['driver.parameter.vendorid', c.vendorid],
      ['driver.parameter.productid', c.productid],
      ['driver.parameter.cablepower', c.cablepower],
    ];
    for (const flag of ['novendor', 'norating', 'ignoresab', 'stayoff', 'battery_voltage_reports_one_pack', 'ignorelb'] as const) {
      if (c[flag] === true) info.push([`driver.flag.${flag}`, 'enabled']);
    }
    for (const [name, value] of info) if (value !== undefined) this.put(name, value);
    for (const [name, value] of Object.entries(this.overrides())) this.put(name, value);
  }

  private setUpSettings(s: Session): void {
    const ctx = this.contextWith([]);
    const values: Record<string, string> = {};
    for (const setting of s.protocol.settings) {
      if (setting.enabled && !setting.enabled(ctx)) continue;
      if (setting.fallback !== undefined) {
        const given = setting.option !== undefined ? this.cfg[setting.option] : undefined;
        let value = setting.fallback;
        if (given !== undefined && given !== null) {
          try {
            value = checkSetting(setting, String(given as string | number), ctx);
          } catch (err) {
            // NUT stops the driver here (fatalx); the runtime retries, and the log says why.
            throw new UpsAgentError('QX-OPTION', `${setting.option} ${String(given as string | number)}: ${errorMessage(err)}`);
          }
        }
        // A value set by a client survives a reconnect, as it does in NUT's driver.
        values[setting.name] = this.published.get(setting.name) ?? value;
      } else if (!this.published.has(setting.name)) {
        continue;
      }
      s.settings.set(setting.name, setting);
    }
    this.putFrom('settings', values);
    for (const [name, setting] of s.settings) {
      this.deps.publisher.setFlags(name, { rw: true });
      if (setting.range) this.deps.publisher.setRanges(name, [setting.range]);
      if (setting.enumValues) this.deps.publisher.setEnums(name, setting.enumValues);
    }
    this.publishRanges(s);
  }

  /** QxSetting.ranges: the ranges known from what the device said, published when they change. */
  private publishRanges(s: Session): void {
    const ctx = this.contextWith([], s);
    for (const [name, setting] of s.settings) {
      if (!setting.ranges) continue;
      // A withdrawn variable loses its ranges with it: published again when it comes back.
      if (!this.published.has(name)) {
        this.rangesPublished.delete(name);
        continue;
      }
      // None known now (a value not read this time): the last published stands.
      const ranges = setting.ranges(ctx);
      if (!ranges) continue;
      const key = JSON.stringify(ranges);
      if (this.rangesPublished.get(name) === key) continue;
      this.rangesPublished.set(name, key);
      this.deps.publisher.setRanges(name, ranges);
    }
  }

  private valuesOf(source: 'settings'): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.sources.get(source) ?? []) {
      const v = this.published.get(name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /**
   * NUT's qx_initbattery, after the first read. ups.conf default.* values
   * count only where the device gave none (NUT sets them before the first
   * read and the device's overwrite them); the estimator's guesses for
   * battery.voltage.low/high win over them, as in NUT.
   */
  private setUpBattery(s: Session, pass: PassResult): void {
    const vars = new Map(this.published);
    for (const r of pass.vars.values()) for (const [k, v] of Object.entries(r)) vars.set(k, v);
    const defaults: Record<string, string> = {};
    const fromDevice = (name: string): boolean => [...pass.vars.values()].some((r) => name in r);
    for (const name of ['battery.voltage.high', 'battery.voltage.low', 'battery.voltage.nominal'] as const) {
      const given = this.cfg[`default.${name}`];
      if (given !== undefined && !fromDevice(name)) defaults[name] = String(given);
    }
    for (const [k, v] of Object.entries({ ...defaults, ...this.overrides() })) vars.set(k, v);
    const b = new BatteryEstimator(
      vars,
      {
        ...(this.cfg.runtimecal !== undefined ? { runtimecal: parseRuntimeCal(this.cfg.runtimecal) } : {}),
        ...(this.cfg.chargetime !== undefined ? { chargetime: this.cfg.chargetime } : {}),
        ...(this.cfg.idleload !== undefined ? { idleload: this.cfg.idleload } : {}),
        voltageAlreadyTotal: this.options.batteryVoltageReportsOnePack && Number(vars.get('battery.packs')) >= 2,
      },
      this.clock(),
    );
    for (const note of b.notes) this.log.info(`${this.deps.ups}: ${note}`);
    s.battery = b;
    s.extras = { ...defaults, ...b.guessed };
  }

  private publishCommands(s: Session): void {
    // Only the commands the unit has now (QxInstantCommand.enabled); the others are neither listed nor run.
    const ctx = this.contextWith([], s);
    s.commands.clear();
    for (const c of s.protocol.commands) if (!c.enabled || c.enabled(ctx)) s.commands.set(c.name, c);
    const names = new Set([...s.commands.keys()]);
    // NUT 2.8.1+ offers upsdrv_shutdown as shutdown.default: cancel what is pending, then shut down (return or stay off).
    if (s.commands.has('shutdown.return') || s.commands.has('shutdown.stayoff')) names.add('shutdown.default');
    for (const name of this.commandsPublished) {
      if (!names.has(name)) {
        this.commandsPublished.delete(name);
        this.deps.publisher.deleteCommand(name);
      }
    }
    for (const name of names) {
      if (this.commandsPublished.has(name)) continue;
      this.commandsPublished.add(name);
      this.deps.publisher.addCommand(name);
    }
  }

  // ---------------------------------------------------------------- requests

  private async instCmd(req: InstCmdRequest): Promise<void> {
    const run = (name: string, value: string | undefined): Promise<void> =>
      this.runtime
        .request(name, async (s, ctx) => {
          const cmd = s.commands.get(name);
          if (!cmd) throw new RequestError('CMD-NOT-SUPPORTED', `${this.deps.ups} has no command ${name}`);
          const bytes = cmd.build(value, this.contextWith([], s));
          for (const b of typeof bytes === 'string' ? [bytes] : bytes) await this.sendCommand(s, name, b, ctx.signal);
          this.runtime.requestFullPoll();
        })
        .catch((err: unknown) => {
          if (err instanceof RequestError) throw err;
          throw new RequestError('INSTCMD-FAILED', `${name}: ${errorMessage(err)}`);
        });
    if (!this.commandsPublished.has(req.name)) throw new RequestError('CMD-NOT-SUPPORTED', `${this.deps.ups} has no command ${req.name}`);
    if (req.name === 'shutdown.default') {
      // upsdrv_shutdown: a pending shutdown is cancelled first (its failure only means none was pending).
      const s = this.runtime.current();
      if (s?.commands.has('shutdown.stop')) await run('shutdown.stop', undefined).catch(() => this.log.info(`${this.deps.ups}: no shutdown pending`));
      await run(this.cfg.stayoff === true ? 'shutdown.stayoff' : 'shutdown.return', undefined);
      return;
    }
    this.log.info(`${this.deps.ups}: instcmd ${req.name}${req.param !== undefined ? ` ${req.param}` : ''}`);
    await run(req.name, req.param);
  }

  /** The protocol's one-time ups.conf writes (NUT's QX_FLAG_NONUT setvars at initinfo): once per connection. */
  private async writeStartup(s: Session, signal: AbortSignal): Promise<void> {
    for (const item of s.protocol.startup ?? []) {
      let reply: string | null = null;
      const query = typeof item.query === 'function' ? item.query(this.contextWith([], s)) : item.query;
      if (query !== undefined) {
        try {
          reply = await this.exchange(s, query, signal);
        } catch (err) {
          if (err instanceof DeviceGoneError || signal.aborted) throw err;
          this.log.debug(`${this.deps.ups}: ${item.name}: ${printable(query)} unanswered: ${errorMessage(err)}`);
        }
      }
      let writes: readonly string[];
      try {
        writes = item.writes(reply, this.contextWith([], s));
      } catch (err) {
        // The option cannot be applied now (a value the unit cannot take, a state it must be in): said, and nothing sent.
        this.log.warn(`${this.deps.ups}: ${item.name}: ${errorMessage(err)}`);
        continue;
      }
      for (const bytes of writes) {
        try {
          await this.sendCommand(s, item.name, bytes, signal);
        } catch (err) {
          if (!(err instanceof RequestError)) throw err;
          this.log.warn(`${this.deps.ups}: ${errorMessage(err)}`);
        }
      }
    }
  }

  /** Sends one command and judges its reply as NUT's instcmd does. */
  private async sendCommand(s: Session, name: string, bytes: string, signal: AbortSignal): Promise<void> {
    let reply: string;
    try {
      reply = await s.transport.query(bytes, { timeoutMs: s.protocol.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS, signal });
    } catch (err) {
      // Most Megatec units say nothing to a command they carry out.
      if (err instanceof DeviceTimeoutError && !signal.aborted) {
        this.log.info(`${this.deps.ups}: ${name} (${printable(bytes)}) sent, no reply: done`);
        return;
      }
      throw err;
    }
    const value = s.protocol.commandReplyValue ? s.protocol.commandReplyValue(reply) : reply;
    if (reply === '') {
      this.log.info(`${this.deps.ups}: ${name} (${printable(bytes)}) sent, empty reply: done`);
      return;
    }
    if (value !== null && s.protocol.accepted !== undefined && value === s.protocol.accepted) {
      this.log.info(`${this.deps.ups}: ${name} (${printable(bytes)}) accepted`);
      return;
    }
    throw new RequestError('INSTCMD-FAILED', `${name}: the device refused ${printable(bytes)} (${isEcho(bytes, reply) ? 'echoed back' : `replied ${printable(reply)}`})`);
  }

  private async setVar(req: SetVarRequest): Promise<void> {
    const s = this.runtime.current();
    const setting = s?.settings.get(req.name);
    if (!s || !setting) {
      if (!s) throw new RequestError('DRIVER-NOT-CONNECTED', `${this.deps.ups}: the UPS is not connected`);
      throw new RequestError('VAR-NOT-SUPPORTED', `${this.deps.ups} has no writable variable ${req.name}`);
    }
    // NUT: an unchanged value is done at once, without touching the device.
    if (this.published.get(req.name) === req.value) return;
    const value = checkSetting(setting, req.value, this.contextWith([]));
    if (setting.write) {
      const bytes = setting.write(value, this.contextWith([]));
      await this.runtime
        .request(`set ${req.name}`, (sess, ctx) => this.sendCommand(sess, `set ${req.name}`, bytes, ctx.signal))
        .catch((err: unknown) => {
          if (err instanceof RequestError && err.failure !== 'INSTCMD-FAILED') throw err;
          throw new RequestError('SET-FAILED', `${req.name}: ${errorMessage(err)}`);
        });
      this.runtime.requestFullPoll();
    }
    this.log.info(`${this.deps.ups}: ${req.name} set to ${value}`);
    if (setting.fallback !== undefined) this.putFrom('settings', { ...this.valuesOf('settings'), [req.name]: value });
    else this.put(req.name, value);
  }
}

/** NUT's setvar checks: a number inside the range (when there is one), then the protocol's rounding. */
function checkSetting(setting: QxSetting, value: string, ctx: QxContext): string {
  if (setting.range) {
    if (value === '' || !/^[0-9 .]+$/.test(value)) throw new QxValueError('INVALID-VALUE', `${setting.name}: ${JSON.stringify(value)} is not a number`);
    const n = Number.parseInt(value, 10);
    const [min, max] = setting.range;
    if (!(n >= min && n <= max)) throw new QxValueError('INVALID-VALUE', `${setting.name}: ${value} is out of range [${min}..${max}]`);
  }
  if (setting.enumValues && !setting.enumValues.includes(value)) throw new QxValueError('INVALID-VALUE', `${setting.name}: ${JSON.stringify(value)} is not one of ${setting.enumValues.join(', ')}`);
  return setting.normalize(value, ctx);
}

/** A reply that only repeats the command (without its `\r`) is the device not knowing it. */
export function isEcho(command: string, reply: string): boolean {
  const bare = command.replace(/\r$/, '');
  return reply === bare || reply === command;
}

/** ups.status as nutdrv_qx writes it: OL or OB, then the flags in NUT's order. */
export function statusText(status: QxStatusUpdate): string {
  const words = [status.OL === false ? 'OB' : 'OL'];
  for (const f of STATUS_ORDER) if (status[f]) words.push(f);
  return words.join(' ');
}

function abortIfCancelled(ctx: DeviceContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled');
}
