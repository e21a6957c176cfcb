/**
 * MQTT channel: each notification as a message on a topic, through the
 * connection of the `mqtt:` section (one connection, one last will). While
 * the broker is away the publish fails and the queue retries it.
 */
import type { Channel } from './channel';
import type { MqttChannelConfig } from './config';
import { defaultDocument, fillTemplate, isJsonTemplate, jsonEscape, type ChannelMessage } from './template';

/** A connection to publish through (the MQTT bridge's, handed in by the composition root). */
export interface TopicPublisher {
  publish(topic: string, payload: string, opts: { qos: 0 | 1 | 2; retain: boolean }): Promise<void>;
}

export class MqttChannel implements Channel {
  readonly kind = 'mqtt';
  constructor(
    readonly name: string,
    private readonly cfg: MqttChannelConfig,
    private readonly topic: string,
    private readonly publisher: TopicPublisher,
  ) {}

  payload(m: ChannelMessage): string {
    if (this.cfg.template === undefined) return defaultDocument(m);
    const json = isJsonTemplate(this.cfg.template);
    return fillTemplate(this.cfg.template, m, json ? jsonEscape : undefined);
  }

  send(m: ChannelMessage): Promise<void> {
    return this.publisher.publish(this.topic, this.payload(m), { qos: (this.cfg.qos ?? 1) as 0 | 1 | 2, retain: this.cfg.retain === true });
  }
}
