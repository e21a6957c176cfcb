import type { Logger } from './logger';
import { RequestError } from './errors';

/** Health of the link between a driver and its device, as the driver sees it. */
export type DriverState = 'starting' | 'connected' | 'disconnected';

/**
 * Events: fire-and-forget notifications. The compiler checks each payload
 * against its event name.
 */
export interface EventMap {
  /** Variables (or their metadata) changed; `changed` lists variable names. */
  'ups.updated': { ups: string; changed: readonly string[] };
  /** ups.status changed from one token list to another. */
  'ups.status': { ups: string; from: string; to: string };
  /** The driver's link to its device changed. */
  'driver.state': { ups: string; state: DriverState };
  /** Forced shutdown was latched for a UPS (NUT's FSD). */
  'ups.fsd': { ups: string; by: string };
  /** The driver said its data went stale (device silent, failing or gone), or fresh again. */
  'ups.stale': { ups: string; stale: boolean };
  /** A driver attached: its device was seen and clients may read the UPS. */
  'driver.attached': { ups: string };
  /** A driver went away: clients get ERR DRIVER-NOT-CONNECTED. */
  'driver.detached': { ups: string };
  /** The UPS's instant commands changed; `commands` is the whole new list. */
  'ups.commands': { ups: string; commands: readonly string[] };
  /** Clients logged in to a UPS (NUT's NUMLOGINS) changed; published by the NUT server. `clients`: their addresses (LIST CLIENT). */
  'ups.logins': { ups: string; count: number; clients: readonly string[] };
  /** The monitor sent a notification (upsmon's NOTIFY types); `ups` is empty for host-wide ones (SHUTDOWN). */
  'monitor.notify': { ups: string; type: string; message: string; at: number };
}

export interface SetVarRequest {
  ups: string;
  name: string;
  value: string;
}
export interface InstCmdRequest {
  ups: string;
  name: string;
  param?: string;
}

/**
 * Requests: one handler per (request, UPS) answers them; the caller awaits the
 * result. A handler signals failure by throwing a RequestError.
 */
export interface RequestMap {
  'ups.setvar': { req: SetVarRequest; res: void };
  'ups.instcmd': { req: InstCmdRequest; res: void };
}

export type EventName = keyof EventMap;
export type RequestName = keyof RequestMap;
/** A listener may be async: a rejection is logged like a throw. */
type Listener<E extends EventName> = (payload: EventMap[E]) => unknown;
type Handler<R extends RequestName> = (req: RequestMap[R]['req']) => Promise<RequestMap[R]['res']> | RequestMap[R]['res'];

/**
 * The in-process typed event bus. Listeners are registered under an owner so a
 * module can drop all of its listeners in stop(). A listener that throws, or
 * returns a promise that rejects, is logged and skipped: one faulty module
 * never takes the others (or the process) down.
 */
export class EventBus {
  private readonly listeners = new Map<EventName, Array<{ owner: object; fn: Listener<EventName> }>>();
  private readonly handlers = new Map<string, { owner: object; fn: Handler<RequestName> }>();

  constructor(private readonly log?: Logger) {}

  on<E extends EventName>(event: E, owner: object, fn: Listener<E>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Listener<EventName> });
    this.listeners.set(event, list);
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    // Copy: a listener may remove itself (or others) while we iterate.
    for (const { fn } of [...list]) {
      try {
        const r = fn(payload);
        if (isThenable(r)) r.then(undefined, (err: unknown) => this.failed(event, 'rejected', err));
      } catch (err) {
        this.failed(event, 'threw', err);
      }
    }
  }

  private failed(event: EventName, how: string, err: unknown): void {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try {
      this.log?.error(`listener for ${event} ${how}: ${text}`);
    } catch {
      // A logger that fails must not turn a listener's failure into a crash either.
    }
  }

  /** Registers the one handler for a request kind on one UPS. */
  handle<R extends RequestName>(request: R, ups: string, owner: object, fn: Handler<R>): void {
    this.handlers.set(`${request}\0${ups.toLowerCase()}`, { owner, fn: fn as unknown as Handler<RequestName> });
  }

  /** Sends a request to the handler registered for its UPS; rejects with RequestError. */
  async request<R extends RequestName>(request: R, req: RequestMap[R]['req']): Promise<RequestMap[R]['res']> {
    const h = this.handlers.get(`${request}\0${req.ups.toLowerCase()}`);
    if (!h) throw new RequestError('DRIVER-NOT-CONNECTED', `no driver answers ${request} for ${req.ups}`);
    return (await h.fn(req)) as RequestMap[R]['res'];
  }

  hasHandler(request: RequestName, ups: string): boolean {
    return this.handlers.has(`${request}\0${ups.toLowerCase()}`);
  }

  /** Drops every listener and handler that `owner` registered. */
  removeAll(owner: object): void {
    for (const [event, list] of this.listeners) {
      const kept = list.filter((l) => l.owner !== owner);
      if (kept.length) this.listeners.set(event, kept);
      else this.listeners.delete(event);
    }
    for (const [key, h] of this.handlers) if (h.owner === owner) this.handlers.delete(key);
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
