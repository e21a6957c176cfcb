import { existsSync } from 'node:fs';
import { configHosts, configWarnings, loadConfig, type AgentConfig } from '../../app/config';
import { unresolvedHosts, type HostLookup } from '../../core/config';
import { ConfigError, errorMessage, type ConfigIssue } from '../../core/errors';
import { loadCaFile } from '../../client/tls-policy';
import { monitorTlsProblems } from '../../monitor/config';
import { serverTlsProblems } from '../../server/tls';
import type { CliIO } from '../io';

/** Exit code for a configuration that is not valid, before anything starts. */
export const EXIT_CONFIG = 2;

/**
 * What to say when there is no configuration file at all: a new user's first
 * `upsagent run` lands here, and ENOENT alone tells them nothing.
 */
export function missingConfigText(file: string): string {
  return [
    `${file}: there is no configuration file here.`,
    'To get started:',
    '  upsagent run --demo                  try the agent with a simulated UPS, no file needed',
    `  upsagent scan                        find the UPSes plugged in; prints a ups: section to paste`,
    `  config.example.yaml                  the example configuration, every key explained: copy it to ${file} and edit it`,
    `  upsagent import-nut /etc/nut -o ${file}`,
    '                                       turn an existing NUT configuration into one',
    `then check it with \`upsagent config check ${file}\`, or name another file with --config FILE.`,
    '',
  ].join('\n');
}

/**
 * Loads a configuration for a command; on any problem, prints every one of
 * them and returns null. `guide`: a missing file gets the getting-started
 * text (`run`, `config check`), not just "cannot read".
 */
export async function loadConfigOrSay(file: string, io: CliIO, opts: { guide?: boolean } = {}): Promise<AgentConfig | null> {
  if (opts.guide === true && !existsSync(file)) {
    io.err(missingConfigText(file));
    return null;
  }
  try {
    return await loadConfig(file);
  } catch (err) {
    io.err(err instanceof ConfigError ? `${err.message}\n` : `${file}: ${errorMessage(err)}\n`);
    return null;
  }
}

export interface PreflightOptions {
  /** Resolves host names (default: the system resolver). */
  lookup?: HostLookup;
  /**
   * True for `config check`: a monitored host that does not resolve is a
   * problem. `run` only warns about those (at boot the network may come up
   * after the agent; the monitor retries), but a listen name that does not
   * resolve stops it, since the server could not bind it anyway.
   */
  strict: boolean;
}

export interface Preflight {
  problems: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** The checks that need more than the file: host names resolved, placeholders spotted. */
export async function preflight(cfg: AgentConfig, opts: PreflightOptions): Promise<Preflight> {
  const hosts = configHosts(cfg);
  const [listen, connect] = await Promise.all([unresolvedHosts(hosts.listen, opts.lookup), unresolvedHosts(hosts.connect, opts.lookup)]);
  const warnings = configWarnings(cfg);
  // Certificate and CA files are read as the start reads them: a bad one is a problem for check and reload alike.
  const tls = [...serverTlsProblems(cfg.server?.tls), ...monitorTlsProblems(cfg.monitor, loadCaFile)];
  if (opts.strict) return { problems: [...listen, ...connect, ...tls], warnings };
  return { problems: [...listen, ...tls], warnings: [...connect, ...warnings] };
}

/** "FILE: warning: path: message" lines. */
export function warningLines(file: string, warnings: readonly ConfigIssue[]): string {
  return warnings.map((w) => `${file}: warning: ${w.path}: ${w.message}\n`).join('');
}

/** `upsagent config check FILE`: validates and names every problem. */
export async function runConfigCheck(file: string, io: CliIO, opts: { lookup?: HostLookup } = {}): Promise<number> {
  const cfg = await loadConfigOrSay(file, io, { guide: true });
  if (!cfg) return EXIT_CONFIG;
  const { problems, warnings } = await preflight(cfg, { lookup: opts.lookup, strict: true });
  io.err(warningLines(file, warnings));
  if (problems.length) {
    io.err(`${new ConfigError(file, problems).message}\n`);
    return EXIT_CONFIG;
  }
  const upses = Object.keys(cfg.ups);
  const warned = warnings.length ? `; ${warnings.length} warning(s)` : '';
  io.out(`${file}: OK (${upses.length} UPS: ${upses.join(', ')}; ${Object.keys(cfg.users ?? {}).length} user(s)${warned})\n`);
  return 0;
}
