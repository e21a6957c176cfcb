/**
 * The web page as a part of the web surface: the HTML, its script and style
 * and uPlot (all from inside the program, gzip-compressed once at start and
 * sent compressed to browsers that accept it), the chart history of each UPS
 * as JSON, and every new chart sample on the event stream (`sample`
 * {ups, sample}). Everything else the page shows it reads from the API and
 * the stream like any other client, with the rights of whoever logs in.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { systemClock, type Clock } from '../../core/clock';
import { BASE_HEADERS, type HttpContext } from '../context';
import { nutError } from '../actions';
import type { RouteDoc } from '../router';
import type { HttpSurface, WebPart } from '../surface';
import { numericValue, shownVar } from '../ups-json';
import { MonitorWatch } from './monitor-watch';
import { HistorySampler, SERIES, SERIES_NAMES, type SampleValues } from './history';
import { pageSources } from './sources';

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * Only this origin: scripts, styles, the API and the stream. uPlot sizes its
 * elements through style attributes, hence 'unsafe-inline' for styles only.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What the page needs to know of the configuration, put into the HTML (no secrets here). */
export interface PageSettings {
  temperature: 'C' | 'F';
  historyIntervalS: number;
}

export interface WebPageOptions {
  settings: PageSettings;
  historyFile: string;
  clock?: Clock;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The files as served: the settings go into the HTML's <meta name="upsagent-settings">. */
export function buildAssets(settings: PageSettings, sources: Record<string, string> = pageSources()): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [name, text] of Object.entries(sources)) {
    const content = name === 'index.html' ? text.replace('%SETTINGS%', escapeHtml(JSON.stringify(settings))) : text;
    const body = Buffer.from(content, 'utf8');
    out.set(name, {
      type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
      body,
      gzip: gzipSync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return out;
}

function acceptsGzip(c: HttpContext): boolean {
  return /\bgzip\b/.test(String(c.req.headers['accept-encoding'] ?? ''));
}

function serve(c: HttpContext, a: Asset): void {
  const headers = { ETag: a.etag, Vary: 'Accept-Encoding', 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' };
  if (c.req.headers['if-none-match'] === a.etag) {
    c.res.writeHead(304, { ...BASE_HEADERS, ...headers });
    c.res.end();
    return;
  }
  if (acceptsGzip(c)) c.send(200, a.gzip, a.type, { ...headers, 'Content-Encoding': 'gzip' });
  else c.send(200, a.body, a.type, headers);
}

const ASSET_ROUTES: Array<[string, string, string]> = [
  ['/', 'index.html', 'The web page: every UPS, charts, events, variables and commands'],
  ['/page/app.js', 'app.js', "The page's script"],
  ['/page/app.css', 'app.css', "The page's style sheet"],
  ['/page/uplot.js', 'uplot.js', 'uPlot, the charting library the page uses (served from inside the agent)'],
  ['/page/uplot.css', 'uplot.css', "uPlot's style sheet"],
];

export class WebPage implements WebPart {
  readonly name = 'page';
  private readonly assets: Map<string, Asset>;
  private sampler: HistorySampler | undefined;
  private watch: MonitorWatch | undefined;

  constructor(private readonly opts: WebPageOptions) {
    this.assets = buildAssets(opts.settings);
  }

  register(surface: HttpSurface): void {
    const { deps, hub } = surface;
    const clock = this.opts.clock ?? { ...systemClock, now: deps.clock };
    this.sampler = new HistorySampler({
      intervalS: this.opts.settings.historyIntervalS,
      clock,
      log: deps.log,
      file: this.opts.historyFile,
      onSample: (ups, sample) => hub.publish('sample', { ups, sample }, ups),
      read: () => {
        const out = new Map<string, SampleValues>();
        for (const name of deps.store.names()) {
          const view = deps.store.get(name);
          if (!view?.health.attached || view.isStale(deps.maxAgeMs, deps.clock())) continue;
          const values = {} as SampleValues;
          for (const s of SERIES_NAMES) {
            const v = shownVar(view, SERIES[s]);
            values[s] = v ? numericValue(v) : null;
          }
          out.set(view.name, values);
        }
        return out;
      },
    });

    if (deps.monitor) this.watch = new MonitorWatch(deps.monitor, deps.bus, clock, (view) => hub.publish('monitor', view));

    for (const [path, file, summary] of ASSET_ROUTES) {
      const asset = this.assets.get(file);
      if (!asset) throw new Error(`the page has no ${file}`);
      const doc: RouteDoc = { tag: 'Page', summary, responses: { 200: { description: file, contentType: asset.type.split(';')[0]!, schema: { type: 'string' } }, 304: 'not modified (If-None-Match)' } };
      surface.http.route('GET', path, (c) => serve(c, asset), { access: 'public', doc });
    }
    const sampler = this.sampler;
    surface.http.route(
      'GET',
      '/api/v1/ups/:ups/history',
      (c) => {
        const view = deps.store.get(c.params.ups!);
        if (!view) throw nutError('UNKNOWN-UPS', `no UPS named ${c.params.ups!}`);
        return sampler.series(view.name) ?? { ups: view.name, intervalS: this.opts.settings.historyIntervalS, t: [], ...Object.fromEntries(SERIES_NAMES.map((n) => [n, []])) };
      },
      {
        doc: {
          tag: 'Page',
          summary: `The last 24 h of chart samples (every http.historyInterval seconds): t in seconds since the epoch, then ${SERIES_NAMES.map((n) => `${n} (${SERIES[n]})`).join(', ')}, null where unknown`,
          params: [{ name: 'ups', in: 'path', description: 'UPS name, as in the ups: section', example: '{ups}' }],
          responses: { 200: { description: 'columns, oldest first', schema: { type: 'object', properties: { ups: { type: 'string' }, intervalS: { type: 'integer' }, t: { type: 'array', items: { type: 'number' } } } } }, 404: 'UNKNOWN-UPS' },
        },
      },
    );
  }

  async start(): Promise<void> {
    await this.sampler?.start();
    this.watch?.start();
  }

  async stop(): Promise<void> {
    this.watch?.stop();
    await this.sampler?.stop();
  }
}
