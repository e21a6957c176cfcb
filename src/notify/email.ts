/**
 * Email channel over SMTP (nodemailer): STARTTLS by default and required
 * unless `requireTLS: false`, or TLS from the start with `secure: true`.
 * nodemailer's own logger stays off, so the password never reaches a log.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { errorMessage } from '../core/errors';
import { readConfiguredFile } from '../core/files';
import type { Channel } from './channel';
import { DeliveryError } from './channel';
import type { EmailConfig } from './config';
import { NOTIFY_DEFAULTS } from './config';
import { fillTemplate, type ChannelMessage } from './template';

export class EmailChannel implements Channel {
  readonly kind = 'email';
  private readonly transport: Transporter;

  constructor(
    readonly name: string,
    private readonly cfg: EmailConfig,
  ) {
    const secure = cfg.secure === true;
    const ms = (cfg.timeout ?? NOTIFY_DEFAULTS.timeout) * 1000;
    const ca = cfg.ca !== undefined ? readConfiguredFile(cfg.ca, `notify channel ${name}: ca`) : undefined;
    this.transport = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port ?? (secure ? 465 : 587),
      secure,
      requireTLS: !secure && cfg.requireTLS !== false,
      auth: cfg.user !== undefined ? { user: cfg.user, pass: cfg.password } : undefined,
      tls: { rejectUnauthorized: cfg.verifyCert !== false, ca },
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: ms,
      logger: false,
      debug: false,
    });
  }

  message(m: ChannelMessage): { subject: string; text: string } {
    return { subject: fillTemplate(this.cfg.subject ?? NOTIFY_DEFAULTS.emailSubject, m), text: fillTemplate(this.cfg.body ?? NOTIFY_DEFAULTS.emailBody, m) };
  }

  async send(m: ChannelMessage): Promise<void> {
    const { subject, text } = this.message(m);
    try {
      await this.transport.sendMail({ from: this.cfg.from, to: this.cfg.to, subject, text });
    } catch (err) {
      throw new DeliveryError(`${this.cfg.host}: ${errorMessage(err).replace(this.cfg.password ?? '\0', '***')}`);
    }
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
