/**
 * The `notify:` section: channels the monitor's notifications go to beside
 * log, wall and commands (monitor.notify). Each channel takes every type
 * that monitor.notify.routes does not route to `ignore`, or, with `events`,
 * exactly the types it lists (as a notification command does).
 */
import type { ConfigIssue } from '../core/errors';
import { bool, dict, list, num, obj, oneOf, optional, refine, str, type Infer, type Schema } from '../core/schema';
import { NOTIFY_TYPE_NAMES } from '../monitor/notify-types';
import { unknownPlaceholders, TEMPLATE_FIELDS } from './template';

export const NOTIFY_DEFAULTS = {
  /** Messages each channel holds while it cannot deliver; past it the oldest go. */
  queueSize: 100,
  retries: 5,
  /** Seconds before the first retry; doubles each time up to retryDelayMax. */
  retryDelay: 5,
  retryDelayMax: 300,
  /** Seconds one attempt may take. */
  timeout: 15,
  emailSubject: '[upsagent] {{type}} {{ups}} on {{host}}',
  emailBody: '{{message}}\n\nUPS: {{ups}}\nEvent: {{type}}\nTime: {{time}}\nHost: {{host}}\n',
} as const;

const template = refine(str({ minLength: 1, maxLength: 16_384 }), (v, path, issues) => {
  const bad = unknownPlaceholders(v);
  if (bad.length) issues.push({ path, message: `unknown placeholder(s) ${bad.map((b) => `{{${b}}}`).join(', ')}; known: ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(', ')}` });
});

const common = {
  /** How the log and `notify test` name it; default: its type and place in the list. */
  name: optional(str({ minLength: 1, maxLength: 64 })),
  events: optional(list(oneOf(NOTIFY_TYPE_NAMES), { minItems: 1, unique: true })),
};

const webhookShape = obj({
  type: oneOf(['webhook'] as const),
  ...common,
  url: str({ minLength: 1, pattern: /^https?:\/\/[^\s/]+(\/\S*)?$/i, patternText: 'an http:// or https:// URL' }),
  method: optional(oneOf(['POST', 'PUT'] as const), 'POST'),
  /** Sent with each request (e.g. Authorization); never logged. */
  headers: optional(dict(str({ maxLength: 8192 }), { key: /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, keyText: 'an HTTP header name' }), {}),
  /** The body; default a JSON document with ups, type, message, time, host. */
  template: optional(template),
  timeout: optional(num({ min: 1, max: 600 }), NOTIFY_DEFAULTS.timeout),
  verifyCert: optional(bool(), true),
});

const emailShape = refine(
  obj({
    type: oneOf(['email'] as const),
    ...common,
    host: str({ minLength: 1, maxLength: 255 }),
    /** Default 587 (STARTTLS), 465 with secure: true. */
    port: optional(num({ min: 1, max: 65535, integer: true })),
    /** TLS from the first byte (port 465); otherwise the connection is upgraded with STARTTLS. */
    secure: optional(bool(), false),
    /** Refuse to send when the server offers no STARTTLS (default: refuse; false allows plain text on a trusted network). */
    requireTLS: optional(bool(), true),
    user: optional(str({ minLength: 1, maxLength: 255 })),
    password: optional(str({ minLength: 1, maxLength: 1024 })),
    from: str({ minLength: 3, maxLength: 255 }),
    to: list(str({ minLength: 3, maxLength: 255 }), { minItems: 1, unique: true }),
    subject: optional(template, NOTIFY_DEFAULTS.emailSubject),
    body: optional(template, NOTIFY_DEFAULTS.emailBody),
    timeout: optional(num({ min: 1, max: 600 }), NOTIFY_DEFAULTS.timeout),
    verifyCert: optional(bool(), true),
    /** A CA file to trust besides the system's (a private mail server). */
    ca: optional(str({ minLength: 1 })),
  }),
  (v, path, issues) => {
    if ((v.user === undefined) !== (v.password === undefined)) issues.push({ path, message: 'give both user and password, or neither' });
  },
);

const mqttShape = obj({
  type: oneOf(['mqtt'] as const),
  ...common,
  /** Default: <mqtt.topicPrefix>/notify. Published through the mqtt: section's connection. */
  topic: optional(str({ minLength: 1, maxLength: 200, pattern: /^[^#+\s]+$/, patternText: 'a topic (no spaces, # or +)' })),
  qos: optional(num({ min: 0, max: 2, integer: true }), 1),
  retain: optional(bool(), false),
  template: optional(template),
});

type Webhook = NonNullable<Infer<typeof webhookShape>>;
type Email = NonNullable<Infer<typeof emailShape>>;
type Mqtt = NonNullable<Infer<typeof mqttShape>>;
export type ChannelConfig = Webhook | Email | Mqtt;
export type WebhookConfig = Webhook;
export type EmailConfig = Email;
export type MqttChannelConfig = Mqtt;

const KINDS = { webhook: webhookShape, email: emailShape, mqtt: mqttShape } as const;

/** A channel: the `type` key picks which keys the rest may have. */
const channelSchema: Schema<ChannelConfig> = {
  expected: `a mapping with type: ${Object.keys(KINDS).join(', ')}`,
  optional: false,
  check(v, path, issues) {
    const type = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { type?: unknown }).type : undefined;
    const kind = typeof type === 'string' ? KINDS[type.toLowerCase() as keyof typeof KINDS] : undefined;
    if (!kind) {
      issues.push({ path: `${path}.type`, message: `${type === undefined ? 'is required' : `${JSON.stringify(type)} is not a channel type`} (one of ${Object.keys(KINDS).join(', ')})` });
      return undefined;
    }
    return (kind as Schema<ChannelConfig>).check(v, path, issues);
  },
};

export const notifySectionSchema = optional(
  refine(
    obj({
      channels: list(channelSchema, { minItems: 1 }),
      queueSize: optional(num({ min: 1, max: 100_000, integer: true }), NOTIFY_DEFAULTS.queueSize),
      retries: optional(num({ min: 0, max: 1000, integer: true }), NOTIFY_DEFAULTS.retries),
      retryDelay: optional(num({ min: 0.1, max: 86_400 }), NOTIFY_DEFAULTS.retryDelay),
      retryDelayMax: optional(num({ min: 0.1, max: 86_400 }), NOTIFY_DEFAULTS.retryDelayMax),
    }),
    (v, path, issues) => checkNotify(v, path, issues),
  ),
);

function checkNotify(v: { channels: ChannelConfig[]; retryDelay?: number; retryDelayMax?: number }, path: string, issues: ConfigIssue[]): void {
  const seen = new Set<string>();
  v.channels.forEach((c, i) => {
    const name = channelName(c, i).toLowerCase();
    if (seen.has(name)) issues.push({ path: `${path}.channels[${i}].name`, message: `${channelName(c, i)} is used twice; give each channel its own name` });
    seen.add(name);
  });
  if ((v.retryDelayMax ?? NOTIFY_DEFAULTS.retryDelayMax) < (v.retryDelay ?? NOTIFY_DEFAULTS.retryDelay)) {
    issues.push({ path: `${path}.retryDelayMax`, message: 'is less than retryDelay' });
  }
}

export function channelName(c: ChannelConfig, index: number): string {
  return c.name ?? `${c.type}-${index + 1}`;
}

export type NotifySectionConfig = NonNullable<Infer<typeof notifySectionSchema>> & {
  queueSize: number;
  retries: number;
  retryDelay: number;
  retryDelayMax: number;
};
