/**
 * Test harness for the NUT server: a real UpsStore and EventBus on an
 * injected clock, a fake driver that answers SET VAR / INSTCMD through
 * bus.handle (recording each request, failing on demand), the server itself
 * on 127.0.0.1 port 0, and a raw TCP client that reads whole replies.
 */
import { connect, type Socket } from 'node:net';
import { EventBus } from '../../src/core/bus';
import type { UserConfig } from '../../src/core/config';
import type { ServerConfig } from '../../src/server/config';
import { RequestError, type RequestFailure } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore, type UpsPublisher } from '../../src/core/state';
import { NutServer, type NutServerOptions } from '../../src/server/server';

export interface Clock {
  t: number;
  now(): number;
}

export function fakeClock(start = 1_000_000): Clock {
  const c = {
    t: start,
    now: () => c.t,
  };
  return c;
}

export interface DriverCall {
  kind: 'setvar' | 'instcmd';
  ups: string;
  name: string;
  value?: string;
  param?: string;
}

/**
 * A driver stand-in for one UPS: publishes what a test tells it to and
 * answers requests. `failWith` makes the next requests fail with that code;
 * `hold` keeps them pending until release() is called.
 */
export class FakeDriver {
  readonly calls: DriverCall[] = [];
  failWith: RequestFailure | 'crash' | null = null;
  private held: Array<() => void> = [];
  hold = false;

  constructor(
    readonly bus: EventBus,
    readonly pub: UpsPublisher,
  ) {
    bus.handle('ups.setvar', pub.ups, this, (req) => this.answer({ kind: 'setvar', ups: req.ups, name: req.name, value: req.value }));
    bus.handle('ups.instcmd', pub.ups, this, (req) =>
      this.answer({ kind: 'instcmd', ups: req.ups, name: req.name, ...(req.param !== undefined ? { param: req.param } : {}) }),
    );
  }

  private async answer(call: DriverCall): Promise<void> {
    this.calls.push(call);
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
    if (this.failWith === 'crash') throw new Error('driver blew up');
    if (this.failWith) throw new RequestError(this.failWith);
    // dummy-ups style: SET VAR changes the value.
    if (call.kind === 'setvar' && call.value !== undefined) {
      this.pub.setVar(call.name, call.value);
      this.pub.dataOk();
    }
  }

  release(): void {
    const h = this.held;
    this.held = [];
    for (const r of h) r();
  }

  /** Attaches and publishes a full dump, like a driver's first update. */
  attach(vars: Record<string, string>, cmds: string[] = []): void {
    this.pub.setAttached(true);
    for (const [k, v] of Object.entries(vars)) this.pub.setVar(k, v);
    for (const c of cmds) this.pub.addCommand(c);
    this.pub.dataOk();
  }
}

export const USERS: Record<string, UserConfig> = {
  admin: { password: 'secret', actions: ['set', 'fsd'], instcmds: ['all'], upsmon: 'primary' },
  mon: { password: 'pw', actions: [], instcmds: [], upsmon: 'secondary' },
  plain: { password: 'pp', actions: [], instcmds: [] },
  setter: { password: 'so', actions: ['set'], instcmds: ['LOAD.OFF'] },
  fsder: { password: 'ff', actions: ['fsd'], instcmds: [] },
};

export interface Harness {
  bus: EventBus;
  store: UpsStore;
  clock: Clock;
  log: MemoryLogger;
  server: NutServer;
  port: number;
  drivers: Record<string, FakeDriver>;
  client(): Promise<NutClient>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** UPS name -> description; each gets a FakeDriver (not attached). */
  ups?: Record<string, string>;
  server?: Partial<ServerConfig>;
  users?: Record<string, UserConfig>;
  extra?: Partial<NutServerOptions>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = fakeClock();
  const log = new MemoryLogger();
  const bus = new EventBus(log);
  const store = new UpsStore(bus, clock.now);
  const drivers: Record<string, FakeDriver> = {};
  for (const [name, desc] of Object.entries(opts.ups ?? { ups1: 'Test UPS' })) drivers[name] = new FakeDriver(bus, store.addUps(name, desc));
  const server = new NutServer({
    store,
    bus,
    log,
    server: { listen: ['127.0.0.1:0'], maxAge: 15, maxClients: 1000, idleTimeout: 60, allowNotAllListeners: false, ...opts.server },
    users: opts.users ?? USERS,
    version: '9.9.9-test',
    clock: clock.now,
    ...opts.extra,
  });
  await server.start();
  const port = server.addresses()[0]!.port;
  const clients: NutClient[] = [];
  return {
    bus,
    store,
    clock,
    log,
    server,
    port,
    drivers,
    async client() {
      const c = await NutClient.connect(port);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.stop();
    },
  };
}

