/**
 * Every Q1-family protocol of the qx driver, in NUT's autodetection order
 * (nutdrv_qx.c subdriver_list, newest NUT): when `protocol` is not set the
 * driver tries each claim in this order and keeps the first that succeeds.
 * A protocol added later goes at its NUT position; the comments mark where
 * NUT's other subdrivers sit.
 */
import type { QxProtocol } from '../protocol';
import { bestups } from './bestups';
import { mecer } from './mecer';
import { megatec } from './megatec';
import { megatecOld } from './megatec-old';
import { mustek } from './mustek';
import { q1 } from './q1';
import { q2 } from './q2';
import { q6 } from './q6';
import { voltronic } from './voltronic';
import { voltronicQs } from './voltronic-qs';
import { voltronicQsHex } from './voltronic-qs-hex';
import { zinto } from './zinto';

export const QX_PROTOCOLS: readonly QxProtocol[] = [
  // omron (vendor-gated in NUT: USB only)
  voltronic,
  // voltronic-axpert
  voltronicQs,
  voltronicQsHex,
  mustek,
  megatecOld,
  bestups,
  mecer,
  megatec,
  zinto,
  // masterguard, hunnox, ablerex, innovart31, innovart33, innovatae
  q2,
  q6,
  // gtec
  q1, // the fallback: keep it last
];

/** The protocol a `protocol:` value names (case-insensitive, as NUT compares), or undefined. */
export function findProtocol(name: string): QxProtocol | undefined {
  const n = name.toLowerCase();
  return QX_PROTOCOLS.find((p) => p.name === n);
}

/** Names `protocol:` accepts, in autodetection order. */
export function protocolNames(): string[] {
  return QX_PROTOCOLS.map((p) => p.name);
}
