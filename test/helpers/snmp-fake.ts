/**
 * A fake SNMP card for the snmp driver's unit tests: an OID -> value map
 * (loadable from the .snmprec recordings of test/fixtures/snmp) behind
 * the driver's SnmpTransport, answering as a v1 or a v2c agent would, and
 * recording every request (round trips, SETs). `hang` makes it stop
 * answering (requests wait until aborted), as a dead card does.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SNMP_STATUS, SnmpStatusError, type SetType, type SnmpTransport, type SnmpValue, type SnmpVarbind } from '../../src/drivers/snmp/transport';

export const SNMP_FIXTURES = resolve(__dirname, '../fixtures/snmp');

/** snmprec lines `oid|type|value` (type 4x: hex; `:variation` suffixes and their `value=` taken as the value). */
export function parseSnmprec(text: string): Map<string, SnmpValue> {
  const m = new Map<string, SnmpValue>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [oid, rawType, ...rest] = line.split('|');
    let value = rest.join('|');
    const type = rawType!.split(':')[0]!;
    if (rawType!.includes(':')) value = /value=([^,]*)/.exec(value)?.[1] ?? value;
    m.set(oid!, toValue(type, value));
  }
  return m;
}

function toValue(type: string, value: string): SnmpValue {
  switch (type) {
    case '2':
    case '65':
    case '66':
    case '70':
      return { kind: 'int', value: Number(value) };
    case '67':
      return { kind: 'ticks', value: Number(value) };
    case '4':
      return { kind: 'string', value: Buffer.from(value, 'latin1') };
    case '4x':
      return { kind: 'string', value: Buffer.from(value, 'hex') };
    case '6':
      return { kind: 'oid', value };
    default:
      return { kind: 'other', type: Number(type) };
  }
}

export function fixture(name: string): Map<string, SnmpValue> {
  return parseSnmprec(readFileSync(resolve(SNMP_FIXTURES, `${name}.snmprec`), 'utf8'));
}

export interface FakeSet {
  oid: string;
  type: SetType;
  value: string;
}

export class FakeCard implements SnmpTransport {
  /** GET requests answered or refused (each one round trip). */
  gets: string[][] = [];
  sets: FakeSet[] = [];
  hang = false;
  /** Milliseconds each answer takes (a slow card). */
  delayMs = 0;
  closed = 0;
  /** OIDs a SET is refused for (notWritable). */
  readOnly = new Set<string>();

  constructor(
    readonly values: Map<string, SnmpValue>,
    readonly version: 'v1' | 'v2c' = 'v2c',
  ) {}

  async get(oids: readonly string[], signal?: AbortSignal): Promise<SnmpVarbind[]> {
    await this.maybeHang(signal);
    this.gets.push([...oids]);
    if (this.version === 'v1') {
      const missing = oids.find((o) => !this.values.has(o));
      if (missing !== undefined) throw new SnmpStatusError(SNMP_STATUS.noSuchName, `NoSuchName: ${missing}`, missing);
    }
    return oids.map((oid) => ({ oid, value: this.values.get(oid) ?? { kind: 'absent' } }));
  }

  async getNext(): Promise<SnmpVarbind[]> {
    throw new Error('not used by the driver');
  }

  async getBulk(): Promise<SnmpVarbind[]> {
    throw new Error('not used by the driver');
  }

  async set(oid: string, type: SetType, value: string, signal?: AbortSignal): Promise<void> {
    await this.maybeHang(signal);
    if (this.readOnly.has(oid) || !this.values.has(oid)) throw new SnmpStatusError(SNMP_STATUS.notWritable, `NotWritable: ${oid}`, oid);
    this.sets.push({ oid, type, value });
    this.values.set(oid, type === 's' ? { kind: 'string', value: Buffer.from(value) } : type === 't' ? { kind: 'ticks', value: Number(value) } : { kind: 'int', value: Number(value) });
  }

  close(): void {
    this.closed++;
  }

  private maybeHang(signal?: AbortSignal): Promise<void> {
    if (!this.hang && this.delayMs > 0) {
      const ms = this.delayMs;
      return new Promise((res, rej) => {
        const t = setTimeout(res, ms);
        signal?.addEventListener('abort', () => (clearTimeout(t), rej(signal.reason)), { once: true });
      });
    }
    if (!this.hang) return Promise.resolve();
    return new Promise((_res, rej) => {
      if (signal?.aborted) rej(signal.reason);
      signal?.addEventListener('abort', () => rej(signal.reason), { once: true });
    });
  }
}
