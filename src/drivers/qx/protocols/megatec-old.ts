/**
 * Megatec/old (NUT nutdrv_qx_megatec-old): older Megatec units that answer
 * the status query `D` instead of Q1. Claimed on the status reply alone
 * (NUT's blazer_claim_light); F and I are read as for megatec.
 */
import { claimWith } from '../fields';
import type { QxProtocol } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, RATING_QUERY, statusQuery, vendorQuery } from './blazer';

const STATUS = statusQuery('D\r');

export const megatecOld: QxProtocol = {
  name: 'megatec/old',
  version: 'Megatec/old 0.08',
  claim: (probe) => claimWith(probe, STATUS),
  queries: [STATUS, RATING_QUERY, vendorQuery('I\r')],
  commands: BLAZER_COMMANDS,
  settings: BLAZER_SETTINGS,
  accepted: 'ACK',
};
