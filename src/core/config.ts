import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigIssue, errorMessage } from './errors';
import { LOG_LEVELS } from './logger';
import { bool, dict, list, num, obj, oneOf, optional, refine, str, type Infer } from './schema';

export const DEFAULT_CONFIG_PATH = '/etc/upsagent/upsagent.yaml';
export const NUT_PORT = 3493;
export const DEFAULT_LISTEN = ['127.0.0.1:3493', '[::1]:3493'];

/** Drivers this build knows; `driver:` must name one of them. */
export const DRIVER_NAMES = ['dummy', 'usbhid'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

/** Rights a user may hold beyond reading (NUT upsd.users `actions`). */
export const ACTIONS = ['set', 'fsd'] as const;

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port`, `host` or `*` (every address). */
export function parseListen(text: string): ListenAddress | string {
  let host: string;
  let port = String(NUT_PORT);
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = v6[2];
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return `${JSON.stringify(text)} has more than one ":"; write IPv6 addresses in brackets, e.g. "[::1]:3493"`;
    host = parts[0]!;
    if (parts[1] !== undefined) port = parts[1];
  }
  if (host === '') return `${JSON.stringify(text)} has no host; use "127.0.0.1:3493", "[::1]:3493" or "*:3493" for every address`;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    return `${JSON.stringify(text)} has port ${JSON.stringify(port)}; a port is a number from 0 to 65535 (0: any free port)`;
  }
  if (host === '*') host = '::';
  return { host, port: Number(port) };
}

const USBHID_ONLY = ['vendorid', 'productid', 'vendor', 'product', 'serial', 'pollfreq', 'pollonly', 'onlinedischarge'] as const;

/** A regular expression given as text (usbhid-ups matches USB strings with these). */
const regexText = refine(str({ minLength: 1 }), (re, path, issues) => {
  try {
    new RegExp(re, 'i');
  } catch (err) {
    issues.push({ path, message: `${JSON.stringify(re)} is not a valid regular expression (${errorMessage(err)})` });
  }
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const NAME_TEXT = 'letters, digits, "_", "-" and "." and not starting with a punctuation mark';

const upsSchema = refine(
  obj({
    driver: oneOf(DRIVER_NAMES),
    port: str({ minLength: 1 }),
    desc: optional(str({ maxLength: 255 })),
    /** Seconds between polls of the device (dummy: between checks of the file). */
    pollInterval: optional(num({ min: 0.1, max: 3600 })),
    /** dummy: `once` (a .dev file, re-read when it changes) or `loop` (a .seq file stepped by TIMER lines). */
    mode: optional(oneOf(['once', 'loop'] as const)),
    /** usbhid: match the device by USB vendor/product ID (4 hex digits, as lsusb prints them). */
    vendorid: optional(str({ pattern: /^(0x)?[0-9a-fA-F]{1,4}$/, patternText: 'a USB ID of up to 4 hex digits, e.g. 051d' })),
    productid: optional(str({ pattern: /^(0x)?[0-9a-fA-F]{1,4}$/, patternText: 'a USB ID of up to 4 hex digits, e.g. 0002' })),
    /** usbhid: match by the USB strings; regular expressions, case-insensitive, as usbhid-ups takes them. */
    vendor: optional(regexText),
    product: optional(regexText),
    serial: optional(regexText),
    /** usbhid: seconds between full updates of every value (usbhid-ups pollfreq, default 30). */
    pollfreq: optional(num({ min: 1, max: 3600 })),
    /** usbhid: never use interrupt reports, poll only (usbhid-ups pollonly). */
    pollonly: optional(bool()),
    /** usbhid: treat OL+DISCHRG as on battery (usbhid-ups onlinedischarge_onbattery). */
    onlinedischarge: optional(bool()),
  }),
  (u, path, issues) => {
    if (u.mode !== undefined && u.driver !== 'dummy') {
      issues.push({ path: `${path}.mode`, message: `only the dummy driver has a mode; ${u.driver} does not` });
    }
    for (const key of USBHID_ONLY) {
      if (u[key] !== undefined && u.driver !== 'usbhid') {
        issues.push({ path: `${path}.${key}`, message: `only the usbhid driver takes ${key}; ${u.driver} does not` });
      }
    }
  },
);

const listenSchema = refine(list(str({ minLength: 1 }), { minItems: 1, unique: true }), (items, path, issues) => {
  items.forEach((item, i) => {
    const r = parseListen(item);
    if (typeof r === 'string') issues.push({ path: `${path}[${i}]`, message: r });
  });
});

const userSchema = obj({
  password: str({ minLength: 1 }),
  actions: optional(list(oneOf(ACTIONS), { unique: true }), []),
  /** `all`, or the names of the instant commands this user may run. */
  instcmds: optional(list(str({ pattern: /^[A-Za-z0-9_.-]+$/, patternText: 'a command name such as load.off, or all' }), { unique: true }), []),
  /** `master` and `slave` are accepted as NUT's old names for primary and secondary. */
  upsmon: optional(oneOf(['primary', 'secondary'] as const, { master: 'primary', slave: 'secondary' })),
});

export const configSchema = obj({
  ups: refine(dict(upsSchema, { key: NAME, keyText: NAME_TEXT }), (upses, path, issues) => {
    if (Object.keys(upses).length === 0) issues.push({ path, message: 'no UPS is configured; add at least one under ups:' });
  }),
  server: optional(
    obj({
      listen: optional(listenSchema, DEFAULT_LISTEN),
      maxAge: optional(num({ min: 1, max: 3600 }), 15),
      /** Clients that may be connected at once; more are refused. */
      maxClients: optional(num({ min: 1, max: 1_000_000, integer: true }), 10_000),
      /** Seconds a client may stay silent before it is dropped (upsd: 60). */
      idleTimeout: optional(num({ min: 1, max: 86_400 }), 60),
      /** Start even when an address cannot be bound (NUT: ALLOW_NOT_ALL_LISTENERS). */
      allowNotAllListeners: optional(bool(), true),
    }),
    { listen: DEFAULT_LISTEN, maxAge: 15, maxClients: 10_000, idleTimeout: 60, allowNotAllListeners: true },
  ),
  users: optional(dict(userSchema, { key: NAME, keyText: NAME_TEXT }), {}),
  log: optional(
    obj({
      level: optional(oneOf(LOG_LEVELS), 'info'),
      file: optional(str({ minLength: 1 })),
    }),
    { level: 'info' },
  ),
});

export type AgentConfig = Infer<typeof configSchema>;
export type UpsConfig = AgentConfig['ups'][string];
export type UserConfig = AgentConfig['users'] extends Record<string, infer U> | undefined ? U : never;
export type ServerConfig = NonNullable<AgentConfig['server']>;

/** Validates a parsed document; throws ConfigError listing every problem. */
export function validateConfig(doc: unknown, file = '<config>'): AgentConfig {
  const issues: ConfigIssue[] = [];
  const out = configSchema.check(doc, '', issues);
  if (issues.length || !out) throw new ConfigError(file, issues.length ? issues : [{ path: '', message: 'empty configuration' }]);
  return out;
}

/** Parses YAML text and validates it. YAML syntax errors are reported with line and column. */
export async function parseConfig(text: string, file = '<config>'): Promise<AgentConfig> {
  // Imported here: the yaml package is only needed when a config is read, not for `--help`.
  const YAML = await import('yaml');
  const parsed = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (parsed.errors.length) {
    throw new ConfigError(
      file,
      parsed.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  return validateConfig(parsed.toJS(), file);
}

export async function loadConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${errorMessage(err)}` }]);
  }
  const cfg = await parseConfig(text, file);
  // A device file named relatively (a dummy .dev/.seq, a usbhid recording) is found beside the
  // configuration, as dummy-ups finds its file in NUT's configuration folder; not relative to
  // wherever the agent was started.
  for (const ups of Object.values(cfg.ups)) {
    const isFile = ups.driver === 'dummy' || (ups.driver === 'usbhid' && ups.port !== 'auto');
    if (isFile && !isAbsolute(ups.port)) ups.port = resolve(dirname(resolve(file)), ups.port);
  }
  return cfg;
}
