/**
 * The snmp driver module: NUT's snmp-ups on the shared runtime.
 *
 *   open:  UDP session (v1 / v2c / v3 USM), MIB detection (one GET), the
 *          instant commands whose OIDs the card has, the first walk of
 *          the whole table (upsdrv_initinfo), ondelay/offdelay written
 *   poll:  every pollfreq a walk of every non-static value (NUT's
 *          upsdrv_updateinfo); in between, every pollInterval, the
 *          ups.status OIDs only, so a power failure shows in seconds
 *   each walk is a few multi-varbind GETs sent together (./bulk.ts).
 *
 * A card that does not answer in time fails the poll: the runtime marks
 * the data stale and reopens the session with backoff; nothing waits
 * longer than the deadline. Community and pass phrases never reach a log.
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { RequestError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import pkg from '../../../package.json';
import { DriverRuntime, runtimeSettings, type DeviceContext, type PollKind, type Timers } from '../runtime/index';
import { RuntimeLifecycle, type DriverDeps } from '../types';
import { getMany } from './bulk';
import { DEFAULT_POLLFREQ, DEFAULT_RETRIES, DEFAULT_SEMISTATICFREQ, DEFAULT_TIMEOUT_S, parseTarget, type SnmpConfig } from './config';
import { detectMib, SYS_CONTACT, SYS_DESCR, SYS_LOCATION } from './detect';
import { hasFlag, isTemplate, type MibMapping } from './mib';
import type { SnmpSessionOptions } from './net-snmp-transport';
import { SnmpStatusError, type SetType, type SnmpTransport } from './transport';
import { decodeString, lookupValue } from './values';
import { MibWalker, type Fetch, type WalkSink } from './walk';

export const DRIVER_NAME = 'snmp-ups';
/** NUT 2.8's snmp-ups version, for tools keyed on driver.version.internal. */
export const NUT_DRIVER_VERSION = '1.21';
/** NUT's main loop interval: the quick status read. */
export const DEFAULT_POLL_INTERVAL = 2;

export interface SnmpDriverOptions {
  createTransport(opts: SnmpSessionOptions): SnmpTransport;
  timers?: Timers;
  version?: string;
  /** Varbinds per GET (default ./bulk.ts). */
  maxVarbinds?: number;
}

interface Session {
  transport: SnmpTransport;
  mapping: MibMapping;
  walker: MibWalker;
  commands: Set<string>;
}

const DEVICE_ALIASES: Readonly<Record<string, string>> = { 'ups.mfr': 'device.mfr', 'ups.model': 'device.model', 'ups.serial': 'device.serial' };

export class SnmpDriver implements Module {
  readonly name: string;
  private readonly cfg: SnmpConfig;
  private readonly log: Logger;
  private readonly runtime: DriverRuntime<Session>;
  private readonly vars = new Map<string, string>();
  private readonly cmds = new Set<string>();
  private touched: Set<string> | null = null;
  private readonly life: RuntimeLifecycle;

