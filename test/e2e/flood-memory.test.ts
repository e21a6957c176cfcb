/**
 * Issue 12: memory comes back once a flood of clients that never read has
 * left. The built executable (dist/upsagent, its Node 24: what users run;
 * built first if missing) runs `run` with a dummy UPS and
 * test/helpers/memory-hook.cjs preloaded (NODE_OPTIONS) to report its
 * process.memoryUsage() on fd 3: the flooders' buffers (ArrayBuffers) and
 * the heap the flood grew must be given back while the server sits idle
 * afterwards. Before the fix nothing collected them once the flood stopped
 * (bench/flood-memory.ts: ArrayBuffers +14 MB and heap +37 MB, 30 s later,
 * for good). A healthy client keeps its answers throughout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/real-nut';
import { hookSampler, type HookSample } from '../helpers/memory-hook-client';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends its requests in one write and never reads a byte. */
function flooder(port: number, request: Buffer): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', () => resolve(null));
    s.once('connect', () => {
      s.pause();
      s.write(request);
      resolve(s);
    });
  });
}

/** GET VAR every 50 ms; the longest wait for an answer, and any answer that was not the status. */
function healthy(port: number): { slowest(): number; answered(): number; wrong: string[]; stop(): void } {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  let sentAt = 0;
  let waiting = false;
  let slowest = 0;
  let answered = 0;
  let buf = '';
  const wrong: string[] = [];
  s.on('data', (d: Buffer) => {
    buf += d.toString();
    if (!buf.includes('\n')) return;
    if (!/^VAR ups ups\.status "OL[^"]*"\n$/.test(buf)) wrong.push(buf);
    buf = '';
    waiting = false;
    answered++;
    slowest = Math.max(slowest, Date.now() - sentAt);
  });
  const t = setInterval(() => {
    if (waiting) {
      slowest = Math.max(slowest, Date.now() - sentAt);
      return;
    }
    waiting = true;
    sentAt = Date.now();
    s.write('GET VAR ups ups.status\n');
  }, 50);
  return { slowest: () => slowest, answered: () => answered, wrong, stop: () => (clearInterval(t), s.destroy()) };
}

describe('NUT server: memory after a flood of clients that do not read', () => {
  let dir = '';
  let agent: ChildProcess | undefined;
  let port = 0;
  let usage: () => Promise<HookSample>;

  before(async () => {
    if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'upsagent-floodmem-'));
    port = await freePort();
    writeFileSync(
      join(dir, 'c.yaml'),
      `ups:\n  ups:\n    driver: dummy\n    port: ${join(ROOT, 'test/fixtures/sidebyside/rack.dev')}\n` +
        `server:\n  listen: ["127.0.0.1:${port}"]\n  maxClients: 2000\n  maxClientsPerAddress: 2000\nlog:\n  level: error\n`,
    );
    agent = spawn(BUILT, ['run', '--config', join(dir, 'c.yaml')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: `-r ${join(ROOT, 'test/helpers/memory-hook.cjs')}` },
    });
    usage = hookSampler(agent.stdio[3] as Socket);
    // Listening once a client is answered.
    const end = Date.now() + 20_000;
    for (;;) {
      const up = await new Promise<boolean>((res) => {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => res(false));
        s.on('data', (d) => (s.destroy(), res(d.toString().startsWith('VAR'))));
        s.on('connect', () => s.write('GET VAR ups ups.status\n'));
      });
      if (up) break;
      if (Date.now() > end) throw new Error('the agent did not start');
      await sleep(200);
    }
  });

  after(() => {
    agent?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  // Passes once ClientConnection.write() sends its batches with writeReplies (src/server/batch-write.ts):
  // measured with that one-line change, RSS 75 / 92 / 92 MB; without it 74 / 154-161 / 149-169 MB.
  test('RSS stays near the budget during the flood and comes back once the flooders leave; a healthy client is answered throughout', async (t) => {
    const probe = healthy(port);
    await sleep(1000);
    const start = await usage();
    // Each asks for ~2 MB of replies: far more than the kernel buffers for a client that does not read.
    const request = Buffer.from('LIST VAR ups\n'.repeat(2000), 'latin1');
    const flooders: Socket[] = [];
    for (let i = 0; i < 600; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => flooder(port, request)));
      for (const s of batch) if (s) flooders.push(s);
    }
    await sleep(2000);
    const during = await usage();
    for (const s of flooders) s.destroy();

    // Back within 15 s of idling: RSS near where it was (what the budget allows, and a margin).
    let now = await usage();
    const back = (u: HookSample) => u.rss - start.rss < 24 * MB;
    const end = Date.now() + 15_000;
    while (!back(now) && Date.now() < end) {
      await sleep(500);
      now = await usage();
    }
    probe.stop();
    const d = (u: HookSample, k: 'rss' | 'heapTotal' | 'arrayBuffers') => ((u[k] - start[k]) / MB).toFixed(1);
    const figures =
      `${flooders.length} flooders; ArrayBuffers +${d(during, 'arrayBuffers')} MB during, +${d(now, 'arrayBuffers')} MB after; ` +
      `heap +${d(during, 'heapTotal')} MB during, +${d(now, 'heapTotal')} MB after; RSS ${(start.rss / MB).toFixed(0)} / ${(during.rss / MB).toFixed(0)} / ${(now.rss / MB).toFixed(0)} MB; ` +
      `healthy client answered ${probe.answered()} times, slowest ${probe.slowest()} ms`;
    t.diagnostic(figures);
    // The flood did happen: the server stopped answering some of them (paused or dropped).
    assert.ok(flooders.length >= 500, figures);
    // Before: +80-90 MB at the peak (malloc's heap full of dropped batch buffers), and still there 30 s later.
    assert.ok(during.rss - start.rss < 48 * MB, figures);
    assert.ok(back(now), figures);
    assert.deepEqual(probe.wrong, []);
    assert.ok(probe.answered() > 20, figures);
    assert.ok(probe.slowest() < 1000, figures);
  });
});
