/**
 * printf-style formatting of one value, as NUT's drivers do with
 * `dstate_setinfo(var, fmt, value)`: the subset the HID tables use
 * (`%.0f`, `%.1f`, `%.2f`, `%s`, `%d`, `%ld`, `%02x`, `%04x`, `%08lx`, `%g`,
 * `%%`, literal text). C rounds `%f` half-to-even on the exact binary value;
 * JavaScript's toFixed rounds ties away from zero, so ties are settled here.
 */

const SPEC = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?(?:hh|h|ll|l|L|z|j|t)?([diufFeEgGxXs%])/g;

/** Formats `value` with a printf format; non-finite numbers come out as C prints them (nan, inf). */
export function formatValue(format: string, value: number | string): string {
  return format.replace(SPEC, (_m, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const body = convert(conv, flags, prec === undefined ? undefined : Number(prec), value);
    return pad(body, flags, width === undefined ? 0 : Number(width), conv);
  });
}

function convert(conv: string, flags: string, prec: number | undefined, value: number | string): string {
  if (conv === 's') {
    const text = typeof value === 'string' ? value : formatG(value, 6);
    return prec === undefined ? text : text.slice(0, prec);
  }
  const num = typeof value === 'number' ? value : Number(value);
  let body: string;
  switch (conv) {
    case 'd':
    case 'i':
    case 'u':
      body = Number.isFinite(num) ? String(Math.trunc(num)) : nonFinite(num);
      break;
    case 'x':
    case 'X': {
      if (!Number.isFinite(num)) return nonFinite(num);
      // C casts to an integer type; negatives print as their two's complement.
      let n = BigInt(Math.trunc(num));
      if (n < 0n) n += 1n << 64n;
      body = n.toString(16);
      if (conv === 'X') body = body.toUpperCase();
      if (prec !== undefined) body = body.padStart(prec, '0');
      break;
    }
    case 'f':
    case 'F':
      body = formatFixed(num, prec ?? 6);
      break;
    case 'e':
    case 'E':
      body = formatExp(num, prec ?? 6);
      if (conv === 'E') body = body.toUpperCase();
      break;
    default:
      body = formatG(num, prec ?? 6);
      if (conv === 'G') body = body.toUpperCase();
  }
  if (flags.includes('+') && !body.startsWith('-')) body = '+' + body;
  else if (flags.includes(' ') && !body.startsWith('-')) body = ' ' + body;
  return body;
}

function pad(body: string, flags: string, width: number, conv: string): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width, ' ');
  if (flags.includes('0') && conv !== 's' && /^[-+ ]?[0-9a-fA-F.]/.test(body)) {
    const sign = /^[-+ ]/.test(body) ? body.charAt(0) : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width, ' ');
}

function nonFinite(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  return n > 0 ? 'inf' : '-inf';
}

/** `%.<prec>f` with C's round-half-to-even on exact ties. */
export function formatFixed(n: number, prec: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  const p = Math.min(Math.max(prec, 0), 100);
  if (Math.abs(n) >= 1e21) return BigInt(Math.round(n)).toString() + (p > 0 ? '.' + '0'.repeat(p) : '');
  if (isExactTie(n, p)) {
    // toFixed rounds ties away from zero; C keeps the even neighbour, which
    // here is the truncated value whenever its last digit is even.
    const exact = Math.abs(n).toFixed(100);
    const cut = exact.slice(0, exact.indexOf('.') + (p > 0 ? p + 1 : 0));
    if (Number(cut.replace('.', '').slice(-1)) % 2 === 0) return (n < 0 ? '-' : '') + cut;
  }
  return n.toFixed(p);
}

/** The digits after `prec` decimals are exactly 5 then zeros (in the double's exact value). */
function isExactTie(n: number, prec: number): boolean {
  if (prec + 1 > 100) return false;
  const exact = Math.abs(n).toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + prec);
  return /^50*$/.test(rest);
}

function formatExp(n: number, prec: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  const text = n.toExponential(Math.min(prec, 100));
  // C always writes at least two exponent digits.
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** `%g`: shortest of %e / %f at `prec` significant digits, trailing zeros dropped. */
export function formatG(n: number, prec: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  const p = prec === 0 ? 1 : Math.min(prec, 100);
  if (n === 0) return '0';
  const exp = Number(n.toExponential(p - 1).split('e')[1]);
  let text: string;
  if (exp < -4 || exp >= p) {
    text = formatExp(n, p - 1).replace(/\.?0+e/, 'e');
  } else {
    text = formatFixed(n, Math.max(p - 1 - exp, 0));
    if (text.includes('.')) text = text.replace(/\.?0+$/, '');
  }
  return text;
}
