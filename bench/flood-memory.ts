/**
 * Where the NUT server's memory goes under a flood of clients that never
 * read, and whether it comes back once they leave (issue 12). The server
 * runs in its own process (dist/upsagent.cjs under the given node, a dummy
 * UPS on test/fixtures/sidebyside/rack.dev) with a small preloaded hook
 * (test/helpers/memory-hook.cjs) that answers, over fd 3, with
 * process.memoryUsage() and V8's heap spaces, and can be asked to run a
 * full GC: so RSS growth can be split into V8 heap, ArrayBuffers (reads,
 * batch buffers) and the rest (malloc, kernel; the kernel's TCP memory for
 * all sockets is shown too). The flooders run
 * in bench/flood-client.ts; a healthy client polls GET VAR every 50 ms.
 *
 *   node --import tsx bench/flood-memory.ts [--node PATH] [--clients 1000] [--repeat 2000]
 *     [--request "LIST VAR ups"] [--hold 5] [--after 5,30] [--gc] [--trim] [--maps] [--source]
 *     [--cjs dist/upsagent.cjs] [--env K=V]
 *
 * --gc: after the last sample, ask the server for a full GC and sample again
 * (tells garbage not yet collected from memory still held). --trim: then
 * call glibc's malloc_stats() and malloc_trim(0) in the server through gdb
 * (tells memory malloc holds free from memory still in use). --env K=V
 * (repeatable) sets the server's environment, e.g. MALLOC_ARENA_MAX=2.
 * --maps: the largest mappings (malloc's [heap] shows up there).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/helpers/real-nut';
import { hookSampler } from '../test/helpers/memory-hook-client';

const ROOT = resolve(__dirname, '..');
const DEV = join(ROOT, 'test/fixtures/sidebyside/rack.dev');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? dflt) : dflt);
const nodeBin = opt('--node', process.execPath);
const cjs = resolve(ROOT, opt('--cjs', 'dist/upsagent.cjs'));
/** --source: src/cli/main.ts through tsx instead of the bundle (tsx adds its own ~20 MB to every figure). */
const entry = argv.includes('--source') ? ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')] : [cjs];
const clients = opt('--clients', '1000');
const repeat = opt('--repeat', '2000');
const request = opt('--request', 'LIST VAR ups');
const holdS = Number(opt('--hold', '5'));
const afterS = opt('--after', '5,30').split(',').map(Number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;

/** Answers memory figures on fd 3 (and runs a full GC when asked). */
const HOOK = join(ROOT, 'test/helpers/memory-hook.cjs');

/** RSS and anonymous memory from /proc/PID/smaps_rollup, in bytes. */
function rollup(pid: number): { rss: number; anon: number; lazyFree: number } {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(t)?.[1] ?? NaN) * 1024;
  // LazyFree: pages given back with MADV_FREE, still counted in RSS until the kernel needs them.
  return { rss: kb('Rss'), anon: kb('Anonymous'), lazyFree: kb('LazyFree') };
}

/** The mappings with the most resident memory (--maps): V8's heap, malloc's arenas, thread stacks... */
function largestMappings(pid: number): string {
  const blocks = readFileSync(`/proc/${pid}/smaps`, 'utf8').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  return blocks
    .map((b) => ({ head: b.split('\n')[0]!, rss: Number(/^Rss:\s+(\d+)/m.exec(b)?.[1] ?? 0) }))
    .sort((a, b) => b.rss - a.rss)
    .slice(0, 12)
    .map((m) => `${(m.rss / 1024).toFixed(1).padStart(7)} MB  ${m.head}`)
    .join('\n');
}

/** Memory the kernel holds for every TCP socket on the machine (/proc/net/sockstat, pages), in bytes. */
function tcpMem(): number {
  const m = /^TCP:.* mem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'));
  return Number(m?.[1] ?? NaN) * 4096;
}

/** A client that asks GET VAR every 50 ms and records how long each answer took. */
function healthy(port: number): { stop(): { asked: number; answered: number; max: number; p99: number } } {
  const s = connect(port, '127.0.0.1');
  s.setNoDelay(true);
  s.on('error', () => undefined);
  const times: number[] = [];
  let asked = 0;
  let sentAt = 0;
  let waiting = false;
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString();
    if (!buf.includes('\n')) return;
    buf = '';
    waiting = false;
    times.push(Date.now() - sentAt);
  });
  const t = setInterval(() => {
    if (waiting) return;
    waiting = true;
    sentAt = Date.now();
    asked++;
    s.write('GET VAR ups ups.status\n');
  }, 50);
  return {
    stop() {
      clearInterval(t);
      s.destroy();
      const sorted = [...times].sort((a, b) => a - b);
      return { asked, answered: times.length, max: sorted.at(-1) ?? NaN, p99: sorted[Math.floor(sorted.length * 0.99)] ?? NaN };
    },
  };
}

