/**
 * Memory the HTTP surface adds to the agent, with 1 UPS and with 50 UPSes:
 * each scenario runs in its own process (an agent with or without the
 * http: section, every UPS publishing basic.dev's 28 variables), is used as
 * a dashboard would use it (/api/v1/devices, /api/v1/ups/{ups}, /metrics
 * three times, 5 event-stream clients receiving 20 rounds of updates), then
 * garbage-collected twice before heap and RSS are read.
 * Run: `npx tsx bench/http-memory.ts`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startAgent } from '../src/app/agent';
import { validateConfig } from '../src/app/config';
import { createLogger } from '../src/core/logger';
import type { UpsPublisher } from '../src/core/state';

interface Figures {
  heapMiB: number;
  rssMiB: number;
}

const DEV_LINES = readFileSync(join(__dirname, '../test/fixtures/dummy/basic.dev'), 'utf8')
  .split('\n')
  .filter((l) => /^[a-z][\w.]*: /.test(l))
  .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as const);

function get(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
}

function openStream(port: number): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events/stream' }, (res) => {
      res.resume();
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

async function child(upses: number, http: boolean): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const pubs: UpsPublisher[] = [];
  const ups = Object.fromEntries(Array.from({ length: upses }, (_v, i) => [`ups${i}`, { driver: 'dummy', port: '/nonexistent.dev' }]));
  const agent = await startAgent({
    config: validateConfig({ ups, server: { listen: ['127.0.0.1:0'] }, ...(http ? { http: { listen: ['127.0.0.1:0'] } } : {}) }),
    log: createLogger({ level: 'error' }),
    version: 'bench',
    startupWaitMs: 0,
    driverFor: (_n, _cfg, deps) => {
      pubs.push(deps.publisher);
      return {
        name: 'bench-driver',
        start: () => {
          for (const [k, v] of DEV_LINES) deps.publisher.setVar(k, v);
          deps.publisher.setAttached(true);
          deps.publisher.dataOk();
          return Promise.resolve();
        },
        stop: () => Promise.resolve(),
      };
    },
  });
  await new Promise((r) => setTimeout(r, 200));
  const closers: Array<() => void> = [];
  if (http) {
    const port = agent.httpAddresses()[0]!.port;
    await get(port, '/api/v1/devices');
    for (let i = 0; i < upses; i++) await get(port, `/api/v1/ups/ups${i}`);
    for (let i = 0; i < 3; i++) await get(port, '/metrics');
    for (let i = 0; i < 5; i++) closers.push(await openStream(port));
  }
  for (let round = 0; round < 20; round++) {
    for (const p of pubs) {
      p.setVar('battery.charge', String(100 - round));
      p.setVar('ups.load', String(10 + round));
      p.dataOk();
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 200));
  gc();
  gc();
  const m = process.memoryUsage();
  const out: Figures = { heapMiB: m.heapUsed / 2 ** 20, rssMiB: m.rss / 2 ** 20 };
  for (const c of closers) c();
  await agent.stop();
  process.stdout.write(JSON.stringify(out));
}

function run(upses: number, http: boolean): Figures {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', String(upses), http ? 'http' : 'none'], { encoding: 'utf8', cwd: join(__dirname, '..') });
  return JSON.parse(out) as Figures;
}

function main(): void {
  process.stdout.write('memory the HTTP surface adds (after use: API reads, 3 scrapes, 5 SSE clients, 20 update rounds; after GC)\n');
  process.stdout.write(`${'UPSes'.padEnd(6)} ${'heap without'.padStart(13)} ${'heap with'.padStart(10)} ${'heap added'.padStart(11)} ${'RSS without'.padStart(12)} ${'RSS with'.padStart(9)} ${'RSS added'.padStart(10)}\n`);
  for (const n of [1, 50]) {
    // Median of three runs each: RSS moves a little from run to run.
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
    const without = [0, 1, 2].map(() => run(n, false));
    const withHttp = [0, 1, 2].map(() => run(n, true));
    const h0 = med(without.map((f) => f.heapMiB));
    const h1 = med(withHttp.map((f) => f.heapMiB));
    const r0 = med(without.map((f) => f.rssMiB));
    const r1 = med(withHttp.map((f) => f.rssMiB));
    process.stdout.write(
      `${String(n).padEnd(6)} ${h0.toFixed(1).padStart(10)} MiB ${h1.toFixed(1).padStart(7)} MiB ${(h1 - h0).toFixed(1).padStart(8)} MiB ${r0.toFixed(1).padStart(9)} MiB ${r1.toFixed(1).padStart(6)} MiB ${(r1 - r0).toFixed(1).padStart(7)} MiB\n`,
    );
  }
}

if (process.argv[2] === '--child') {
  child(Number(process.argv[3]), process.argv[4] === 'http').then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
} else main();
