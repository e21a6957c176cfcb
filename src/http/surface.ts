/**
 * The web surface as one module: the listener with the JSON API, /metrics,
 * the OpenAPI description and the event stream. Other parts (the page) plug
 * in with use(part): they add routes on `http`, publish on `hub`, read what
 * the API reads through `deps`, and are started and stopped with the rest.
 */
import type { EventBus } from '../core/bus';
import type { UserConfig } from '../core/config';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import type { UpsStore } from '../core/state';
import { registerAuthRoutes } from './api/auth-routes';
import { registerDeviceRoutes } from './api/devices';
import { registerNativeRoutes } from './api/native';
import { registerStreamRoute, StreamFeed } from './api/stream';
import { HttpAuth } from './auth';
import { HTTP_DEFAULTS, type HttpConfig } from './config';
import { NutClients, type ApiDeps, type MonitorReader } from './deps';
import { Metrics } from './metrics';
import { buildOpenApi } from './openapi';
import { nutError } from './actions';
import type { HttpContext } from './context';
import type { RouteDoc } from './router';
import { WebPage } from './page/page';
import { HttpServer } from './server';
import { EventStreamHub } from './sse';

export interface HttpSurfaceOptions {
  config: HttpConfig;
  store: Pick<UpsStore, 'names' | 'get' | 'latchFsd'>;
  bus: EventBus;
  log: Logger;
  users: Record<string, UserConfig>;
  version: string;
  /** server.maxAge in ms. */
  maxAgeMs: number;
  monitor?: MonitorReader | null;
  clock?: () => number;
  /** How long a command or SET waits for the driver before answering 202 (default 5 s, as the NUT server). */
  requestWaitMs?: number;
}

/** A part of the web surface beside the API (the page): routes, and a lifecycle if it keeps state. */
export interface WebPart {
  readonly name: string;
  register(surface: HttpSurface): void;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export class HttpSurface implements Module {
  readonly name = 'http';
  readonly http: HttpServer;
  readonly hub: EventStreamHub;
  readonly deps: ApiDeps;
  readonly config: Required<HttpConfig>;
  private readonly feed: StreamFeed;
  private readonly metrics: Metrics;
  private readonly parts: WebPart[] = [];
  /** The web page, unless http.page is false. */
  readonly page: WebPage | null = null;

  constructor(opts: HttpSurfaceOptions) {
    const cfg = { ...HTTP_DEFAULTS, ...definedOnly(opts.config) } as Required<HttpConfig>;
    this.config = cfg;
    const clock = opts.clock ?? Date.now;
    const auth = new HttpAuth({ users: opts.users, tokens: cfg.tokens, ttlMs: cfg.sessionTtl * 1000, clock });
    this.http = new HttpServer({ listen: cfg.listen, auth, log: opts.log, readRequiresLogin: cfg.readRequiresLogin, maxBodyBytes: cfg.maxBodyBytes });
    this.hub = new EventStreamHub(this.http, cfg.maxStreams);
    this.deps = {
      store: opts.store,
      bus: opts.bus,
      log: opts.log,
      auth,
      maxAgeMs: opts.maxAgeMs,
      clock,
      requestWaitMs: opts.requestWaitMs ?? 5000,
      monitor: opts.monitor ?? null,
      clients: new NutClients(opts.bus),
      version: opts.version,
    };
    this.feed = new StreamFeed(this.deps, this.hub);
    this.metrics = new Metrics({ ...this.deps, streams: () => this.hub.size });

    registerDeviceRoutes(this.http, this.deps);
    registerNativeRoutes(this.http, this.deps);
    registerAuthRoutes(this.http, this.deps, cfg.sessionTtl);
    registerStreamRoute(this.http, this.hub, this.feed);
    this.http.route('GET', '/api/v1/openapi.json', () => buildOpenApi(this.http.routeList(), opts.version, cfg.readRequiresLogin), {
      access: 'public',
      doc: { tag: 'Agent', summary: 'This description (OpenAPI 3)', responses: { 200: { description: 'the OpenAPI document', schema: { type: 'object' } } } },
    });
    if (cfg.metrics) {
      const scrape = async (c: HttpContext): Promise<void> => {
        const ups = c.url.searchParams.get('ups') ?? undefined;
        const r = await this.metrics.scrape(c.req.headers.accept, ups);
        if (!r) throw nutError('UNKNOWN-UPS', `no UPS named ${ups ?? ''}`);
        c.send(200, r.body, r.contentType);
      };
      const metricsDoc = (summary: string): RouteDoc => ({
        tag: 'Agent',
        summary,
        params: [{ name: 'ups', in: 'query', description: 'only this UPS (as nut_exporter\'s ?ups=)' }],
        responses: { 200: { description: 'metrics text', contentType: 'text/plain', schema: { type: 'string' } }, 404: 'UNKNOWN-UPS' },
      });
      this.http.route('GET', '/metrics', scrape, { doc: metricsDoc('Prometheus metrics (OpenMetrics text when Accept asks for application/openmetrics-text), named as nut_exporter names them') });
      // nut_exporter's own path, so a scrape config written for it only needs the new address.
      this.http.route('GET', '/ups_metrics', scrape, { doc: metricsDoc('The same as /metrics, at nut_exporter\'s path') });
    }
    if (cfg.page) this.use((this.page = new WebPage({ settings: { temperature: cfg.temperature, historyIntervalS: cfg.historyInterval }, historyFile: cfg.historyFile })));
  }

  /** Adds a part (the page); call before start(). */
  use(part: WebPart): void {
    part.register(this);
    this.parts.push(part);
  }

  addresses(): Array<{ host: string; port: number }> {
    return this.http.addresses();
  }

  async start(): Promise<void> {
    this.deps.clients.start();
    this.feed.start();
    this.metrics.start();
    const started: WebPart[] = [];
    try {
      for (const p of this.parts) {
        await p.start?.();
        started.push(p);
      }
      await this.http.start();
    } catch (err) {
      for (const p of started.reverse()) await p.stop?.().catch(() => undefined);
      this.unlisten();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.http.stop();
    this.hub.closeAll();
    for (const p of [...this.parts].reverse()) await p.stop?.().catch((err: unknown) => this.deps.log.warn(`stopping ${p.name}: ${String(err)}`));
    this.unlisten();
  }

  private unlisten(): void {
    this.deps.clients.stop();
    this.feed.stop();
    this.metrics.stop();
  }
}

/** The keys of a partial config that are set, so defaults fill in the rest. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
