/**
 * Message templates for the channels: `{{name}}` placeholders, filled with
 * the notification's fields. A webhook's JSON template gets each value
 * JSON-escaped (without the quotes), so `"text": "{{message}}"` stays valid
 * JSON whatever the message holds.
 */

export const TEMPLATE_FIELDS = ['ups', 'type', 'message', 'at', 'time', 'host'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** One notification as the channels see it. */
export interface ChannelMessage {
  ups: string;
  type: string;
  message: string;
  /** ms since the epoch. */
  at: number;
  /** This host's name: several agents may send to one place. */
  host: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Placeholders a template names that are not fields (for the config check). */
export function unknownPlaceholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

export function fields(m: ChannelMessage): Record<TemplateField, string> {
  return { ups: m.ups, type: m.type, message: m.message, at: String(m.at), time: new Date(m.at).toISOString(), host: m.host };
}

export function fillTemplate(template: string, m: ChannelMessage, escape: (s: string) => string = (s) => s): string {
  const f = fields(m);
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in f ? escape(f[name as TemplateField]) : whole));
}

/** A template that is JSON once its placeholders are taken out: its values get JSON-escaped. */
export function isJsonTemplate(template: string): boolean {
  try {
    JSON.parse(template.replace(PLACEHOLDER, ''));
    return /^\s*[[{]/.test(template.replace(PLACEHOLDER, ''));
  } catch {
    return false;
  }
}

/** A value as it goes inside a JSON string literal. */
export function jsonEscape(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** The document a webhook or MQTT channel sends when no template is given. */
export function defaultDocument(m: ChannelMessage): string {
  return JSON.stringify({ ups: m.ups, type: m.type, message: m.message, time: new Date(m.at).toISOString(), at: m.at, host: m.host, source: 'upsagent' });
}
