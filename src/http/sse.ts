/**
 * Server-sent events: one hub, many open responses. Anything on the web
 * surface publishes through it (the API's UPS events; the page its chart
 * samples); each client may ask for some UPSes only. A client that stops
 * reading is dropped rather than buffered without end, and a comment line
 * every 15 s keeps proxies from closing an idle stream.
 */
import type { ServerResponse } from 'node:http';
import { BASE_HEADERS, HttpError, type HttpContext } from './context';
import type { HttpServer } from './server';

const HEARTBEAT_MS = 15_000;
/** Unread bytes after which a client is dropped. */
const MAX_BUFFERED = 1024 * 1024;

interface Client {
  res: ServerResponse;
  /** Lower-cased UPS names it wants; null = all. */
  upses: Set<string> | null;
}

export class EventStreamHub {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | undefined;
  private nextId = 1;
  /** Told the number of open streams on every change (metrics read it). */
  onCount: (count: number) => void = () => undefined;

  constructor(
    private readonly server: Pick<HttpServer, 'onStop'>,
    private readonly maxClients: number,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Turns the request into a stream. `?ups=a,b` limits UPS events to those
   * UPSes; events without a UPS go to everyone. `first` is sent before
   * anything else (a snapshot, so the client needs no separate GET).
   */
  open(c: HttpContext, first?: { event: string; data: unknown }): void {
    if (this.clients.size >= this.maxClients) throw new HttpError(503, 'TOO-MANY-STREAMS', 'too many event streams open (http.maxStreams)', { 'Retry-After': '10' });
    const only = c.url.searchParams.get('ups');
    const client: Client = { res: c.res, upses: only ? new Set(only.split(',').map((u) => u.trim().toLowerCase()).filter(Boolean)) : null };
    c.res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    c.res.write('retry: 2000\n\n');
    c.res.socket?.setNoDelay(true);
    this.clients.add(client);
    this.onCount(this.clients.size);
    const forget = this.server.onStop(() => c.res.end());
    c.res.on('close', () => {
      forget();
      if (this.clients.delete(client)) this.onCount(this.clients.size);
      if (this.clients.size === 0) this.stopHeartbeat();
    });
    if (first) this.write(client, first.event, first.data);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  /** Sends an event to every client that wants it (`ups` set: only those watching that UPS). */
  publish(event: string, data: unknown, ups?: string): void {
    if (this.clients.size === 0) return;
    const key = ups?.toLowerCase();
    const frame = this.frame(event, data);
    for (const client of this.clients) {
      if (key !== undefined && client.upses && !client.upses.has(key)) continue;
      this.send(client, frame);
    }
  }

  closeAll(): void {
    for (const c of [...this.clients]) c.res.end();
    this.stopHeartbeat();
  }

  private frame(event: string, data: unknown): string {
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private write(client: Client, event: string, data: unknown): void {
    this.send(client, this.frame(event, data));
  }

  private send(client: Client, frame: string): void {
    if (client.res.writableLength > MAX_BUFFERED) {
      client.res.destroy();
      return;
    }
    client.res.write(frame);
  }

  private ping(): void {
    for (const c of this.clients) this.send(c, ': ping\n\n');
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
