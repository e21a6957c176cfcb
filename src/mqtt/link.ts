/**
 * One connection to the MQTT broker, kept up: a last will so subscribers
 * learn when the agent dies, reconnects with backoff (on the injected clock,
 * not mqtt.js's fixed interval), and a callback on every (re)connect so the
 * owner can publish its retained state again: a broker restarted without
 * persistence has lost it. Nothing is queued while disconnected (publish
 * rejects), so a long outage costs no memory; the full re-publish on connect
 * is what makes up for it.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { systemClock, type Clock } from '../core/clock';
import { readConfiguredFile } from '../core/files';
import { UpsAgentError, errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { MqttConfig } from './config';

export interface PublishOptions {
  retain?: boolean;
  qos?: 0 | 1 | 2;
}

export interface MqttWill {
  topic: string;
  payload: string;
  retain: boolean;
  qos: 0 | 1 | 2;
}

/** What the bridge and the notification channel need from a connection. */
export interface MqttPublisher {
  publish(topic: string, payload: string, opts?: PublishOptions): Promise<void>;
}

/** The broker is not reachable right now; the caller decides whether to retry. */
export class MqttOfflineError extends UpsAgentError {
  constructor(message = 'not connected to the MQTT broker') {
    super('MQTT-OFFLINE', message);
  }
}

export type MqttConnect = (url: string, opts: IClientOptions) => MqttClient;

export interface MqttLinkOptions {
  config: MqttConfig;
  log: Logger;
  clientId: string;
  will?: MqttWill;
  clock?: Clock;
  /** Tests may hand in their own; default mqtt.connect. */
  connect?: MqttConnect;
}

/** `retained`: the broker replayed a stored message rather than passing on a new one. */
type Handler = (topic: string, payload: Buffer, retained: boolean) => void;

export class MqttLink implements MqttPublisher {
  private client: MqttClient | null = null;
  private readonly clock: Clock;
  private readonly connectHandlers: Array<() => void | Promise<void>> = [];
  private readonly messageHandlers: Handler[] = [];
  private retryTimer: unknown = null;
  private delayMs: number;
  private stopping = false;
  /** Said once per outage at warn; the retries after it at debug. */
  private outageLogged = false;
  private everConnected = false;

  constructor(private readonly opts: MqttLinkOptions) {
    this.clock = opts.clock ?? systemClock;
    this.delayMs = opts.config.reconnectMin * 1000;
  }

  /** The broker as it may be logged (the URL never holds credentials: the schema refuses them). */
  get where(): string {
    return this.opts.config.url;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Called after every successful connect, the first and each reconnect. */
  onConnect(fn: () => void | Promise<void>): void {
    this.connectHandlers.push(fn);
  }

  onMessage(fn: Handler): void {
    this.messageHandlers.push(fn);
  }

  /** Starts connecting and returns at once: an unreachable broker must not hold up the agent. */
  start(): void {
    const c = this.opts.config;
    const options: IClientOptions = {
      clientId: this.opts.clientId,
      username: c.user,
      password: c.password,
      keepalive: c.keepalive,
      clean: true,
      protocolVersion: 4,
      // Our own backoff below; mqtt.js would retry at a fixed period.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
      queueQoSZero: false,
      will: this.opts.will ? { topic: this.opts.will.topic, payload: Buffer.from(this.opts.will.payload), retain: this.opts.will.retain, qos: this.opts.will.qos } : undefined,
      rejectUnauthorized: c.verifyCert,
      ca: c.ca !== undefined ? readConfiguredFile(c.ca, 'mqtt.ca') : undefined,
    };
    const client = (this.opts.connect ?? mqtt.connect)(c.url, options);
    this.client = client;
    client.on('connect', () => this.connectedNow());
    client.on('message', (topic, payload, packet) => {
      for (const h of this.messageHandlers) {
        try {
          h(topic, payload, packet.retain);
        } catch (err) {
          this.opts.log.error(`handling a message on ${topic} failed: ${errorMessage(err)}`);
        }
      }
    });
    client.on('error', (err) => this.problem(errorMessage(err)));
    client.on('close', () => this.closed());
  }

  private connectedNow(): void {
    this.delayMs = this.opts.config.reconnectMin * 1000;
    this.opts.log.info(`${this.everConnected ? 'reconnected' : 'connected'} to ${this.where}`);
    this.everConnected = true;
    this.outageLogged = false;
    for (const h of this.connectHandlers) {
      void Promise.resolve()
        .then(h)
        .catch((err: unknown) => this.opts.log.warn(`after connecting to ${this.where}: ${errorMessage(err)}`));
    }
  }

  private problem(text: string): void {
    if (this.stopping) return;
    if (!this.outageLogged) this.opts.log.warn(`MQTT broker ${this.where}: ${text}`);
    else this.opts.log.debug(`MQTT broker ${this.where}: ${text}`);
    this.outageLogged = true;
  }

  private closed(): void {
    if (this.stopping || this.retryTimer !== null) return;
    if (!this.outageLogged) this.opts.log.warn(`lost the connection to ${this.where}; reconnecting`);
    this.outageLogged = true;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.opts.config.reconnectMax * 1000);
    this.opts.log.debug(`reconnecting to ${this.where} in ${delay} ms`);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }

  /** Resolves true once connected, false when `ms` pass first (a one-shot user such as `notify test`). */
  connectedWithin(ms: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      t.unref();
      this.onConnect(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** The next reconnect delay, ms (for tests and the status). */
  get nextDelayMs(): number {
    return this.delayMs;
  }

  async subscribe(topics: string[], qos: 0 | 1 | 2): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new MqttOfflineError();
    await client.subscribeAsync(topics, { qos });
  }

  async publish(topic: string, payload: string, opts: PublishOptions = {}): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new MqttOfflineError();
    await client.publishAsync(topic, payload, { retain: opts.retain ?? false, qos: opts.qos ?? 0 });
  }

  /**
   * Publishes `last` (the availability going offline, as the will would) and
   * closes. A broker that does not answer gets a short while, then the
   * socket is dropped.
   */
  async stop(last: Array<{ topic: string; payload: string; opts: PublishOptions }> = []): Promise<void> {
    this.stopping = true;
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      await withTimeout(
        Promise.all(last.map((m) => client.publishAsync(m.topic, m.payload, { retain: m.opts.retain ?? false, qos: m.opts.qos ?? 0 }))),
        2000,
      ).catch(() => undefined);
    }
    await withTimeout(client.endAsync(), 2000).catch(() => client.end(true));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
