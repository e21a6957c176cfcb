/**
 * The `http:` section: the web listener (JSON API, Prometheus metrics, event
 * stream and the page). Off unless the section is there; loopback only
 * unless configured otherwise, like the NUT server.
 */
import { listenListSchema } from '../core/listen';
import { bool, list, num, obj, oneOf, optional, refine, str, type Infer } from '../core/schema';

export const HTTP_PORT = 8080;

export const HTTP_DEFAULTS = {
  listen: ['127.0.0.1:8080'],
  /** Reading (devices, variables, events, metrics) needs a login too. */
  readRequiresLogin: false,
  /** Serve /metrics (Prometheus / OpenMetrics text). */
  metrics: true,
  /** Largest request body accepted, in bytes; bigger ones get 413. */
  maxBodyBytes: 64 * 1024,
  /** Seconds a page login (session cookie) or an issued token stays valid. */
  sessionTtl: 12 * 3600,
  /** Event-stream (server-sent events) clients at once; more get 503. */
  maxStreams: 100,
  /** Extra fixed API tokens: each acts as its user (of the users: section). */
  tokens: [] as Array<{ user: string; token: string }>,
  /** Serve the web page at / (every UPS, charts, events, commands). */
  page: true,
  /** Temperatures on the page in degrees C or F (upsstats' TEMPC / TEMPF). */
  temperature: 'C' as 'C' | 'F',
  /** Seconds between two chart samples; the page keeps the last 24 h of them. */
  historyInterval: 60,
  /** File that keeps the chart samples across restarts ('' = memory only). */
  historyFile: '',
};

/** A configured token: long enough that guessing it is hopeless. Messages never repeat it: config errors get printed. */
const tokenSchema = obj({
  user: str({ minLength: 1 }),
  token: refine(str({ minLength: 24, maxLength: 512 }), (v, path, issues) => {
    if (!/^[\x21-\x7e]+$/.test(v)) issues.push({ path, message: 'must be printable ASCII characters without spaces (the value is not shown)' });
  }),
});

export const httpSectionSchema = optional(
  obj({
    listen: optional(listenListSchema(HTTP_PORT), HTTP_DEFAULTS.listen),
    readRequiresLogin: optional(bool(), HTTP_DEFAULTS.readRequiresLogin),
    metrics: optional(bool(), HTTP_DEFAULTS.metrics),
    maxBodyBytes: optional(num({ min: 1024, max: 16 * 1024 * 1024, integer: true }), HTTP_DEFAULTS.maxBodyBytes),
    sessionTtl: optional(num({ min: 60, max: 30 * 86_400, integer: true }), HTTP_DEFAULTS.sessionTtl),
    maxStreams: optional(num({ min: 1, max: 100_000, integer: true }), HTTP_DEFAULTS.maxStreams),
    tokens: optional(list(tokenSchema), HTTP_DEFAULTS.tokens),
    page: optional(bool(), HTTP_DEFAULTS.page),
    temperature: optional(oneOf(['C', 'F'] as const, { celsius: 'C', fahrenheit: 'F' }), HTTP_DEFAULTS.temperature),
    historyInterval: optional(num({ min: 1, max: 3600, integer: true }), HTTP_DEFAULTS.historyInterval),
    historyFile: optional(str(), HTTP_DEFAULTS.historyFile),
  }),
);

export type HttpConfig = NonNullable<Infer<typeof httpSectionSchema>>;
