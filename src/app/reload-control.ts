/**
 * How a running agent is told to reload, as upsd is: SIGHUP. `upsagent run`
 * writes its pid to a pid file (so `upsagent reload` and start-stop-daemon
 * can find it) and, beside it, the outcome of each reload (so `upsagent
 * reload` can print what happened and exit non-zero when the file was
 * refused).
 *
 * Both files are opened while the agent is still root: once it runs as its
 * role account it could no longer create them in /run, but it can still
 * write through a descriptor it holds.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, errorMessage, type ConfigIssue } from '../core/errors';
import type { HostLookup } from '../core/config';
import type { Logger } from '../core/logger';
import { loadConfig, type AgentConfig } from './config';
import type { ReloadOutcome } from './reload-apply';

import { DEFAULT_PID_FILE } from '../core/config';
export { DEFAULT_PID_FILE };

/** Where the outcome of the reloads is written, beside the pid file: upsagent.pid -> upsagent.reload.json. */
export function outcomeFileFor(pidFile: string): string {
  return `${pidFile.replace(/\.pid$/, '')}.reload.json`;
}

/** The outcome file's content. */
export interface OutcomeRecord extends ReloadOutcome {
  pid: number;
  /** Counts the reloads of this process, from 1 (0: none yet). */
  seq: number;
  /** ISO time the reload ended. */
  at: string;
}

export interface LoadedReload {
  config: AgentConfig | null;
  /** Every problem, `path: message`, the file's path first ("FILE: ..."). */
  problems: string[];
}

/**
 * Loads and checks a configuration exactly as `run` does before it starts
 * (schema, cross-section checks, listen addresses resolved); `adjust`
 * re-applies what the command line overrode at start (--listen).
 */
export async function loadForReload(file: string, opts: { adjust?: (c: AgentConfig) => AgentConfig; lookup?: HostLookup } = {}): Promise<LoadedReload> {
  const lines = (issues: readonly ConfigIssue[]): string[] => issues.map((i) => `${file}: ${i.path || '(top)'}: ${i.message}`);
  let cfg: AgentConfig;
  try {
    cfg = await loadConfig(file);
  } catch (err) {
    return { config: null, problems: err instanceof ConfigError ? lines(err.issues) : [`${file}: ${errorMessage(err)}`] };
  }
  if (opts.adjust) cfg = opts.adjust(cfg);
  // The same checks as `run` (they live with `config check`, whose code `run` uses too).
  const { preflight } = await import('../cli/commands/config-check');
  const checked = await preflight(cfg, { lookup: opts.lookup, strict: false });
  if (checked.problems.length) return { config: null, problems: lines(checked.problems) };
  return { config: cfg, problems: [] };
}

export interface ReloadControlOptions {
  /** The configuration file to re-read on SIGHUP. */
  file: string;
  log: Logger;
  /** Where to write the pid; undefined: no pid file. */
  pidFile?: string;
  adjust?: (c: AgentConfig) => AgentConfig;
  lookup?: HostLookup;
  /** Tests: the signal to listen for (default SIGHUP). */
  signal?: NodeJS.Signals;
}

export interface ReloadControl {
  /** The agent is up: SIGHUPs received while it started are served now. */
  attach(agent: { reload(next: AgentConfig): Promise<ReloadOutcome> }): void;
  /** Re-reads the file and applies it (what SIGHUP does). */
  reloadNow(): Promise<ReloadOutcome>;
  close(): void;
}

/**
 * Listens for SIGHUP from now on (before the agent has started, a SIGHUP
 * would otherwise end the process) and writes the pid file.
 */
export function startReloadControl(o: ReloadControlOptions): ReloadControl {
  const { log } = o;
  const signal = o.signal ?? 'SIGHUP';
  let agent: { reload(next: AgentConfig): Promise<ReloadOutcome> } | undefined;
  let pending = false;
  let seq = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let outcomeFd: number | undefined;
  let pidWritten = false;

  if (o.pidFile) {
    try {
      if (o.pidFile === DEFAULT_PID_FILE) mkdirSync(dirname(o.pidFile), { recursive: true, mode: 0o755 });
      const fd = openSync(o.pidFile, 'w', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      pidWritten = true;
      // The owner's only: the problems it lists quote the configuration.
      outcomeFd = openSync(outcomeFileFor(o.pidFile), 'w', 0o600);
      writeSync(outcomeFd, JSON.stringify({ pid: process.pid, seq: 0 }) + '\n');
    } catch (err) {
      log.warn(`cannot write the pid file ${o.pidFile} (${errorMessage(err)}): \`upsagent reload\` needs --pid then`);
    }
  }

  const record = (out: ReloadOutcome): void => {
    if (outcomeFd === undefined) return;
    const rec: OutcomeRecord = { pid: process.pid, seq, at: new Date().toISOString(), ...out };
    try {
      ftruncateSync(outcomeFd, 0);
      writeSync(outcomeFd, JSON.stringify(rec) + '\n', 0);
    } catch (err) {
      log.debug(`cannot write the reload outcome: ${errorMessage(err)}`);
    }
  };

  const once = async (): Promise<ReloadOutcome> => {
    seq++;
    log.info(`${signal === 'SIGHUP' ? 'SIGHUP: ' : ''}reloading ${o.file}`);
    const loaded = await loadForReload(o.file, { adjust: o.adjust, lookup: o.lookup });
    let out: ReloadOutcome;
    if (!loaded.config) {
      for (const p of loaded.problems) log.error(`reload refused: ${p}`);
      log.error(`reload refused: ${loaded.problems.length} problem(s) in ${o.file}; the configuration running before stays`);
      out = { applied: false, changes: [], problems: loaded.problems, needsRestart: [] };
    } else if (!agent) {
      out = { applied: false, changes: [], problems: ['the agent is still starting'], needsRestart: [] };
    } else {
      try {
        out = await agent.reload(loaded.config);
      } catch (err) {
        log.error(`reload failed: ${errorMessage(err)}`);
        out = { applied: false, changes: [], problems: [errorMessage(err)], needsRestart: [] };
      }
    }
    record(out);
    return out;
  };
  const reloadNow = (): Promise<ReloadOutcome> => {
    const run = chain.then(once);
    chain = run.catch(() => undefined);
    return run;
  };
  const onSignal = (): void => {
    if (!agent) {
      pending = true;
      log.info(`${signal} while starting: the reload runs once the agent is up`);
      return;
    }
    void reloadNow();
  };
  process.on(signal, onSignal);

  return {
    attach(a) {
      agent = a;
      if (pending) {
        pending = false;
        void reloadNow();
      }
    },
    reloadNow,
    close() {
      process.off(signal, onSignal);
      if (outcomeFd !== undefined) closeSync(outcomeFd);
      outcomeFd = undefined;
      if (!o.pidFile || !pidWritten) return;
      // Only our own: another agent may have taken the file over since. Removal fails once the agent gave up root; the pid is checked by its reader.
      try {
        if (readFileSync(o.pidFile, 'utf8').trim() !== String(process.pid)) return;
        unlinkSync(o.pidFile);
        unlinkSync(outcomeFileFor(o.pidFile));
      } catch {
        // a stale file is harmless: `upsagent reload` checks the process
      }
    },
  };
}
