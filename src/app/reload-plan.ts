/**
 * What a reload changes: the old and the new configuration compared section
 * by section, with no side effect (src/app/reload-apply.ts carries it out).
 *
 * The rule is upsd's on SIGHUP: what did not change is not touched. A UPS
 * whose entry is the same keeps its driver and its clients; one whose entry
 * changed gets a new driver under the same name (its clients stay connected
 * and see the new driver's data); one that is gone is no longer served
 * (ERR UNKNOWN-UPS); a new one is started. The modules that read the store
 * (monitor, MQTT, notify, web) restart only when what they were built from
 * changed.
 */
import type { AgentConfig } from './config';
import { SERVER_DEFAULTS, type ServerConfig } from '../server/config';

/** The modules a reload restarts whole (stop the old one, build and start a new one). */
export type ReloadModule = 'monitor' | 'mqtt' | 'notify' | 'http';

export interface ReloadPlan {
  ups: {
    added: string[];
    removed: string[];
    /** The driver's settings changed: a new driver under the same name. */
    changed: string[];
    /** Only the description changed: no driver restart. */
    described: string[];
    unchanged: string[];
  };
  /** The users: section changed: the server's table is swapped, sessions stay (as upsd's user_flush + user_load). */
  users: boolean;
  /** server.listen changed: bind the new addresses, close the ones that went. */
  listen: boolean;
  /** Server settings that apply to the running server at once. */
  serverLive: Array<keyof ServerConfig>;
  /** Server settings the running server cannot take: they need a restart. */
  serverRestart: Array<keyof ServerConfig>;
  /** Modules to restart (in this order: stop in reverse, start in order). */
  restart: ReloadModule[];
  /** Sections that only a restart of the agent applies (logged as such). */
  needsRestart: string[];
}

/** Server settings the running NutServer re-reads on a reload (see NutServer.reconfigure). */
const LIVE_SERVER_KEYS: ReadonlySet<keyof ServerConfig> = new Set<keyof ServerConfig>(['maxClients', 'maxClientsPerAddress', 'idleTimeout', 'exemptAddresses']);

/** Structural equality of configuration data (plain JSON-like values; key order does not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function withoutDesc(u: object): object {
  const { desc: _desc, ...rest } = u as { desc?: unknown };
  return rest;
}

function serverOf(c: AgentConfig): ServerConfig {
  return c.server ?? SERVER_DEFAULTS;
}

export function planReload(from: AgentConfig, to: AgentConfig): ReloadPlan {
  const before = from.ups;
  const after = to.ups;
  const ups: ReloadPlan['ups'] = { added: [], removed: [], changed: [], described: [], unchanged: [] };
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) ups.removed.push(name);
  for (const [name, cfg] of Object.entries(after)) {
    const old = Object.hasOwn(before, name) ? before[name] : undefined;
    if (!old) ups.added.push(name);
    else if (!sameValue(withoutDesc(old), withoutDesc(cfg))) ups.changed.push(name);
    else if ((old.desc ?? '') !== (cfg.desc ?? '')) ups.described.push(name);
    else ups.unchanged.push(name);
  }

  const s0 = serverOf(from);
  const s1 = serverOf(to);
  const serverKeys = [...new Set([...Object.keys(s0), ...Object.keys(s1)])] as Array<keyof ServerConfig>;
  const serverChanged = serverKeys.filter((k) => k !== 'listen' && !sameValue(s0[k], s1[k]));
  const maxAgeChanged = serverChanged.includes('maxAge');

  const users = !sameValue(from.users ?? {}, to.users ?? {});
  const upsSetChanged = ups.added.length > 0 || ups.removed.length > 0;
  const restart: ReloadModule[] = [];
  const monitor = !sameValue(from.monitor, to.monitor) || (to.monitor !== undefined && maxAgeChanged);
  if (monitor) restart.push('monitor');
  // The bridge announces each UPS (discovery, availability) when it starts.
  const mqtt = !sameValue(from.mqtt, to.mqtt) || (to.mqtt !== undefined && (maxAgeChanged || upsSetChanged));
  if (mqtt) restart.push('mqtt');
  // The channels publish through the bridge and read the monitor's routes.
  const notify =
    !sameValue(from.notify, to.notify) || (to.notify !== undefined && (mqtt || !sameValue(from.monitor?.notify.routes, to.monitor?.notify.routes)));
  if (notify) restart.push('notify');
  // The web listener holds the monitor, its own copy of the users and the max age.
  const http = !sameValue(from.http, to.http) || (to.http !== undefined && (monitor || users || maxAgeChanged));
  if (http) restart.push('http');

  const needsRestart: string[] = [];
  if (!sameValue(from.log, to.log)) needsRestart.push('log');
  if (!sameValue(from.run, to.run)) needsRestart.push('run');
  return {
    ups,
    users,
    listen: !sameValue(s0.listen, s1.listen),
    serverLive: serverChanged.filter((k) => LIVE_SERVER_KEYS.has(k)),
    serverRestart: serverChanged.filter((k) => !LIVE_SERVER_KEYS.has(k)),
    restart,
    needsRestart,
  };
}

/** True when the reload has nothing to do. */
export function planIsEmpty(p: ReloadPlan): boolean {
  const u = p.ups;
  return (
    u.added.length + u.removed.length + u.changed.length + u.described.length === 0 &&
    !p.users &&
    !p.listen &&
    p.serverLive.length + p.serverRestart.length + p.restart.length + p.needsRestart.length === 0
  );
}

/** One line per kind of change, for the log and `upsagent reload`. */
export function describePlan(p: ReloadPlan): string[] {
  const out: string[] = [];
  const list = (what: string, names: string[]): void => {
    if (names.length) out.push(`${what}: ${names.join(', ')}`);
  };
  list('UPS added', p.ups.added);
  list('UPS removed', p.ups.removed);
  list('UPS changed (driver restarted)', p.ups.changed);
  list('UPS description changed', p.ups.described);
  if (p.users) out.push('users: table replaced (connected clients keep their sessions)');
  if (p.listen) out.push('server.listen: addresses rebound');
  list('server settings applied', p.serverLive.map((k) => `server.${k}`));
  list('restarted', p.restart);
  return out;
}
