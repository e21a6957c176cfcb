/** One open connection to an APC Smart UPS: what discovery found and what was read since. */
import type { SerialLink } from '../serial/link';
import type { Discovery } from './discovery';
import type { ApcLine } from './line';
import type { ApcVarDef } from './tables';

export interface Session {
  link: SerialLink;
  line: ApcLine;
  discovery: Discovery;
  /** Variables still present (a UPS answering NA to one later drops it, as NUT does). */
  vars: ApcVarDef[];
  /** The status byte as last read, with the alerts since applied (NUT ups_status). */
  bits: number;
  /** The status byte was read at least once on this connection. */
  statusKnown: boolean;
  signal: AbortSignal;
}
