/** Voltronic's QFLAG reply: `(E<letters>D<letters>`, the capabilities enabled and disabled. */
import { QxParseError, checkShape } from '../fields';

/** A QFLAG reply split into the letters enabled (after E) and disabled (after D). */
export function parseFlags(reply: string): { enabled: string; disabled: string } {
  checkShape('QFLAG\r', reply, { leading: '(', minLength: 3 });
  const m = /^\((?:E([a-z]*))?(?:D([a-z]*))?$/.exec(reply);
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new QxParseError('QFLAG\r', reply, 'not (E<letters>D<letters>');
  return { enabled: m[1] ?? '', disabled: m[2] ?? '' };
}
