/**
 * The webhook channel against a local HTTP receiver: the JSON document or
 * template with the configured headers, retries while the receiver fails,
 * the URL's path and the headers (where the tokens are) never in the log;
 * and the whole way from a UPS going on battery, through the monitor, to
 * the receiver.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { NotifyChannels } from '../../src/notify/channels';
import { receiver } from '../helpers/notify-receivers';
import { dummyUps, until, watchedDummyConfig } from '../helpers/surface-rig';

test('webhook: retried while the receiver answers 503, then delivered once, with its headers and JSON document; no token in the log', async () => {
  const rx = await receiver(2);
  const log = new MemoryLogger();
  const cfg = validateConfig({
    ups: { u: { driver: 'dummy', port: '/x.dev' } },
    monitor: { ups: [{ name: 'u' }] },
    notify: {
      retryDelay: 0.1,
      retryDelayMax: 0.2,
      channels: [{ type: 'webhook', name: 'ops', url: `${rx.url}/hooks/SECRET-PATH-TOKEN?k=1`, headers: { Authorization: 'Bearer tok-XYZ' } }],
    },
  });
  const ch = new NotifyChannels({ config: cfg.notify!, log, host: 'host1' });
  try {
    ch.dispatch({ ups: 'u', type: 'ONBATT', message: 'UPS u on battery', at: Date.UTC(2026, 5, 1), host: 'host1' });
    await until('delivery', () => rx.hits.length === 3);
    await ch.idle();
    assert.equal(rx.hits.length, 3, 'two failures, one success, no more');
    const h = rx.hits[2]!;
    assert.equal(h.method, 'POST');
    assert.equal(h.url, '/hooks/SECRET-PATH-TOKEN?k=1');
    assert.equal(h.headers.authorization, 'Bearer tok-XYZ');
    assert.equal(h.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(h.body), { ups: 'u', type: 'ONBATT', message: 'UPS u on battery', time: '2026-06-01T00:00:00.000Z', at: Date.UTC(2026, 5, 1), host: 'host1', source: 'upsagent' });
    assert.deepEqual(ch.stats()[0], { channel: 'ops', kind: 'webhook', queued: 0, delivered: 1, failed: 0, dropped: 0, retried: 2 });
    assert.ok(log.lines.some((l) => l.includes(`${rx.url} answered 503: busy, try later`)));
    assert.ok(log.lines.every((l) => !l.includes('SECRET-PATH-TOKEN') && !l.includes('tok-XYZ')), log.lines.join('\n'));
  } finally {
    await ch.stop();
    rx.server.close();
  }
});

test('a UPS goes on battery: the monitor notifies ONBATT and the webhook gets it, with the template filled; a type the channel does not take is not sent', async () => {
  const rx = await receiver();
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-hook-'));
  const ups = dummyUps(dir);
  let agent: RunningAgent | undefined;
  try {
    agent = await startAgent({
      config: validateConfig(
        watchedDummyConfig(dir, ups.dev, {
          notify: { channels: [{ type: 'webhook', url: `${rx.url}/ups`, events: ['ONBATT'], template: '{"text": "{{message}}", "ups": "{{ups}}", "kind": "{{type}}"}' }] },
        }),
      ),
      log: new MemoryLogger(),
      version: 't',
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(rx.hits.length, 0, 'nothing while on line power');
    ups.setStatus('OB DISCHRG');
    await until('the ONBATT webhook', () => rx.hits.length >= 1);
    assert.deepEqual(JSON.parse(rx.hits[0]!.body), { text: 'UPS u on battery', ups: 'u', kind: 'ONBATT' });
    ups.setStatus('OL CHRG');
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(rx.hits.length, 1, 'ONLINE is not among the events of this channel');
  } finally {
    await agent?.stop();
    rx.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