  constructor(
    cfg: UpsConfig,
    private readonly deps: DriverDeps,
    private readonly opts: SnmpDriverOptions,
  ) {
    this.cfg = cfg as SnmpConfig;
    this.name = `driver:${deps.ups}`;
    this.log = deps.log;
    const c = this.cfg;
    const budgetMs = (c.snmp_timeout ?? DEFAULT_TIMEOUT_S) * 1000 * ((c.snmp_retries ?? DEFAULT_RETRIES) + 1);
    this.runtime = new DriverRuntime<Session>(
      {
        target: c.port,
        open: (ctx) => this.open(ctx),
        poll: (s, kind, ctx) => this.poll(s, kind, ctx),
        close: async (s) => s.transport.close(),
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: (c.pollInterval ?? DEFAULT_POLL_INTERVAL) * 1000,
        fullIntervalMs: (c.pollfreq ?? DEFAULT_POLLFREQ) * 1000,
        // A walk is a GET round plus, rarely, one for values that are OIDs: two request budgets and a second.
        timeoutMs: 2 * budgetMs + 1000,
        // A card that stops answering is reopened at once: the runtime's next open is the retry.
        reopenAfter: 1,
        ...runtimeSettings(c),
        ...(opts.timers ? { timers: opts.timers } : {}),
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
    );
    this.life = new RuntimeLifecycle(deps, this, { setVar: (req) => this.setVar(req), instCmd: (req) => this.instCmd(req) }, () => this.publishDriverInfo(), this.runtime);
  }

  status(): { connected: boolean; lastError?: Error } {
    const r = this.runtime.status();
    return { connected: r.connected, ...(r.lastError ? { lastError: r.lastError } : {}) };
  }

  idle(): Promise<void> {
    return this.runtime.idle();
  }

  start(): Promise<void> {
    return this.life.start();
  }

  stop(): Promise<void> {
    return this.life.stop();
  }

  // ---------------------------------------------------------------- device

  private sessionOptions(): SnmpSessionOptions {
    const c = this.cfg;
    const t = parseTarget(c.port) ?? { host: c.port, port: 161 };
    return {
      host: t.host,
      port: t.port,
      version: c.snmp_version ?? 'v1',
      community: c.community ?? 'public',
      timeoutS: c.snmp_timeout ?? DEFAULT_TIMEOUT_S,
      retries: c.snmp_retries ?? DEFAULT_RETRIES,
      ...(c.secLevel !== undefined ? { secLevel: c.secLevel } : {}),
      ...(c.secName !== undefined ? { secName: c.secName } : {}),
      ...(c.authPassword !== undefined ? { authPassword: c.authPassword } : {}),
      ...(c.privPassword !== undefined ? { privPassword: c.privPassword } : {}),
      ...(c.authProtocol !== undefined ? { authProtocol: c.authProtocol } : {}),
      ...(c.privProtocol !== undefined ? { privProtocol: c.privProtocol } : {}),
    };
  }

  private fetcher(t: SnmpTransport, signal: AbortSignal): Fetch {
    return (oids) => getMany(t, oids, { signal, ...(this.opts.maxVarbinds !== undefined ? { maxVarbinds: this.opts.maxVarbinds } : {}) });
  }

  private async open(ctx: DeviceContext): Promise<Session> {
    const c = this.cfg;
    const transport = this.opts.createTransport(this.sessionOptions());
    try {
      const fetch = this.fetcher(transport, ctx.signal);
      const found = await detectMib(c.mibs ?? 'auto', fetch);
      const m = found.mapping;
      ctx.reading();
      this.touched = new Set();
      const walker = new MibWalker(
        m,
        { notransferoids: c.notransferoids === true, symmetrathreephase: c.symmetrathreephase === true, semistaticfreq: c.semistaticfreq ?? DEFAULT_SEMISTATICFREQ },
        this.sink(),
        this.log,
      );
      this.put('driver.version.data', `${m.name} MIB ${m.version}`);
      // upsdrv_initups: the card's own identity, before the table's entries (which add their flags).
      for (const [oid, name] of [[SYS_DESCR, 'device.description'], [SYS_CONTACT, 'device.contact'], [SYS_LOCATION, 'device.location']] as const) {
        const v = found.system.get(oid);
        const s = v ? decodeString(v, undefined) : null;
        if (typeof s === 'string') this.put(name, s);
      }
      const commands = new Set(await walker.commands(fetch));
      await walker.walk('init', fetch);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const s: Session = { transport, mapping: m, walker, commands };
      this.publishCommands(commands);
      // After a reconnect, what this connection did not publish is not this card's now.
      for (const key of [...this.vars.keys()]) if (!this.touched.has(key) && !key.startsWith('driver.') && key !== 'device.type') this.remove(key);
      this.log.info(`${c.port}: detected ${this.vars.get('ups.model') ?? this.vars.get('device.model') ?? 'a device'} (mib: ${m.name} ${m.version}, by ${found.how})`);
      await this.setDelays(s, ctx);
      return s;
    } catch (err) {
      transport.close();
      throw err;
    } finally {
      this.touched = null;
    }
  }

  private async poll(s: Session, kind: PollKind, ctx: DeviceContext): Promise<void> {
    await s.walker.walk(kind === 'full' ? 'update' : 'status', this.fetcher(s.transport, ctx.signal));
  }

  /** NUT set_delays: ondelay / offdelay written to the card at start. */
  private async setDelays(s: Session, ctx: DeviceContext): Promise<void> {
    const c = this.cfg;
    for (const [name, value] of [['ups.delay.start', c.ondelay], ['ups.delay.shutdown', c.offdelay]] as const) {
      if (value === undefined) continue;
      try {
        await this.writeVar(s, name, String(value), ctx.signal);
      } catch (err) {
        this.log.warn(`${c.port}: setting ${name} to ${value}: ${errorMessage(err)}`);
      }
    }
  }

  // ---------------------------------------------------------------- publishing

  private sink(): WalkSink {
    const p = this.deps.publisher;
    return {
      setInfo: (name, value, meta) => {
        this.put(name, value);
        if (meta.string || meta.rw) p.setFlags(name, { rw: meta.rw, string: meta.string }, meta.string ? meta.len : undefined);
        if (meta.enums) p.setEnums(name, meta.enums);
      },
      setPlain: (name, value) => this.put(name, value),
      get: (name) => this.vars.get(name.toLowerCase()),
      setStatus: (words) => this.put('ups.status', words),
    };
  }

  private publishDriverInfo(): void {
    const c = this.cfg;
    const info: Array<[string, string | undefined]> = [
      ['driver.name', DRIVER_NAME],
      ['driver.version', this.opts.version ?? pkg.version],
      ['driver.version.internal', NUT_DRIVER_VERSION],
      ['driver.parameter.port', c.port],
      ['driver.parameter.pollinterval', String(c.pollInterval ?? DEFAULT_POLL_INTERVAL)],
      ['driver.parameter.pollfreq', c.pollfreq !== undefined ? String(c.pollfreq) : undefined],
      ['driver.parameter.mibs', c.mibs],
      ['driver.parameter.snmp_version', c.snmp_version],
      ['driver.parameter.snmp_retries', c.snmp_retries !== undefined ? String(c.snmp_retries) : undefined],
      ['driver.parameter.snmp_timeout', c.snmp_timeout !== undefined ? String(c.snmp_timeout) : undefined],
      ['driver.parameter.secLevel', c.secLevel],
      ['driver.parameter.authProtocol', c.authProtocol],
      ['driver.parameter.privProtocol', c.privProtocol],
      ['driver.parameter.synchronous', 'auto'],
      ['driver.flag.notransferoids', c.notransferoids ? 'enabled' : undefined],
      ['driver.flag.symmetrathreephase', c.symmetrathreephase ? 'enabled' : undefined],
      ['device.type', 'ups'],
    ];
    for (const [name, value] of info) if (value !== undefined) this.put(name, value);
  }

  private publishCommands(wanted: Set<string>): void {
    const p = this.deps.publisher;
    for (const c of [...this.cmds]) {
      if (wanted.has(c)) continue;
      this.cmds.delete(c);
      p.deleteCommand(c);
    }
    for (const c of wanted) {
      if (this.cmds.has(c)) continue;
      this.cmds.add(c);
      p.addCommand(c);
    }
  }

  private put(name: string, value: string): void {
    // NUT 2.8 publishes the ups.* identity as device.* too (dstate's aliases).
    const alias = DEVICE_ALIASES[name];
    if (alias) this.put(alias, value);
    const key = name.toLowerCase();
    this.touched?.add(key);
    if (this.vars.get(key) === value) return;
    this.vars.set(key, value);
    this.deps.publisher.setVar(name, value);
  }

  private remove(name: string): void {
    const key = name.toLowerCase();
    if (!this.vars.delete(key)) return;
    this.deps.publisher.deleteVar(name);
  }

  // ---------------------------------------------------------------- requests

  /**
   * su_setOID for SET VAR: strings are sent as OCTET STRING, numbers
   * through the entry's lookup or divided by its multiplier, as INTEGER,
   * or as TimeTicks (seconds × 100) for time entries.
   */
  private async writeVar(s: Session, name: string, value: string, signal: AbortSignal): Promise<void> {
    const found = s.walker.find(name);
    if (!found || isTemplate(found.entry) || hasFlag(found.entry, 'cmd') || found.entry.oid === undefined || !found.ok) throw new RequestError('VAR-NOT-SUPPORTED', `${name}: this card does not have it`);
    const e = found.entry;
    const oid = found.entry.oid;
    if (!e.rw) throw new RequestError('READONLY', `${name} is not writable`);
    let type: SetType;
    let sent: string;
    if (e.string) {
      if (value.length > e.len) throw new RequestError('TOO-LONG', `${name}: at most ${e.len} characters`);
      type = 's';
      sent = value;
    } else {
      let n: number;
      if (e.lookup) {
        const v = lookupValue(e.lookup, value);
        if (v === undefined) throw new RequestError('INVALID-VALUE', `${name}: ${JSON.stringify(value)} is not one of ${e.lookup.map(([, t]) => t).join(', ')}`);
        n = v;
      } else {
        if (!/^[+-]?\d+$/.test(value.trim())) throw new RequestError('INVALID-VALUE', `${name}: ${JSON.stringify(value)} is not a whole number`);
        n = Math.trunc(Number.parseInt(value, 10) / e.len);
      }
      if (hasFlag(e, 'time')) {
        type = 't';
        sent = String(n * 100);
      } else {
        type = 'i';
        sent = String(n);
      }
    }
    await s.transport.set(oid, type, sent, signal);
    this.put(e.name, value);
  }

  private async setVar(req: SetVarRequest): Promise<void> {
    await this.runtime
      .request(`SET ${req.name}`, (s, ctx) => this.writeVar(s, req.name, req.value, ctx.signal))
      .catch((err: unknown) => rethrowAs(err, 'SET-FAILED', `SET ${req.name}`));
  }

  /** su_setOID for INSTCMD: the entry's value (or the command's parameter) SET to its OID, as NUT sends it. */
  private async instCmd(req: InstCmdRequest): Promise<void> {
    await this.runtime
      .request(req.name, async (s, ctx) => {
        const found = s.walker.find(req.name);
        if (!s.commands.has(req.name) || !found || !hasFlag(found.entry, 'cmd') || found.entry.oid === undefined || !found.ok) {
          throw new RequestError('CMD-NOT-SUPPORTED', `${req.name}: this card does not have it`);
        }
        const e = found.entry;
        const value = req.param ?? e.dfl;
        if (value === undefined) throw new RequestError('INVALID-ARGUMENT', `${req.name} needs a value`);
        if (e.string) {
          await s.transport.set(e.oid!, 's', value, ctx.signal);
        } else {
          if (!/^[+-]?\d+$/.test(value)) throw new RequestError('INVALID-ARGUMENT', `${req.name}: ${JSON.stringify(value)} is not a whole number`);
          await s.transport.set(e.oid!, 'i', String(Number.parseInt(value, 10)), ctx.signal);
        }
        // The card's state changed: read everything at the next poll rather than in pollfreq seconds.
        this.runtime.requestFullPoll();
      })
      .catch((err: unknown) => rethrowAs(err, 'INSTCMD-FAILED', req.name));
  }
}

function rethrowAs(err: unknown, failure: 'SET-FAILED' | 'INSTCMD-FAILED', what: string): never {
  if (err instanceof RequestError) throw err;
  if (err instanceof SnmpStatusError) throw new RequestError(failure, `${what}: the card refused it (${err.message})`);
  throw new RequestError(failure, `${what}: ${errorMessage(err)}`);
}
