/**
 * The mappings this driver knows, in the order NUT's snmp-ups tries them
 * for mibs=auto (mib2nut[] in drivers/snmp-ups.c: vendor MIBs before
 * IETF, so a card that speaks both gets its vendor's richer mapping).
 * Mappings NUT lists that are not transcribed yet are left out; their
 * place in the order is kept by the comments.
 */
import type { MibMapping } from '../mib';
import { APC } from './apc';
import { BESTPOWER } from './bestpower';
import { COMPAQ } from './compaq';
import { CYBERPOWER, CYBERPOWER2 } from './cyberpower';
import { DELTA_UPS } from './delta-ups';
import { EATON_PXG_UPS } from './eaton-pxg';
import { EATON_PW_NM2 } from './eaton-pw';
import { HUAWEI } from './huawei';
import { IETF, TRIPPLITE_IETF } from './ietf';
import { MGE } from './mge';
import { VERTIV } from './vertiv';
import { XPPC } from './xppc';

export const MIB2NUT: readonly MibMapping[] = [
  // apc_ats, apc_pdu_rpdu, apc_pdu_rpdu2, apc_pdu_msp, apc_pdu_epdu: not yet
  APC,
  // baytech, baytech_rpc3nc: not yet (PDUs)
  BESTPOWER,
  COMPAQ,
  CYBERPOWER,
  CYBERPOWER2,
  DELTA_UPS,
  // eaton_ats16_nmc, eaton_ats16_nm2, eaton_ats30, eaton_marlin, eaton_pdu_nlogic: not yet (ATS and PDUs)
  EATON_PXG_UPS,
  EATON_PW_NM2,
  // emerson_avocent_pdu, aphel_revelation, aphel_genesisII, pulizzi_switched1/2, hpe_pdu, hpe_pdu3_cis: not yet (PDUs)
  HUAWEI,
  MGE,
  // netvision: not yet
  // raritan, raritan_px2: not yet (PDUs)
  VERTIV,
  XPPC,
  TRIPPLITE_IETF,
  IETF,
];

/** Names `mibs=` accepts (NUT's mib_name; cyberpower's two mappings share one). */
export function mibNames(): string[] {
  return [...new Set(MIB2NUT.map((m) => m.name))];
}

export { APC, BESTPOWER, COMPAQ, CYBERPOWER, CYBERPOWER2, DELTA_UPS, EATON_PW_NM2, EATON_PXG_UPS, HUAWEI, IETF, MGE, TRIPPLITE_IETF, VERTIV, XPPC };
