/** Values sent to SET VAR and instant commands, from a text or JSON body. */
import { HttpError, mediaType, type HttpContext } from '../context';

/** NUT values are one line of printable text; upsd's own limit on a request line is far above this. */
const MAX_VALUE = 1024;

/**
 * The value in the body: text as sent (a trailing newline dropped), or JSON:
 * a string, a number, or an object whose `key` holds one.
 */
export async function readValue(c: HttpContext, key = 'value'): Promise<string> {
  let value: unknown;
  if (mediaType(c.req) === 'application/json') {
    const doc = await c.json();
    value = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>)[key] : doc;
  } else {
    value = (await c.text()).replace(/\r?\n$/, '');
  }
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') throw new HttpError(400, 'INVALID-ARGUMENT', `the body must be the ${key} as text, a JSON string, or {"${key}": "..."}`);
  if (value.length > MAX_VALUE) throw new HttpError(400, 'TOO-LONG', `the ${key} is longer than ${MAX_VALUE} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) throw new HttpError(400, 'INVALID-ARGUMENT', `the ${key} holds control characters`);
  return value;
}

/** An instant command's optional parameter: no body, `{}`, or an empty text is none. */
export async function readOptionalParam(c: HttpContext): Promise<string | undefined> {
  const body = await c.body();
  if (body.length === 0) return undefined;
  if (mediaType(c.req) === 'application/json') {
    const doc = await c.json();
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && !('param' in doc)) return undefined;
  }
  const value = await readValue(c, 'param');
  return value === '' ? undefined : value;
}
