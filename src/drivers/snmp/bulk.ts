/**
 * Many OIDs in few round trips: GETs of up to `maxVarbinds` OIDs each,
 * sent together. SNMPv2c/v3 agents answer a missing OID in place
 * (noSuchObject), so one request per batch is all; SNMPv1 fails the whole
 * request with noSuchName and names the OID, which is then left out and
 * the rest asked again (NUT drops such a value at start, so later polls
 * do not ask for it). tooBig splits the batch.
 */
import { SNMP_STATUS, SnmpStatusError, type SnmpTransport, type SnmpValue } from './transport';

export const DEFAULT_MAX_VARBINDS = 24;

export async function getMany(t: SnmpTransport, oids: readonly string[], opts: { maxVarbinds?: number; signal?: AbortSignal } = {}): Promise<Map<string, SnmpValue>> {
  const unique = [...new Set(oids)];
  const max = Math.max(1, opts.maxVarbinds ?? DEFAULT_MAX_VARBINDS);
  const out = new Map<string, SnmpValue>();
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += max) batches.push(unique.slice(i, i + max));
  await Promise.all(batches.map((b) => getBatch(t, b, out, opts.signal)));
  return out;
}

async function getBatch(t: SnmpTransport, oids: string[], out: Map<string, SnmpValue>, signal?: AbortSignal): Promise<void> {
  let rest = oids;
  while (rest.length > 0) {
    try {
      const vbs = await t.get(rest, signal);
      rest.forEach((oid, i) => {
        const vb = vbs[i];
        // An agent must answer in order; one that does not, or leaves values out, has no value for them.
        out.set(oid, vb && normalise(vb.oid) === oid ? vb.value : { kind: 'absent' });
      });
      return;
    } catch (err) {
      if (!(err instanceof SnmpStatusError)) throw err;
      const blamed = err.oid !== undefined ? normalise(err.oid) : undefined;
      if (err.status !== SNMP_STATUS.tooBig && blamed !== undefined && rest.includes(blamed)) {
        out.set(blamed, { kind: 'absent' });
        rest = rest.filter((o) => o !== blamed);
        continue;
      }
      if (rest.length === 1) {
        out.set(rest[0]!, { kind: 'absent' });
        return;
      }
      const half = Math.ceil(rest.length / 2);
      await getBatch(t, rest.slice(0, half), out, signal);
      await getBatch(t, rest.slice(half), out, signal);
      return;
    }
  }
}

function normalise(oid: string): string {
  return oid.replace(/^\./, '');
}
