/**
 * The NUT network server (protocol 1.3, as upsd 2.8.0 speaks it): listens on
 * the configured addresses, accepts clients up to server.maxClients (and
 * server.maxClientsPerAddress from any one address not exempt), drops
 * clients silent for server.idleTimeout seconds, keeps what all clients hold
 * within server.maxOutputBytes, and answers requests from the state store. It only reads the store; SET VAR and INSTCMD go to the
 * drivers as bus requests, FSD latches in the store. It never imports a driver.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { EventBus } from '../core/bus';
import { systemClock, type Clock } from '../core/clock';
import type { UserConfig } from '../core/config';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import type { UpsStore } from '../core/state';
import { UserTable } from './auth';
import { parseListen, SERVER_DEFAULTS, type ServerConfig } from './config';
import { clientAddress, ClientConnection } from './connection';
import { ListenError } from './errors';
import { ListCache } from './format';
import { LoginGuard } from './login-guard';
import { LoginThrottle } from './login-throttle';
import { OutputBudget } from './output-budget';
import { RateLimitedLog } from './rate-limited-log';
import { Reclaimer } from './reclaim';
import { verText } from './replies';
import { SessionRegistry, type ServerContext } from './session';
import { AddressSet } from './subnets';
import { logTls, ServerCertificate } from './tls';
import { TrackingTable } from './tracking';

export interface NutServerOptions {
  store: UpsStore;
  bus: EventBus;
  log: Logger;
  server: ServerConfig;
  users: Record<string, UserConfig>;
  /** upsagent's version, shown in VER and server.info. */
  version: string;
  /** Milliseconds; the same clock the store uses (tests inject one). */
  clock?: () => number;
  /** How long SET VAR / INSTCMD wait for the driver's verdict before answering OK (default 5 s). */
  requestWaitMs?: number;
  /** What all clients together may hold (overrides server.maxOutputBytes; tests use small ones). */
  maxOutputBytes?: number;
  /** Timers and time for the login delays and log rate limits (tests pass a FakeClock). */
  timers?: Clock;
  /** How often idle clients and old tracking entries are swept (default 1 s). */
  sweepIntervalMs?: number;
}

export interface BoundAddress {
  host: string;
  port: number;
}

export class NutServer implements Module {
  readonly name = 'server';
  private readonly ctx: ServerContext;
  private readonly listeners: Server[] = [];
  /** The server.listen entry each listener was bound for (a reload closes or binds by entry). */
  private readonly listenerText = new Map<Server, string>();
  private readonly conns = new Set<ClientConnection>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly clock: () => number;
  private readonly cfg: Required<Omit<ServerConfig, 'tls'>>;
  private readonly budget: OutputBudget;
  private readonly warnings: RateLimitedLog;
  private exempt: AddressSet;
  /** Connections per address, for addresses not exempt. */
  private readonly perAddress = new Map<string, number>();
  /** Collects what dropped flooders and accepted connections leave behind (reclaim.ts). */
  private readonly reclaimer = new Reclaimer();

  constructor(private readonly opts: NutServerOptions) {
    this.clock = opts.clock ?? Date.now;
    const s = opts.server;
    // The schema fills these in; defaults here keep a hand-built ServerConfig (tests, embedders) working.
    this.cfg = { ...SERVER_DEFAULTS, ...definedOnly(s) };
    const throttle = { ...SERVER_DEFAULTS.loginThrottle, ...definedOnly(this.cfg.loginThrottle) };
    const timers = opts.timers ?? systemClock;
    const users = new UserTable(opts.users);
    this.budget = new OutputBudget(opts.maxOutputBytes ?? this.cfg.maxOutputBytes, this.reclaimer);
    this.warnings = new RateLimitedLog(opts.log, timers, this.cfg.warningInterval * 1000);
    this.exempt = new AddressSet(this.cfg.exemptAddresses);
    this.ctx = {
      store: opts.store,
      bus: opts.bus,
      log: opts.log,
      users,
      tracking: new TrackingTable(this.clock),
      lists: new ListCache(),
      // NUMLOGINS changes go on the bus: the monitor (a primary waiting for its secondaries) and the page read them.
      sessions: new SessionRegistry((ups, count) => opts.bus.emit('ups.logins', { ups, count, clients: this.ctx.sessions.loggedIn(ups).map((s) => s.addr) })),
      logins: new LoginGuard(users, new LoginThrottle(throttle, timers), opts.log, timers),
      clock: this.clock,
      maxAgeMs: this.cfg.maxAge * 1000,
      requestWaitMs: opts.requestWaitMs ?? 5000,
      verText: verText(opts.version),
      // Read and checked now: a bad certificate stops the start, not the first STARTTLS.
      tls: s.tls ? new ServerCertificate(s.tls, opts.log) : undefined,
    };
  }

