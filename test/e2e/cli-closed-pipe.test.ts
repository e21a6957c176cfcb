/**
 * Every subcommand ends quietly when the reader of its output goes away
 * (`upsagent upsc ups | head -1`): exit status 141, as a shell reports NUT's
 * C tools killed by SIGPIPE, and no Node stack trace. The reading end of
 * stdout is closed before the child writes anything, so its first write fails
 * with EPIPE every time (no race with the amount of output).
 *
 * The commands run from the sources (node + tsx), the same code the
 * executable bundles; the NUT tools talk to an agent started here on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { EXIT_READER_GONE } from '../../src/cli/io';
import { NutClient } from '../../src/client';
import { freePort } from '../helpers/real-nut';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `upsagent ARGS` with the reading end of its stdout already closed. */
function runWithClosedStdout(args: string[]): Promise<Ended> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`upsagent ${args.join(' ')} did not end; stderr: ${stderr}`));
    }, 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

function assertQuiet(args: string[], r: Ended): void {
  const what = `upsagent ${args.join(' ')}`;
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /, `${what} printed a stack trace:\n${r.stderr}`);
  assert.equal(r.signal, null, what);
  assert.equal(r.code, EXIT_READER_GONE, `${what}: ${r.stderr}`);
}

void describe('a reader that goes away ends every command quietly', () => {
  let agent: RunningAgent;
  let dir: string;
  let at: string;
  let hostPort: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upsagent-pipe-'));
    const dev = join(dir, 'ups.dev');
    writeFileSync(dev, 'ups.status: OL\nbattery.charge: 100\nups.delay.shutdown: 20\n');
    const config = validateConfig({
      ups: { demo: { driver: 'dummy', port: dev } },
      server: { listen: ['127.0.0.1:0'] },
    });
    agent = await startAgent({ config, log: new MemoryLogger(), version: '0.0.0-test' });
    hostPort = `127.0.0.1:${agent.addresses()[0]!.port}`;
    at = `demo@${hostPort}`;
    writeFileSync(join(dir, 'ok.yaml'), `ups:\n  demo:\n    driver: dummy\n    port: ${dev}\n`);
  });
  after(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => string[]]> = [
    ['upsc', () => ['upsc', at]],
    ['upsc -j', () => ['upsc', '-j', at]],
    ['upsc -l', () => ['upsc', '-l', hostPort]],
    ['upsrw', () => ['upsrw', at]],
    ['upscmd -l', () => ['upscmd', '-l', at]],
    ['status', () => ['status', `@${hostPort}`]],
    ['status --json', () => ['status', `@${hostPort}`, '--json']],
    ['config check', () => ['config', 'check', join(dir, 'ok.yaml')]],
    ['events', () => ['events', '--config', join(dir, 'ok.yaml')]],
    ['driver replay', () => ['driver', 'replay', join(ROOT, 'test/fixtures/usbhid/apc-short-reports.dev')]],
    ['scan --no-probe', () => ['scan', '--no-probe']],
    ['doctor', () => ['doctor']],
    ['--help', () => ['--help']],
    ['--version', () => ['--version']],
  ];
  for (const [name, args] of cases) {
    void test(name, async () => {
      const a = args();
      assertQuiet(a, await runWithClosedStdout(a));
    });
  }
});

void describe('the daemon is not a tool', () => {
  test('run goes on serving when whatever read its console (stdout and stderr) goes away', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--demo', '--listen', `127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    child.stderr.destroy();
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
    try {
      // It logs as it starts (to the closed pipe), then serves: ask it until it answers.
      let upses: Array<[string, string]> | null = null;
      for (let i = 0; i < 300 && upses === null && child.exitCode === null; i++) {
        upses = await NutClient.connect({ host: '127.0.0.1', port, timeoutMs: 1000 })
          .then(async (c) => {
            try {
              return await c.listUps();
            } finally {
              await c.close();
            }
          })
          .catch(() => null);
        if (upses === null) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(child.exitCode, null, 'run must not end when its console goes away');
      assert.deepEqual(upses?.map(([name]) => name), ['demo']);
    } finally {
      child.kill('SIGTERM');
    }
    assert.deepEqual(await ended, { code: 0, signal: null });
  });
});
