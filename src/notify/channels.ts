/**
 * The notification channels as one module: listens for the monitor's
 * `monitor.notify` events and hands each to the channels that take its type,
 * each through its own bounded, retrying queue. Nothing here can hold up the
 * monitor: the bus listener only queues.
 */
import { hostname } from 'node:os';
import type { EventBus } from '../core/bus';
import { systemClock, type Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import type { Channel } from './channel';
import { channelName, type ChannelConfig, type NotifySectionConfig } from './config';
import { EmailChannel } from './email';
import { MqttChannel, type TopicPublisher } from './mqtt';
import { DeliveryQueue, within, type QueueStats } from './queue';
import type { ChannelMessage } from './template';
import { WebhookChannel } from './webhook';

export interface NotifyChannelsDeps {
  config: NotifySectionConfig;
  log: Logger;
  /** Absent for `notify test` (it calls test() directly). */
  bus?: EventBus;
  clock?: Clock;
  /** Types monitor.notify.routes sends to `ignore`: channels without `events` skip them. */
  ignored?: (type: string) => boolean;
  /** The MQTT connection, for mqtt channels; without it they fail with a clear error. */
  mqtt?: TopicPublisher;
  /** Where an mqtt channel publishes when it names no topic. */
  mqttTopic?: string;
  host?: string;
  /** Tests may replace how a channel is built. */
  build?: (cfg: ChannelConfig, name: string) => Channel;
}

export interface ChannelTestResult {
  channel: string;
  kind: Channel['kind'];
  ok: boolean;
  error?: string;
}

/** How long a `notify test` gives shutdown stragglers and each test delivery. */
const STOP_GRACE_MS = 3000;

interface Entry {
  cfg: ChannelConfig;
  channel: Channel;
  queue: DeliveryQueue<ChannelMessage>;
}

export class NotifyChannels implements Module {
  readonly name = 'notify-channels';
  private readonly entries: Entry[];
  private readonly clock: Clock;
  private readonly host: string;

  constructor(private readonly deps: NotifyChannelsDeps) {
    this.clock = deps.clock ?? systemClock;
    this.host = deps.host ?? hostname();
    const c = deps.config;
    this.entries = c.channels.map((cfg, i) => {
      const name = channelName(cfg, i);
      const channel = deps.build?.(cfg, name) ?? this.build(cfg, name);
      const label = `${cfg.type} channel ${name}`;
      const queue = new DeliveryQueue<ChannelMessage>({
        name: label,
        size: c.queueSize,
        retries: c.retries,
        delayMs: c.retryDelay * 1000,
        maxDelayMs: c.retryDelayMax * 1000,
        attemptTimeoutMs: attemptTimeout(cfg),
        deliver: (m) => channel.send(m),
        describe: (m) => `${m.type} for ${m.ups || 'this host'}`,
        clock: this.clock,
        log: deps.log,
      });
      return { cfg, channel, queue };
    });
  }

  private build(cfg: ChannelConfig, name: string): Channel {
    switch (cfg.type) {
      case 'webhook':
        return new WebhookChannel(name, cfg);
      case 'email':
        return new EmailChannel(name, cfg);
      case 'mqtt': {
        const topic = cfg.topic ?? this.deps.mqttTopic ?? 'upsagent/notify';
        const publisher: TopicPublisher = this.deps.mqtt ?? { publish: () => Promise.reject(new Error('no mqtt: section to publish through')) };
        return new MqttChannel(name, cfg, topic, publisher);
      }
    }
  }

  /** Per channel, what it has done so far (for status pages and metrics). */
  stats(): Array<{ channel: string; kind: Channel['kind']; queued: number } & QueueStats> {
    return this.entries.map((e) => ({ channel: e.channel.name, kind: e.channel.kind, queued: e.queue.length, ...e.queue.stats }));
  }

  wants(cfg: ChannelConfig, type: string): boolean {
    if (cfg.events !== undefined) return (cfg.events as readonly string[]).includes(type);
    return !(this.deps.ignored?.(type) ?? false);
  }

  start(): Promise<void> {
    this.deps.bus?.on('monitor.notify', this, (n) => this.dispatch({ ...n, host: this.host }));
    return Promise.resolve();
  }

  /** Queues a notification on every channel that takes its type; returns at once. */
  dispatch(m: ChannelMessage): void {
    for (const e of this.entries) if (this.wants(e.cfg, m.type)) e.queue.push(m);
  }

  /** Resolves when every queue is empty (tests, benchmarks). */
  async idle(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.queue.idle()));
  }

  /**
   * `upsagent notify test`: one attempt on every channel, whatever its
   * events, each with its deadline, so a broken channel is reported at once
   * rather than retried for minutes.
   */
  async test(m: Omit<ChannelMessage, 'host'>): Promise<ChannelTestResult[]> {
    const msg = { ...m, host: this.host };
    return Promise.all(
      this.entries.map(async (e) => {
        try {
          await within(e.channel.send(msg), attemptTimeout(e.cfg), this.clock, e.channel.name);
          return { channel: e.channel.name, kind: e.channel.kind, ok: true };
        } catch (err) {
          return { channel: e.channel.name, kind: e.channel.kind, ok: false, error: errorMessage(err) };
        }
      }),
    );
  }

  /**
   * Stops listening; what is being delivered (the SHUTDOWN notice, as the
   * host goes down) gets a short while to get out, then the queues stop.
   */
  async stop(): Promise<void> {
    this.deps.bus?.removeAll(this);
    await Promise.race([this.idle(), new Promise<void>((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
    for (const e of this.entries) {
      e.queue.stop();
      await e.channel.close?.().catch(() => undefined);
    }
  }
}

function attemptTimeout(cfg: ChannelConfig): number {
  const s = 'timeout' in cfg && cfg.timeout !== undefined ? cfg.timeout : 15;
  // The channel's own timeout fires first; this one catches a library that never settles.
  return (s + 5) * 1000;
}
