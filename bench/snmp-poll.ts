/**
 * bench: SNMP poll time of the snmp driver's walk, per UPS and with 50
 * cards at once. One snmpsimd on loopback serves 50 copies of our apc and
 * ietf recordings (one community each, i.e. 50 cards to the driver); each
 * card gets its own net-snmp session, MIB detection and first walk, then
 * full walks (every non-static value, NUT's pollfreq update) and quick
 * walks (ups.status only) are timed, one card alone and 50 together.
 *
 *   npx tsx bench/snmp-poll.ts [--cards 50] [--rounds 20] [--version v2c]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../src/core/logger';
import { getMany } from '../src/drivers/snmp/bulk';
import { detectMib } from '../src/drivers/snmp/detect';
import { NetSnmpTransport } from '../src/drivers/snmp/net-snmp-transport';
import type { SnmpTransport } from '../src/drivers/snmp/transport';
import { MibWalker, type Fetch, type WalkSink } from '../src/drivers/snmp/walk';
import { SNMP_FIXTURES, startSnmpsim } from '../test/helpers/snmpsim';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}
const CARDS = Number(arg('cards', '50'));
const ROUNDS = Number(arg('rounds', '20'));
const VERSION = arg('version', 'v2c') as 'v1' | 'v2c';

interface Card {
  community: string;
  transport: SnmpTransport;
  walker: MibWalker;
  fetch: Fetch;
  gets: number;
}

function sink(): WalkSink {
  const vars = new Map<string, string>();
  return { setInfo: (n, v) => vars.set(n, v), setPlain: (n, v) => vars.set(n, v), get: (n) => vars.get(n), setStatus: (w) => vars.set('ups.status', w) };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'snmp-bench-'));
  const files: string[] = [];
  for (let i = 0; i < CARDS; i++) {
    const src = i % 2 === 0 ? 'apc' : 'ietf';
    const f = join(dir, `card${String(i).padStart(2, '0')}${src}.snmprec`);
    copyFileSync(join(SNMP_FIXTURES, `${src}.snmprec`), f);
    files.push(f);
  }
  const sim = await startSnmpsim({ communities: [], files, startTimeoutMs: 120_000 });
  const log = new MemoryLogger([]);
  const cards: Card[] = [];
  try {
    for (const f of files) {
      const community = f.slice(f.lastIndexOf('/') + 1, -'.snmprec'.length);
      const transport = new NetSnmpTransport({ host: sim.host, port: sim.port, version: VERSION, community, timeoutS: 2, retries: 1 });
      const card: Card = { community, transport, walker: undefined as unknown as MibWalker, fetch: undefined as unknown as Fetch, gets: 0 };
      const counting: SnmpTransport = { ...transport, get: (o, s) => (card.gets++, transport.get(o, s)), getNext: transport.getNext.bind(transport), getBulk: transport.getBulk.bind(transport), set: transport.set.bind(transport), close: () => transport.close() };
      card.fetch = (oids) => getMany(counting, oids);
      const found = await detectMib('auto', card.fetch);
      card.walker = new MibWalker(found.mapping, {}, sink(), log);
      await card.walker.commands(card.fetch);
      await card.walker.walk('init', card.fetch);
      cards.push(card);
    }
    const one = cards[0]!;
    const time = async (fn: () => Promise<void>): Promise<number> => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const alone = { full: [] as number[], quick: [] as number[] };
    const g0 = one.gets;
    for (let i = 0; i < ROUNDS; i++) alone.full.push(await time(() => one.walker.walk('update', one.fetch)));
    const fullGets = (one.gets - g0) / ROUNDS;
    const g1 = one.gets;
    for (let i = 0; i < ROUNDS; i++) alone.quick.push(await time(() => one.walker.walk('status', one.fetch)));
    const quickGets = (one.gets - g1) / ROUNDS;
    const all = { full: [] as number[], quick: [] as number[], perCard: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      all.full.push(await time(async () => void (await Promise.all(cards.map(async (c) => all.perCard.push(await time(() => c.walker.walk('update', c.fetch))))))));
    }
    for (let i = 0; i < ROUNDS; i++) all.quick.push(await time(async () => void (await Promise.all(cards.map((c) => c.walker.walk('status', c.fetch))))));
    console.log(`snmp poll bench: snmpsimd on loopback, SNMP ${VERSION}, ${ROUNDS} rounds (${one.walker.mapping.name} card for the one-card figures)`);
    console.log(`  one card, full walk (${fullGets.toFixed(1)} GET round trips): p50 ${fmt(pct(alone.full, 50))}  p99 ${fmt(pct(alone.full, 99))}`);
    console.log(`  one card, quick walk (ups.status, ${quickGets.toFixed(1)} GET): p50 ${fmt(pct(alone.quick, 50))}  p99 ${fmt(pct(alone.quick, 99))}`);
    console.log(`  ${CARDS} cards at once, full walks: all done p50 ${fmt(pct(all.full, 50))}  p99 ${fmt(pct(all.full, 99))}; per card p50 ${fmt(pct(all.perCard, 50))}  p99 ${fmt(pct(all.perCard, 99))}`);
    console.log(`  ${CARDS} cards at once, quick walks: all done p50 ${fmt(pct(all.quick, 50))}  p99 ${fmt(pct(all.quick, 99))}`);
  } finally {
    for (const c of cards) c.transport.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
