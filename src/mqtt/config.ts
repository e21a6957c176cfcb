/**
 * The `mqtt:` section: the broker to publish to, the topics, Home Assistant
 * discovery and which instant commands may come in from the broker. Off
 * unless the section is there; no command is accepted unless listed.
 */
import { hostname } from 'node:os';
import { bool, list, num, obj, optional, refine, str, type Infer } from '../core/schema';

export const MQTT_DEFAULTS = {
  topicPrefix: 'upsagent',
  /** Home Assistant's own default discovery prefix. */
  discoveryPrefix: 'homeassistant',
  discovery: true,
  qos: 1,
  retain: true,
  /** Seconds before the first reconnect; doubles on each failure up to reconnectMax. */
  reconnectMin: 1,
  reconnectMax: 60,
  keepalive: 30,
} as const;

/** A topic level must not hold MQTT's wildcards or separators. */
const topicPart = str({ minLength: 1, maxLength: 200, pattern: /^[^#+\s]+$/, patternText: 'a topic (no spaces, # or +)' });
const nodeIdText = 'letters, digits, _ and - (Home Assistant discovery node id)';

export const mqttSectionSchema = optional(
  refine(
    obj({
      /** mqtt://host[:1883] or mqtts://host[:8883]. */
      url: str({ minLength: 1, pattern: /^mqtts?:\/\/[^/\s]+\/?$/i, patternText: 'mqtt://host[:port] or mqtts://host[:port]' }),
      user: optional(str({ minLength: 1, maxLength: 255 })),
      password: optional(str({ minLength: 1, maxLength: 1024 })),
      /** Default: upsagent-<hostname>. */
      clientId: optional(str({ minLength: 1, maxLength: 128 })),
      topicPrefix: optional(topicPart, MQTT_DEFAULTS.topicPrefix),
      discoveryPrefix: optional(topicPart, MQTT_DEFAULTS.discoveryPrefix),
      /** Publish Home Assistant discovery documents. */
      discovery: optional(bool(), MQTT_DEFAULTS.discovery),
      /** Names this agent in discovery ids, so two hosts with a UPS of the same name stay apart; default: the host name. */
      nodeId: optional(str({ minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/, patternText: nodeIdText })),
      qos: optional(num({ min: 0, max: 2, integer: true }), MQTT_DEFAULTS.qos),
      /** Retain state and discovery messages, so a subscriber that comes later (or after a broker restart) has them at once. */
      retain: optional(bool(), MQTT_DEFAULTS.retain),
      /** Instant commands accepted from the command topics; none unless listed. `*` allows every command the UPS has. */
      commands: optional(list(str({ minLength: 1, maxLength: 64 }), { unique: true }), []),
      reconnectMin: optional(num({ min: 0.1, max: 3600 }), MQTT_DEFAULTS.reconnectMin),
      reconnectMax: optional(num({ min: 0.1, max: 3600 }), MQTT_DEFAULTS.reconnectMax),
      keepalive: optional(num({ min: 5, max: 3600, integer: true }), MQTT_DEFAULTS.keepalive),
      /** mqtts: a CA file to trust besides the system's. */
      ca: optional(str({ minLength: 1 })),
      /** mqtts: check the broker's certificate (turn off only for a test broker). */
      verifyCert: optional(bool(), true),
    }),
    (v, path, issues) => {
      if ((v.user === undefined) !== (v.password === undefined) && v.password !== undefined) {
        issues.push({ path: `${path}.user`, message: 'is required with password' });
      }
      if (v.reconnectMin !== undefined && v.reconnectMax !== undefined && v.reconnectMax < v.reconnectMin) {
        issues.push({ path: `${path}.reconnectMax`, message: `is ${v.reconnectMax} s, less than reconnectMin (${v.reconnectMin} s)` });
      }
      if (/@/.test(v.url.replace(/^mqtts?:\/\//i, ''))) {
        issues.push({ path: `${path}.url`, message: 'must not hold credentials; give user and password as their own keys (a URL ends up in logs)' });
      }
    },
  ),
);

type Section = NonNullable<Infer<typeof mqttSectionSchema>>;
type Filled<T> = { [K in keyof T]-?: NonNullable<T[K]> };
/** The section after validation: every default filled in. */
export type MqttConfig = Filled<Omit<Section, 'user' | 'password' | 'clientId' | 'nodeId' | 'ca'>> & Pick<Section, 'user' | 'password' | 'ca'> & { clientId?: string; nodeId?: string };

/** A string safe as one topic level and as part of a discovery object id. */
export function topicSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function defaultNodeId(): string {
  return topicSafe(hostname()).replace(/\./g, '_') || 'upsagent';
}
