/**
 * How the driver talks SNMP: GET / GETNEXT / GETBULK / SET, each bounded
 * by a deadline and cancelled by an abort signal. The real one is backed
 * by the net-snmp package (./net-snmp-transport.ts); tests pass a fake.
 */
import { UpsAgentError } from '../../core/errors';

/** A value as the driver needs it (NUT decode_str / nut_snmp_get_int look at the ASN.1 type the same way). */
export type SnmpValue =
  /** INTEGER, Counter32, Gauge32 (Unsigned32), Counter64. */
  | { kind: 'int'; value: number }
  /** TimeTicks, in hundredths of a second as the agent sent them. */
  | { kind: 'ticks'; value: number }
  /** OCTET STRING and Opaque: the bytes. */
  | { kind: 'string'; value: Buffer }
  | { kind: 'oid'; value: string }
  /** noSuchObject, noSuchInstance, endOfMibView, or v1 noSuchName: the card has no such value. */
  | { kind: 'absent' }
  /** Any other type (IpAddress, Null, ...): NUT publishes nothing for it. */
  | { kind: 'other'; type: number };

export interface SnmpVarbind {
  oid: string;
  value: SnmpValue;
}

export type SetType = 'i' | 's' | 't';

export interface SnmpTransport {
  /** One GET of many OIDs (the answer in the same order, absent where the card has none). */
  get(oids: readonly string[], signal?: AbortSignal): Promise<SnmpVarbind[]>;
  /** GETNEXT: for each OID the one after it, with its own OID. */
  getNext(oids: readonly string[], signal?: AbortSignal): Promise<SnmpVarbind[]>;
  /** GETBULK (v2c/v3): the first nonRepeaters OIDs once, the others maxRepetitions times. */
  getBulk(oids: readonly string[], nonRepeaters: number, maxRepetitions: number, signal?: AbortSignal): Promise<SnmpVarbind[]>;
  /** SET one value, with NUT's net-snmp type letters: i INTEGER, s OCTET STRING, t TimeTicks. */
  set(oid: string, type: SetType, value: string, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * The agent answered with an SNMP error status (noSuchName, tooBig,
 * notWritable, ...): the request failed, the card is there.
 * `oid` is the varbind the agent blamed, when it said.
 */
export class SnmpStatusError extends UpsAgentError {
  constructor(
    readonly status: number,
    message: string,
    readonly oid?: string,
  ) {
    super('DEVICE-REPLY', message);
  }
}

/** SNMP error-status values the driver acts on (RFC 3416). */
export const SNMP_STATUS = { tooBig: 1, noSuchName: 2, badValue: 3, readOnly: 4, genErr: 5, notWritable: 17 } as const;
