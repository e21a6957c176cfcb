/**
 * Privilege separation for `upsagent run` (NUT FAQ: upsmon's split, upsd and
 * the drivers' RUN_AS_USER): decided before anything starts, the helper
 * started while the agent is root, and the drop done once the agent has
 * opened its ports and devices.
 */
import type { Logger } from '../core/logger';
import { becomeAccount, chooseRunAs, type ChooseOptions } from './account';
import type { ShutdownActions } from './actions';
import type { RunConfig } from './config';
import { PrivilegedHelper, type HelperCommand } from './helper-client';

export interface SeparationOptions {
  /** `--user`. */
  cli?: string;
  run?: RunConfig;
  /** The monitor's shutdown settings, when the configuration has a monitor. */
  monitor?: { shutdownCommand: string; powerDownFlag?: string; dryRun: boolean };
  log: Logger;
  /** Tests: the uid to decide for, the account lookups, how to start the helper. */
  uid?: number;
  lookup?: ChooseOptions['lookup'];
  helperCommand?: HelperCommand;
}

export interface Separation {
  /** The helper, for the monitor; undefined when the agent does these itself. */
  readonly actions?: ShutdownActions;
  readonly helperPid?: number;
  /** Becomes the account (a no-op without separation); throws when that fails. */
  drop(): void;
  stop(): Promise<void>;
}

const NONE: Separation = { drop: () => undefined, stop: () => Promise.resolve() };

/** Throws RunAsError when the account asked for cannot be had, PrivilegedHelperError when the helper cannot start. */
export async function prepareSeparation(o: SeparationOptions): Promise<Separation> {
  const choice = chooseRunAs({ cli: o.cli, config: o.run, uid: o.uid ?? process.getuid?.() ?? -1, lookup: o.lookup });
  const { account } = choice;
  if (!account) {
    o.log.debug(choice.reason);
    return NONE;
  }
  // A dry run never runs the command nor writes the flag: nothing needs to stay root.
  const helper =
    o.monitor && !o.monitor.dryRun
      ? await PrivilegedHelper.start({
          setup: { shutdownCommand: o.monitor.shutdownCommand, powerDownFlag: o.monitor.powerDownFlag },
          log: o.log,
          command: o.helperCommand,
        })
      : undefined;
  let dropped = false;
  return {
    actions: helper,
    helperPid: helper?.pid,
    drop() {
      if (dropped) return;
      becomeAccount(account, choice.gid);
      dropped = true;
      const via = helper ? `; the shutdown command and the power-down flag go through the privileged helper (pid ${helper.pid})` : '';
      o.log.info(`${choice.reason} (uid ${account.uid}, gid ${choice.gid})${via}`);
    },
    stop: () => helper?.stop() ?? Promise.resolve(),
  };
}