  async start(): Promise<void> {
    const failures: Array<{ address: string; reason: string }> = [];
    for (const text of this.cfg.listen) {
      const addr = parseListen(text);
      try {
        if (typeof addr === 'string') throw new Error(addr);
        const l = await this.listenAny(addr.host, addr.port);
        this.listeners.push(l);
        this.listenerText.set(l, text);
      } catch (err) {
        failures.push({ address: text, reason: errorMessage(err) });
        if (!this.cfg.allowNotAllListeners) break;
        this.opts.log.error(`not listening on ${text}: ${errorMessage(err)}`);
      }
    }
    if (failures.length && (!this.cfg.allowNotAllListeners || this.listeners.length === 0)) {
      await this.closeListeners();
      throw new ListenError(failures);
    }
    const sweepMs = this.opts.sweepIntervalMs ?? 1000;
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
    for (const a of this.addresses()) this.opts.log.info(`listening on ${a.host} port ${a.port}`);
    if (this.ctx.tls) logTls(this.opts.log, this.ctx.tls.loaded);
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    const closing = this.closeListeners();
    for (const c of [...this.conns]) c.close('server stopping');
    await closing;
    this.warnings.flush();
  }

  /**
   * A reload's new server.listen: binds the entries that are new, closes the
   * listeners of entries that went (clients they accepted stay connected, as
   * upsd keeps its clients). Returns the entries that could not be bound.
   */
  async relisten(listen: readonly string[]): Promise<Array<{ address: string; reason: string }>> {
    const failures: Array<{ address: string; reason: string }> = [];
    const gone = this.listeners.filter((l) => !listen.includes(this.listenerText.get(l) ?? ''));
    for (const l of gone) {
      this.listeners.splice(this.listeners.indexOf(l), 1);
      this.listenerText.delete(l);
      // Not awaited: close() calls back only once every client it accepted has gone, and those stay.
      l.close();
    }
    const have = new Set(this.listenerText.values());
    for (const text of listen) {
      if (have.has(text)) continue;
      const addr = parseListen(text);
      try {
        if (typeof addr === 'string') throw new Error(addr);
        const l = await this.listenAny(addr.host, addr.port);
        this.listeners.push(l);
        this.listenerText.set(l, text);
        const a = l.address() as AddressInfo;
        this.opts.log.info(`listening on ${a.address} port ${a.port}`);
      } catch (err) {
        failures.push({ address: text, reason: errorMessage(err) });
      }
    }
    return failures;
  }

  /** A reload's users: the table is replaced; connected clients keep their sessions and are checked against it from now on. */
  setUsers(users: Record<string, UserConfig>): void {
    this.ctx.users.replace(users);
  }

  /** A reload removed this UPS: its logins are cleared and those clients disconnected, as upsd does. */
  removeUps(name: string): void {
    const gone = new Set(this.ctx.sessions.removeUps(name));
    for (const c of [...this.conns]) if (gone.has(c.session)) c.close(`UPS ${name} removed by a reload`);
  }

  /** A reload's limits that apply to the running server (the others need a restart). */
  applyLimits(s: Pick<ServerConfig, 'maxClients' | 'maxClientsPerAddress' | 'idleTimeout' | 'exemptAddresses'>): void {
    const d = definedOnly(s);
    Object.assign(this.cfg, d);
    if (d.exemptAddresses) this.exempt = new AddressSet(d.exemptAddresses);
  }

