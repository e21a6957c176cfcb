/**
 * The web page's figures, in Debian's headless Chromium (playwright-core):
 *
 * - size: each file the page loads (HTML, our script and style, uPlot's),
 *   as sent to a browser (gzip) and uncompressed;
 * - first load: navigation start to the first UPS's card on screen (the
 *   page's `upsagent:first-ups` performance mark), each load in a new
 *   browser context (empty cache), median and worst of N;
 * - status change -> browser: from the agent seeing a UPS's new ups.status
 *   (its bus event, in this process) to the next frame the browser paints
 *   after the card changed (a MutationObserver, then requestAnimationFrame;
 *   both clocks are performance.timeOrigin + now() on this machine), over N
 *   changes between OL and OB.
 *
 * The agent is the tests' (test/helpers/page-rig.ts): dummy UPSes whose
 * .dev files are rewritten to change their status.
 * Run: `npx tsx bench/http-page.ts [loads] [changes]` (default 10 and 20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/core/logger';
import { launchChromium, startPageAgent } from '../test/helpers/page-rig';

const loads = Number(process.argv[2] ?? 10);
const changes = Number(process.argv[3] ?? 20);
const FILES = ['/', '/page/app.js', '/page/app.css', '/page/uplot.js', '/page/uplot.css'];

const nowMs = (): number => performance.timeOrigin + performance.now();

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `${label.padEnd(40)} n=${String(s.length).padStart(3)}  median ${at(0.5).toFixed(1).padStart(7)} ms  worst ${s[s.length - 1]!.toFixed(1).padStart(7)} ms`;
}

function bytes(base: string, path: string, gzip: boolean): Promise<number> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
    })
      .on('error', reject)
      .end();
  });
}

// Run in the browser: notes when the card's state text changes, at the next frame.
declare const document: { querySelector(s: string): { querySelector(s: string): { textContent: string | null } | null } | null };
declare const window: { seen: Array<[number, string]>; requestAnimationFrame(fn: () => void): void; MutationObserver: new (fn: () => void) => { observe(n: unknown, o: unknown): void } };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-bench-page-'));
  const rig = await startPageAgent(dir, ['u', 'v'], createLogger({ level: 'error' }), { historyInterval: 60 });
  const browser = await launchChromium();
  try {
    console.log('page size (as served to a browser, gzip / uncompressed):');
    let zipped = 0;
    let plain = 0;
    for (const f of FILES) {
      const [g, p] = [await bytes(rig.base, f, true), await bytes(rig.base, f, false)];
      zipped += g;
      plain += p;
      console.log(`  ${f.padEnd(18)} ${String(g).padStart(7)} B  ${String(p).padStart(7)} B`);
    }
    console.log(`  ${'total'.padEnd(18)} ${String(zipped).padStart(7)} B  ${String(plain).padStart(7)} B`);

    const first: number[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(rig.base);
      await page.waitForSelector('[data-ups="u"] .state');
      first.push(await page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByName(n: string): Array<{ startTime: number }> } }).performance.getEntriesByName('upsagent:first-ups')[0]!.startTime));
      await context.close();
    }
    console.log(summary('first load (navigation -> first UPS shown)', first));

    const page = await browser.newPage();
    await page.goto(rig.base);
    await page.waitForSelector('#live.on');
    await page.evaluate(() => {
      window.seen = [];
      const card = document.querySelector('[data-ups="u"]')!;
      let last = card.querySelector('.state')?.textContent ?? '';
      new window.MutationObserver(() => {
        const now = card.querySelector('.state')?.textContent ?? '';
        if (now === last) return;
        last = now;
        window.requestAnimationFrame(() => window.seen.push([performance.timeOrigin + performance.now(), now]));
      }).observe(card, { childList: true, subtree: true, characterData: true });
    });
    let changedAt = 0;
    rig.agent.bus.on('ups.status', {}, (e) => {
      if (e.ups === 'u') changedAt = nowMs();
    });
    const lat: number[] = [];
    for (let i = 0; i < changes; i++) {
      const onBattery = i % 2 === 0;
      const seenBefore = await page.evaluate(() => window.seen.length);
      changedAt = 0;
      rig.setStatus('u', onBattery ? 'OB DISCHRG' : 'OL CHRG');
      const end = Date.now() + 10_000;
      let shown: [number, string] | undefined;
      while (Date.now() < end) {
        shown = await page.evaluate((n) => window.seen[n], seenBefore);
        if (shown && changedAt) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      if (!shown || !changedAt) throw new Error(`change ${i}: the page never showed it`);
      if (!shown[1].startsWith(onBattery ? 'On battery' : 'On line power')) throw new Error(`change ${i}: the page shows ${shown[1]}`);
      lat.push(shown[0] - changedAt);
    }
    console.log(summary('status change -> browser painted it', lat));
  } finally {
    await browser.close();
    await rig.agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
