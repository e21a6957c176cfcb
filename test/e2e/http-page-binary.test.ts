/**
 * The page from the built executable itself: dist/upsagent, copied to an
 * empty directory (no checkout, no node_modules beside it), serves the page,
 * its script and style and uPlot — the very bytes of node_modules' uPlot —
 * from inside itself. Built first when missing (test/run.sh builds before
 * testing, so that is the exception).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/real-nut';
import { pageDev } from '../helpers/page-rig';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');

let dir: string;
let child: ChildProcess | undefined;
let base: string;
let output = '';

before(async () => {
  if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
  dir = mkdtempSync(join(tmpdir(), 'upsagent-page-binary-'));
  copyFileSync(BUILT, join(dir, 'upsagent'));
  writeFileSync(join(dir, 'u.dev'), pageDev('OL'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'upsagent.yaml'),
    `ups:\n  u: { driver: dummy, port: ${join(dir, 'u.dev')} }\nserver: { listen: ["127.0.0.1:0"] }\nhttp: { listen: ["127.0.0.1:${port}"] }\n`,
  );
  child = spawn(join(dir, 'upsagent'), ['run', '-c', join(dir, 'upsagent.yaml')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/v1/info`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end || child.exitCode !== null) throw new Error(`the agent did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test('dist/upsagent serves the page and uPlot from inside itself', async () => {
  const html = await fetch(`${base}/`);
  assert.equal(html.status, 200);
  assert.match(await html.text(), /<script src="\/page\/app\.js" defer><\/script>/);
  const uplot = Buffer.from(await (await fetch(`${base}/page/uplot.js`)).arrayBuffer());
  assert.ok(uplot.equals(readFileSync(join(ROOT, 'node_modules/uplot/dist/uPlot.iife.min.js'))));
  for (const [path, source] of [['/page/app.js', 'src/http/page/static/app.js'], ['/page/app.css', 'src/http/page/static/app.css'], ['/page/uplot.css', 'node_modules/uplot/dist/uPlot.min.css']] as const) {
    const r = await fetch(`${base}${path}`);
    assert.equal(r.status, 200, path);
    assert.equal(await r.text(), readFileSync(join(ROOT, source), 'utf8'), `${path} is the built one (rebuild with npm run build after editing the page)`);
  }
  assert.doesNotMatch(output, /error|Cannot find module/i);
});
