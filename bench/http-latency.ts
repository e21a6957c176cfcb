/**
 * Time from a status change in the driver to an event-stream client
 * (/api/v1/events/stream): the "driver" publishes OB / OL and notes the
 * time; clients on plain node:http sockets note when the `status` event's
 * bytes arrive. Measured with 1 client and with 50 clients connected (the
 * worst of the 50 per change), and for comparison the time of a full
 * GET /api/v1/devices/{ups} and of a /metrics scrape at 1 and 50 UPSes.
 * Run: `npx tsx bench/http-latency.ts [changes]` (default 50).
 */
import { request, type IncomingMessage } from 'node:http';
import { startAgent, type RunningAgent } from '../src/app/agent';
import { validateConfig } from '../src/app/config';
import { createLogger } from '../src/core/logger';
import type { UpsPublisher } from '../src/core/state';

const changes = Number(process.argv[2] ?? 50);

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `${label.padEnd(44)} n=${String(s.length).padStart(4)}  median ${at(0.5).toFixed(2).padStart(7)} ms  p99 ${at(0.99).toFixed(2).padStart(7)} ms  worst ${s[s.length - 1]!.toFixed(2).padStart(7)} ms`;
}

interface Listener {
  /** Arrival times of `status` events, in order. */
  arrivals: number[];
  close(): void;
}

function listen(port: number): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const l: Listener = { arrivals: [], close: () => req.destroy() };
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events/stream?ups=u' }, (res: IncomingMessage) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const t = nowMs();
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          if (/^event: status$/m.test(buf.slice(0, end))) l.arrivals.push(t);
          buf = buf.slice(end + 2);
        }
      });
      resolve(l);
    });
    req.on('error', reject);
    req.end();
  });
}

function timeGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(nowMs() - t0));
    })
      .on('error', reject)
      .end();
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

async function agentWith(upses: number): Promise<{ agent: RunningAgent; pubs: Map<string, UpsPublisher>; port: number }> {
  const pubs = new Map<string, UpsPublisher>();
  const names = upses === 1 ? ['u'] : ['u', ...Array.from({ length: upses - 1 }, (_v, i) => `ups${i + 1}`)];
  const agent = await startAgent({
    config: validateConfig({
      ups: Object.fromEntries(names.map((n) => [n, { driver: 'dummy', port: '/nonexistent.dev' }])),
      server: { listen: ['127.0.0.1:0'] },
      http: { listen: ['127.0.0.1:0'], maxStreams: 200 },
    }),
    log: createLogger({ level: 'error' }),
    version: 'bench',
    startupWaitMs: 0,
    driverFor: (name, _cfg, deps) => {
      pubs.set(name, deps.publisher);
      return {
        name: 'bench-driver',
        start: () => {
          const p = deps.publisher;
          for (const [k, v] of [['ups.status', 'OL'], ['battery.charge', '100'], ['battery.runtime', '2400'], ['ups.load', '12'], ['input.voltage', '230.1'], ['device.model', 'Bench 1500'], ['device.mfr', 'Bench'], ['device.serial', 'B1']] as const) p.setVar(k, v);
          p.setAttached(true);
          p.dataOk();
          return Promise.resolve();
        },
        stop: () => Promise.resolve(),
      };
    },
  });
  return { agent, pubs, port: agent.httpAddresses()[0]!.port };
}

async function statusLatency(clients: number): Promise<number[]> {
  const { agent, pubs, port } = await agentWith(1);
  const listeners = await Promise.all(Array.from({ length: clients }, () => listen(port)));
  try {
    await new Promise((r) => setTimeout(r, 200));
    const pub = pubs.get('u')!;
    const out: number[] = [];
    for (let i = 0; i < changes; i++) {
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      const seen = listeners.map((l) => l.arrivals.length);
      const t0 = nowMs();
      pub.setVar('ups.status', i % 2 === 0 ? 'OB DISCHRG' : 'OL');
      pub.dataOk();
      if (!(await waitFor(() => listeners.every((l, j) => l.arrivals.length > seen[j]!), 5000))) throw new Error(`change ${i}: not every client got it`);
      out.push(Math.max(...listeners.map((l, j) => l.arrivals[seen[j]!]!)) - t0);
    }
    return out;
  } finally {
    for (const l of listeners) l.close();
    await agent.stop();
  }
}

async function readTimes(upses: number): Promise<{ device: number[]; metrics: number[] }> {
  const { agent, port } = await agentWith(upses);
  try {
    const device: number[] = [];
    const metrics: number[] = [];
    for (let i = 0; i < 5; i++) await timeGet(port, '/metrics');
    for (let i = 0; i < 100; i++) device.push(await timeGet(port, '/api/v1/devices/u'));
    for (let i = 0; i < 50; i++) metrics.push(await timeGet(port, '/metrics'));
    return { device, metrics };
  } finally {
    await agent.stop();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`status change in the driver -> event-stream client (${changes} changes)\n`);
  process.stdout.write(`${summary('1 SSE client', await statusLatency(1))}\n`);
  process.stdout.write(`${summary('50 SSE clients (slowest of the 50)', await statusLatency(50))}\n`);
  for (const n of [1, 50]) {
    const t = await readTimes(n);
    process.stdout.write(`${summary(`GET /api/v1/devices/u, ${n} UPS${n > 1 ? 'es' : ''}`, t.device)}\n`);
    process.stdout.write(`${summary(`GET /metrics, ${n} UPS${n > 1 ? 'es' : ''}`, t.metrics)}\n`);
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
