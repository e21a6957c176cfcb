/**
 * CPU cost per request of the NUT server, ours vs upsd 2.8.0, in one run: the
 * load generator runs as in server-load.ts, and each server's CPU time
 * (utime+stime from /proc/PID/stat) is divided by the requests answered. A
 * ratio that holds on a busy machine, unlike rates.
 *
 *   node --import tsx bench/server-cpu.ts [--clients 10,100,1000] [--seconds 3] [--bare]
 *
 * --bare adds a third server, bench/bare-node-server.ts on the executable's
 * base Node (.cache/node/, made by the build): a fixed reply to every read,
 * nothing else. It is the floor of any server written for Node.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startRealNut } from '../test/helpers/real-nut';

const ROOT = resolve(__dirname, '..');
const DEV = join(ROOT, 'test/fixtures/sidebyside/rack.dev');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? dflt) : dflt);
const seconds = opt('--seconds', '3');
const clientCounts = opt('--clients', '10,100,1000').split(',').map(Number);
const requests = opt('--requests', 'GET VAR ups ups.status|LIST VAR ups').split('|');
const bin = opt('--bin', join(ROOT, 'dist/upsagent'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bare = argv.includes('--bare');
const ticks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};

function load(port: number, clients: number, request: string): Promise<{ requests: number; rate: number; p99: number }> {
  return new Promise((res, rej) =>
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/load-client.ts'), String(port), String(clients), seconds, request], { cwd: ROOT }, (e, out) =>
      e ? rej(e) : res(JSON.parse(out)),
    ),
  );
}

/** The reply a server gives to `request` (the bare server is handed upsd's). */
function replyTo(port: number, request: string): Promise<Buffer> {
  return new Promise((res, rej) => {
    const s = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const end = /^LIST /i.test(request) ? `END ${request.trim()}\n` : '\n';
    s.once('error', rej);
    s.on('data', (d: Buffer) => {
      parts.push(d);
      const all = Buffer.concat(parts);
      if (all.toString('latin1').endsWith(end)) {
        s.destroy();
        res(all);
      }
    });
    s.write(`${request}\n`);
  });
}

/** The Node the executable is built on, for the bare server; this Node if the build has not fetched one. */
function baseNode(): string {
  const dir = join(ROOT, '.cache/node');
  const found = existsSync(dir) ? readdirSync(dir).filter((d) => d.endsWith(`-linux-${process.arch}`)).sort() : [];
  const node = found.length ? join(dir, found.at(-1)!, 'node') : '';
  return node && existsSync(node) ? node : process.execPath;
}

async function startBare(request: string, upsdPort: number): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const reply = await replyTo(upsdPort, request);
  const child = spawn(baseNode(), ['--import', 'tsx', join(ROOT, 'bench/bare-node-server.ts'), String(port), reply.toString('base64')], { cwd: ROOT, stdio: 'inherit' });
  await sleep(1500);
  return { port, child };
}

function upsdPid(dir: string): number {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (!readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('upsd')) continue;
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(`NUT_CONFPATH=${dir}`)) return Number(p);
    } catch {
      // gone
    }
  }
  throw new Error('no upsd');
}

async function main(): Promise<void> {
  const real = await startRealNut({ devices: { ups: { file: DEV } } });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-cpu-'));
  writeFileSync(join(dir, 'c.yaml'), `ups:\n  ups:\n    driver: dummy\n    port: ${DEV}\nserver:\n  listen: ["127.0.0.1:${port}"]\n  maxClients: 20000\nlog:\n  level: warn\n`);
  const ours = bin.endsWith('.cjs')
    ? spawn(process.execPath, [bin, 'run', '--config', join(dir, 'c.yaml')], { stdio: 'inherit' })
    : spawn(bin, ['run', '--config', join(dir, 'c.yaml')], { stdio: 'inherit' });
  await sleep(2500);
  const servers = [
    ['upsd', real.port, upsdPid(real.dir)],
    ['ours', port, ours.pid!],
  ] as const;
  try {
    for (const clients of clientCounts) {
      for (const request of requests) {
        const row: string[] = [];
        const per: number[] = [];
        const extra = bare ? await startBare(request, real.port) : undefined;
        const these: (readonly [string, number, number])[] = extra ? [...servers, ['bare node', extra.port, extra.child.pid!] as const] : [...servers];
        try {
          for (const [who, p, pid] of these) {
            const t0 = ticks(pid);
            const r = await load(p, clients, request);
            // Ticks cover the warm-up second too: scale requests by (seconds+1)/seconds.
            const t = ticks(pid) - t0;
            const us = (t * 10000) / (r.requests * ((Number(seconds) + 1) / Number(seconds)));
            per.push(us);
            row.push(`${who} ${r.rate}/s p99 ${r.p99} ms ${us.toFixed(2)} us CPU/req`);
          }
        } finally {
          extra?.child.kill('SIGTERM');
        }
        process.stdout.write(`${clients} ${request.slice(0, 8)}: ${row.join(' | ')} | CPU ours/upsd ${(per[1]! / per[0]!).toFixed(2)}${bare ? ` bare/upsd ${(per[2]! / per[0]!).toFixed(2)}` : ''}\n`);
      }
    }
  } finally {
    ours.kill('SIGTERM');
    await real.stop();
  }
}
void main().then(() => process.exit(0));
