/**
 * `upsagent reload`: as `upsd -c reload`, signals the running agent to re-read
 * its configuration (SIGHUP). The file is checked here first, with the code
 * `run` uses: a file with problems is not sent at all, every problem is
 * printed, and the exit code is 2. Otherwise the agent is signalled and its
 * outcome (what changed, what only a restart applies, what failed) is read
 * from the file it writes beside its pid file, and printed.
 */
import { processAlive } from '../../core/process-alive';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DEFAULT_PID_FILE, loadForReload, outcomeFileFor, type OutcomeRecord } from '../../app/reload-control';
import { errorMessage } from '../../core/errors';
import type { HostLookup } from '../../core/config';
import type { CliIO } from '../io';
import { EXIT_CONFIG } from './config-check';

export interface ReloadOptions {
  config: string;
  pidFile?: string;
  pid?: number;
  /** Seconds to wait for the agent's outcome. */
  waitS?: number;
  lookup?: HostLookup;
  /** Tests: how the pid of upsagent.service is asked of systemd. */
  systemdMainPid?: () => number | undefined;
}

/** upsagent.service's main pid, when systemd runs it; undefined otherwise. */
function systemdMainPid(): number | undefined {
  try {
    const out = execFileSync('systemctl', ['show', '--property', 'MainPID', '--value', 'upsagent.service'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = Number.parseInt(out.trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function readOutcome(file: string): OutcomeRecord | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as OutcomeRecord;
  } catch {
    return null;
  }
}

/** The process is there and is an `upsagent run` (a stale pid file may name another process now). */
function isAgent(pid: number): string | null {
  if (!processAlive(pid)) return `no process ${pid} (a stale pid file?)`;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!args.includes('run')) return `process ${pid} is not \`upsagent run\` (${args.filter(Boolean).join(' ')})`;
  } catch {
    // no /proc: trust the pid file
  }
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runReload(o: ReloadOptions, io: CliIO): Promise<number> {
  const loaded = await loadForReload(o.config, { lookup: o.lookup });
  if (!loaded.config) {
    for (const p of loaded.problems) io.err(`${p}\n`);
    io.err(`${o.config}: ${loaded.problems.length} problem(s); the agent was not signalled and keeps its configuration\n`);
    return EXIT_CONFIG;
  }
  const pidFile = o.pidFile ?? DEFAULT_PID_FILE;
  let pid = o.pid;
  let viaSystemd = false;
  if (pid === undefined) {
    try {
      pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    } catch (err) {
      // The installed service without a pid file (a unit without RuntimeDirectory=): systemd knows its pid.
      const main = o.pidFile === undefined ? (o.systemdMainPid ?? systemdMainPid)() : undefined;
      if (main === undefined) {
        io.err(`cannot read the pid file ${pidFile} (${errorMessage(err)}): is the agent running? Name its file with --pid-file, or its pid with --pid\n`);
        return 1;
      }
      pid = main;
      viaSystemd = true;
    }
    if (!Number.isInteger(pid) || pid <= 0) {
      io.err(`${pidFile} does not hold a pid\n`);
      return 1;
    }
  }
  const notAgent = isAgent(pid);
  if (notAgent) {
    io.err(`${notAgent}\n`);
    return 1;
  }
  // The outcome file is only known from a pid file; with --pid alone there is nothing to wait for.
  const outcomeFile = !viaSystemd && (o.pid === undefined || o.pidFile) ? outcomeFileFor(pidFile) : undefined;
  const before = outcomeFile ? readOutcome(outcomeFile) : null;
  const waitable = before !== null && before.pid === pid;
  try {
    process.kill(pid, 'SIGHUP');
  } catch (err) {
    io.err(`cannot signal process ${pid}: ${errorMessage(err)}\n`);
    return 1;
  }
  if (!waitable || !outcomeFile) {
    io.out(`sent SIGHUP to the agent (pid ${pid}); its log says what changed${viaSystemd ? ' (journalctl -u upsagent)' : ''}\n`);
    return 0;
  }
  const deadline = Date.now() + (o.waitS ?? 15) * 1000;
  let got: OutcomeRecord | null = null;
  while (Date.now() < deadline) {
    await sleep(100);
    const now = readOutcome(outcomeFile);
    if (now && now.pid === pid && now.seq > before.seq) {
      got = now;
      break;
    }
  }
  if (!got) {
    io.err(`sent SIGHUP to the agent (pid ${pid}), but it said nothing within ${o.waitS ?? 15} s; see its log\n`);
    return 1;
  }
  if (!got.applied) {
    for (const p of got.problems) io.err(`${p}\n`);
    io.err(`the agent refused the reload; it keeps running its configuration\n`);
    return EXIT_CONFIG;
  }
  const changes = got.changes.length ? got.changes : ['nothing changed'];
  for (const c of changes) io.out(`${c}\n`);
  for (const n of got.needsRestart) io.err(`needs a restart: ${n}\n`);
  for (const p of got.problems) io.err(`failed: ${p}\n`);
  io.out(`reloaded (pid ${pid})\n`);
  return got.problems.length ? 1 : 0;
}
