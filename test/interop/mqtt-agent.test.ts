/**
 * The agent as a process against a real Mosquitto with a password file:
 * it logs in with mqtt.user/password, and when it is killed outright
 * (SIGKILL: no goodbye) the broker publishes its last will, so subscribers
 * (Home Assistant) see it offline. A wrong password is reported without
 * the password ever reaching the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { Mosquitto, Watcher } from '../helpers/mosquitto';
import { BASIC_DEV as DEV, until } from '../helpers/surface-rig';

const ROOT = join(__dirname, '../..');
const SECRET = 'S3cret-mqtt-pw';

test('a killed agent goes offline by its last will; it logged in with its password, which no log shows', async () => {
  const broker = await Mosquitto.start({ users: { agent: SECRET, ha: 'ha-pw' } });
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-mqtt-agent-'));
  writeFileSync(join(dir, 'u.dev'), DEV);
  const cfg = join(dir, 'upsagent.yaml');
  writeFileSync(
    cfg,
    [
      'ups:',
      '  u: { driver: dummy, port: u.dev, pollInterval: 0.5 }',
      'server: { listen: ["127.0.0.1:0"] }',
      'run: { user: root }',
      'log: { level: debug }',
      'mqtt:',
      `  url: ${broker.url}`,
      '  user: agent',
      `  password: ${SECRET}`,
      '  nodeId: killtest',
      '',
    ].join('\n'),
  );
  const w = await Watcher.connect(broker.url, 'upsagent/#', { username: 'ha', password: 'ha-pw' });
  const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, 'src/cli/main.ts'), 'run', '--config', cfg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    await w.waitFor('upsagent/status', (p) => p === 'online', 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\nagent output:\n${output}`);
    });
    await w.waitFor('upsagent/u/availability', (p) => p === 'online', 30_000);
    assert.equal(await w.waitFor('upsagent/u/device.model'), 'TC-650');
    const mark = w.messages.length;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // No clean stop happened, so this can only be the broker sending the will.
    assert.equal(await w.waitFor('upsagent/status', (p) => p === 'offline', 30_000, mark), 'offline');
    const retained = await Watcher.connect(broker.url, 'upsagent/status', { username: 'ha', password: 'ha-pw' });
    try {
      assert.equal(await retained.waitFor('upsagent/status'), 'offline', 'the will is retained: a subscriber that comes later sees it');
    } finally {
      await retained.close();
    }
    assert.match(output, /connected to mqtt:\/\/127\.0\.0\.1/);
    assert.ok(!output.includes(SECRET), 'the password is not in the agent output');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await w.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wrong password: the agent runs on, says the broker refused it, never shows the password, and keeps retrying with growing delays', async () => {
  const broker = await Mosquitto.start({ users: { agent: SECRET } });
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-mqtt-badpw-'));
  writeFileSync(join(dir, 'u.dev'), DEV);
  const log = new MemoryLogger();
  const wrong = 'Wrong-pw-123';
  const agent = await startAgent({
    config: validateConfig({
      ups: { u: { driver: 'dummy', port: join(dir, 'u.dev') } },
      server: { listen: ['127.0.0.1:0'] },
      mqtt: { url: broker.url, user: 'agent', password: wrong, reconnectMin: 0.1, reconnectMax: 0.4 },
    }),
    log,
    version: 't',
  });
  try {
    await until('the refusal in the log', () => log.lines.some((l) => /warn .*MQTT broker .*(Not authorized|Bad user name or password)/i.test(l)));
    await until('a few retries', () => log.lines.filter((l) => l.includes('reconnecting to mqtt://')).length >= 3);
    const delays = log.lines.map((l) => /reconnecting to \S+ in (\d+) ms/.exec(l)?.[1]).filter((d): d is string => d !== undefined).map(Number);
    assert.deepEqual(delays.slice(0, 3), [100, 200, 400], 'backoff doubles up to reconnectMax');
    assert.ok(log.lines.every((l) => !l.includes(wrong)), 'the password is in no log line');
    // The NUT server is up all along: MQTT trouble holds nothing else up.
    assert.ok(agent.addresses().length > 0);
  } finally {
    await agent.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
