/**
 * Zinto (NUT nutdrv_qx_zinto): Megatec with the vendor query `FW?`
 * instead of `I`; claimed when Q1 and (unless novendor) FW? answer.
 */
import { claimWith } from '../fields';
import type { QxProtocol } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, RATING_QUERY, statusQuery, vendorQuery } from './blazer';

const STATUS = statusQuery('Q1\r');
const VENDOR = vendorQuery('FW?\r');

export const zinto: QxProtocol = {
  name: 'zinto',
  version: 'Zinto 0.07',
  claim: (probe) => claimWith(probe, STATUS, VENDOR),
  queries: [STATUS, RATING_QUERY, VENDOR],
  commands: BLAZER_COMMANDS,
  settings: BLAZER_SETTINGS,
  accepted: 'ACK',
};
