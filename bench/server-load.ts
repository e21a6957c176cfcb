/**
 * The NUT server side by side with real upsd 2.8.0 (+ dummy-ups) in one run,
 * on the same device file, the load generator in its own process:
 *
 * 1. GET VAR and LIST VAR at 10, 100, 1,000 and 10,000 closed-loop clients:
 *    rate, p50, p99, and each server's peak RSS during the run;
 * 2. a flood: 1,000 clients each pipelining LIST VAR 2,000 times in one write
 *    and never reading, while a healthy client polls GET VAR: its answers
 *    (late = over 2 s), each server's peak RSS, RSS after the flood left;
 * 3. idle RSS of `upsagent run --demo` (anonymous and file-backed, from
 *    /proc/PID/status), alone and with 1,000 connected clients; COLD=1 (root) empties the
 *    page cache first (bench/page-cache.ts says why).
 *
 * 4. 10,000 clients held, polling at a fixed interval (--paced N, --paced-interval MS): p99 at a
 *    steady load, where closed-loop p99 only says how long a queue of 10,000 takes to serve.
 *
 *   bash bench/server-load.sh [--seconds 5] [--clients 10,100,1000,10000] [--repeat 3] [--paced 10000] [--paced-interval 1000] [--no-flood] [--no-idle] [--source]
 *
 * Uses dist/upsagent when it exists (npm run build), else the TypeScript
 * source through tsx (then the RSS figures are not the executable's).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startRealNut } from '../test/helpers/real-nut';
import { ARRIVALS_RECLAIM_INTERVAL_MS } from '../src/server/reclaim';
import { dropPageCacheIfCold } from './page-cache';

const ROOT = resolve(__dirname, '..');
const DEV = join(ROOT, 'test/fixtures/sidebyside/rack.dev');
const BIN = join(ROOT, 'dist/upsagent');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? dflt) : dflt);
const seconds = Number(opt('--seconds', '5'));
const clientCounts = opt('--clients', '10,100,1000,10000').split(',').map(Number);
/** Runs per cell (the median is shown); 10,000 clients run once, as upsd takes minutes to let them connect. */
const repeat = Number(opt('--repeat', '3'));
const repeatFor = (clients: number) => (clients >= 10000 ? 1 : repeat);
/** Clients that poll as upsmon does, at one GET VAR each per interval: latency at a load both servers can carry. */
const pacedClients = Number(opt('--paced', '10000'));
const pacedIntervalMs = Number(opt('--paced-interval', '1000'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** --source: run src/cli/main.ts through tsx even when dist/upsagent exists. */
const useBin = existsSync(BIN) && !argv.includes('--source');
/** Every stage ends within its own time plus this (connecting 10,000 clients takes a while): the table prints what finished. */
const STAGE_SLACK_S = 120;
/** upsd's listen backlog of 16 lets about 60 connections a second through a burst (1,000 took 16 s): a load stage gets that long to connect. */
const CONNECTS_PER_S = 25;
/** A stage's promise, or a rejection after `ms` saying which stage did not finish. */
function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_res, rej) => {
    t = setTimeout(() => rej(new Error(`${what}: not finished in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

interface Mem {
  rss: number;
  anon: number;
  file: number;
}

/** VmRSS, RssAnon, RssFile of a process, in MB. */
function mem(pid: number): Mem {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

/** Samples a process's RSS until stopped; returns the peak. */
function peakSampler(pid: number): () => Mem {
  let peak: Mem = mem(pid);
  const t = setInterval(() => {
    try {
      const m = mem(pid);
      if (m.rss > peak.rss) peak = m;
    } catch {
      // gone
    }
  }, 200);
  return () => {
    clearInterval(t);
    return peak;
  };
}

/** The upsd that real-nut started for this folder (it passes the folder in NUT_CONFPATH). */
function upsdPid(dir: string): number {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'latin1');
      if (!cmd.includes('upsd')) continue;
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(`NUT_CONFPATH=${dir}`)) return Number(p);
    } catch {
      // not ours, or gone
    }
  }
  throw new Error(`no upsd found for ${dir}`);
}

interface LoadResult {
  rate: number;
  p50: number;
  p99: number;
  connected: number;
  connectMs: number;
  errors: number;
}

function tsxArgs(script: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', join(ROOT, script), ...args]];
}

function load(port: number, clients: number, request: string, intervalMs = 0): Promise<LoadResult> {
  const [cmd, args] = tsxArgs('bench/load-client.ts', [String(port), String(clients), String(seconds), request, String(intervalMs)]);
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd: ROOT, timeout: (seconds + STAGE_SLACK_S + clients / CONNECTS_PER_S) * 1000, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${err.message}\n${stderr}`)) : res(JSON.parse(stdout) as LoadResult),
    );
  });
}

