/**
 * `upsagent notify test TYPE` goes through every channel once: a webhook, an
 * email over STARTTLS and an MQTT message on a real Mosquitto, each reported
 * delivered or failed (exit 1 when one fails). And in the running agent, an
 * mqtt channel publishes the monitor's notifications through the bridge's
 * own connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotifyTest } from '../../src/cli/commands/notify-test';
import { MemoryIO } from '../../src/cli/io';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { Mosquitto, Watcher } from '../helpers/mosquitto';
import { SMTP_PASSWORD, SMTP_USER, certificate, receiver, smtp } from '../helpers/notify-receivers';
import { dummyUps, watchedDummyConfig } from '../helpers/surface-rig';

test('notify test TYPE: webhook, email and mqtt each get one message and are reported; a dead webhook makes exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-notify-cli-'));
  const broker = await Mosquitto.start();
  const hook = await receiver();
  const { key, cert, certFile } = certificate(dir);
  const mail = await smtp({ key, cert });
  const w = await Watcher.connect(broker.url, 'upsagent/notify');
  try {
    const yaml = (hookUrl: string): string =>
      [
        'ups:',
        '  u: { driver: dummy, port: u.dev }',
        'monitor:',
        '  ups: [{ name: u }]',
        '  notify: { routes: { ONBATT: [log] } }',
        'mqtt:',
        `  url: ${broker.url}`,
        'notify:',
        '  channels:',
        `    - { type: webhook, name: hook, url: "${hookUrl}", events: [LOWBATT] }`,
        `    - { type: email, name: mail, host: 127.0.0.1, port: ${mail.port}, user: ${SMTP_USER}, password: ${SMTP_PASSWORD}, from: ups@example.org, to: ops@example.org, ca: ${certFile} }`,
        '    - { type: mqtt, name: bus }',
        '',
      ].join('\n');
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, yaml(`${hook.url}/x`));
    const io = new MemoryIO();
    const code = await runNotifyTest({ config: file, type: 'onbatt', ups: 'u' }, io, { wall: () => undefined });
    assert.equal(code, 0, io.stdout + io.stderr);
    assert.match(io.stdout, /^ {2}webhook channel hook: delivered$/m);
    assert.match(io.stdout, /^ {2}email channel mail: delivered$/m);
    assert.match(io.stdout, /^ {2}mqtt channel bus: delivered$/m);
    // Each really arrived, although the webhook only takes LOWBATT: a test tries every channel.
    assert.equal((JSON.parse(hook.hits[0]!.body) as { type: string }).type, 'ONBATT');
    assert.match(mail.mails[0]!.raw, /^Subject: \[upsagent\] ONBATT u on /m);
    const doc = JSON.parse(await w.waitFor('upsagent/notify')) as { type: string; message: string };
    assert.deepEqual([doc.type, doc.message], ['ONBATT', 'UPS u on battery']);
    assert.ok(!(io.stdout + io.stderr).includes(SMTP_PASSWORD));

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, yaml('http://127.0.0.1:1/dead'));
    const io2 = new MemoryIO();
    assert.equal(await runNotifyTest({ config: bad, type: 'ONBATT' }, io2, { wall: () => undefined }), 1);
    assert.match(io2.stdout, /^ {2}webhook channel hook: failed: http:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/m);
    assert.match(io2.stdout, /1 of 3 channel\(s\) failed/);
  } finally {
    await w.close();
    await broker.stop();
    hook.server.close();
    await new Promise<void>((r) => mail.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in the agent, an mqtt channel publishes the monitor notifications through the bridge connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-notify-mqtt-'));
  const broker = await Mosquitto.start();
  const ups = dummyUps(dir);
  const w = await Watcher.connect(broker.url, 'site/alerts');
  let agent: RunningAgent | undefined;
  try {
    agent = await startAgent({
      config: validateConfig(watchedDummyConfig(dir, ups.dev, { mqtt: { url: broker.url }, notify: { channels: [{ type: 'mqtt', topic: 'site/alerts', template: '{{type}}: {{message}}' }] } })),
      log: new MemoryLogger(),
      version: 't',
    });
    ups.setStatus('OB DISCHRG');
    assert.equal(await w.waitFor('site/alerts', (p) => p.startsWith('ONBATT')), 'ONBATT: UPS u on battery');
  } finally {
    await agent?.stop();
    await w.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
