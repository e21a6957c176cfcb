/**
 * The only things the monitor does that need root: run the shutdown command
 * and write (or, at start, clear) the power-down flag. The monitor is given
 * them through this interface, so that with privilege separation they go to
 * the privileged helper while everything else runs as the role account.
 */
import type { Logger } from '../core/logger';
import { clearPowerDownFlag, writePowerDownFlag } from '../monitor/killpower';
import { spawnShell } from '../monitor/notifier';

export interface ShutdownActions {
  /** Runs the shutdown command; its exit code, or null when it could not run or was killed. */
  runShutdown(command: string): Promise<number | null>;
  writeFlag(file: string): Promise<void>;
  /** Removes a flag left by an earlier shutdown (only one with upsmon's magic text). */
  clearFlag(file: string): Promise<unknown>;
  /** Calls back when whoever does these is gone for good (the helper died): a shutdown is impossible now. */
  onLost?(listener: (why: string) => void): void;
}

/** The shutdown command may take its time (it usually returns at once); past this it is reported as hung. */
export const SHUTDOWN_COMMAND_TIMEOUT_MS = 10 * 60_000;

/** Runs the shutdown command under /bin/sh, as upsmon's system() does. */
export async function runShutdownCommand(command: string, log: Logger, timeoutMs = SHUTDOWN_COMMAND_TIMEOUT_MS): Promise<number | null> {
  const r = await spawnShell({ script: command, env: {}, timeoutMs, log }).done;
  if (r.error) log.error(`shutdown command ${JSON.stringify(command)} could not run: ${r.error}`);
  return r.code;
}

/** Everything in this process: no separation (started as an ordinary user, or `run.user: root`). */
export function directActions(log: Logger): ShutdownActions {
  return {
    runShutdown: (command) => runShutdownCommand(command, log),
    writeFlag: (file) => writePowerDownFlag(file),
    clearFlag: (file) => clearPowerDownFlag(file, log),
  };
}
