/**
 * Configuration composition. Core knows the shape of the file (sections,
 * UPS entries, users, logging) but no driver or module by name: each module
 * hands its own schema in (src/app/config.ts puts them together), so adding
 * a driver or a module never means editing this file.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError, type ConfigIssue, errorMessage } from './errors';
import { LOG_LEVELS } from './logger';
import { dict, list, obj, oneOf, optional, refine, str, type Schema, type Shape } from './schema';

export const DEFAULT_CONFIG_PATH = '/etc/upsagent/upsagent.yaml';
/**
 * The pid file of the installed service (`run --config /etc/upsagent/upsagent.yaml`, the default,
 * as root), where `upsagent reload` finds it. In a folder of its own: systemd's
 * RuntimeDirectory=upsagent makes exactly that one writable under ProtectSystem=strict.
 */
export const DEFAULT_PID_FILE = '/run/upsagent/upsagent.pid';

/** Rights a user may hold beyond reading (NUT upsd.users `actions`). */
export const ACTIONS = ['set', 'fsd'] as const;

/**
 * One `ups:` entry as core sees it: the keys every UPS has, and the keys of
 * its driver (each driver types its own, see DriverSchema).
 */
export interface UpsConfig {
  driver: string;
  port: string;
  desc?: string;
  [option: string]: unknown;
}

/** What a driver tells core about its configuration. */
export interface DriverSchema {
  /** `driver:` names it. */
  readonly name: string;
  /** Its own keys beside driver/port/desc (all optional), with their docs and defaults. */
  readonly options: Shape;
  /** Checks across its keys. */
  check?(cfg: UpsConfig, path: string, issues: ConfigIssue[]): void;
  /** True when `port` names a file, found beside the configuration when relative. */
  portIsFile?(cfg: UpsConfig): boolean;
  /** Another name for a listed driver (NUT's driver names): accepted in `driver:`, left out of the lists messages give. */
  readonly alias?: boolean;
}

export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const NAME_TEXT = 'letters, digits, "_", "-" and "." and not starting with a punctuation mark';

/**
 * A `ups:` entry: driver, port and desc, the keys every driver shares
 * (`common`, e.g. the runtime's pollInterval) and the chosen driver's own
 * keys. A key of another driver is named as such, so a typo and a
 * misplaced option read differently.
 */
export function upsEntrySchema(common: Shape, drivers: readonly DriverSchema[]): Schema<UpsConfig> {
  const base: Shape = {
    driver: driverName(drivers),
    port: str({ minLength: 1 }),
    desc: optional(str({ maxLength: 255 })),
    ...common,
  };
  const allowed = [...Object.keys(base)];
  const listed = drivers.filter((d) => !d.alias);
  for (const d of listed) for (const k of Object.keys(d.options)) if (!allowed.includes(k)) allowed.push(k);
  const baseSchema = obj(base, { allowUnknown: true });
  return {
    expected: 'a UPS entry',
    optional: false,
    check(v, path, issues) {
      const before = issues.length;
      const out = baseSchema.check(v, path, issues) as UpsConfig | undefined;
      if (!out || typeof v !== 'object' || v === null) return undefined;
      const input = v as Record<string, unknown>;
      const driver = drivers.find((d) => d.name === out.driver);
      for (const key of Object.keys(input)) {
        if (key in base) continue;
        const p = `${path}.${key}`;
        if (driver && key in driver.options) {
          const r = driver.options[key]!.check(input[key], p, issues);
          if (r !== undefined) out[key] = r;
          continue;
        }
        const owners = listed.filter((d) => key in d.options).map((d) => d.name);
        if (owners.length === 0) issues.push({ path: p, message: `unknown key; allowed here: ${allowed.join(', ')}` });
        else if (driver) {
          const who = owners.length === 1 ? `the ${owners[0]} driver takes` : `the ${owners.join(', ')} drivers take`;
          issues.push({ path: p, message: `only ${who} ${key}; ${driver.name} does not` });
        }
      }
      if (driver) {
        // Defaults of the driver's keys that were not given.
        for (const [key, s] of Object.entries(driver.options)) {
          if (key in out) continue;
          const d = s.check(undefined, `${path}.${key}`, []);
          if (d !== undefined) out[key] = d;
        }
        if (issues.length === before) driver.check?.(out, path, issues);
      }
      return out;
    },
  };
}

/** `driver:`: a listed driver's name (any case, as oneOf takes it), or an alias's as it is written. */
function driverName(drivers: readonly DriverSchema[]): Schema<string> {
  const names = oneOf(drivers.filter((d) => !d.alias).map((d) => d.name));
  return {
    ...names,
    check(v, path, issues) {
      const alias = typeof v === 'string' ? drivers.find((d) => d.alias && d.name.toLowerCase() === v.toLowerCase()) : undefined;
      return alias ? alias.name : names.check(v, path, issues);
    },
  };
}

/** The `ups:` section: named entries, at least one. */
export function upsSectionSchema(entry: Schema<UpsConfig>): Schema<Record<string, UpsConfig>> {
  return refine(dict(entry, { key: NAME, keyText: NAME_TEXT }), (upses, path, issues) => {
    if (Object.keys(upses).length === 0) issues.push({ path, message: 'no UPS is configured; add at least one under ups:' });
  });
}

