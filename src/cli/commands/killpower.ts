/**
 * `upsagent killpower check`: NUT's `upsmon -K`. A halt script asks it, at the
 * very end of the system's shutdown, whether this shutdown was the monitor's
 * doing (the power is failing) and the UPS should now be told to cut the
 * load (`upsagent shutdown-ups`). Exit 0: yes; 1: no; 2: it cannot tell,
 * because no flag file is configured.
 */
import { errorMessage } from '../../core/errors';
import { powerDownFlagStatus, type PowerDownFlagState } from '../../monitor/killpower';
import type { CliIO } from '../io';
import { EXIT_CONFIG, loadConfigOrSay } from './config-check';

export interface KillpowerCheckOptions {
  /** The configuration whose monitor.powerDownFlag names the flag. */
  config: string;
  /** The flag file; when given, the configuration is not read at all. */
  flag?: string;
}

/** Exit code when the flag is not set (absent, foreign or unreadable), as upsmon -K's EXIT_FAILURE. */
export const EXIT_NOT_SET = 1;

/**
 * Finds the flag file and reports its state. With `--flag` the configuration
 * is never opened: late in a shutdown /etc may already be unmounted or the
 * file unreadable, and the question must still be answered.
 */
export async function runKillpowerCheck(opts: KillpowerCheckOptions, io: CliIO): Promise<number> {
  const file = await flagFile(opts, io);
  if (file === null) return EXIT_CONFIG;
  let state: PowerDownFlagState;
  try {
    state = await powerDownFlagStatus(file);
  } catch (err) {
    io.err(`Power down flag is not set: ${errorMessage(err)}\n`);
    return EXIT_NOT_SET;
  }
  switch (state) {
    case 'set':
      io.out(`Power down flag is set (${file})\n`);
      return 0;
    case 'absent':
      io.err(`Power down flag is not set: ${file} does not exist\n`);
      return EXIT_NOT_SET;
    case 'foreign':
      io.err(`Power down flag is not set: ${file} exists but does not contain the upsmon magic string (the monitor did not write it)\n`);
      return EXIT_NOT_SET;
  }
}

/** The flag's path, or null after saying why there is none. */
async function flagFile(opts: KillpowerCheckOptions, io: CliIO): Promise<string | null> {
  if (opts.flag !== undefined) {
    if (opts.flag !== '') return opts.flag;
    io.err('--flag needs the path of the power-down flag file\n');
    return null;
  }
  const cfg = await loadConfigOrSay(opts.config, io);
  if (!cfg) {
    io.err('cannot tell where the power-down flag is; give it with --flag FILE\n');
    return null;
  }
  const flag = cfg.monitor?.powerDownFlag;
  if (flag === undefined) {
    io.err(`${opts.config}: no power-down flag is configured (monitor.powerDownFlag); set it, or give the file with --flag FILE\n`);
    return null;
  }
  return flag;
}
