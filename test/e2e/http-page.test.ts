/**
 * The web page in a real browser: Debian's headless Chromium driven by
 * playwright-core against an agent serving two dummy UPSes. The page loads
 * and shows each UPS's state; when a UPS goes on battery (its .dev file
 * rewritten, the driver re-reads it) the card says so within a second of
 * the agent seeing it; a chart has the sampled points; an instant command
 * is refused without a login and, after logging in on the page, reaches the
 * driver; no request leaves loopback. Screenshots go to
 * test-output/http-page/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MemoryLogger } from '../../src/core/logger';
import { launchChromium, PAGE_USERS, startPageAgent, type PageAgent } from '../helpers/page-rig';
import { until } from '../helpers/surface-rig';

// The callbacks given to page.evaluate / waitForFunction run in the browser; these are the globals they use.
interface BrowserChart {
  data: Array<Array<number | null>>;
}
declare const document: { documentElement: { scrollWidth: number }; querySelector(s: string): { textContent: string | null } | null; getElementById(id: string): { textContent: string | null } | null };
declare const window: { upsagent: { charts: Record<string, Record<string, BrowserChart> | undefined> } };

const SHOTS = resolve(__dirname, '../../test-output/http-page');

let dir: string;
let rig: PageAgent;
let browser: Browser;
let page: Page;
const log = new MemoryLogger();
const requested: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'upsagent-http-page-'));
  rig = await startPageAgent(dir, ['u', 'v'], log, { historyInterval: 1, temperature: 'F', historyFile: join(dir, 'history.json') });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(rig.base);
});

after(async () => {
  await browser?.close();
  await rig?.agent.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The element's text once it matches; the failure says what it was instead. */