  /** Where the server actually listens (port 0 in the config becomes the real port). */
  addresses(): BoundAddress[] {
    return this.listeners.map((s) => {
      const a = s.address() as AddressInfo;
      return { host: a.address, port: a.port };
    });
  }

  /** Connected clients right now. */
  get clientCount(): number {
    return this.conns.size;
  }

  /** What clients hold in memory (unread replies, unparsed input), how many are paused for not reading, how many were dropped. */
  get output(): { bytes: number; limit: number; paused: number; dropped: number } {
    const b = this.budget;
    return { bytes: b.bytes, limit: b.limit, paused: b.paused, dropped: b.dropped };
  }

  /** `*` (host `::`) needs IPv6; on a host without it, fall back to every IPv4 address as upsd does. */
  private async listenAny(host: string, port: number): Promise<Server> {
    try {
      return await this.listen(host, port);
    } catch (err) {
      if (host !== '::') throw err;
      this.opts.log.debug(`cannot listen on [::]:${port} (${errorMessage(err)}); trying 0.0.0.0`);
      return this.listen('0.0.0.0', port);
    }
  }

  private listen(host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
      const onError = (err: Error) => {
        server.close();
        reject(err);
      };
      server.once('error', onError);
      // `*` means every address: one dual-stack socket takes IPv4 and IPv6 alike.
      server.listen({ host, port, ipv6Only: false, backlog: 511 }, () => {
        server.off('error', onError);
        // Accept errors (EMFILE...) must not take the daemon down.
        server.on('error', (err) => this.opts.log.error(`listener ${host}:${port}: ${errorMessage(err)}`));
        resolve(server);
      });
    });
  }

  private accept(socket: Socket): void {
    const addr = clientAddress(socket);
    const refusal = this.refusal(addr);
    if (refusal) {
      // Refused at once: the client sees the connection closed and can retry later.
      this.warnings.warn(refusal.kind, `refusing ${addr || 'a client'}: ${refusal.why}`);
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const limited = !this.exempt.has(addr);
    if (limited) this.perAddress.set(addr, (this.perAddress.get(addr) ?? 0) + 1);
    this.reclaimer.clientArrived();
    const conn = new ClientConnection(socket, this.ctx, {
      budget: this.budget,
      log: this.opts.log,
      warnings: this.warnings,
      onClose: (c) => {
        this.conns.delete(c);
        if (limited) this.leave(addr);
      },
    });
    if (!conn.isClosed) this.conns.add(conn);
    this.opts.log.debug(`connect from ${conn.session.addr}`);
  }

  /** Why a new connection from `addr` is refused, or null. */
  private refusal(addr: string): { kind: string; why: string } | null {
    if (this.conns.size >= this.cfg.maxClients) return { kind: 'maxClients', why: `${this.conns.size} clients already (server.maxClients)` };
    const n = this.perAddress.get(addr) ?? 0;
    if (n >= this.cfg.maxClientsPerAddress && !this.exempt.has(addr)) {
      return { kind: 'maxClientsPerAddress', why: `${n} connections from this address already (server.maxClientsPerAddress)` };
    }
    return null;
  }

  private leave(addr: string): void {
    const n = (this.perAddress.get(addr) ?? 1) - 1;
    if (n > 0) this.perAddress.set(addr, n);
    else this.perAddress.delete(addr);
  }

  /** Drops clients silent for longer than server.idleTimeout (upsd: 60 s) and forgets old tracking results. */
  private sweep(): void {
    const now = this.clock();
    const idleMs = this.cfg.idleTimeout * 1000;
    for (const c of this.conns) if (now - c.lastHeard > idleMs) c.close('idle');
    this.ctx.tracking.sweep(now);
  }

  private async closeListeners(): Promise<void> {
    const all = this.listeners.splice(0);
    this.listenerText.clear();
    await Promise.all(all.map((s) => new Promise<void>((res) => s.close(() => res()))));
  }
}

/** The keys of a partial config that are set, so defaults fill in the rest. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
