/**
 * Instant commands that arrive on a command topic: parsed, checked against
 * the configured list and the UPS's own commands, then sent as the NUT
 * server sends INSTCMD (the `ups.instcmd` request on the bus). Every
 * outcome is answered on the result topic with NUT's error words.
 */
import type { EventBus } from '../core/bus';
import { RequestError, errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { UpsView } from '../core/state';
import { commandAllowed } from './discovery';

/** A command message is a name and maybe a parameter; more than this is not one. */
export const MAX_COMMAND_PAYLOAD = 512;

export interface CommandRequest {
  command: string;
  param?: string;
}

export interface CommandResult {
  command: string;
  param?: string;
  ok: boolean;
  /** NUT's error word: ACCESS-DENIED, CMD-NOT-SUPPORTED, DATA-STALE, INSTCMD-FAILED... */
  error?: string;
  at: string;
}

/**
 * `<prefix>/<ups>/command` carries `name`, `name param` or
 * `{"command": name, "param": value}`; `<prefix>/<ups>/command/<name>`
 * carries the parameter, or PRESS for none. (An empty message is no
 * command at all: it is how a retained one is cleared; the bridge drops it
 * before this.) A string is the problem.
 */
export function parseCommand(payload: string, fromTopic?: string): CommandRequest | string {
  if (payload.length > MAX_COMMAND_PAYLOAD) return `longer than ${MAX_COMMAND_PAYLOAD} bytes`;
  const text = payload.trim();
  // HA's buttons send PRESS; anything else is the command's value.
  if (fromTopic !== undefined) return text === '' || text.toUpperCase() === 'PRESS' ? { command: fromTopic } : { command: fromTopic, param: text };
  if (text.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return 'not valid JSON';
    }
    const d = doc as { command?: unknown; param?: unknown };
    if (typeof d.command !== 'string' || d.command === '') return 'a JSON command needs "command" (a string)';
    if (d.param !== undefined && typeof d.param !== 'string' && typeof d.param !== 'number') return '"param" must be a string or a number';
    return d.param === undefined ? { command: d.command } : { command: d.command, param: String(d.param) };
  }
  const words = text.split(/\s+/);
  if (words[0] === '' || words.length > 2) return 'expected a command name, optionally followed by one value';
  return words.length === 2 ? { command: words[0]!, param: words[1]! } : { command: words[0]! };
}

export interface CommandDeps {
  bus: EventBus;
  log: Logger;
  allowed: readonly string[];
  maxAgeMs: number;
  now(): number;
}

/** Runs one command for a UPS and says how it went; never throws. */
export async function runCommand(deps: CommandDeps, view: UpsView, req: CommandRequest): Promise<CommandResult> {
  const at = new Date(deps.now()).toISOString();
  const done = (error?: string): CommandResult => ({ command: req.command, ...(req.param !== undefined ? { param: req.param } : {}), ok: error === undefined, ...(error ? { error } : {}), at });
  const what = `instant command ${req.command}${req.param !== undefined ? ` [${req.param}]` : ''} on ${view.name} from MQTT`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(req.command)) return done('INVALID-ARGUMENT');
  if (!commandAllowed(deps.allowed, req.command)) {
    deps.log.warn(`${what} refused: not in mqtt.commands`);
    return done('ACCESS-DENIED');
  }
  if (!view.health.attached) return done('DRIVER-NOT-CONNECTED');
  if (view.isStale(deps.maxAgeMs, deps.now())) return done('DATA-STALE');
  if (!view.hasCommand(req.command)) return done('CMD-NOT-SUPPORTED');
  const name = view.commands().find((c) => c.toLowerCase() === req.command.toLowerCase()) ?? req.command;
  deps.log.info(what);
  try {
    await deps.bus.request('ups.instcmd', req.param !== undefined ? { ups: view.name, name, param: req.param } : { ups: view.name, name });
    return { ...done(), command: name };
  } catch (err) {
    deps.log.warn(`${what} failed: ${errorMessage(err)}`);
    return done(err instanceof RequestError ? err.failure : 'INSTCMD-FAILED');
  }
}
