/**
 * The relay: serves a UPS of another NUT server as one of ours, what NUT's
 * dummy-ups does with `port = ups@host[:port]` (repeater mode), done better:
 *
 * - ONE upstream connection, whatever the number of our clients: they read
 *   our store; the upstream sees only the driver's polls (LIST VAR every
 *   pollInterval, the rest every pollfreq).
 * - The variables' types, enums, ranges and descriptions, and the commands
 *   with theirs, are read upstream (GET TYPE, LIST ENUM, LIST RANGE, GET
 *   DESC, LIST CMD, GET CMDDESC) once per connection and again every
 *   pollfreq, and for a variable when it first appears. dummy-ups relays
 *   values only, every variable read-only, with load.off as its one command.
 * - SET VAR and INSTCMD are passed upstream (dummy-ups answers them itself).
 *   Our server checks the downstream user's rights, the variable and the
 *   value before a request reaches this driver, so a refused client causes
 *   no upstream traffic; the upstream then checks the relay's own user.
 * - An upstream that goes away, hangs or answers ERR DATA-STALE makes the
 *   UPS stale here (ERR DATA-STALE); the shared runtime reconnects with
 *   backoff, and values come back with the connection.
 *
 * As dummy-ups, the upstream's driver.* variables are not relayed: driver.*
 * describes this driver (the runtime's driver.state included).
 */
import type { InstCmdRequest, SetVarRequest } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { UpsAgentError } from '../../core/errors';
import { HEALTH_VARS } from '../../core/health-vars';
import type { Module } from '../../core/module';
import type { UpsTarget } from '../../client/target';
import pkg from '../../../package.json';
import { DEFAULT_TIMEOUT_MS, DeviceGoneError, DeviceReplyError, DriverRuntime, runtimeSettings, type DeviceContext, type PollKind } from '../runtime/index';
import { startOnRuntime, stopOnRuntime, type DriverDeps } from '../types';
import { relayTarget, type RelayConfig } from './config';
import { connectNut, readFailure, writeFailure, type UpstreamClient, type UpstreamConnect } from './upstream';
import { parseType, sameType, type RelayType } from './vartype';

/** dummy-ups' poll interval, seconds. */
export const DEFAULT_POLL_INTERVAL = 2;
/** Seconds between full reads, as usbhid-ups' pollfreq default. */
export const DEFAULT_POLLFREQ = 30;
/** upsd 2.8.0's answer for a name its table does not describe: not worth carrying over. */
const NO_DESCRIPTION = 'Description unavailable';

export interface RelayOptions {
  /** How to reach the upstream server; default: a NutClient over TCP. */
  connect?: UpstreamConnect;
}

interface RelayedVar {
  name: string;
  type: RelayType;
  desc: string | undefined;
}

/** One upstream connection and what was read through it. */
interface Session {
  client: UpstreamClient;
  vars: Map<string, RelayedVar>;
  /** lower-case name -> name as the upstream spells it. */
  cmds: Map<string, string>;
  closing: boolean;
}

/** driver.* and our health variables describe this driver, not the upstream one. */
function relayed(name: string): boolean {
  const lower = name.toLowerCase();
  return !lower.startsWith('driver.') && !HEALTH_VARS.has(lower);
}

export class RelayDriver implements Module {
  readonly name: string;
  private readonly cfg: RelayConfig;
  private readonly target: UpsTarget;
  private readonly where: string;
  private readonly connect: UpstreamConnect;
  private readonly timeoutMs: number;
  private readonly runtime: DriverRuntime<Session>;
  /** What is published now, by lower-case name: the variables and commands of the last session (kept while stale). */
  private readonly published = new Map<string, RelayedVar>();
  private readonly commands = new Map<string, string>();
  private readonly commandDescs = new Map<string, string>();

