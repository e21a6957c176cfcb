/**
 * Carries out a reload plan (src/app/reload-plan.ts) on the running agent.
 * The new configuration has already passed the same checks as at start; what
 * can still fail here (a port that cannot be bound, a module that does not
 * start) is logged and reported, and the rest of the reload goes on: the
 * agent never ends up stopped because of a reload.
 *
 * Once the agent runs as its role account (src/privilege), what needs root
 * cannot be done by a reload: binding a port below 1024, a new account, a
 * changed shutdown command or power-down flag for the privileged helper.
 * Those are logged as needing a restart.
 */
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { UpsConfig, UserConfig } from '../core/config';
import { parseListen, SERVER_DEFAULTS, type ServerConfig } from '../server/config';
import type { AgentConfig } from './config';
import { describePlan, planIsEmpty, planReload, type ReloadModule, type ReloadPlan } from './reload-plan';

/** What a reload did, for the log, the outcome file and `upsagent reload`. */
export interface ReloadOutcome {
  /** The new configuration is the running one now (false: the file was refused, nothing changed). */
  applied: boolean;
  /** What changed, one line per kind. */
  changes: string[];
  /** What went wrong: the file's problems (then nothing changed), or parts that could not be applied. */
  problems: string[];
  /** What only a restart of the agent applies. */
  needsRestart: string[];
}

/** The server's reload hooks (NutServer). */
export interface ReloadableServer {
  relisten(listen: readonly string[]): Promise<Array<{ address: string; reason: string }>>;
  setUsers(users: Record<string, UserConfig>): void;
  applyLimits(s: Partial<ServerConfig>): void;
  /** The UPS is gone: its clients' logins are cleared (and those clients disconnected, as upsd does). */
  removeUps?(name: string): void;
}

/** What the composition root lends a reload: its parts and how to rebuild them. */
export interface ReloadHooks {
  log: Logger;
  store: { removeUps(name: string): void; setDesc(name: string, desc: string): void };
  server: ReloadableServer | null;
  /** The agent started as root and now runs as its role account. */
  dropped: boolean;
  stopDriver(name: string): Promise<void>;
  /** Builds and starts the driver of a UPS (its store entry is created when missing). Never rejects for a device problem. */
  startDriver(name: string, cfg: UpsConfig): Promise<void>;
  stopModule(kind: ReloadModule): Promise<void>;
  /** Builds the module from the configuration and starts it; false when the configuration has no such section. */
  startModule(kind: ReloadModule, cfg: AgentConfig): Promise<boolean>;
  /** The monitor's shutdown sequence has begun: it is not restarted under it. */
  shutdownStarted?(): boolean;
  /** Told the configuration that runs once the reload is done (the new one, but for what was kept). */
  commit?(running: AgentConfig): void;
}

/**
 * The order a reload starts modules in (and stops them in reverse): the channels before the
 * monitor, so its first notifications find them; the web listener after it, since it is built
 * with the monitor. (At start the monitor goes last, after the server; on a reload the server runs.)
 */
const START_ORDER: readonly ReloadModule[] = ['mqtt', 'notify', 'monitor', 'http'];

/** A port only root may bind (Linux's default ip_unprivileged_port_start). */
function privilegedPort(text: string): boolean {
  const a = parseListen(text);
  return typeof a !== 'string' && a.port > 0 && a.port < 1024;
}

function listenOf(c: AgentConfig): readonly string[] {
  return c.server?.listen ?? SERVER_DEFAULTS.listen;
}

