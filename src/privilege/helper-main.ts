/**
 * `upsagent privileged-helper`: the helper process itself, started by the
 * agent (never by hand) with its stdin and stdout as the pipe to the agent.
 * It logs to stderr, which it shares with the agent.
 */
import { createLogger } from '../core/logger';
import { writePowerDownFlag, clearPowerDownFlag } from '../monitor/killpower';
import { runShutdownCommand } from './actions';
import { runPrivilegedHelper } from './helper';

export async function runHelperProcess(): Promise<number> {
  const log = createLogger({ level: 'info' }).child('privileged-helper');
  // Ctrl-C in a terminal reaches the whole process group; the agent decides when to stop, by closing the pipe.
  process.on('SIGINT', () => undefined);
  return runPrivilegedHelper({
    input: process.stdin,
    output: process.stdout,
    log,
    actions: (timeoutMs) => ({
      runShutdown: (command) => runShutdownCommand(command, log, timeoutMs),
      writeFlag: (file) => writePowerDownFlag(file),
      clearFlag: (file) => clearPowerDownFlag(file, log),
    }),
  });
}
