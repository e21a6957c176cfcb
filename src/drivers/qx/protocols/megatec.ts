/**
 * Megatec (NUT nutdrv_qx_megatec): status `Q1`, ratings `F`, vendor `I`;
 * the device is this protocol's when Q1 and (unless novendor) I answer.
 * Commands are acknowledged with `ACK` or nothing; refused ones are echoed.
 */
import { claimWith } from '../fields';
import type { QxProtocol } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, RATING_QUERY, statusQuery, vendorQuery } from './blazer';

const STATUS = statusQuery('Q1\r');
const VENDOR = vendorQuery('I\r');

export const megatec: QxProtocol = {
  name: 'megatec',
  version: 'Megatec 0.10',
  claim: (probe) => claimWith(probe, STATUS, VENDOR),
  queries: [STATUS, RATING_QUERY, VENDOR],
  commands: BLAZER_COMMANDS,
  settings: BLAZER_SETTINGS,
  accepted: 'ACK',
};