/** What in the plan a process that gave up root cannot do: said before anything is tried. */
function privilegeNotes(plan: ReloadPlan, from: AgentConfig, to: AgentConfig): string[] {
  const notes: string[] = [];
  const oldListen = listenOf(from);
  for (const l of listenOf(to)) {
    if (!oldListen.includes(l) && privilegedPort(l)) notes.push(`server.listen ${l}: a port below 1024 needs root, which the agent gave up after start; restart the agent to listen there`);
  }
  const m0 = from.monitor;
  const m1 = to.monitor;
  if (plan.restart.includes('monitor') && m1 && !m1.dryRun) {
    if (!m0 || m0.dryRun) notes.push('monitor: the privileged helper that runs the shutdown command is started only at start; restart the agent so that a shutdown can run as root');
    else if (m0.shutdownCommand !== m1.shutdownCommand || m0.powerDownFlag !== m1.powerDownFlag) {
      notes.push('monitor.shutdownCommand / powerDownFlag: the privileged helper keeps the ones it was started with; restart the agent to change them');
    }
  }
  return notes;
}

/** Applies the new configuration `to` over the running `from`; never rejects. */
export async function applyReload(from: AgentConfig, to: AgentConfig, h: ReloadHooks): Promise<ReloadOutcome> {
  const { log } = h;
  const plan = planReload(from, to);
  const problems: string[] = [];
  const needsRestart = [
    ...plan.needsRestart.map((s) => `${s}: section changed; only a restart of the agent applies it`),
    ...plan.serverRestart.map((k) => `server.${k}: changed; only a restart of the agent applies it`),
    ...(h.dropped ? privilegeNotes(plan, from, to) : []),
  ];
  if (!h.server && Object.keys(to.ups).length > 0 && Object.keys(from.ups).length === 0) {
    needsRestart.push('ups: the agent started without UPSes and so without its NUT server; restart it to serve the new ones');
  }
  if (planIsEmpty(plan)) {
    log.info('reload: nothing changed');
    h.commit?.(to);
    return { applied: true, changes: [], problems, needsRestart };
  }
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      problems.push(`${what}: ${errorMessage(err)}`);
    }
  };

  let running = to;
  // A shutdown under way is never interrupted: the monitor running it stays as it is.
  if (plan.restart.includes('monitor') && h.shutdownStarted?.()) {
    plan.restart = plan.restart.filter((k) => k !== 'monitor');
    running = { ...to, monitor: from.monitor };
    problems.push('monitor: the shutdown sequence has begun; the monitor keeps the configuration it has');
  }
  // The modules built from the old configuration go first: none of them may see a UPS vanish under it.
  const restart = START_ORDER.filter((k) => plan.restart.includes(k));
  for (const k of [...restart].reverse()) await attempt(`stopping ${k}`, () => h.stopModule(k));

  for (const name of plan.ups.removed) {
    await attempt(`stopping the driver of ${name}`, () => h.stopDriver(name));
    h.store.removeUps(name);
    h.server?.removeUps?.(name);
  }
  for (const name of plan.ups.changed) {
    await attempt(`stopping the driver of ${name}`, () => h.stopDriver(name));
    h.store.setDesc(name, to.ups[name]!.desc ?? '');
    await attempt(`starting the driver of ${name}`, () => h.startDriver(name, to.ups[name]!));
  }
  for (const name of plan.ups.described) h.store.setDesc(name, to.ups[name]!.desc ?? '');
  for (const name of plan.ups.added) await attempt(`starting the driver of ${name}`, () => h.startDriver(name, to.ups[name]!));

  if (h.server) {
    if (plan.users) h.server.setUsers(to.users ?? {});
    const s: Record<string, unknown> = to.server ?? SERVER_DEFAULTS;
    if (plan.serverLive.length) h.server.applyLimits(Object.fromEntries(plan.serverLive.map((k) => [k, s[k]])));
    if (plan.listen) {
      const failed = await h.server.relisten(listenOf(to));
      for (const f of failed) problems.push(`server.listen ${f.address}: ${f.reason}`);
    }
  }

  for (const k of restart) await attempt(`starting ${k}`, () => h.startModule(k, to));

  h.commit?.(running);
  const changes = describePlan(plan);
  for (const c of changes) log.info(`reload: ${c}`);
  for (const n of needsRestart) log.warn(`reload: ${n}`);
  for (const p of problems) log.error(`reload: ${p}`);
  return { applied: true, changes, problems, needsRestart };
}
