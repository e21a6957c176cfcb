/**
 * A MIB-to-NUT mapping as data: what NUT's snmp_info_t / mib2nut_info_t
 * say, one table per MIB family (./mibs/*.ts), read by ./walk.ts.
 */

/**
 * NUT's SU_* flags by name:
 * - static: read once, at start; absent: no OID, `dfl` is published once
 * - semistatic: read every semistaticfreq full polls
 * - neginvalid / zeroinvalid: a negative / zero reading means the card has no value (dropped for good)
 * - unique: the first entry of this name that answers wins; the others are dropped
 * - in1/in3, out1/out3, byp1/byp3: only when input/output/bypass has 1 (3) phases
 * - int / time: a SET sends INTEGER / TimeTicks (seconds × 100); cmd: an instant command
 * - pwr / batt / cal / rb: ups.status sources (power, battery, calibration, replace battery)
 * - outlet / outletgroup / ambient / daisy*: NUT templates (%i), not walked by this driver yet
 * - cmdoffset: Pulizzi's off-by-one command index; nainvalid: "N/A" is no value (templates)
 */
export type MibFlag =
  | 'static'
  | 'absent'
  | 'semistatic'
  | 'neginvalid'
  | 'zeroinvalid'
  | 'nainvalid'
  | 'unique'
  | 'cmdoffset'
  | 'in1'
  | 'in3'
  | 'out1'
  | 'out3'
  | 'byp1'
  | 'byp3'
  | 'int'
  | 'time'
  | 'cmd'
  | 'pwr'
  | 'batt'
  | 'cal'
  | 'rb'
  | 'outlet'
  | 'outletgroup'
  | 'ambient'
  | 'daisy1'
  | 'daisy2'
  | 'daisymaster';

/** Value -> text, in declaration order (NUT info_lkp_t). For writable variables the texts are the enum. */
export type Lookup = ReadonlyArray<readonly [number, string]>;

export interface MibEntry {
  /** The NUT variable (or command) name. */
  readonly name: string;
  /** ST_FLAG_STRING: read as text, SET as OCTET STRING. */
  readonly string?: boolean;
  /** ST_FLAG_RW: writable with SET VAR. */
  readonly rw?: boolean;
  /** NUT's info_len: the multiplier of a number, the size of a string. */
  readonly len: number;
  /** Dotted OID without the leading dot; none for values that are only a default. */
  readonly oid?: string;
  /** Default value; for a command, the value its SET sends. */
  readonly dfl?: string;
  readonly flags?: readonly MibFlag[];
  readonly lookup?: Lookup;
  /** A conversion function of NUT's instead of a lookup table. */
  readonly convert?: 'usdate-to-isodate';
}

export interface MibMapping {
  /** NUT's C identifier of the mapping (tripplite_ietf, cyberpower2...). */
  readonly id: string;
  /** What `mibs=` names and driver.version.data shows. */
  readonly name: string;
  readonly version: string;
  readonly powerStatusOid?: string;
  /** The OID NUT's classic detection names (oid_auto_check). */
  readonly autoCheckOid?: string;
  /** sysObjectID this mapping is for. */
  readonly sysOid?: string;
  readonly entries: readonly MibEntry[];
}

export function hasFlag(e: MibEntry, f: MibFlag): boolean {
  return e.flags?.includes(f) ?? false;
}

/** A NUT template entry (outlet.%i..., device.%i...), which this driver does not expand yet. */
export function isTemplate(e: MibEntry): boolean {
  return e.name.includes('%') || (e.oid?.includes('%') ?? false) || hasFlag(e, 'outlet') || hasFlag(e, 'outletgroup') || hasFlag(e, 'ambient');
}
