/**
 * Idle memory of the agent: starts `dist/upsagent run --demo` on a free
 * loopback port, waits for it to settle, prints its RSS split into anonymous
 * and file-backed pages (from /proc/PID/smaps_rollup), then holds 1,000 idle
 * NUT clients connected and prints the same again.
 *
 *   node --import tsx bench/idle-rss.ts [BINARY [ARGS...]]
 *
 * Without arguments the binary is dist/upsagent and the arguments `run --demo`;
 * `--listen 127.0.0.1:PORT` is always appended. Environment: CLIENTS (1000),
 * SETTLE_S (10), COLD=1 (root only: empty the page cache first, see
 * bench/page-cache.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { dropPageCacheIfCold } from './page-cache';

const [binary = 'dist/upsagent', ...rest] = process.argv.slice(2);
const args = rest.length ? rest : ['run', '--demo'];
const clients = Number(process.env.CLIENTS ?? 1000);
const settleMs = Number(process.env.SETTLE_S ?? 10) * 1000;

/** A port free now; the agent binds it a moment later (a race a bench can live with). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Rss { rss: number; anon: number; file: number; shmem: number }

/** Rss, Anonymous and Shmem of smaps_rollup, in kB; file-backed is what remains. */
function rssOf(pid: number): Rss {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const rss = kb('Rss');
  const anon = kb('Anonymous');
  const shmem = kb('Shmem');
  return { rss, anon, shmem, file: rss - anon - shmem };
}

const mb = (kb: number): string => (kb / 1024).toFixed(1);
const show = (label: string, r: Rss): void =>
  console.log(`${label.padEnd(16)} Rss ${mb(r.rss)} MB  anon ${mb(r.anon)} MB  file ${mb(r.file)} MB${r.shmem ? `  shmem ${mb(r.shmem)} MB` : ''}`);

/** Resolves once a NUT request on the port gets a reply: the server is up. */
async function waitForServer(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('error', () => resolve(false));
      s.once('connect', () => s.write('VER\n'));
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
    });
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`nothing answered on port ${port}`);
}

async function main(): Promise<void> {
  dropPageCacheIfCold();
  const port = await freePort();
  const child = spawn(binary, [...args, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid!;
  let exited = false;
  child.once('exit', (code) => {
    exited = true;
    if (code !== null && code !== 0) console.error(`agent exited with ${code}`);
  });
  try {
    await waitForServer(port, Date.now() + 30_000);
    await sleep(settleMs);
    show('idle', rssOf(pid));
    if (clients > 0) {
      const sockets: Socket[] = [];
      for (let i = 0; i < clients; i++) {
        await new Promise<void>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => resolve());
          s.once('error', reject);
          sockets.push(s);
        });
      }
      await sleep(settleMs);
      if (exited) throw new Error('the agent ended while clients were connected');
      show(`${clients} clients`, rssOf(pid));
      for (const s of sockets) s.destroy();
    }
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