/**
 * A raw protocol client. request() sends one line and resolves with the
 * whole reply: one line, or BEGIN LIST ... END LIST for lists.
 */
export class NutClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  /** Every data event's size, in order: tests check replies came in one write. */
  readonly chunks: string[] = [];
  closed = false;

  private constructor(readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      const s = d.toString('latin1');
      this.chunks.push(s);
      this.buf += s;
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<NutClient> {
    return new Promise((res, rej) => {
      const s = connect(port, host);
      s.once('connect', () => res(new NutClient(s)));
      s.once('error', rej);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitFor<T>(take: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = take();
      if (v !== undefined) return v;
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply; unread: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Reads one reply: a line, or a whole BEGIN LIST ... END LIST block. */
  readReply(timeoutMs?: number): Promise<string> {
    return this.waitFor(() => {
      const nl = this.buf.indexOf('\n');
      if (nl < 0) return undefined;
      const first = this.buf.slice(0, nl);
      if (!first.startsWith('BEGIN LIST ')) {
        this.buf = this.buf.slice(nl + 1);
        return first;
      }
      const end = `\nEND LIST ${first.slice('BEGIN LIST '.length)}\n`;
      const at = this.buf.indexOf(end);
      if (at < 0) return undefined;
      const block = this.buf.slice(0, at + end.length - 1);
      this.buf = this.buf.slice(at + end.length);
      return block;
    }, timeoutMs);
  }

  async request(line: string): Promise<string> {
    this.sock.write(line + '\n');
    return this.readReply();
  }

  /** Sends raw bytes in one write. */
  send(data: string | Buffer): void {
    this.sock.write(data);
  }

  /** Reads exactly n bytes of output (for byte-level checks). */
  readBytes(n: number): Promise<string> {
    return this.waitFor(() => {
      if (this.buf.length < n) return undefined;
      const out = this.buf.slice(0, n);
      this.buf = this.buf.slice(n);
      return out;
    });
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => (this.closed ? true : undefined), timeoutMs).catch((err: Error) => {
      if (!this.closed) throw err;
    });
  }

  /** Everything received and not yet read as a reply. */
  get pending(): string {
    return this.buf;
  }

  /** USERNAME + PASSWORD, asserting both are accepted. */
  async auth(user: string, password: string): Promise<void> {
    const a = await this.request(`USERNAME ${user}`);
    const b = await this.request(`PASSWORD ${password}`);
    if (a !== 'OK' || b !== 'OK') throw new Error(`auth: ${a} / ${b}`);
  }

  end(): void {
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }
}

/**
 * Writable variables of every kind (string with enum, number with ranges,
 * both, plain and sized strings) and a few commands, as the server tests and
 * the format checks against real upsd used them. Callers add their own extras,
 * then call dataOk().
 */
export function publishSampleVars(p: UpsPublisher): void {
  p.setAttached(true);
  p.setVar('ups.status', 'OL');
  p.setVar('input.sensitivity', 'M');
  p.setFlags('input.sensitivity', { rw: true, string: true }, 8);
  p.setEnums('input.sensitivity', ['H', 'M', 'L', 'a"b']);
  p.setVar('input.transfer.low', '180');
  p.setFlags('input.transfer.low', { rw: true, number: true });
  p.setRanges('input.transfer.low', [
    [160, 190],
    [200, 210],
  ]);
  p.setVar('ups.both', '5');
  p.setFlags('ups.both', { rw: true });
  p.setEnums('ups.both', ['5']);
  p.setRanges('ups.both', [[1, 9]]);
  p.setVar('ups.str', 'abc');
  p.setFlags('ups.str', { string: true }, 10);
  p.setVar('ups.strrw0', 'abc');
  p.setFlags('ups.strrw0', { rw: true, string: true });
  for (const c of ['test.battery.start', 'beeper.toggle', 'Load.Off']) p.addCommand(c);
}
