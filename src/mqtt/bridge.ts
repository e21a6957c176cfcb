/**
 * The MQTT bridge: every UPS's variables on their own retained topics and as
 * one JSON document, its availability, Home Assistant discovery, and
 * instant commands from the command topics. It reads the store and the bus
 * only, and sends commands through the bus as the NUT server does.
 *
 * What has been published is remembered per topic, so a change publishes
 * only what changed; on every (re)connect everything is published again, so
 * a broker that restarted (and lost its retained messages) gets it all back.
 */
import type { EventBus } from '../core/bus';
import { systemClock, type Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import type { UpsView } from '../core/state';
import { parseCommand, runCommand } from './commands';
import { defaultNodeId, topicSafe, type MqttConfig } from './config';
import { discoveryMessages, type DiscoveryContext } from './discovery';
import { MqttLink, MqttOfflineError, type MqttPublisher, type PublishOptions } from './link';
import { Topics } from './topics';

/** The part of the store the bridge reads. */
export interface UpsReader {
  names(): string[];
  get(name: string): UpsView | undefined;
}

export interface MqttBridgeDeps {
  config: MqttConfig;
  store: UpsReader;
  bus: EventBus;
  log: Logger;
  version: string;
  /** The server's maxAge: older data is stale here too. */
  maxAgeMs: number;
  clock?: Clock;
  /** Tests may give a link of their own. */
  link?: MqttLink;
}

const ONLINE = 'online';
const OFFLINE = 'offline';
/** How often data age is looked at: a driver that just goes quiet emits nothing. */
const AGE_CHECK_MS = 5000;

export class MqttBridge implements Module, MqttPublisher {
  readonly name = 'mqtt';
  readonly topics: Topics;
  readonly link: MqttLink;
  private readonly clock: Clock;
  private readonly nodeId: string;
  /** topic -> payload last published (and acknowledged); cleared on disconnect. */
  private readonly sent = new Map<string, string>();
  /** Discovery topics published per UPS, to empty those that are gone. */
  private readonly discovered = new Map<string, Set<string>>();
  private ageTimer: unknown = null;
  private running = false;

  constructor(private readonly deps: MqttBridgeDeps) {
    this.clock = deps.clock ?? systemClock;
    this.topics = new Topics(deps.config.topicPrefix);
    this.nodeId = deps.config.nodeId ?? defaultNodeId();
    this.link =
      deps.link ??
      new MqttLink({
        config: deps.config,
        log: deps.log,
        clock: this.clock,
        clientId: deps.config.clientId ?? `upsagent-${this.nodeId}`,
        will: { topic: this.topics.status, payload: OFFLINE, retain: true, qos: 1 },
      });
  }

  private get opts(): PublishOptions {
    return { retain: this.deps.config.retain, qos: this.deps.config.qos as 0 | 1 | 2 };
  }

  async start(): Promise<void> {
    this.running = true;
    const { bus } = this.deps;
    bus.on('ups.updated', this, (e) => this.updated(e.ups, e.changed));
    bus.on('ups.fsd', this, (e) => this.updated(e.ups, ['ups.status']));
    bus.on('ups.stale', this, (e) => this.availability(e.ups));
    bus.on('driver.attached', this, (e) => this.availability(e.ups));
    bus.on('driver.detached', this, (e) => this.availability(e.ups));
    bus.on('ups.commands', this, (e) => this.discovery(e.ups));
    this.link.onConnect(() => this.connected());
    this.link.onMessage((topic, payload, retained) => this.message(topic, payload, retained));
    this.link.start();
    this.scheduleAgeCheck();
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.deps.bus.removeAll(this);
    if (this.ageTimer !== null) this.clock.clearTimeout(this.ageTimer);
    this.ageTimer = null;
    const retained = { retain: true, qos: 1 as const };
    await this.link.stop([
      ...this.deps.store.names().map((u) => ({ topic: this.topics.availability(u), payload: OFFLINE, opts: retained })),
      { topic: this.topics.status, payload: OFFLINE, opts: retained },
    ]);
  }

  /** For the notification channel: publish through this connection. */
  publish(topic: string, payload: string, opts?: PublishOptions): Promise<void> {
    return this.link.publish(topic, payload, opts);
  }

  private scheduleAgeCheck(): void {
    if (!this.running) return;
    this.ageTimer = this.clock.setTimeout(() => {
      for (const u of this.deps.store.names()) this.availability(u);
      this.scheduleAgeCheck();
    }, AGE_CHECK_MS);
  }

  /** Everything again: availability, discovery, every variable, the state documents. */
  private async connected(): Promise<void> {
    this.sent.clear();
    await this.link.subscribe(this.topics.commandFilters, 1).catch((err: unknown) => this.deps.log.warn(`subscribing to the command topics failed: ${errorMessage(err)}`));
    await this.send(this.topics.status, ONLINE, { retain: true, qos: 1 });
    for (const u of this.deps.store.names()) {
      const view = this.deps.store.get(u);
      if (!view) continue;
      this.availability(u);
      this.discovery(u);
      this.updated(u, view.vars().map((v) => v.name));
    }
  }

  /** Publishes unless the same payload already went to that topic; offline is not an error (connect re-publishes). */
  private async send(topic: string, payload: string, opts: PublishOptions): Promise<void> {
    if (this.sent.get(topic) === payload) return;
    if (!this.link.connected) return;
    this.sent.set(topic, payload);
    try {
      await this.link.publish(topic, payload, opts);
    } catch (err) {
      this.sent.delete(topic);
      if (!(err instanceof MqttOfflineError)) this.deps.log.debug(`publishing ${topic} failed: ${errorMessage(err)}`);
    }
  }

  private statusOf(view: UpsView): string | undefined {
    const s = view.getVar('ups.status')?.value;
    if (s === undefined) return view.fsd ? 'FSD' : undefined;
    // As upsd shows it: a latched FSD comes first.
    return view.fsd ? `FSD ${s}`.trim() : s;
  }

  private updated(ups: string, changed: readonly string[]): void {
    const view = this.deps.store.get(ups);
    if (!view) return;
    for (const name of changed) {
      const value = name.toLowerCase() === 'ups.status' ? this.statusOf(view) : view.getVar(name)?.value;
      // An empty retained message removes the stored one: a withdrawn variable does not linger.
      void this.send(this.topics.variable(ups, name), value ?? '', this.opts);
    }
    void this.send(this.topics.state(ups), JSON.stringify(this.document(view)), this.opts);
    this.availability(ups);
    if (changed.some((n) => DEVICE_VARS.has(n.toLowerCase()))) this.discovery(ups);
  }

  private available(view: UpsView): boolean {
    return view.health.attached && view.health.dumpDone && !view.isStale(this.deps.maxAgeMs, this.clock.now());
  }

  private document(view: UpsView): Record<string, unknown> {
    const vars: Record<string, string> = {};
    for (const v of view.vars()) vars[v.name] = v.name.toLowerCase() === 'ups.status' ? (this.statusOf(view) ?? v.value) : v.value;
    const status = this.statusOf(view) ?? '';
    return {
      ups: view.name,
      available: this.available(view),
      status,
      flags: status.split(/\s+/).filter(Boolean),
      vars,
      commands: [...view.commands()],
    };
  }

  private availability(ups: string): void {
    const view = this.deps.store.get(ups);
    if (!view) return;
    const now = this.available(view) ? ONLINE : OFFLINE;
    const topic = this.topics.availability(ups);
    if (this.sent.get(topic) === now) return;
    void this.send(topic, now, { retain: true, qos: 1 });
    // Discovery waits for the first full read: the device block needs model and serial.
    if (now === ONLINE) this.discovery(ups);
    void this.send(this.topics.state(ups), JSON.stringify(this.document(view)), this.opts);
  }

  private discovery(ups: string): void {
    if (!this.deps.config.discovery) return;
    const view = this.deps.store.get(ups);
    if (!view || !this.available(view)) return;
    const ctx: DiscoveryContext = { topics: this.topics, discoveryPrefix: this.deps.config.discoveryPrefix, nodeId: this.nodeId, version: this.deps.version, allowed: this.deps.config.commands };
    const messages = discoveryMessages(view, ctx);
    const now = new Set(messages.map((m) => m.topic));
    for (const old of this.discovered.get(ups) ?? []) {
      if (!now.has(old)) void this.send(old, '', { retain: true, qos: 1 });
    }
    this.discovered.set(ups, now);
    // Discovery is always retained: HA reads it when it starts, long after we published.
    for (const m of messages) void this.send(m.topic, JSON.stringify(m.payload), { retain: true, qos: 1 });
  }

  private message(topic: string, payload: Buffer, retained: boolean): void {
    const parsed = this.topics.parseCommand(topic);
    if (!parsed) return;
    // A retained command would run again at every reconnect: commands are only taken live.
    if (retained) {
      this.deps.log.warn(`ignoring a retained message on ${topic}: commands must not be retained`);
      return;
    }
    if (payload.length === 0) return;
    const ups = this.deps.store.names().find((u) => topicSafe(u) === parsed.upsPart);
    const view = ups === undefined ? undefined : this.deps.store.get(ups);
    const answer = (result: object): void => {
      if (ups === undefined) return;
      this.link.publish(this.topics.result(ups), JSON.stringify(result), { qos: 1, retain: false }).catch(() => undefined);
    };
    if (!view) {
      this.deps.log.warn(`command on ${topic} for a UPS this agent does not have`);
      return;
    }
    const req = parseCommand(payload.toString('utf8'), parsed.command);
    if (typeof req === 'string') {
      this.deps.log.warn(`bad command message on ${topic}: ${req}`);
      answer({ ok: false, error: 'INVALID-ARGUMENT', reason: req, at: new Date(this.clock.now()).toISOString() });
      return;
    }
    void runCommand({ bus: this.deps.bus, log: this.deps.log, allowed: this.deps.config.commands, maxAgeMs: this.deps.maxAgeMs, now: () => this.clock.now() }, view, req).then(answer);
  }
}

/** Variables the discovery device block is made of. */
const DEVICE_VARS = new Set(['device.mfr', 'ups.mfr', 'device.model', 'ups.model', 'device.serial', 'ups.serial', 'ups.firmware', 'ups.firmware.aux']);