export const userSchema = obj({
  password: str({ minLength: 1 }),
  actions: optional(list(oneOf(ACTIONS), { unique: true }), []),
  /** `all`, or the names of the instant commands this user may run. */
  instcmds: optional(list(str({ pattern: /^[A-Za-z0-9_.-]+$/, patternText: 'a command name such as load.off, or all' }), { unique: true }), []),
  /** `master` and `slave` are accepted as NUT's old names for primary and secondary. */
  upsmon: optional(oneOf(['primary', 'secondary'] as const, { master: 'primary', slave: 'secondary' })),
});
export type UserConfig = NonNullable<ReturnType<typeof userSchema.check>>;

export const usersSchema = optional(dict(userSchema, { key: NAME, keyText: NAME_TEXT }), {});

export const logSchema = optional(
  obj({
    level: optional(oneOf(LOG_LEVELS), 'info'),
    file: optional(str({ minLength: 1 })),
  }),
  { level: 'info' },
);
export type LogConfig = NonNullable<ReturnType<typeof logSchema.check>>;

/** Validates a parsed document; throws ConfigError listing every problem. */
export function validateWith<T>(schema: Schema<T>, doc: unknown, file = '<config>'): T {
  const issues: ConfigIssue[] = [];
  const out = schema.check(doc, '', issues);
  if (issues.length || out === undefined) throw new ConfigError(file, issues.length ? issues : [{ path: '', message: 'empty configuration' }]);
  return out;
}

/** Parses YAML text and validates it. YAML syntax errors are reported with line and column. */
export async function parseWith<T>(schema: Schema<T>, text: string, file = '<config>'): Promise<T> {
  // Imported here: the yaml package is only needed when a config is read, not for `--help`.
  const YAML = await import('yaml');
  const parsed = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (parsed.errors.length) {
    throw new ConfigError(
      file,
      parsed.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: yamlErrorText(e.message),
      })),
    );
  }
  return validateWith(schema, parsed.toJS(), file);
}

/**
 * The yaml package's pretty message repeats the position the issue already
 * names ("... at line 4, column 1:") and follows it with a source excerpt;
 * only the sentence is kept.
 */
export function yamlErrorText(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/\s+at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, '');
}

/** Reads a file and validates it. */
export async function loadWith<T>(schema: Schema<T>, file: string): Promise<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${errorMessage(err)}` }]);
  }
  return parseWith(schema, text, file);
}

/**
 * Why `host` can be neither an IP address nor a host name, or null when it
 * can be one; no DNS is asked. A name whose last label is all digits is a
 * mistyped IPv4 address ("300.1.1.1", "10.0.0"), not a name: getaddrinfo
 * would read some of these as other addresses, or fail only at run time.
 */
export function hostProblem(host: string): string | null {
  if (isIP(host) !== 0) return null;
  const labels = host.replace(/\.$/, '').split('.');
  if (/^[0-9.]+$/.test(host)) return `${JSON.stringify(host)} is not an IPv4 address: four numbers from 0 to 255, e.g. 192.168.1.10`;
  if (host.includes(':')) return `${JSON.stringify(host)} is not an IPv6 address`;
  const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  if (host.length > 253 || !labels.every((l) => label.test(l))) {
    return `${JSON.stringify(host)} is not a host name (letters, digits and "-" between dots) nor an IP address`;
  }
  return null;
}

/** A host name or address the configuration names, and where. */
export interface HostUse {
  path: string;
  host: string;
}

/** Resolves a host name to at least one address; rejects when it has none. */
export type HostLookup = (host: string) => Promise<unknown>;

async function systemLookup(host: string): Promise<unknown> {
  const { lookup } = await import('node:dns/promises');
  return lookup(host, { all: true });
}

/**
 * The host names among `uses` that do not resolve, as problems. IP literals
 * are never looked up; each name is asked once, all of them at once.
 */
export async function unresolvedHosts(uses: readonly HostUse[], lookup: HostLookup = systemLookup): Promise<ConfigIssue[]> {
  const names = [...new Set(uses.filter((u) => isIP(u.host) === 0 && hostProblem(u.host) === null).map((u) => u.host))];
  const failed = new Map<string, string>();
  await Promise.all(
    names.map(async (name) => {
      try {
        await lookup(name);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        failed.set(name, code === 'ENOTFOUND' ? 'no such host' : errorMessage(err));
      }
    }),
  );
  return uses
    .filter((u) => failed.has(u.host))
    .map((u) => ({ path: u.path, message: `cannot resolve host name ${JSON.stringify(u.host)} (${failed.get(u.host)}); use an IP address or a name this host can resolve` }));
}

/** The passwords config.example.yaml ships with, which anyone who read it knows. */
const PLACEHOLDER_PASSWORD = /^change-me/i;

/** A warning when `password` is the example's placeholder; null otherwise. */
export function placeholderPassword(path: string, password: string | undefined): ConfigIssue | null {
  if (password === undefined || !PLACEHOLDER_PASSWORD.test(password)) return null;
  return { path, message: `is still the example's ${JSON.stringify(password)}: anyone who read config.example.yaml can log in with it; choose a password of your own` };
}

/** Warnings about the users: section (placeholder passwords). */
export function userWarnings(users: Readonly<Record<string, UserConfig>> | undefined): ConfigIssue[] {
  return Object.entries(users ?? {}).flatMap(([name, u]) => placeholderPassword(`users.${name}.password`, u.password) ?? []);
}