  constructor(
    upsCfg: UpsConfig,
    private readonly deps: DriverDeps,
    opts: RelayOptions = {},
  ) {
    const cfg = upsCfg as RelayConfig;
    this.cfg = cfg;
    this.name = `driver:${deps.ups}`;
    const t = relayTarget(cfg.port);
    // The configuration check refuses such a port; a caller that skipped it learns here.
    if (!t.ok) throw new UpsAgentError('CONFIG', `${deps.ups}: ${t.message}`);
    this.target = t.value;
    this.where = `${t.value.ups}@${t.value.host}:${t.value.port}`;
    this.connect = opts.connect ?? connectNut;
    this.timeoutMs = cfg.timeout !== undefined ? cfg.timeout * 1000 : DEFAULT_TIMEOUT_MS;
    const pollSeconds = cfg.pollInterval ?? DEFAULT_POLL_INTERVAL;
    this.runtime = new DriverRuntime<Session>(
      {
        target: this.where,
        open: (ctx) => this.open(ctx),
        poll: (s, kind, ctx) => this.poll(s, kind, ctx),
        close: (s) => this.close(s),
      },
      { ups: deps.ups, publisher: deps.publisher, log: deps.log },
      {
        pollIntervalMs: pollSeconds * 1000,
        fullIntervalMs: (cfg.pollfreq ?? DEFAULT_POLLFREQ) * 1000,
        ...runtimeSettings(cfg),
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
    );
  }

  /** The runtime's view (tests, status). */
  status(): ReturnType<DriverRuntime<Session>['status']> {
    return this.runtime.status();
  }

  start(): Promise<void> {
    return startOnRuntime(this.deps, this, { setVar: (r) => this.setVar(r), instCmd: (r) => this.instCmd(r) }, () => this.publishDriverInfo(), this.runtime);
  }

  stop(): Promise<void> {
    return stopOnRuntime(this.deps, this, this.runtime);
  }

  // --- the upstream connection ----------------------------------------------

  private async open(ctx: DeviceContext): Promise<Session> {
    let client: UpstreamClient;
    try {
      client = await this.connect({ host: this.target.host, port: this.target.port, timeoutMs: this.timeoutMs });
    } catch (err) {
      throw readFailure(this.where, err);
    }
    if (ctx.signal.aborted) {
      // Connected after the deadline or a stop: nobody will use it.
      client.destroy();
      throw new DeviceReplyError('cancelled');
    }
    const s: Session = { client, vars: new Map(), cmds: new Map(), closing: false };
    // The deadline or a stop closes the socket, so nothing waits on it any more.
    const onAbort = (): void => client.destroy();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.cfg.user !== undefined && this.cfg.password !== undefined) {
        try {
          await client.username(this.cfg.user);
          await client.password(this.cfg.password);
        } catch (err) {
          // The password is never part of a message: NutClient masks it in its request text.
          throw readFailure(`${this.where} (logging in as ${this.cfg.user})`, err);
        }
      }
      if (this.cfg.login === true) {
        try {
          await client.login(this.target.ups);
        } catch (err) {
          throw readFailure(`${this.where} (LOGIN as a upsmon client)`, err);
        }
      }
      ctx.reading();
      await this.readAll(s, ctx.signal);
    } catch (err) {
      client.destroy();
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    // Between polls too: a connection the upstream drops makes the data stale at once.
    client.onClose((err) => {
      if (!s.closing) this.runtime.deviceLost(s, new DeviceGoneError(`${this.where}: ${err?.message ?? 'connection closed'}`));
    });
    return s;
  }

  private async close(s: Session): Promise<void> {
    s.closing = true;
    await s.client.close();
  }

  private async poll(s: Session, kind: PollKind, ctx: DeviceContext): Promise<void> {
    if (kind === 'full') await this.readAll(s, ctx.signal);
    else await this.readValues(s, ctx.signal);
  }