async function startOurs(port: number, extra = ''): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-bench-'));
  const cfg = join(dir, 'upsagent.yaml');
  writeFileSync(
    cfg,
    `ups:\n  ups:\n    driver: dummy\n    port: ${DEV}\nserver:\n  listen: ["127.0.0.1:${port}"]\n  maxClients: 20000\n${extra}log:\n  level: warn\n`,
  );
  return startProcess(port, ['run', '--config', cfg]);
}

/** Starts a server and waits until `ups` answers GET VAR (the demo's UPS is `demo`). */
async function startProcess(port: number, args: string[], ups = 'ups'): Promise<ChildProcess> {
  const [cmd, full] = useBin ? [BIN, args] : tsxArgs('src/cli/main.ts', args);
  const child = spawn(cmd, full, { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const r = await load(port, 1, `GET VAR ${ups} ups.status`).catch(() => null);
    if (r && r.errors === 0 && r.rate > 0) break;
  }
  return child;
}

/** A healthy client: GET VAR every 50 ms; an answer over 2 s (or none) is late. */
function probe(port: number): { stop: () => Promise<{ asked: number; answered: number; late: number; p99: number }> } {
  const sock = connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  sock.setEncoding('latin1');
  const times: number[] = [];
  let asked = 0;
  let late = 0;
  let sentAt = 0;
  let waiting = false;
  let buf = '';
  sock.on('data', (d: string) => {
    buf += d;
    if (!buf.includes('\n')) return;
    buf = '';
    waiting = false;
    times.push(Date.now() - sentAt);
  });
  const t = setInterval(() => {
    if (waiting) {
      if (Date.now() - sentAt > 2000) late++;
      else return;
    }
    waiting = true;
    sentAt = Date.now();
    asked++;
    sock.write('GET VAR ups ups.status\n');
  }, 50);
  return {
    stop: async () => {
      clearInterval(t);
      sock.destroy();
      times.sort((a, b) => a - b);
      return { asked, answered: times.length, late, p99: times[Math.floor(times.length * 0.99)] ?? NaN };
    },
  };
}

/** How long a server rests before the flood stage's first sample. */
const FLOOD_REST_MS = ARRIVALS_RECLAIM_INTERVAL_MS + 2000;

async function flood(name: string, port: number, pid: number): Promise<string> {
  // The stage before left thousands of clients' garbage; "before" is a server at rest, after the
  // collection our server runs for departed clients (src/server/reclaim.ts, at most every 10 s).
  await sleep(FLOOD_REST_MS);
  const before = mem(pid);
  const peak = peakSampler(pid);
  const p = probe(port);
  const [cmd, args] = tsxArgs('bench/flood-client.ts', [String(port), '1000', '2000', 'LIST VAR ups']);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  // A server that blocks on a client that does not read stops accepting: the flooders then never all connect.
  const ready = await within('flood connect', 90_000, new Promise<string>((res) => child.stdout!.once('data', (d: Buffer) => res(d.toString().trim())))).catch(
    (e: unknown) => {
      process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 'no ready (90 s)';
    },
  );
  await sleep(5000);
  const during = mem(pid);
  child.stdin!.end();
  await within('flood exit', 10_000, new Promise((r) => child.once('exit', r))).catch(() => child.kill('SIGKILL'));
  const top = peak();
  await sleep(5000);
  const afterwards = mem(pid);
  const h = await p.stop();
  return `| ${name.padEnd(10)} | ${ready.padEnd(14)} | ${before.rss.toFixed(1).padStart(6)} | ${during.rss.toFixed(1).padStart(6)} | ${top.rss.toFixed(1).padStart(6)} | ${afterwards.rss.toFixed(1).padStart(6)} | ${`${h.answered}/${h.asked}`.padStart(9)} | ${String(h.late).padStart(4)} | ${String(h.p99).padStart(6)} |`;
}

/** Idle RSS of `run --demo`, then with 1,000 clients connected (each sent one GET VAR). */
async function idle(): Promise<string[]> {
  dropPageCacheIfCold();
  const port = await freePort();
  const child = await startProcess(port, ['run', '--demo', '--listen', `127.0.0.1:${port}`], 'demo');
  // Killed however this stage ends (it has a time limit).
  const timer = setTimeout(() => child.kill('SIGTERM'), 55_000);
  await sleep(3000);
  const alone = mem(child.pid!);
  const socks = [];
  for (let i = 0; i < 1000; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('connect', () => s.write('GET VAR demo ups.status\n'));
    socks.push(s);
    if (i % 50 === 49) await sleep(20);
  }
  await sleep(3000);
  const many = mem(child.pid!);
  for (const s of socks) s.destroy();
  clearTimeout(timer);
  child.kill('SIGTERM');
  const row = (what: string, m: Mem) => `| ${what.padEnd(28)} | ${m.rss.toFixed(1).padStart(6)} | ${m.anon.toFixed(1).padStart(6)} | ${m.file.toFixed(1).padStart(6)} |`;
  return [row('run --demo, idle', alone), row('run --demo, 1,000 clients', many)];
}

interface Cell {
  r: LoadResult;
  rss: number;
}

/** The run with the median rate (its p99 and RSS with it), of one server's runs of a cell. */
function median(cells: Cell[]): Cell {
  const sorted = [...cells].sort((a, b) => a.r.rate - b.r.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f0 = (n: number) => (Number.isFinite(n) ? String(n) : '-');
const ratio = (ours: number, theirs: number) => (theirs > 0 && Number.isFinite(ours) ? `${(ours / theirs).toFixed(2)}x` : '-');
const load1 = () => (readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?');

async function main(): Promise<void> {
  const loadBefore = load1();
  const real = await startRealNut({ devices: { ups: { file: DEV } } });
  const ourPort = await freePort();
  const ours = await startOurs(ourPort);
  const servers = [
    ['upsd', real.port, upsdPid(real.dir)],
    ['ours', ourPort, ours.pid!],
  ] as const;
  const results = new Map<string, Cell>();
  const paced = new Map<string, Cell>();
  const floodRows: string[] = [];
  let idleRows: string[] = [];
  try {
    for (const clients of clientCounts) {
      for (const request of ['GET VAR ups ups.status', 'LIST VAR ups']) {
        // A shared 2-core machine swings by 10-20 % from one run to the next: each cell is run `repeat`
        // times, the two servers taking turns (and turns at going first), and the median is kept.
        const runs = new Map<string, Cell[]>();
        for (let i = 0; i < repeatFor(clients); i++) {
          const order = i % 2 === 1 ? [...servers].reverse() : servers;
          for (const [who, port, pid] of order) {
            const peak = peakSampler(pid);
            try {
              const r = await load(port, clients, request);
              runs.set(who, [...(runs.get(who) ?? []), { r, rss: peak().rss }]);
              process.stderr.write(`${who} ${request} x${clients} #${i + 1}: ${JSON.stringify(r)}\n`);
            } catch (e) {
              peak();
              process.stderr.write(`${who} ${request} x${clients}: failed: ${e instanceof Error ? e.message : String(e)}\n`);
            }
          }
        }
        for (const [who, cells] of runs) results.set(`${who} ${request.slice(0, 3)} ${clients}`, median(cells));
      }
    }
    if (pacedClients > 0) {
      for (const [who, port, pid] of servers) {
        const peak = peakSampler(pid);
        try {
          const r = await load(port, pacedClients, 'GET VAR ups ups.status', pacedIntervalMs);
          paced.set(who, { r, rss: peak().rss });
          process.stderr.write(`${who} paced x${pacedClients}: ${JSON.stringify(r)}\n`);
        } catch (e) {
          peak();
          process.stderr.write(`${who} paced x${pacedClients}: failed: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
    }
    if (!argv.includes('--no-flood')) {
      for (const [who, port, pid] of servers) {
        const name = who === 'ours' ? 'upsagent' : 'upsd 2.8.0';
        try {
          floodRows.push(await within(`${name} flood`, 180_000, flood(name, port, pid)));
        } catch (e) {
          floodRows.push(`| ${name.padEnd(10)} | ${e instanceof Error ? e.message : String(e)} |`);
        }
        process.stderr.write(`${floodRows.at(-1)}\n`);
      }
    }
  } finally {
    ours.kill('SIGTERM');
    await real.stop();
  }
  if (!argv.includes('--no-idle')) {
    idleRows = await within('idle', 60_000, idle()).catch((e: unknown) => [`| ${e instanceof Error ? e.message : String(e)} |`]);
  }

  const out = process.stdout;
  out.write(
    `\nNUT server load, upsagent (${useBin ? 'dist/upsagent' : 'tsx src/cli/main.ts'}) vs upsd 2.8.0 + dummy-ups, ${seconds} s per cell after 1 s warm-up, closed-loop clients, median of ${repeat} runs (10,000 clients: 1 run), ` +
      `load generator in its own process on the same ${availableParallelism()} cores; 1-min load average ${loadBefore} before, ${load1()} after\n`,
  );
  out.write('| clients | GET/s upsd | GET/s ours | ratio | LIST/s upsd | LIST/s ours | ratio | GET p99 ms upsd | GET p99 ms ours | LIST p99 ms upsd | LIST p99 ms ours | peak RSS MB upsd | peak RSS MB ours | connected upsd/ours | errors upsd/ours |\n');
  out.write('|--------:|-----------:|-----------:|------:|------------:|------------:|------:|-----:|-----:|-----:|-----:|-----:|-----:|------:|------:|\n');
  for (const clients of clientCounts) {
    const c = (who: string, kind: string) => results.get(`${who} ${kind} ${clients}`);
    const [ug, og, ul, ol] = [c('upsd', 'GET'), c('ours', 'GET'), c('upsd', 'LIS'), c('ours', 'LIS')];
    if (!ug && !og && !ul && !ol) continue;
    // A cell that did not finish prints '-'.
    const n = (x: Cell | undefined, f: (c: Cell) => number) => (x ? f(x) : NaN);
    const rate = (x: Cell | undefined) => n(x, (c) => c.r.rate);
    const cells = [
      String(clients),
      f0(rate(ug)),
      f0(rate(og)),
      ratio(rate(og), rate(ug)),
      f0(rate(ul)),
      f0(rate(ol)),
      ratio(rate(ol), rate(ul)),
      f1(n(ug, (c) => c.r.p99)),
      f1(n(og, (c) => c.r.p99)),
      f1(n(ul, (c) => c.r.p99)),
      f1(n(ol, (c) => c.r.p99)),
      f1(Math.max(n(ug, (c) => c.rss), n(ul, (c) => c.rss))),
      f1(Math.max(n(og, (c) => c.rss), n(ol, (c) => c.rss))),
      `${Math.min(n(ug, (c) => c.r.connected), n(ul, (c) => c.r.connected))}/${Math.min(n(og, (c) => c.r.connected), n(ol, (c) => c.r.connected))}`,
      `${n(ug, (c) => c.r.errors) + n(ul, (c) => c.r.errors)}/${n(og, (c) => c.r.errors) + n(ol, (c) => c.r.errors)}`,
    ];
    out.write(`| ${cells.join(' | ')} |\n`);
  }
  if (paced.size) {
    out.write(
      `\n${pacedClients} clients held, each polling GET VAR once every ${pacedIntervalMs} ms (upsmon polls every 5 s): what a server that holds them answers, and how fast\n`,
    );
    out.write('| server     | connected | GET/s | p50 ms | p99 ms | errors | peak RSS MB |\n');
    out.write('|------------|----------:|------:|-------:|-------:|-------:|------:|\n');
    for (const [who, c] of paced) {
      const name = who === 'ours' ? 'upsagent' : 'upsd 2.8.0';
      out.write(`| ${name.padEnd(10)} | ${c.r.connected} | ${c.r.rate} | ${f1(c.r.p50)} | ${f1(c.r.p99)} | ${c.r.errors} | ${f1(c.rss)} |\n`);
    }
  }
  if (floodRows.length) {
    out.write('\nFlood: 1,000 clients each send LIST VAR x2000 in one write and never read; a healthy client polls GET VAR every 50 ms (RSS in MB)\n');
    out.write('| server     | flooders (sent, still connected) | RSS before | after 5 s | peak | 5 s after they left | healthy answered | late (>2 s) | p99 ms |\n');
    out.write('|------------|----------------|-------:|-------:|-------:|-------:|----------:|-----:|-------:|\n');
    for (const r of floodRows) out.write(`${r}\n`);
  }
  if (idleRows.length) {
    out.write('\nIdle memory of upsagent (MB, /proc/PID/status: RssAnon = heap and other private memory, RssFile = pages of the executable and libraries)\n');
    out.write('| what                         | VmRSS  | RssAnon | RssFile |\n');
    out.write('|------------------------------|-------:|-------:|-------:|\n');
    for (const r of idleRows) out.write(`${r}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
