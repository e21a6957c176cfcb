/**
 * Where everything goes under the topic prefix. NUT variable names always
 * hold a dot, so `<prefix>/<ups>/<var>` never collides with the fixed
 * leaves (state, availability, command, result).
 */
import { topicSafe } from './config';

export class Topics {
  constructor(readonly prefix: string) {}

  /** The agent's own availability: `online`, and the last will `offline`. */
  get status(): string {
    return `${this.prefix}/status`;
  }
  /** Where notification messages go by default. */
  get notify(): string {
    return `${this.prefix}/notify`;
  }
  ups(ups: string): string {
    return `${this.prefix}/${topicSafe(ups)}`;
  }
  variable(ups: string, name: string): string {
    return `${this.ups(ups)}/${name}`;
  }
  /** One JSON document with every variable. */
  state(ups: string): string {
    return `${this.ups(ups)}/state`;
  }
  /** `online` while the driver answers with fresh data, `offline` when stale or gone. */
  availability(ups: string): string {
    return `${this.ups(ups)}/availability`;
  }
  command(ups: string): string {
    return `${this.ups(ups)}/command`;
  }
  /** What became of each command received. */
  result(ups: string): string {
    return `${this.ups(ups)}/result`;
  }
  /** Subscriptions for every UPS's command topics. */
  get commandFilters(): string[] {
    return [`${this.prefix}/+/command`, `${this.prefix}/+/command/+`];
  }

  /** A received topic as (UPS topic name, command from the topic or undefined), or null when it is no command topic. */
  parseCommand(topic: string): { upsPart: string; command?: string } | null {
    if (!topic.startsWith(`${this.prefix}/`)) return null;
    const rest = topic.slice(this.prefix.length + 1).split('/');
    if (rest.length === 2 && rest[1] === 'command') return { upsPart: rest[0]! };
    if (rest.length === 3 && rest[1] === 'command' && rest[2] !== '') return { upsPart: rest[0]!, command: rest[2]! };
    return null;
  }
}