  /** One upstream request; its failure in the runtime's terms. */
  private async ask<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (err) {
      throw readFailure(this.where, err);
    }
  }

  /**
   * LIST VAR upstream. upsd answers ups.status WAIT until its driver's first
   * dump: not data yet, so a missed poll (stale here, as it is there), not a
   * status to pass on.
   */
  private async values(s: Session): Promise<Array<[string, string]>> {
    const rows = await this.ask(() => s.client.listVars(this.target.ups));
    if (rows.some(([name, value]) => value === 'WAIT' && name.toLowerCase() === 'ups.status')) throw new DeviceReplyError(`${this.where} has no data yet (ups.status WAIT)`);
    return rows;
  }

  /** The quick poll: one LIST VAR; a variable seen for the first time has its type read. */
  private async readValues(s: Session, signal: AbortSignal): Promise<void> {
    const rows = await this.values(s);
    if (signal.aborted) throw new DeviceReplyError('cancelled');
    const fresh = rows.filter(([name]) => relayed(name) && !s.vars.has(name.toLowerCase())).map(([name]) => name);
    const described = await Promise.all(fresh.map((name) => this.describeVar(s, name)));
    if (signal.aborted) throw new DeviceReplyError('cancelled');
    for (const v of described) s.vars.set(v.name.toLowerCase(), v);
    this.applyValues(s, rows);
  }

  /**
   * Everything: values, then each variable's type (with its enums or
   * ranges) and description, then the commands with theirs. The client
   * pipelines the requests, so this is a few round trips, not one per
   * variable.
   */
  private async readAll(s: Session, signal: AbortSignal): Promise<void> {
    const ups = this.target.ups;
    const [rows, cmds] = await Promise.all([this.values(s), this.ask(() => s.client.listCmd(ups))]);
    if (signal.aborted) throw new DeviceReplyError('cancelled');
    const names = rows.map(([name]) => name).filter(relayed);
    const [vars, cmdDescs] = await Promise.all([
      Promise.all(names.map((name) => this.describeVar(s, name))),
      Promise.all(cmds.map((c) => this.optional(() => s.client.getCmdDesc(ups, c)))),
    ]);
    if (signal.aborted) throw new DeviceReplyError('cancelled');
    s.vars = new Map(vars.map((v) => [v.name.toLowerCase(), v]));
    s.cmds = new Map(cmds.map((c) => [c.toLowerCase(), c]));
    this.applyValues(s, rows);
    this.applyCommands(cmds, cmdDescs);
  }

  /** A variable's type and description, as the upstream gives them. */
  private async describeVar(s: Session, name: string): Promise<RelayedVar> {
    const ups = this.target.ups;
    const [words, desc] = await Promise.all([this.optional(() => s.client.getType(ups, name)), this.optional(() => s.client.getDesc(ups, name))]);
    const type = parseType(words ?? []);
    const [enums, ranges] = await Promise.all([
      type.enum ? this.optional(() => s.client.listEnum(ups, name)) : undefined,
      type.range ? this.optional(() => s.client.listRange(ups, name)) : undefined,
    ]);
    if (enums) type.enums = enums;
    if (ranges) {
      type.ranges = ranges.map(([lo, hi]) => [Number(lo), Number(hi)] as [number, number]).filter(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
    }
    return { name, type, desc: desc === undefined || desc === NO_DESCRIPTION ? undefined : desc };
  }

  /**
   * A request whose ERR answer is not a failure of the poll (an older
   * upsd without GET DESC, a variable gone between two requests): undefined.
   * A lost connection still fails the poll.
   */
  private async optional<T>(what: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.ask(what);
    } catch (err) {
      if (err instanceof DeviceReplyError) return undefined;
      throw err;
    }
  }

  // --- publishing -------------------------------------------------------------

  private publishDriverInfo(): void {
    const p = this.deps.publisher;
    // Under NUT's name the relay says what dummy-ups says of itself in repeater mode.
    const nut = this.cfg.driver === 'dummy-ups';
    const info: Array<[string, string]> = [
      ['driver.name', nut ? 'dummy-ups' : 'relay'],
      ...(nut ? [['driver.parameter.mode', 'repeater'] as [string, string]] : []),
      ['driver.parameter.pollinterval', String(this.cfg.pollInterval ?? DEFAULT_POLL_INTERVAL)],
      ['driver.parameter.pollfreq', String(this.cfg.pollfreq ?? DEFAULT_POLLFREQ)],
      ['driver.parameter.port', this.cfg.port],
      ['driver.version', pkg.version],
      ['device.type', 'ups'],
    ];
    for (const [name, value] of info) p.setVar(name, value);
  }

  /** Values of one LIST VAR; the store publishes only what changed. A variable the upstream dropped goes here too. */
  private applyValues(s: Session, rows: ReadonlyArray<[string, string]>): void {
    const p = this.deps.publisher;
    const seen = new Set<string>();
    for (const [name, value] of rows) {
      const key = name.toLowerCase();
      const v = s.vars.get(key);
      if (!v) continue;
      seen.add(key);
      const before = this.published.get(key);
      p.setVar(v.name, value);
      if (!before || !sameType(before.type, v.type)) {
        p.setFlags(v.name, { rw: v.type.rw, string: v.type.string, number: !v.type.string }, v.type.maxLength);
        p.setEnums(v.name, v.type.enums);
        p.setRanges(v.name, v.type.ranges);
      }
      if (before?.desc !== v.desc) p.setDesc(v.name, v.desc);
      this.published.set(key, v);
    }
    for (const [key, v] of [...this.published]) {
      if (seen.has(key)) continue;
      this.published.delete(key);
      s.vars.delete(key);
      p.deleteVar(v.name);
    }
  }

  private applyCommands(cmds: readonly string[], descs: ReadonlyArray<string | undefined>): void {
    const p = this.deps.publisher;
    const wanted = new Map(cmds.map((c, i) => [c.toLowerCase(), { name: c, desc: descs[i] === NO_DESCRIPTION ? undefined : descs[i] }]));
    for (const [key, name] of [...this.commands]) {
      if (wanted.has(key)) continue;
      this.commands.delete(key);
      this.commandDescs.delete(key);
      p.deleteCommand(name);
    }
    for (const [key, { name, desc }] of wanted) {
      if (!this.commands.has(key)) {
        this.commands.set(key, name);
        p.addCommand(name);
      }
      if (this.commandDescs.get(key) !== desc) {
        if (desc === undefined) this.commandDescs.delete(key);
        else this.commandDescs.set(key, desc);
        p.setCommandDesc(name, desc);
      }
    }
  }

  // --- requests from clients (rights already checked by our server) --------

  private async setVar(req: SetVarRequest): Promise<void> {
    const v = this.published.get(req.name.toLowerCase());
    const name = v?.name ?? req.name;
    await this.runtime.request(`SET VAR ${name}`, async (s) => {
      try {
        await s.client.setVar(this.target.ups, name, req.value);
      } catch (err) {
        throw writeFailure(this.where, 'SET-FAILED', err);
      }
    });
    this.deps.log.info(`SET ${name} passed to ${this.where}`);
    // Show the new value as soon as the upstream has it, not a poll later.
    this.runtime.pollNow();
  }

  private async instCmd(req: InstCmdRequest): Promise<void> {
    const name = this.commands.get(req.name.toLowerCase()) ?? req.name;
    await this.runtime.request(`INSTCMD ${name}`, async (s) => {
      try {
        await s.client.instCmd(this.target.ups, name, req.param);
      } catch (err) {
        throw writeFailure(this.where, 'INSTCMD-FAILED', err);
      }
    });
    this.deps.log.info(`instant command ${name}${req.param !== undefined ? ` [${req.param}]` : ''} passed to ${this.where}`);
    this.runtime.pollNow();
  }
}

