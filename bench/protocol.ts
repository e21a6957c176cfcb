/**
 * Request rate and latency of our NUT server against the real upsd 2.8.0,
 * measured in the same run on the same device file: GET VAR and LIST VAR at
 * 100 and 1,000 concurrent clients. Run: `npx tsx bench/protocol.ts [seconds]`
 * (needs NUT installed and dist/upsagent built; falls back to the TS source).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startRealNut } from '../test/helpers/real-nut';

const ROOT = resolve(__dirname, '..');
const DEV = join(ROOT, 'test/fixtures/sidebyside/rack.dev');
const seconds = Number(process.argv[2] ?? 5);

interface Result {
  rate: number;
  p50: number;
  p99: number;
  connected: number;
  connectMs: number;
  errors: number;
}

function load(port: number, clients: number, request: string): Promise<Result> {
  return new Promise((res, rej) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/load-client.ts'), String(port), String(clients), String(seconds), request],
      { cwd: ROOT, timeout: (seconds + 120) * 1000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(JSON.parse(stdout) as Result)),
    );
  });
}

async function startOurs(port: number): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-bench-'));
  const cfg = join(dir, 'upsagent.yaml');
  writeFileSync(cfg, `ups:\n  ups:\n    driver: dummy\n    port: ${DEV}\nserver:\n  listen: ["127.0.0.1:${port}"]\nlog:\n  level: warn\n`);
  const bin = join(ROOT, 'dist/upsagent');
  const [cmd, args] = existsSync(bin) ? [bin, ['run', '--config', cfg]] : [process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'run', '--config', cfg]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  // Ready when it answers a GET with data.
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const r = await load(port, 1, 'GET VAR ups ups.status').catch(() => null);
      if (r && r.errors === 0) break;
    } catch {
      // not up yet
    }
  }
  process.stderr.write(`ours: ${existsSync(bin) ? 'dist/upsagent' : 'tsx src/cli/main.ts'} pid ${child.pid}\n`);
  return () => child.kill('SIGTERM');
}

async function main(): Promise<void> {
  const real = await startRealNut({ devices: { ups: { file: DEV } } });
  const ourPort = await freePort();
  const stopOurs = await startOurs(ourPort);
  const rows: string[] = [];
  try {
    for (const clients of [100, 1000]) {
      for (const request of ['GET VAR ups ups.status', 'LIST VAR ups']) {
        for (const [who, port] of [
          ['upsd 2.8.0', real.port],
          ['upsagent', ourPort],
        ] as const) {
          const r = await load(port, clients, request);
          rows.push(
            `| ${request.padEnd(22)} | ${String(clients).padStart(7)} | ${who.padEnd(10)} | ${String(r.rate).padStart(8)} | ${r.p50.toFixed(2).padStart(8)} | ${r.p99.toFixed(2).padStart(8)} | ${String(r.connected).padStart(5)} | ${(r.connectMs / 1000).toFixed(1).padStart(6)} | ${String(r.errors).padStart(4)} |`,
          );
          process.stderr.write(`${rows[rows.length - 1]}\n`);
        }
      }
    }
  } finally {
    stopOurs();
    await real.stop();
  }
  process.stdout.write(`NUT protocol load, ${seconds} s per row, client in a separate process on the same 2-core machine\n`);
  process.stdout.write('| request                | clients | server     |  req/s   | p50 ms   | p99 ms   | conn  | conn s | errs |\n');
  process.stdout.write('|------------------------|---------|------------|----------|----------|----------|-------|--------|------|\n');
  for (const r of rows) process.stdout.write(`${r}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
