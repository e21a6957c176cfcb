/**
 * The `server:` section: the NUT server's own schema and its defaults, in
 * this one place (the agent, the demo and hand-built configs all use these).
 */
import { listenListSchema, parseListenAddress, type ListenAddress } from '../core/listen';
import { bool, list, num, obj, optional, refine, str, type Infer } from '../core/schema';
import { parseSubnet } from './subnets';
import { serverTlsSchema } from './tls';

export const NUT_PORT = 3493;
/** Loopback only unless configured otherwise: safe by default. */
export const DEFAULT_LISTEN: readonly string[] = ['127.0.0.1:3493', '[::1]:3493'];

export type { ListenAddress } from '../core/listen';

/** Parses `host:port`, `[v6]:port`, `host` or `*` (every address); a string is the problem. */
export function parseListen(text: string): ListenAddress | string {
  return parseListenAddress(text, NUT_PORT);
}

const listenSchema = listenListSchema(NUT_PORT);

const subnetsSchema = refine(list(str({ minLength: 1 }), { unique: true }), (items, path, issues) => {
  items.forEach((item, i) => {
    const r = parseSubnet(item);
    if (typeof r === 'string') issues.push({ path: `${path}[${i}]`, message: r });
  });
});

/** Failed logins: delay per address, doubling after the free ones. */
export const LOGIN_THROTTLE_DEFAULTS = {
  /** Off: failures are still logged, never slowed. */
  enabled: true,
  /** Failures from one address answered at once before the delay starts. */
  freeFailures: 5,
  /** Seconds of the first delay; each further failure doubles it. */
  delay: 1,
  /** Seconds the delay grows to at most. */
  maxDelay: 30,
  /** Seconds without a failure after which an address starts afresh. */
  forgetAfter: 900,
};

/** Every server setting with its default. */
export const SERVER_DEFAULTS = {
  listen: [...DEFAULT_LISTEN],
  /** Seconds without news from a driver before its data is stale (upsd MAXAGE). */
  maxAge: 15,
  /** Clients connected at once; more are refused. */
  maxClients: 10_000,
  /** Seconds a client may stay silent before it is dropped (upsd: 60). */
  idleTimeout: 60,
  /** Start even when an address cannot be bound (NUT: ALLOW_NOT_ALL_LISTENERS). */
  allowNotAllListeners: true,
  /** Connections one address may hold at once, so one host cannot take every slot. */
  maxClientsPerAddress: 32,
  /** Addresses and subnets exempt from maxClientsPerAddress (loopback by default). */
  exemptAddresses: ['127.0.0.0/8', '::1'],
  /** Bytes of replies all clients together may leave unread; past it, clients that do not read are dropped. */
  maxOutputBytes: 8 * 1024 * 1024,
  /** Seconds between two log lines of the same repeated warning (the rest are counted). */
  warningInterval: 60,
  loginThrottle: { ...LOGIN_THROTTLE_DEFAULTS },
};

export const serverSectionSchema = optional(
  obj({
    listen: optional(listenSchema, SERVER_DEFAULTS.listen),
    maxAge: optional(num({ min: 1, max: 3600 }), SERVER_DEFAULTS.maxAge),
    maxClients: optional(num({ min: 1, max: 1_000_000, integer: true }), SERVER_DEFAULTS.maxClients),
    idleTimeout: optional(num({ min: 1, max: 86_400 }), SERVER_DEFAULTS.idleTimeout),
    allowNotAllListeners: optional(bool(), SERVER_DEFAULTS.allowNotAllListeners),
    maxClientsPerAddress: optional(num({ min: 1, max: 1_000_000, integer: true }), SERVER_DEFAULTS.maxClientsPerAddress),
    exemptAddresses: optional(subnetsSchema, SERVER_DEFAULTS.exemptAddresses),
    maxOutputBytes: optional(num({ min: 64 * 1024, max: 4 * 1024 * 1024 * 1024, integer: true }), SERVER_DEFAULTS.maxOutputBytes),
    warningInterval: optional(num({ min: 1, max: 86_400 }), SERVER_DEFAULTS.warningInterval),
    loginThrottle: optional(
      obj({
        enabled: optional(bool(), LOGIN_THROTTLE_DEFAULTS.enabled),
        freeFailures: optional(num({ min: 0, max: 1000, integer: true }), LOGIN_THROTTLE_DEFAULTS.freeFailures),
        delay: optional(num({ min: 0.01, max: 3600 }), LOGIN_THROTTLE_DEFAULTS.delay),
        maxDelay: optional(num({ min: 0.01, max: 3600 }), LOGIN_THROTTLE_DEFAULTS.maxDelay),
        forgetAfter: optional(num({ min: 1, max: 86_400 * 7 }), LOGIN_THROTTLE_DEFAULTS.forgetAfter),
      }),
      LOGIN_THROTTLE_DEFAULTS,
    ),
    /** STARTTLS with this certificate and key (upsd's CERTFILE); without it, STARTTLS is declined. */
    tls: serverTlsSchema,
  }),
  SERVER_DEFAULTS,
);

export type ServerConfig = NonNullable<Infer<typeof serverSectionSchema>>;
