/**
 * Configuration composition. Core knows the shape of the file (sections,
 * UPS entries, users, logging) but no driver or module by name: each module
 * hands its own schema in (src/app/config.ts puts them together), so adding
 * a driver or a module never means editing this file.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue, errorMessage } from './errors';
import { LOG_LEVELS } from './logger';
import { dict, list, obj, oneOf, optional, refine, str, type Schema, type Shape } from './schema';

export const DEFAULT_CONFIG_PATH = '/etc/upsagent/upsagent.yaml';

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
    driver: oneOf(drivers.map((d) => d.name)),
    port: str({ minLength: 1 }),
    desc: optional(str({ maxLength: 255 })),
    ...common,
  };
  const allowed = [...Object.keys(base)];
  for (const d of drivers) for (const k of Object.keys(d.options)) if (!allowed.includes(k)) allowed.push(k);
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
        const owners = drivers.filter((d) => key in d.options).map((d) => d.name);
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
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  return validateWith(schema, parsed.toJS(), file);
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
