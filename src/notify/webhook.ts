/**
 * Webhook channel: one HTTP POST (or PUT) per notification, a JSON document
 * or the configured template, with the configured headers. Any 2xx answer is
 * a delivery. The URL's path and query (where services put their tokens)
 * and the headers are never logged: only scheme, host and port.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Channel } from './channel';
import { DeliveryError } from './channel';
import type { WebhookConfig } from './config';
import { defaultDocument, fillTemplate, isJsonTemplate, jsonEscape, type ChannelMessage } from './template';

/** A webhook's answer body is read this far for the error message, no further. */
const ANSWER_TAIL = 200;

/** scheme://host:port of a URL, which is all the log may show of it. */
export function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(bad URL)';
  }
}

export class WebhookChannel implements Channel {
  readonly kind = 'webhook';
  constructor(
    readonly name: string,
    private readonly cfg: WebhookConfig,
  ) {}

  /** The body for a message: the template (values JSON-escaped when it is JSON) or the default document. */
  body(m: ChannelMessage): { text: string; contentType: string } {
    if (this.cfg.template === undefined) return { text: defaultDocument(m), contentType: 'application/json' };
    const json = isJsonTemplate(this.cfg.template);
    return { text: fillTemplate(this.cfg.template, m, json ? jsonEscape : undefined), contentType: json ? 'application/json' : 'text/plain; charset=utf-8' };
  }

  send(m: ChannelMessage): Promise<void> {
    const { text, contentType } = this.body(m);
    const url = new URL(this.cfg.url);
    const headers: Record<string, string> = { 'content-type': contentType, 'user-agent': 'upsagent', ...lowerKeys(this.cfg.headers ?? {}) };
    headers['content-length'] = String(Buffer.byteLength(text));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<void>((resolve, reject) => {
      const req = request(url, { method: this.cfg.method ?? 'POST', headers, timeout: (this.cfg.timeout ?? 15) * 1000, rejectUnauthorized: this.cfg.verifyCert !== false }, (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (answer.length < ANSWER_TAIL) answer += c;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new DeliveryError(`${origin(this.cfg.url)} answered ${status}${answer.trim() ? `: ${answer.trim().slice(0, ANSWER_TAIL)}` : ''}`));
        });
        res.on('error', (err) => reject(new DeliveryError(`${origin(this.cfg.url)}: ${err.message}`)));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.cfg.timeout ?? 15} s`)));
      // Node's messages name host and port only, never the path.
      req.on('error', (err) => reject(new DeliveryError(`${origin(this.cfg.url)}: ${err.message}`)));
      req.end(text);
    });
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
