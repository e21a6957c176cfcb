/** What every notification channel is: a name for the log and one delivery attempt. */
import { UpsAgentError } from '../core/errors';
import type { ChannelMessage } from './template';

export interface Channel {
  /** As the configuration names it; safe to log (never holds a secret). */
  readonly name: string;
  readonly kind: 'webhook' | 'email' | 'mqtt';
  /** One attempt; rejects when the message did not get through. */
  send(m: ChannelMessage): Promise<void>;
  close?(): Promise<void>;
}

export class DeliveryError extends UpsAgentError {
  constructor(message: string) {
    super('NOTIFY-DELIVERY', message);
  }
}
