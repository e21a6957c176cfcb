import type { ConfigIssue } from './errors';

/**
 * A small schema language for the YAML configuration. Each schema checks a
 * value, reports every problem with its path (what is wrong and what is
 * allowed) and returns the value with defaults filled in. Written here rather
 * than pulling in a JSON-Schema engine, to keep the executable small and the
 * messages in plain words.
 */
export interface Schema<T> {
  /** Shown in messages: "a number", "one of set, fsd"... */
  readonly expected: string;
  /** True when an absent key is fine (the result then holds the default, or undefined). */
  readonly optional: boolean;
  readonly doc?: string;
  check(value: unknown, path: string, issues: ConfigIssue[]): T | undefined;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

function make<T>(expected: string, check: Schema<T>['check']): Schema<T> {
  return { expected, optional: false, check };
}

export function str(opts: { minLength?: number; maxLength?: number; pattern?: RegExp; patternText?: string } = {}): Schema<string> {
  const expected = opts.patternText ?? 'a string';
  return make(expected, (v, path, issues) => {
    // YAML turns `port: 3493` into a number: accept scalars where a string is wanted.
    if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
    if (typeof v !== 'string') {
      issues.push({ path, message: `${describe(v)} is not ${expected}` });
      return undefined;
    }
    if (opts.minLength !== undefined && v.length < opts.minLength) {
      issues.push({ path, message: opts.minLength === 1 ? 'must not be empty' : `must be at least ${opts.minLength} characters` });
      return undefined;
    }
    if (opts.maxLength !== undefined && v.length > opts.maxLength) {
      issues.push({ path, message: `is ${v.length} characters long; at most ${opts.maxLength} allowed` });
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      issues.push({ path, message: `${JSON.stringify(v)} is not ${expected}` });
      return undefined;
    }
    return v;
  });
}

export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  const parts = [opts.integer ? 'a whole number' : 'a number'];
  if (opts.min !== undefined && opts.max !== undefined) parts.push(`from ${opts.min} to ${opts.max}`);
  else if (opts.min !== undefined) parts.push(`of at least ${opts.min}`);
  else if (opts.max !== undefined) parts.push(`of at most ${opts.max}`);
  const expected = parts.join(' ');
  return make(expected, (v, path, issues) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      issues.push({ path, message: `${describe(v)} is not ${expected}` });
      return undefined;
    }
    return v;
  });
}

export function bool(): Schema<boolean> {
  return make('true or false', (v, path, issues) => {
    if (typeof v !== 'boolean') {
      issues.push({ path, message: `${describe(v)} is not true or false` });
      return undefined;
    }
    return v;
  });
}

/**
 * One of a fixed set of words; matched case-insensitively, returned as listed.
 * `aliases` maps old spellings to a listed word (NUT's master/slave).
 */
export function oneOf<const W extends string>(words: readonly W[], aliases: Readonly<Record<string, W>> = {}): Schema<W> {
  const expected = `one of ${words.join(', ')}`;
  return make(expected, (v, path, issues) => {
    const word = typeof v === 'string' ? (aliases[v.toLowerCase()] ?? v) : undefined;
    const found = word !== undefined ? words.find((w) => w.toLowerCase() === word.toLowerCase()) : undefined;
    if (found === undefined) {
      issues.push({ path, message: `${describe(v)} is not ${expected}` });
      return undefined;
    }
    return found;
  });
}

export function list<T>(item: Schema<T>, opts: { minItems?: number; unique?: boolean } = {}): Schema<T[]> {
  const expected = `a list of ${item.expected}`;
  return make(expected, (v, path, issues) => {
    // A single scalar where a list is wanted is a common slip: accept it as a list of one.
    const arr = Array.isArray(v) ? v : v !== null && typeof v !== 'object' && v !== undefined ? [v] : undefined;
    if (!arr) {
      issues.push({ path, message: `${describe(v)} is not ${expected}` });
      return undefined;
    }
    if (opts.minItems !== undefined && arr.length < opts.minItems) {
      issues.push({ path, message: `needs at least ${opts.minItems} item(s)` });
      return undefined;
    }
    const before = issues.length;
    const out = arr.map((x, i) => item.check(x, `${path}[${i}]`, issues));
    if (issues.length > before) return undefined;
    if (opts.unique) {
      const seen = new Set<string>();
      out.forEach((x, i) => {
        const k = String(x).toLowerCase();
        if (seen.has(k)) issues.push({ path: `${path}[${i}]`, message: `${JSON.stringify(x)} is listed twice` });
        seen.add(k);
      });
    }
    return out as T[];
  });
}

export type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K]['optional'] extends true ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

export function obj<S extends Shape>(shape: S, opts: { allowUnknown?: boolean } = {}): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return make('a mapping', (v, path, issues) => {
    if (v === null || v === undefined) v = {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      issues.push({ path, message: `${describe(v)} is not a mapping (key: value lines)` });
      return undefined;
    }
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(input)) {
      if (!(k in shape) && !opts.allowUnknown) {
        issues.push({ path: join(path, k), message: `unknown key; allowed here: ${keys.join(', ')}` });
      }
    }
    for (const k of keys) {
      const s = shape[k]!;
      const p = join(path, k);
      if (input[k] === undefined) {
        if (!s.optional) issues.push({ path: p, message: `is required (${s.expected})` });
        const d = s.check(undefined, p, []);
        if (d !== undefined) out[k] = d;
        continue;
      }
      const r = s.check(input[k], p, issues);
      if (r !== undefined) out[k] = r;
    }
    return out as ObjectOf<S>;
  });
}

/** A mapping from names the user chooses (UPS names, user names) to entries. */
export function dict<T>(value: Schema<T>, opts: { key?: RegExp; keyText?: string } = {}): Schema<Record<string, T>> {
  return make(`a mapping of names to ${value.expected}`, (v, path, issues) => {
    if (v === null || v === undefined) v = {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      issues.push({ path, message: `${describe(v)} is not a mapping of names` });
      return undefined;
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = join(path, k);
      if (opts.key && !opts.key.test(k)) {
        issues.push({ path: p, message: `${JSON.stringify(k)} is not a valid name (${opts.keyText ?? opts.key.source})` });
        continue;
      }
      const r = value.check(x, p, issues);
      if (r !== undefined) out[k] = r;
    }
    return out;
  });
}

/** Marks a key optional; with a default, an absent key takes the default. */
export function optional<T>(s: Schema<T>, dflt?: T): Schema<T> & { optional: true } {
  return {
    expected: s.expected,
    optional: true,
    doc: s.doc,
    check(v, path, issues) {
      if (v === undefined) return dflt === undefined ? undefined : structuredClone(dflt);
      return s.check(v, path, issues);
    },
  };
}

/** Adds a rule that looks at the whole checked value (cross-field checks). */
export function refine<T>(s: Schema<T>, rule: (value: T, path: string, issues: ConfigIssue[]) => void): Schema<T> {
  return {
    ...s,
    check(v, path, issues) {
      const before = issues.length;
      const r = s.check(v, path, issues);
      if (r !== undefined && issues.length === before) rule(r, path, issues);
      return r;
    },
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
