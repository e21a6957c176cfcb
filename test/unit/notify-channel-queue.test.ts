/**
 * The channels' outbox on a fake clock: retries at doubling delays up to the
 * cap, gives up after the configured retries, stays bounded (oldest dropped),
 * never makes the caller wait, and an attempt that never settles counts as
 * failed at its deadline. Then the routing: which types each channel takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { validateConfig } from '../../src/app/config';
import { ConfigError } from '../../src/core/errors';
import { DeliveryQueue, backoff } from '../../src/notify/queue';
import { NotifyChannels } from '../../src/notify/channels';
import type { Channel } from '../../src/notify/channel';
import type { ChannelMessage } from '../../src/notify/template';
import { fillTemplate, jsonEscape } from '../../src/notify/template';
import { WebhookChannel } from '../../src/notify/webhook';
import { FakeClock, flush } from '../helpers/fake-clock';

function queue(clock: FakeClock, log: MemoryLogger, deliver: (n: number) => Promise<void>, over: Partial<{ size: number; retries: number; delayMs: number; maxDelayMs: number; attemptTimeoutMs: number }> = {}): DeliveryQueue<number> {
  return new DeliveryQueue<number>({ name: 'test channel', size: 10, retries: 4, delayMs: 5000, maxDelayMs: 60_000, attemptTimeoutMs: 30_000, deliver, describe: (n) => `message ${n}`, clock, log, ...over });
}

test('a failing receiver is retried at 5, 10, 20 s, and the message gets through on the fourth attempt', async () => {
  const clock = new FakeClock();
  const log = new MemoryLogger();
  const t0 = clock.now();
  const attempts: number[] = [];
  const q = queue(clock, log, () => {
    attempts.push(clock.now() - t0);
    return attempts.length <= 3 ? Promise.reject(new Error('HTTP 503')) : Promise.resolve();
  });
  q.push(1);
  await clock.advance(60_000);
  assert.deepEqual(attempts, [0, 5000, 15_000, 35_000]);
  assert.deepEqual(q.stats, { delivered: 1, failed: 0, dropped: 0, retried: 3 });
  assert.ok(log.lines.some((l) => l.includes('message 1 delivered after 4 attempts')));
  assert.equal(log.lines.filter((l) => l.startsWith('warn') && l.includes('HTTP 503')).length, 3);
});

test('after the last retry it gives up and says so; the next message is tried afresh', async () => {
  const clock = new FakeClock();
  const log = new MemoryLogger();
  const got: number[] = [];
  const q = queue(clock, log, (n) => (n === 1 ? Promise.reject(new Error('refused')) : (got.push(n), Promise.resolve())), { retries: 2, delayMs: 1000 });
  q.push(1);
  q.push(2);
  await clock.advance(10_000);
  assert.deepEqual(got, [2]);
  assert.deepEqual(q.stats, { delivered: 1, failed: 1, dropped: 0, retried: 2 });
  assert.ok(log.lines.some((l) => l.startsWith('error') && l.includes('gave up on message 1 after 3 attempt(s): refused')));
});

test('backoff doubles and stops at the cap', () => {
  const p = { delayMs: 5000, maxDelayMs: 30_000 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoff(p, n)), [5000, 10_000, 20_000, 30_000, 30_000, 30_000]);
});

test('bounded: a receiver that hangs keeps at most `size` waiting, the oldest are dropped, push never waits', async () => {
  const clock = new FakeClock();
  const log = new MemoryLogger();
  let release: () => void = () => undefined;
  const seen: number[] = [];
  const q = queue(clock, log, (n) => {
    seen.push(n);
    return n === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
  }, { size: 3 });
  for (let i = 1; i <= 6; i++) q.push(i); // returns at once although message 1 hangs
  await flush();
  assert.equal(q.length, 3);
  assert.equal(q.stats.dropped, 2);
  assert.deepEqual(log.lines.filter((l) => l.includes('queue full')).map((l) => /dropped (message \d)/.exec(l)?.[1]), ['message 2', 'message 3']);
  release();
  await clock.advance(1);
  await q.idle();
  assert.deepEqual(seen, [1, 4, 5, 6]);
});

test('an attempt that never settles fails at its deadline and is retried', async () => {
  const clock = new FakeClock();
  const log = new MemoryLogger();
  let calls = 0;
  const q = queue(clock, log, () => (++calls === 1 ? new Promise<void>(() => undefined) : Promise.resolve()), { attemptTimeoutMs: 20_000, delayMs: 1000 });
  q.push(1);
  await clock.advance(20_999);
  assert.equal(calls, 1);
  await clock.advance(2);
  assert.equal(calls, 2);
  assert.equal(q.stats.delivered, 1);
  assert.ok(log.lines.some((l) => l.includes('no answer within 20 s')));
});

class Recorder implements Channel {
  readonly got: ChannelMessage[] = [];
  constructor(
    readonly name: string,
    readonly kind: Channel['kind'] = 'webhook',
  ) {}
  send(m: ChannelMessage): Promise<void> {
    this.got.push(m);
    return Promise.resolve();
  }
}

function configWith(notify: unknown, routes: Record<string, string[]> = {}) {
  return validateConfig({
    ups: { u: { driver: 'dummy', port: '/nonexistent.dev' } },
    monitor: { ups: [{ name: 'u' }], notify: { routes } },
    notify,
  });
}

test('routing: a channel with events takes exactly those; one without takes all but the types routed to ignore; notify test tries every channel', async () => {
  const cfg = configWith(
    {
      channels: [
        { type: 'webhook', name: 'alarms', url: 'http://127.0.0.1:1/x', events: ['ONBATT', 'LOWBATT'] },
        { type: 'webhook', name: 'everything', url: 'http://127.0.0.1:1/y' },
      ],
    },
    { COMMOK: ['ignore'], ONLINE: ['log'] },
  );
  const bus = new EventBus();
  const recorders = new Map<string, Recorder>();
  const routes = cfg.monitor!.notify.routes;
  const ch = new NotifyChannels({
    config: cfg.notify!,
    bus,
    log: new MemoryLogger(),
    clock: new FakeClock(),
    host: 'h1',
    ignored: (t) => routes[t as keyof typeof routes]?.includes('ignore') ?? false,
    build: (_c, name) => {
      const r = new Recorder(name);
      recorders.set(name, r);
      return r;
    },
  });
  await ch.start();
  for (const type of ['ONBATT', 'COMMOK', 'ONLINE', 'LOWBATT']) bus.emit('monitor.notify', { ups: 'u', type, message: `${type} u`, at: 1 });
  await ch.idle();
  assert.deepEqual(recorders.get('alarms')!.got.map((m) => m.type), ['ONBATT', 'LOWBATT']);
  assert.deepEqual(recorders.get('everything')!.got.map((m) => m.type), ['ONBATT', 'ONLINE', 'LOWBATT']);
  assert.equal(recorders.get('everything')!.got[0]!.host, 'h1');
  const results = await ch.test({ ups: 'u', type: 'COMMOK', message: 'test', at: 2 });
  assert.deepEqual(results.map((r) => [r.channel, r.ok]), [['alarms', true], ['everything', true]]);
  await ch.stop();
  bus.emit('monitor.notify', { ups: 'u', type: 'ONBATT', message: 'after stop', at: 3 });
  await ch.idle();
  assert.deepEqual(recorders.get('alarms')!.got.map((m) => m.type), ['ONBATT', 'LOWBATT', 'COMMOK'], 'the test went out; nothing is taken after stop');
});

test('config: channels are checked by type, and name what is wrong', () => {
  const problems = (notify: unknown, extra: Record<string, unknown> = {}): string => {
    try {
      validateConfig({ ups: { u: { driver: 'dummy', port: '/x.dev' } }, monitor: { ups: [{ name: 'u' }] }, notify, ...extra });
      return '';
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
  };
  assert.match(problems({ channels: [{ type: 'pager' }] }), /notify\.channels\[0\]\.type: "pager" is not a channel type \(one of webhook, email, mqtt\)/);
  assert.match(problems({ channels: [{ type: 'webhook', url: 'ftp://x' }] }), /notify\.channels\[0\]\.url: "ftp:\/\/x" is not an http:\/\/ or https:\/\/ URL/);
  assert.match(problems({ channels: [{ type: 'webhook', url: 'http://x/', template: '{"t": "{{mesage}}"}' }] }), /unknown placeholder\(s\) \{\{mesage\}\}/);
  assert.match(problems({ channels: [{ type: 'email', host: 'smtp', from: 'a@b', to: ['c@d'], user: 'u' }] }), /give both user and password/);
  assert.match(problems({ channels: [{ type: 'mqtt' }] }), /notify\.channels\[0\]: an mqtt channel publishes through the mqtt: section, which is missing/);
  assert.match(problems({ channels: [{ type: 'webhook', url: 'http://x/', events: ['ONBAT'] }] }), /events\[0\]: "ONBAT" is not one of ONLINE/);
  assert.match(problems({ channels: [{ type: 'webhook', url: 'http://x/' }, { type: 'webhook', url: 'http://y/', name: 'webhook-1' }] }), /webhook-1 is used twice/);
  assert.equal(problems({ channels: [{ type: 'email', host: 'smtp', from: 'a@b', to: 'c@d' }] }), '');
  let noMonitor = '';
  try {
    validateConfig({ ups: { u: { driver: 'dummy', port: '/x.dev' } }, notify: { channels: [{ type: 'webhook', url: 'http://x/' }] } });
  } catch (err) {
    noMonitor = (err as Error).message;
  }
  assert.match(noMonitor, /notify: needs a monitor: section/);
});

test('templates: JSON templates get their values escaped; the default document has every field', () => {
  const m: ChannelMessage = { ups: 'u"1', type: 'ONBATT', message: 'UPS "u"\non battery', at: Date.UTC(2026, 0, 2, 3, 4, 5), host: 'h' };
  const hook = new WebhookChannel('w', { type: 'webhook', url: 'http://x/', template: '{"text": "{{message}} ({{host}}, {{time}})"}' });
  const body = hook.body(m);
  assert.equal(body.contentType, 'application/json');
  assert.deepEqual(JSON.parse(body.text), { text: 'UPS "u"\non battery (h, 2026-01-02T03:04:05.000Z)' });
  const plain = new WebhookChannel('w', { type: 'webhook', url: 'http://x/', template: '{{type}} {{ups}}: {{message}}' }).body(m);
  assert.deepEqual(plain, { text: 'ONBATT u"1: UPS "u"\non battery', contentType: 'text/plain; charset=utf-8' });
  const dflt = JSON.parse(new WebhookChannel('w', { type: 'webhook', url: 'http://x/' }).body(m).text) as Record<string, unknown>;
  assert.deepEqual(dflt, { ups: 'u"1', type: 'ONBATT', message: 'UPS "u"\non battery', time: '2026-01-02T03:04:05.000Z', at: m.at, host: 'h', source: 'upsagent' });
  assert.equal(fillTemplate('{{ups}}/{{nothing}}', m, jsonEscape), 'u\\"1/{{nothing}}');
});