async function textWhen(selector: string, want: RegExp, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let text = '';
  while (Date.now() < end) {
    text = (await page.locator(selector).first().textContent()) ?? '';
    if (want.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${selector} never matched ${want}: ${JSON.stringify(text)}`);
}

const stateText = (ups: string) => page.locator(`[data-ups="${ups}"] .state`).textContent();

test('the page loads from the agent and shows every UPS: state in words and colour, charge, runtime, load, voltages, temperature in °F', async () => {
  await page.waitForSelector('[data-ups="u"] .state');
  await page.waitForSelector('[data-ups="v"] .state');
  assert.equal(await stateText('u'), 'On line power, Charging');
  assert.equal(await stateText('v'), 'On line power, Charging');
  assert.match((await page.locator('[data-ups="u"]').getAttribute('class')) ?? '', /\bok\b/);
  const fig = (name: string) => page.locator(`[data-ups="u"] [data-figure="${name}"]`).textContent();
  assert.equal(await fig('charge'), '100 %');
  assert.equal(await fig('runtime'), '40 min');
  assert.equal(await fig('load'), '12 %');
  assert.equal(await fig('input'), '232.0 V · 50.0 Hz');
  assert.equal(await fig('output'), '230.0 V · 49.9 Hz');
  // 30.5 °C as the http: section asks (temperature: F).
  assert.equal(await fig('temperature'), '86.9 °F');
  // Every variable with its description, from the API.
  await page.waitForSelector('[data-detail="u"] tr[data-var="battery.charge"]', { state: 'attached' });
  assert.match((await page.locator('[data-detail="u"] tr[data-var="battery.charge"]').textContent()) ?? '', /Battery charge/);
  await page.waitForSelector('#live.on');
  await page.click('[data-detail="u"] details summary');
  await page.waitForSelector('[data-detail="u"] tr[data-var="ups.temperature"]');
  await page.screenshot({ path: join(SHOTS, '1-loaded.png'), fullPage: true });
});

test('u going on battery shows on the page within a second of the agent seeing it, with the monitor\'s view and the event', async () => {
  let seenAt = 0;
  rig.agent.bus.on('ups.status', {}, (e) => {
    if (e.ups === 'u' && e.to.includes('OB') && !seenAt) seenAt = Date.now();
  });
  rig.setStatus('u', 'OB DISCHRG', '80');
  await until('the agent to read OB', () => seenAt > 0, 10_000);
  // The one timing this test makes: the "within a second of a change".
  await page.waitForFunction(() => document.querySelector('[data-ups="u"] .state')?.textContent?.startsWith('On battery'), null, { timeout: 1000 });
  assert.equal(await stateText('u'), 'On battery, Discharging');
  assert.match((await page.locator('[data-ups="u"]').getAttribute('class')) ?? '', /\bwarn\b/);
  assert.equal(await stateText('v'), 'On line power, Charging');
  // The monitor's view: on battery for some time, and what happens next; the event in the history.
  const view = await textWhen('[data-ups="u"] .view', /on battery for \d/, 10_000);
  assert.match(view, /\(primary, power value 1\)/);
  assert.match((await page.locator('[data-ups="u"] .next').textContent()) ?? '', /shutdown .*low battery/);
  await page.waitForSelector('#event-list li[data-type="ONBATT"]', { timeout: 10_000 });
  await page.screenshot({ path: join(SHOTS, '2-on-battery.png'), fullPage: true });
});

test('the charts have the sampled points (uPlot series data), the same as /api/v1/ups/u/history', async () => {
  await page.waitForFunction(() => {
    const c = window.upsagent.charts.u;
    return c !== undefined && c.charge!.data[0]!.length >= 3 && c.charge!.data[1]!.includes(80);
  }, null, { timeout: 15_000 });
  const chart = await page.evaluate(() => {
    const c = window.upsagent.charts.u!;
    return { t: c.charge!.data[0]!, charge: c.charge!.data[1]!, input: c.voltage!.data[1]!, output: c.voltage!.data[2]! };
  });
  assert.ok(chart.charge.includes(100) && chart.charge.includes(80), `charge points ${chart.charge.join(',')}`);
  assert.ok(chart.input.every((v) => v === 232) && chart.output.every((v) => v === 230));
  const r = await fetch(`${rig.base}/api/v1/ups/u/history`);
  const h = (await r.json()) as { t: number[]; charge: number[] };
  // Every point the browser has is one the agent sampled.
  for (const [i, t] of chart.t.entries()) {
    const j = h.t.indexOf(t as number);
    assert.ok(j >= 0, `point at ${t} is not in the agent's history`);
    assert.equal(chart.charge[i], h.charge[j]);
  }
  await page.locator('[data-chart="charge"]').first().screenshot({ path: join(SHOTS, '3-chart.png') });
});

