/**
 * Memory the MQTT bridge adds, with 1 and with 50 UPSes of about 30
 * variables each: the store is filled first and measured, then the bridge
 * connects to a real Mosquitto, publishes everything (discovery included)
 * and goes through 20 rounds of changes on every UPS; measured again after a
 * full GC. Each count runs in its own process, so one does not inherit the
 * other's heap.
 * Run: `npx tsx bench/mqtt-memory.ts` (needs /usr/sbin/mosquitto).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventBus } from '../src/core/bus';
import { validateWith } from '../src/core/config';
import { createLogger } from '../src/core/logger';
import { UpsStore, type UpsPublisher } from '../src/core/state';
import { MqttBridge } from '../src/mqtt/bridge';
import { mqttSectionSchema, type MqttConfig } from '../src/mqtt/config';
import { Mosquitto, Watcher } from '../test/helpers/mosquitto';

const DEV = readFileSync(join(__dirname, '../test/fixtures/dummy/basic.dev'), 'utf8');
const VARS = DEV.split('\n')
  .filter((l) => /^[a-z][\w.]*: /.test(l))
  .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as const);

function heap(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) global.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MB`;

async function child(count: number, withBridge: boolean): Promise<void> {
  if (!global.gc) throw new Error('run with --expose-gc');
  const broker = await Mosquitto.start();
  const bus = new EventBus();
  const store = new UpsStore(bus);
  const pubs: UpsPublisher[] = [];
  for (let i = 0; i < count; i++) {
    const p = store.addUps(`ups${i}`);
    p.setAttached(true);
    for (const [k, v] of VARS) p.setVar(k, v);
    p.addCommand('beeper.disable');
    p.dataOk();
    pubs.push(p);
  }
  store.flush();
  const before = heap();
  const w = await Watcher.connect(broker.url, 'upsagent/+/state');
  // Without the bridge the same rounds run, so what the rest costs (the test client, the store's churn) is taken out.
  const bridge = new MqttBridge({ config: validateWith(mqttSectionSchema, { url: broker.url, commands: ['*'] }) as MqttConfig, store, bus, log: createLogger({ level: 'error' }), version: 'bench', maxAgeMs: 60_000 });
  if (withBridge) await bridge.start();
  const end = Date.now() + 30_000;
  while (withBridge && w.topics('upsagent/').length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  for (let round = 0; round < 20; round++) {
    for (const p of pubs) {
      p.setVar('battery.charge', String(100 - round));
      p.setVar('ups.status', round % 2 ? 'OL' : 'OB DISCHRG');
      p.dataOk();
    }
    store.flush();
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  await w.close();
  const after = heap();
  process.stdout.write(`${JSON.stringify({ count, vars: VARS.length, heap: after.heap - before.heap, rss: after.rss - before.rss })}\n`);
  if (withBridge) await bridge.stop();
  await broker.stop();
}

function main(): void {
  process.stdout.write(`memory added by the MQTT bridge (store filled first; after publishing everything and 20 rounds of changes; full GC)\n`);
  const run = (count: number, mode: string): { count: number; vars: number; heap: number; rss: number } => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', pathToFileURL(require.resolve('tsx')).href, __filename, '--child', String(count), mode], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop()!) as { count: number; vars: number; heap: number; rss: number };
  };
  for (const count of [1, 50]) {
    const r = run(count, 'bridge');
    const base = run(count, 'none');
    process.stdout.write(`${String(r.count).padStart(3)} UPS(es) x ${r.vars} variables: heap +${mb(r.heap - base.heap)}, rss +${mb(r.rss - base.rss)} (with bridge heap +${mb(r.heap)} rss +${mb(r.rss)}; without heap +${mb(base.heap)} rss +${mb(base.rss)})\n`);
  }
}

if (process.argv[2] === '--child') void child(Number(process.argv[3]), process.argv[4] === 'bridge');
else main();
