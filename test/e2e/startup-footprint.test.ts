/**
 * What the built executable does NOT load on an idle `run --demo`: each item
 * here was made lazy for idle memory (bench/idle-rss.ts), and any import that
 * pulls one back in at start would quietly cost it again.
 * - Intl services: yargs' help layout (string-width) made an Intl.Segmenter when
 *   it loaded, and ICU's break-iterator data cost 3.5 MB of RSS. The build puts
 *   an ASCII fast path in front of string-width (build.mjs lazyStringWidth).
 * - node:tls, node:crypto, node:v8 and node:vm load on first use (core/lazy-builtins.ts).
 * And what the ASCII fast path must not change: the help text, byte for byte
 * the same as yargs lays it out from the sources with the real string-width.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/real-nut';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');
const PROBE = join(ROOT, 'test/fixtures/startup/footprint-probe.cjs');
const LAZY_BUILTINS = ['tls', '_tls_wrap', 'crypto', 'v8', 'vm'];

before(() => {
  if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
});

interface Footprint { intl: string[]; modules: string[] }

/** Starts `run --demo`, waits until it serves and a poll or two have run, and asks the probe. */
async function footprintOfDemo(): Promise<Footprint> {
  const port = await freePort();
  const child = spawn(BUILT, ['run', '--demo', '--listen', `127.0.0.1:${port}`], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', NODE_OPTIONS: `--require ${PROBE}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8');
  try {
    return await new Promise<Footprint>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no footprint within 20 s:\n${log}`)), 20_000);
      let asked = false;
      child.stderr.on('data', (d: string) => {
        log += d;
        if (!asked && log.includes('serving demo')) {
          asked = true;
          setTimeout(() => child.kill('SIGUSR2'), 2500);
        }
        const line = /^FOOTPRINT (.*)$/m.exec(log);
        if (line) {
          clearTimeout(timer);
          done(JSON.parse(line[1]!) as Footprint);
        }
      });
      child.on('exit', (code, signal) => fail(new Error(`the agent ended (${code ?? signal}) before its footprint:\n${log}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
}

test('an idle run --demo makes no Intl service and loads none of the lazy built-ins', async () => {
  const { intl, modules } = await footprintOfDemo();
  // The probe itself works: the agent's own start loads these.
  assert.ok(modules.includes('net') && modules.includes('child_process'), modules.join(' '));
  assert.deepEqual(intl, []);
  assert.deepEqual(modules.filter((m) => LAZY_BUILTINS.includes(m)), []);
});

test('help text from the executable is what yargs lays out from the sources', () => {
  const env = { ...process.env, LANG: 'C', COLUMNS: '80' };
  for (const args of [['--help'], ['run', '--help'], ['status', '--help']]) {
    const fromBinary = execFileSync(BUILT, args, { env, encoding: 'utf8' });
    const fromSource = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
    assert.equal(fromBinary, fromSource, args.join(' '));
    assert.ok(fromBinary.split('\n').length > 5, fromBinary);
  }
});