const f = (n: number) => (n / MB).toFixed(1).padStart(7);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-floodmem-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'c.yaml'),
    `ups:\n  ups:\n    driver: dummy\n    port: ${DEV}\nserver:\n  listen: ["127.0.0.1:${port}"]\n  maxClients: 20000\n  maxClientsPerAddress: 20000\nlog:\n  level: warn\n`,
  );
  const server: ChildProcess = spawn(nodeBin, ['-r', HOOK, ...entry, 'run', '--config', join(dir, 'c.yaml')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, ...Object.fromEntries(argv.flatMap((a, i) => (argv[i - 1] === '--env' ? [a.split('=', 2) as [string, string]] : []))) },
  });
  const pid = server.pid!;
  const inner = hookSampler(server.stdio[3] as Socket);
  const rows: string[] = [];
  const sample = async (what: string, cmd?: 'sample' | 'gc') => {
    const i = await inner(cmd);
    const r = rollup(pid);
    const sp = (n: string) => i.spaces[n]?.size ?? 0;
    rows.push(
      `| ${what.padEnd(22)} | ${f(r.rss)} | ${f(r.anon)} | ${f(i.heapTotal)} | ${f(i.heapUsed)} | ${f(sp('old_space'))} | ${f(sp('new_space'))} | ${f(sp('large_object_space'))} | ${f(i.arrayBuffers)} | ${f(i.external)} | ${f(r.anon - i.heapTotal - i.arrayBuffers)} | ${f(r.lazyFree)} | ${f(tcpMem())} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  };
  try {
    await sleep(3000);
    const probe = healthy(port);
    await sleep(1000);
    await sample('before');
    let peak = 0;
    let peakRow = '';
    const peakTimer = setInterval(() => {
      const r = rollup(pid);
      if (r.rss > peak) {
        peak = r.rss;
        peakRow = `${f(r.rss)} (anon ${f(r.anon).trim()})`;
      }
    }, 100);
    const t0 = Date.now();
    const flood = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/flood-client.ts'), String(port), clients, repeat, request], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const ready = await new Promise<string>((res) => flood.stdout!.once('data', (d: Buffer) => res(d.toString().trim())));
    process.stderr.write(`flooders ${ready} after ${Date.now() - t0} ms\n`);
    await sleep(holdS * 1000);
    await sample(`flood (${holdS} s in)`);
    flood.stdin!.end();
    await new Promise((r) => flood.once('exit', r));
    const left = Date.now();
    await sleep(300);
    clearInterval(peakTimer);
    for (const a of afterS) {
      await sleep(Math.max(0, a * 1000 - (Date.now() - left)));
      await sample(`${a} s after they left`);
    }
    const h = probe.stop();
    if (argv.includes('--maps')) process.stderr.write(`largest mappings now:\n${largestMappings(pid)}\n`);
    if (argv.includes('--gc')) {
      await sample('right after a full GC', 'gc');
      // Freed ArrayBuffers and semi-space pages are released by V8's background tasks.
      await sleep(3000);
      await sample('3 s after the GC');
    }
    if (argv.includes('--trim')) {
      execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (void)malloc_stats()', '-ex', 'call (int)malloc_trim(0)'], { stdio: 'ignore' });
      await sample('after malloc_trim(0)');
      if (argv.includes('--maps')) process.stderr.write(`largest mappings after the trim:\n${largestMappings(pid)}\n`);
    }
    process.stdout.write(`server ${entry.at(-1)} under ${nodeBin}; ${clients} flooders x ${repeat} "${request}" (${ready})\n`);
    process.stdout.write(`peak RSS ${peakRow}; healthy client: ${h.answered}/${h.asked} answered, p99 ${h.p99} ms, max ${h.max} ms\n`);
    process.stdout.write('| when                   |     RSS |    anon | heapTot | heapUsd |  old sp |  new sp |  lo spc | arrBufs | extern. | anon-heap-AB | lazyFree | kernel TCP |\n');
    process.stdout.write(`|${'---|'.repeat(13)}\n`);
    for (const r of rows) process.stdout.write(`${r}\n`);
  } finally {
    server.kill('SIGTERM');
  }
}

void main().then(() => process.exit(0));
