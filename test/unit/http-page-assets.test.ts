/**
 * The page's files over HTTP from a running agent: the HTML with the
 * http: settings in it, script, style and uPlot from inside the agent (the
 * very bytes of node_modules' uPlot), gzip for browsers that accept it,
 * ETag revalidation, a Content-Security-Policy that allows this origin only,
 * the history endpoint, chart samples on the event stream, and no page
 * when http.page is false.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemoryLogger } from '../../src/core/logger';
import { buildAssets } from '../../src/http/page/page';
import { startPageAgent, type PageAgent } from '../helpers/page-rig';

let dir: string;
let rig: PageAgent;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upsagent-page-assets-'));
  rig = await startPageAgent(dir, ['u'], new MemoryLogger(), { historyInterval: 1, temperature: 'fahrenheit' });
});

after(async () => {
  await rig?.agent.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET (fetch would decompress and hide Content-Encoding). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path: u.pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

test('GET / is the page, with the settings of the http: section and a CSP for this origin only', async () => {
  const r = await get(rig.base, '/');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/html/);
  const csp = String(r.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /connect-src 'self'(;|$)/);
  const html = r.body.toString('utf8');
  const meta = /<meta name="upsagent-settings" content="([^"]*)">/.exec(html);
  assert.ok(meta);
  assert.deepEqual(JSON.parse(meta[1]!.replace(/&#34;/g, '"')), { temperature: 'F', historyIntervalS: 1 });
  // Everything it loads comes from the agent.
  for (const m of html.matchAll(/(?:src|href)="([^"]*)"/g)) assert.ok(m[1]!.startsWith('/') || m[1]!.startsWith('#') || m[1]!.startsWith('data:'), `loads ${m[1]}`);
});

test('script, style and uPlot are served from inside the agent; gzip when accepted; ETag revalidates', async () => {
  const uplot = readFileSync(join(__dirname, '../../node_modules/uplot/dist/uPlot.iife.min.js'));
  const plain = await get(rig.base, '/page/uplot.js');
  assert.equal(plain.status, 200);
  assert.match(String(plain.headers['content-type']), /^text\/javascript/);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(plain.body.equals(uplot));
  const zipped = await get(rig.base, '/page/uplot.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.ok(zipped.body.length < uplot.length / 2);
  assert.ok(gunzipSync(zipped.body).equals(uplot));
  const etag = String(zipped.headers.etag);
  const again = await get(rig.base, '/page/uplot.js', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  for (const [path, type] of [['/page/app.js', 'text/javascript'], ['/page/app.css', 'text/css'], ['/page/uplot.css', 'text/css']] as const) {
    const r = await get(rig.base, path);
    assert.equal(r.status, 200, path);
    assert.ok(String(r.headers['content-type']).startsWith(type), path);
    assert.ok(r.body.length > 500, path);
    // No address outside the agent in our files (uPlot's own comments aside).
    if (path.includes('app')) assert.doesNotMatch(r.body.toString('utf8'), /https?:\/\//, path);
  }
});

test('settings are HTML-escaped into the page', () => {
  const html = buildAssets({ temperature: 'C', historyIntervalS: 60 }, { 'index.html': '<meta content="%SETTINGS%">' }).get('index.html')!.body.toString('utf8');
  assert.equal(html, '<meta content="{&#34;temperature&#34;:&#34;C&#34;,&#34;historyIntervalS&#34;:60}">');
});

test('GET /api/v1/ups/{ups}/history has the samples in columns; an unknown UPS is 404', async () => {
  const end = Date.now() + 10_000;
  let h: { ups: string; intervalS: number; t: number[]; charge: number[]; inputVoltage: number[] } = { ups: '', intervalS: 0, t: [], charge: [], inputVoltage: [] };
  while (h.t.length < 2 && Date.now() < end) {
    h = (await (await fetch(`${rig.base}/api/v1/ups/U/history`)).json()) as typeof h;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(h.ups, 'u');
  assert.equal(h.intervalS, 1);
  assert.ok(h.t.length >= 2);
  assert.deepEqual(new Set(h.charge), new Set([100]));
  assert.deepEqual(new Set(h.inputVoltage), new Set([232]));
  const nope = await fetch(`${rig.base}/api/v1/ups/nope/history`);
  assert.equal(nope.status, 404);
  assert.equal(((await nope.json()) as { error: string }).error, 'UNKNOWN-UPS');
});

test('each new chart sample comes on the event stream as a `sample` event', async () => {
  const ac = new AbortController();
  const r = await fetch(`${rig.base}/api/v1/events/stream?ups=u`, { signal: ac.signal });
  const reader = r.body!.getReader();
  let text = '';
  const end = Date.now() + 10_000;
  while (!/event: sample\ndata: .*\n\n/.test(text) && Date.now() < end) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  ac.abort();
  const m = /event: sample\ndata: (.*)\n\n/.exec(text);
  assert.ok(m, text.slice(0, 300));
  const e = JSON.parse(m[1]!) as { ups: string; sample: { t: number; charge: number; load: number; runtime: number } };
  assert.equal(e.ups, 'u');
  assert.equal(e.sample.charge, 100);
  assert.equal(e.sample.load, 12);
  assert.equal(e.sample.runtime, 2400);
  assert.ok(Math.abs(e.sample.t - Date.now() / 1000) < 5);
});

test('http.page: false serves no page', async () => {
  const d = mkdtempSync(join(tmpdir(), 'upsagent-page-off-'));
  const off = await startPageAgent(d, ['u'], new MemoryLogger(), { page: false });
  try {
    assert.equal((await fetch(`${off.base}/`)).status, 404);
    assert.equal((await fetch(`${off.base}/page/app.js`)).status, 404);
    assert.equal((await fetch(`${off.base}/api/v1/ups/u`)).status, 200);
  } finally {
    await off.agent.stop();
    rmSync(d, { recursive: true, force: true });
  }
});
