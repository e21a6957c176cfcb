/** Reading NUT's values (numbers as atoi reads them, booleans as parse_boolean) into YAML values. */
import type { Schema } from '../core/schema';

/** A whole number as NUT writes it (atoi on a value that is all digits, maybe signed); undefined otherwise. */
export function int(text: string): number | undefined {
  return /^[-+]?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** upsd's parse_boolean: true/on/yes/1, false/off/no/0. */
export function boolean(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(t)) return true;
  if (['false', 'off', 'no', '0'].includes(t)) return false;
  return undefined;
}

/**
 * A ups.conf value as the driver option's schema wants it: NUT keeps every
 * value as text, our schema has numbers and booleans. A flag (`key` alone)
 * is `true`. Returns the value the schema accepts, or the schema's
 * complaint.
 */
export function asOption(schema: Schema<unknown>, raw: string | null): { ok: true; value: unknown } | { ok: false; message: string } {
  const candidates: unknown[] = [];
  if (raw === null) candidates.push(true);
  else {
    // The text first: a string option keeps it as written (productid 0002, langid_fix 0x409).
    candidates.push(raw);
    const n = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
    const b = boolean(raw);
    if (n !== undefined) candidates.push(n);
    if (b !== undefined) candidates.push(b);
  }
  let message = '';
  for (const c of candidates) {
    const issues: { path: string; message: string }[] = [];
    const v = schema.check(c, 'x', issues);
    if (issues.length === 0 && v !== undefined) return { ok: true, value: c };
    message ||= issues[0]?.message ?? `is not ${schema.expected}`;
  }
  return { ok: false, message: raw === null ? `is a flag here, but the option wants ${schema.expected}` : message };
}
