/**
 * upsmon's forced shutdown (clients/upsmon.c forceshutdown, sync_secondaries,
 * doshutdown): as primary, raise FSD on the UPSes this host is primary of and
 * wait up to HOSTSYNC for the secondaries to log out; then notify SHUTDOWN,
 * wait FINALDELAY, write the power-down flag and run the shutdown command.
 * Once started it is not called off, as in NUT: FSD is latched on the UPS and
 * the secondaries are already going down.
 */
import { sleepOn, type Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { NotifyType } from './notify-types';

export interface ShutdownTarget {
  readonly name: string;
  setFsd(): Promise<void>;
  otherLogins(): Promise<number | null>;
}

export interface ShutdownSettings {
  hostSyncMs: number;
  finalDelayMs: number;
  shutdownCommand: string;
  powerDownFlag?: string;
  dryRun: boolean;
}

export interface ShutdownDeps {
  clock: Clock;
  log: Logger;
  notify(type: NotifyType, ups: string): void;
  /** The server took FSD for a UPS: upsmon notifies FSD then, once. */
  fsdSet?(ups: string): void;
  /** Runs the shutdown command; resolves with its exit code. */
  runCommand(command: string): Promise<number | null>;
  writeFlag(file: string): Promise<void>;
  /** Each step as it starts, for the monitor's view. */
  step?(step: string): void;
}

/** How often the login count is read during HOSTSYNC (upsmon: every 250 ms). */
export const HOSTSYNC_POLL_MS = 250;

export async function forcedShutdown(primaries: readonly ShutdownTarget[], cfg: ShutdownSettings, deps: ShutdownDeps): Promise<void> {
  const { log } = deps;
  for (const p of primaries) {
    deps.step?.(`setting FSD on ${p.name}`);
    try {
      await p.setFsd();
      log.warn(`forced shutdown (FSD) set on ${p.name}`);
      deps.fsdSet?.(p.name);
    } catch (err) {
      log.error(`setting FSD on ${p.name} failed: ${errorMessage(err)}`);
    }
  }
  if (primaries.length > 0) await syncSecondaries(primaries, cfg, deps);
  await doShutdown(cfg, deps);
}

/** Waits until no other monitor is logged in to any UPS this host is primary of, or HOSTSYNC ran out. */
async function syncSecondaries(primaries: readonly ShutdownTarget[], cfg: ShutdownSettings, deps: ShutdownDeps): Promise<void> {
  const start = deps.clock.now();
  deps.step?.('waiting for the secondaries to log out');
  for (let round = 1; ; round++) {
    let most = 0;
    for (const p of primaries) {
      const n = await p.otherLogins();
      if (n !== null && n > most) most = n;
    }
    if (most === 0) {
      deps.log.info('all secondaries logged out');
      return;
    }
    if (deps.clock.now() - start > cfg.hostSyncMs) {
      deps.log.warn(`host sync timer expired with ${most} secondary monitor(s) still logged in: forcing shutdown`);
      return;
    }
    if (round === 1) deps.notify('SHUTDOWN_HOSTSYNC', '');
    await sleepOn(deps.clock, HOSTSYNC_POLL_MS);
  }
}

async function doShutdown(cfg: ShutdownSettings, deps: ShutdownDeps): Promise<void> {
  const { log } = deps;
  log.error('Executing automatic power-fail shutdown');
  deps.notify('SHUTDOWN', '');
  if (cfg.finalDelayMs > 0) {
    deps.step?.(`final delay of ${cfg.finalDelayMs / 1000} s`);
    await sleepOn(deps.clock, cfg.finalDelayMs);
  }
  if (cfg.dryRun) {
    deps.step?.('dry run: shutdown command not run');
    log.warn(`dry run: would write the power-down flag ${cfg.powerDownFlag ?? '(none configured)'} and run: ${cfg.shutdownCommand}`);
    return;
  }
  if (cfg.powerDownFlag) {
    try {
      await deps.writeFlag(cfg.powerDownFlag);
    } catch (err) {
      log.error(`cannot write the power-down flag ${cfg.powerDownFlag}: ${errorMessage(err)}`);
    }
  }
  deps.step?.('running the shutdown command');
  log.warn(`running the shutdown command: ${cfg.shutdownCommand}`);
  try {
    const code = await deps.runCommand(cfg.shutdownCommand);
    if (code !== 0) log.error(`the shutdown command exited with ${code === null ? 'a signal' : `code ${code}`}: ${cfg.shutdownCommand}`);
  } catch (err) {
    log.error(`cannot run the shutdown command ${cfg.shutdownCommand}: ${errorMessage(err)}`);
  }
  deps.step?.('shutdown command run');
}
