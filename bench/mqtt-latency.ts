/**
 * Time from a status change in the driver to (a) the MQTT message on
 * `<prefix>/<ups>/ups.status` at a subscriber of a real Mosquitto, and (b)
 * the monitor's ONBATT/ONLINE notification arriving at a webhook receiver
 * (through the monitor and the channel queue). The "driver" flips OB/OL on
 * demand and notes the time.
 * Run: `npx tsx bench/mqtt-latency.ts [changes]` (default 40; needs /usr/sbin/mosquitto).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../src/app/agent';
import { validateConfig } from '../src/app/config';
import { createLogger } from '../src/core/logger';
import type { UpsPublisher } from '../src/core/state';
import { NOTIFY_TYPE_NAMES } from '../src/monitor/notify-types';
import { Mosquitto, Watcher } from '../test/helpers/mosquitto';
import { receiver } from '../test/helpers/notify-receivers';

const changes = Number(process.argv[2] ?? 40);
const now = (): number => performance.timeOrigin + performance.now();

function line(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const pick = (q: number): string => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2).padStart(7);
  return `${label.padEnd(36)} n=${s.length}  median ${pick(0.5)} ms  p95 ${pick(0.95)} ms  max ${s[s.length - 1]!.toFixed(2).padStart(7)} ms`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-bench-mqtt-'));
  const broker = await Mosquitto.start();
  const hook = await receiver();
  const hookTimes: number[] = [];
  hook.server.prependListener('request', () => hookTimes.push(now()));
  let pub: UpsPublisher | undefined;
  let agent: RunningAgent | undefined;
  const w = await Watcher.connect(broker.url, 'upsagent/u/ups.status');
  const mqttTimes: number[] = [];
  w.client.on('message', () => mqttTimes.push(now()));
  try {
    agent = await startAgent({
      config: validateConfig({
        ups: { u: { driver: 'dummy', port: '/nonexistent.dev' } },
        server: { listen: ['127.0.0.1:0'] },
        mqtt: { url: broker.url, qos: 1 },
        monitor: { ups: [{ name: 'u' }], minSupplies: 0, dryRun: true, stateFile: join(dir, 's.json'), notify: { routes: Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['ignore']])) } },
        notify: { channels: [{ type: 'webhook', url: `${hook.url}/ups`, events: ['ONBATT', 'ONLINE'] }] },
      }),
      log: createLogger({ level: 'error' }),
      version: 'bench',
      driverFor: (_u, _c, deps) => {
        pub = deps.publisher;
        return {
          name: 'bench-driver',
          start: () => {
            deps.publisher.setAttached(true);
            deps.publisher.setVar('ups.status', 'OL');
            deps.publisher.dataOk();
            return Promise.resolve();
          },
          stop: () => Promise.resolve(),
        };
      },
    });
    await new Promise((r) => setTimeout(r, 1500));
    const toMqtt: number[] = [];
    const toHook: number[] = [];
    for (let i = 0; i < changes; i++) {
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      const m = mqttTimes.length;
      const h = hookTimes.length;
      const t0 = now();
      pub!.setVar('ups.status', i % 2 === 0 ? 'OB DISCHRG' : 'OL');
      pub!.dataOk();
      const end = Date.now() + 10_000;
      while ((mqttTimes.length === m || hookTimes.length === h) && Date.now() < end) await new Promise((r) => setImmediate(r));
      if (mqttTimes.length === m || hookTimes.length === h) throw new Error(`change ${i}: mqtt ${mqttTimes.length > m}, webhook ${hookTimes.length > h}`);
      toMqtt.push(mqttTimes[m]! - t0);
      toHook.push(hookTimes[h]! - t0);
    }
    process.stdout.write(`status change in the driver -> arrival (${changes} changes, mosquitto and receiver on loopback)\n`);
    process.stdout.write(`${line('MQTT message (ups.status topic, QoS 1)', toMqtt)}\n`);
    process.stdout.write(`${line('webhook (ONBATT/ONLINE via the monitor)', toHook)}\n`);
  } finally {
    await agent?.stop();
    await w.close();
    hook.server.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
