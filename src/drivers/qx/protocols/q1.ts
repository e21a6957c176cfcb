/**
 * Q1 (NUT nutdrv_qx_q1): the fallback, tried last. Only the status query
 * `Q1`: no ratings, no vendor (so norating/novendor mean nothing here),
 * the Megatec commands and delays.
 */
import { claimWith } from '../fields';
import type { QxProtocol } from '../protocol';
import { BLAZER_COMMANDS, BLAZER_SETTINGS, statusQuery } from './blazer';

const STATUS = statusQuery('Q1\r');

export const q1: QxProtocol = {
  name: 'q1',
  version: 'Q1 0.08',
  claim: (probe) => claimWith(probe, STATUS),
  queries: [STATUS],
  commands: BLAZER_COMMANDS,
  settings: BLAZER_SETTINGS,
  accepted: 'ACK',
};
