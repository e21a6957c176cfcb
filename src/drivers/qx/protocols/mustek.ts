/**
 * Mustek (NUT nutdrv_qx_mustek): the Megatec tables with the status query
 * `QS`. Claimed on the status reply alone (NUT's blazer_claim_light).
 */
import { claimWith } from '../fields';
import type { QxProtocol } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, RATING_QUERY, statusQuery, vendorQuery } from './blazer';

const STATUS = statusQuery('QS\r');

export const mustek: QxProtocol = {
  name: 'mustek',
  version: 'Mustek 0.08',
  claim: (probe) => claimWith(probe, STATUS),
  queries: [STATUS, RATING_QUERY, vendorQuery('I\r')],
  commands: BLAZER_COMMANDS,
  settings: BLAZER_SETTINGS,
  accepted: 'ACK',
};
