/** Small tools for testing qx protocols with strings alone: contexts, a scripted probe, reading fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QxContext, QxOptions, QxProbe, QxProtocol, QxQuery } from '../../src/drivers/qx/protocol';

export function qxOptions(over: Partial<QxOptions> = {}, raw: Record<string, unknown> = {}): QxOptions {
  return { norating: false, novendor: false, ignoresab: false, batteryVoltageReportsOnePack: false, raw, ...over };
}

export function qxCtx(vars: Record<string, string> = {}, opts: Partial<QxOptions> = {}, raw: Record<string, unknown> = {}): QxContext {
  return { options: qxOptions(opts, raw), vars: new Map(Object.entries(vars)) };
}

/** A probe answering from `replies` (command -> reply, null for silence); records what was sent. */
export function scriptedProbe(replies: Record<string, string | null>, opts: QxOptions = qxOptions()): QxProbe & { sent: string[] } {
  const sent: string[] = [];
  return {
    options: opts,
    sent,
    query(command) {
      sent.push(command);
      const r = replies[command];
      return Promise.resolve(r === undefined ? null : r);
    },
  };
}

/** The query of `p` that sends `command` (the first if several share it). */
export function queryOf(p: QxProtocol, command: string): QxQuery {
  const q = p.queries.find((x) => x.command === command);
  if (!q) throw new Error(`${p.name} has no query ${JSON.stringify(command)}`);
  return q;
}

/** A JSON fixture of test/fixtures/qx/. */
export function qxFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'qx', name), 'utf8')) as T;
}

/** The bytes a command of `p` sends, as one array. */
export function commandBytes(p: QxProtocol, name: string, value: string | undefined, ctx: QxContext): string[] {
  const c = p.commands.find((x) => x.name === name);
  if (!c) throw new Error(`${p.name} has no command ${name}`);
  const b = c.build(value, ctx);
  return typeof b === 'string' ? [b] : [...b];
}