test('an instant command needs a login; logged in on the page, it reaches the driver', async () => {
  const driverGot = () => log.lines.some((l) => /instant command load\.off received/.test(l));
  const button = page.locator('[data-detail="u"] button[data-cmd="load.off"]');
  await button.waitFor();
  assert.equal(await button.isDisabled(), true);
  assert.match((await page.locator('[data-detail="u"]').textContent()) ?? '', /Log in to run instant commands/);
  // The server refuses it too, whatever the page shows.
  const status = await page.evaluate(async () => (await fetch('/api/v1/ups/u/commands/load.off', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status);
  assert.equal(status, 401);
  assert.equal(driverGot(), false);

  await page.click('#login-open');
  await page.fill('#login-form input[name="username"]', 'admin');
  await page.fill('#login-form input[name="password"]', 'wrong-password');
  await page.click('#login-submit');
  await page.waitForFunction(() => (document.getElementById('login-error')?.textContent ?? '') !== '');
  await page.fill('#login-form input[name="password"]', PAGE_USERS.admin.password);
  await page.click('#login-submit');
  await page.waitForSelector('#logout');
  assert.equal(await button.isDisabled(), false);
  await page.screenshot({ path: join(SHOTS, '4-logged-in.png'), fullPage: true });

  page.once('dialog', (d) => void d.accept());
  await button.click();
  await until('the driver to get load.off', driverGot, 5000);
  await page.waitForFunction(() => document.querySelector('[data-detail="u"] button[data-cmd="load.off"] ~ .result')?.textContent === 'OK' || /OK|run|sent/i.test(document.querySelector('[data-detail="u"] button[data-cmd="load.off"] ~ .result')?.textContent ?? ''), null, { timeout: 5000 });
  assert.ok(log.lines.some((l) => /instant command: admin@127\.0\.0\.1 \(http\) did load\.off on u/.test(l)), 'the command is logged with its user');
  await page.screenshot({ path: join(SHOTS, '5-command.png'), fullPage: true });
});

test('logged in with the set right, a writable variable is set from the page and the new value comes back live', async () => {
  const details = page.locator('[data-detail="u"] details');
  if ((await details.getAttribute('open')) === null) await page.click('[data-detail="u"] details summary');
  const form = page.locator('[data-detail="u"] form[data-set="battery.charge.low"]');
  await form.locator('input[name="value"]').fill('15');
  await form.locator('button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelector('[data-detail="u"] tr[data-var="battery.charge.low"] td.value')?.textContent === '15', null, { timeout: 5000 });
  assert.equal(rig.agent.store.get('u')!.getVar('battery.charge.low')?.value, '15');
  assert.ok(log.lines.some((l) => /set variable: admin@127\.0\.0\.1 \(http\) set battery\.charge\.low on u to 15/.test(l)));
});

test('with readRequiresLogin the page asks for a login first, then shows the UPSes', async () => {
  const d = mkdtempSync(join(tmpdir(), 'upsagent-http-page-login-'));
  const closed = await startPageAgent(d, ['w'], new MemoryLogger(), { readRequiresLogin: true });
  const context = await browser.newContext();
  try {
    const p = await context.newPage();
    p.on('request', (r) => requested.push(r.url().replace(closed.base, rig.base)));
    await p.goto(closed.base);
    await p.waitForSelector('dialog#login[open]');
    assert.match((await p.locator('#login-why').textContent()) ?? '', /Reading needs a login/);
    assert.equal(await p.locator('[data-ups]').count(), 0);
    await p.fill('#login-form input[name="username"]', 'viewer');
    await p.fill('#login-form input[name="password"]', PAGE_USERS.viewer.password);
    await p.click('#login-submit');
    await p.waitForSelector('[data-ups="w"] .state');
    assert.equal(await p.locator('[data-ups="w"] .state').textContent(), 'On line power, Charging');
    // A viewer has no rights: the command stays disabled and no variable has a form.
    await p.locator('[data-detail="w"] button[data-cmd="load.off"]').waitFor({ state: 'attached' });
    assert.equal(await p.locator('[data-detail="w"] button[data-cmd="load.off"]').isDisabled(), true);
    assert.equal(await p.locator('[data-detail="w"] form[data-set]').count(), 0);
    await p.screenshot({ path: join(SHOTS, '7-login-first.png') });
  } finally {
    await context.close();
    await closed.agent.stop();
    rmSync(d, { recursive: true, force: true });
  }
});

test('on a phone-sized screen the page is one column and nothing is wider than the screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  const [a, b] = [await page.locator('[data-ups="u"]').boundingBox(), await page.locator('[data-ups="v"]').boundingBox()];
  assert.ok(a && b && b.y >= a.y + a.height, 'the cards are one above the other');
  assert.ok(a.width <= 390);
  await page.screenshot({ path: join(SHOTS, '6-phone.png'), fullPage: false });
});

test('no request left loopback, and the page raised no error', () => {
  assert.ok(requested.length > 5);
  const origin = new URL(rig.base).origin;
  for (const u of requested) assert.ok(u.startsWith(`${origin}/`) || u.startsWith('data:'), `request to ${u}`);
  assert.deepEqual(pageErrors, []);
});
