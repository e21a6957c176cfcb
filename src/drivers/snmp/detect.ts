/**
 * Which mapping a card gets (NUT load_mib2nut). mibs=auto: the card's
 * sysObjectID is compared with each mapping's, in mib2nut[] order, and a
 * match counts when the mapping's model OID (device.model, else
 * ups.model) can be read; failing that, the classic way: the first
 * mapping, in the same order, whose model OID the card answers.
 * mibs=NAME: only the mappings of that name, the classic way.
 * One GET carries sysObjectID, sysDescr/sysContact/sysLocation and every
 * candidate's model OID, so detection is a single round trip.
 */
import { UpsAgentError } from '../../core/errors';
import type { MibMapping } from './mib';
import { MIB2NUT } from './mibs/index';
import type { Fetch } from './walk';
import type { SnmpValue } from './transport';

export const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
export const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
export const SYS_CONTACT = '1.3.6.1.2.1.1.4.0';
export const SYS_LOCATION = '1.3.6.1.2.1.1.6.0';

/** Names newer NUT gives mappings that 2.8.0 (and this driver) name otherwise. */
const MIB_ALIASES: Readonly<Record<string, string>> = { eaton_pw_nm2: 'pw' };

export class MibNotFoundError extends UpsAgentError {
  constructor(message: string) {
    super('DEVICE-REPLY', message);
  }
}

export interface Detection {
  mapping: MibMapping;
  /** How it was chosen, for the log. */
  how: 'sysOID' | 'model OID';
  /** What the card answered to the identity OIDs (sysDescr...), for device.* when the mapping has none. */
  system: Map<string, SnmpValue>;
}

/** The model OID NUT checks for a mapping (match_model_OID). */
export function modelOid(m: MibMapping): string | undefined {
  const e = m.entries.find((x) => x.name === 'device.model') ?? m.entries.find((x) => x.name === 'ups.model');
  return e?.oid?.includes('%') ? e.oid.replace('%i', '0') : e?.oid;
}

/** nut_snmp_get_str without lookup succeeds for these. */
function readable(v: SnmpValue | undefined): boolean {
  return v !== undefined && (v.kind === 'string' || v.kind === 'int' || v.kind === 'ticks' || v.kind === 'oid');
}

export function resolveMibName(mibs: string): string {
  return MIB_ALIASES[mibs] ?? mibs;
}

export async function detectMib(mibs: string, fetch: Fetch, table: readonly MibMapping[] = MIB2NUT): Promise<Detection> {
  const auto = mibs === 'auto';
  const wantedName = resolveMibName(mibs);
  const candidates = auto ? table : table.filter((m) => m.name === wantedName);
  if (!auto && candidates.length === 0) {
    throw new MibNotFoundError(`unknown mibs value ${JSON.stringify(mibs)}: neither "auto" nor a mapping of this driver (${[...new Set(table.map((m) => m.name))].join(', ')})`);
  }
  const oids = new Set<string>([SYS_OBJECT_ID, SYS_DESCR, SYS_CONTACT, SYS_LOCATION]);
  for (const m of candidates) {
    const o = modelOid(m);
    if (o) oids.add(o);
  }
  const got = await fetch([...oids]);
  const system = new Map([SYS_DESCR, SYS_CONTACT, SYS_LOCATION].map((o) => [o, got.get(o) ?? { kind: 'absent' as const }]));
  const modelOk = (m: MibMapping): boolean => {
    const o = modelOid(m);
    return o !== undefined && readable(got.get(o));
  };
  if (auto) {
    const sys = got.get(SYS_OBJECT_ID);
    const sysOid = sys?.kind === 'oid' ? sys.value : sys?.kind === 'string' ? sys.value.toString('latin1') : undefined;
    if (sysOid !== undefined) {
      const norm = sysOid.replace(/^\./, '');
      for (const m of candidates) if (m.sysOid === norm && modelOk(m)) return { mapping: m, how: 'sysOID', system };
    }
  }
  for (const m of candidates) if (modelOk(m)) return { mapping: m, how: 'model OID', system };
  if (![...got.values()].some(readable)) throw new MibNotFoundError('the card answered none of the identity OIDs (sysObjectID, sysDescr, the MIBs\' model OIDs)');
  throw new MibNotFoundError(auto ? 'no supported device detected: the card answers none of the MIBs this driver knows' : `requested mibs value ${JSON.stringify(mibs)} did not match this device`);
}
