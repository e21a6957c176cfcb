/**
 * The relay under load, beside the server it relays: real upsd 2.8.0 (+
 * dummy-ups on rack.dev) serving N clients directly, then upsagent with
 * `driver: relay` on that same UPS serving the same N clients, the load
 * generator (bench/load-client.ts) in its own process each time. For each
 * request: rate, p50, p99, errors, and the TCP connections to upsd from the
 * relay's process while it served them (ss).
 *
 *   bash bench/relay-load.sh [--seconds 5] [--clients 100,1000] [--bin]
 *
 * Runs the agent from source through tsx (--bin: dist/upsagent, which must
 * be built with the relay in it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, kill, startRealNut } from '../test/helpers/real-nut';
import { runLoad, tsxCommand, type LoadResult } from './load-runner';

const ROOT = resolve(__dirname, '..');
const DEV = join(ROOT, 'test/fixtures/sidebyside/rack.dev');
const BIN = join(ROOT, 'dist/upsagent');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? dflt) : dflt);
const seconds = Number(opt('--seconds', '5'));
const clientCounts = opt('--clients', '1000').split(',').map(Number);
const useBin = argv.includes('--bin');
const REQUESTS = ['GET VAR ups ups.status', 'LIST VAR ups'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Established TCP connections from `pid` to 127.0.0.1:`port`. */
function connectionsFrom(pid: number, port: number): Promise<number> {
  return new Promise((res) => {
    execFile('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`], (err, stdout) => {
      res(err ? NaN : stdout.split('\n').filter((l) => l.includes(`pid=${pid},`)).length);
    });
  });
}

/** upsagent relaying ups@127.0.0.1:upstream as `ups` on `port`; resolves once it serves data. */
async function startRelay(upstream: number, port: number): Promise<{ child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-relay-bench-'));
  const cfg = join(dir, 'upsagent.yaml');
  writeFileSync(cfg, `ups:\n  ups:\n    driver: relay\n    port: ups@127.0.0.1:${upstream}\nserver:\n  listen: ["127.0.0.1:${port}"]\n  maxClients: 20000\nlog:\n  level: warn\n`);
  const args = ['run', '--config', cfg];
  if (useBin && !existsSync(BIN)) throw new Error(`${BIN} is missing: npm run build`);
  const [cmd, full] = useBin ? [BIN, args] : tsxCommand('src/cli/main.ts', args);
  const child = spawn(cmd, full, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 150; i++) {
    await sleep(100);
    const r = await runLoad(port, 1, 0.2, 'GET VAR ups ups.status').catch(() => null);
    if (r && r.errors === 0 && r.rate > 0) return { child, dir };
  }
  child.kill('SIGKILL');
  throw new Error('the relay never served ups.status');
}

function row(request: string, clients: number, who: string, r: LoadResult, upstreamConns: string, ratio: string): string {
  return `| ${request.padEnd(22)} | ${String(clients).padStart(7)} | ${who.padEnd(17)} | ${(String(r.rate) + ratio).padStart(16)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(7)} | ${String(r.connected).padStart(9)} | ${String(r.errors).padStart(4)} | ${upstreamConns.padStart(14)} |`;
}

async function main(): Promise<void> {
  const real = await startRealNut({ devices: { ups: { file: DEV } } });
  const relayPort = await freePort();
  let relay: { child: ChildProcess; dir: string } | undefined;
  const rows: string[] = [];
  try {
    relay = await startRelay(real.port, relayPort);
    const pid = relay.child.pid!;
    for (const clients of clientCounts) {
      for (const request of REQUESTS) {
        const direct = await runLoad(real.port, clients, seconds, request);
        rows.push(row(request, clients, 'upsd 2.8.0', direct, '-', ''));
        process.stderr.write(`${rows.at(-1)}\n`);
        // Sampled mid-run: what upsd sees of the relay while the relay serves every client.
        const during = sleep(1000 + (seconds * 1000) / 2).then(() => connectionsFrom(pid, real.port));
        const relayed = await runLoad(relayPort, clients, seconds, request);
        const ratio = direct.rate ? ` ${(relayed.rate / direct.rate).toFixed(2)}x` : '';
        rows.push(row(request, clients, 'upsagent relay', relayed, String(await during), ratio));
        process.stderr.write(`${rows.at(-1)}\n`);
      }
    }
  } finally {
    if (relay) {
      await kill(relay.child);
      rmSync(relay.dir, { recursive: true, force: true });
    }
    await real.stop();
  }
  const out = process.stdout;
  out.write(`\nRelay load, ${seconds} s per row (after 1 s warm-up); closed-loop clients from one separate process; relay: ${useBin ? 'dist/upsagent' : 'tsx src/cli/main.ts'} (driver: relay, pollInterval 2 s) on upsd 2.8.0 + dummy-ups (rack.dev)\n`);
  out.write('| request                | clients | server            | req/s (relay/upsd) | p50 ms | p99 ms  | connected | errs | conns to upsd  |\n');
  out.write('|------------------------|--------:|-------------------|-----------------:|-------:|--------:|----------:|-----:|---------------:|\n');
  for (const r of rows) out.write(`${r}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
