/**
 * `upsagent run` with no configuration file at all (and no --config): the
 * automatic run. It looks for UPSes on USB HID until it finds one (saying
 * so in the log now and then), then hands run.ts the automatic
 * configuration (src/app/auto-config.ts) to start as any other; once the
 * agent runs, it keeps looking and adds a UPS plugged in later through the
 * agent's reload (the same per-UPS apply as SIGHUP).
 */
import { join } from 'node:path';
import type { AgentConfig } from '../../app/config';
import type { DriverOverride, RunningAgent } from '../../app/agent';
import { autoConfig, shutdownRuleText, type AutoStatus, type AutoUps } from '../../app/auto-config';
import { autoDir, autoStatusFile, openAutoStatus } from '../../app/auto-status';
import { AutoWatch } from '../../app/auto-watch';
import { errorMessage } from '../../core/errors';
import { createLogger, type Logger, type LogLevel } from '../../core/logger';
import type { ListedHidDevice } from '../../drivers/usbhid/matcher';
import { MONITOR_DEFAULTS } from '../../monitor/config';

/** What tests replace in the automatic run. */
export interface AutoDeps {
  /** The HID device listing (default: the system's, as `upsagent scan`). */
  listHid?: () => Promise<ListedHidDevice[]>;
  scanEveryMs?: number;
  /** Instead of the system's shutdown command (a harmless one in tests). */
  shutdownCommand?: string;
  /** Where the status file (and, not root, the monitor's state file) go. */
  stateDir?: string;
  log?: Logger;
  /** Drivers built another way (fake devices). */
  driverFor?: DriverOverride;
  /** Tests: the agent once it runs. */
  onAgent?: (agent: RunningAgent) => void;
}

export interface AutoSession {
  log: Logger;
  /** null: stopped (SIGINT/SIGTERM) before any UPS was found. */
  config: AgentConfig | null;
  driverFor?: DriverOverride;
  /** From now on UPSes found later are added to `agent`. */
  attach(agent: RunningAgent): void;
  close(): Promise<void>;
}

async function systemHid(): Promise<ListedHidDevice[]> {
  const { listHidDevices } = await import('../../drivers/usbhid/transport/device-list');
  return listHidDevices();
}

function describeUps(u: AutoUps): string {
  return `${u.name} (${u.desc}; ${u.note})`;
}

/**
 * Starts the automatic run: resolves once a UPS is found (with the
 * configuration to start) or once SIGINT/SIGTERM came first (config null).
 */
export async function startAuto(o: { noFileAt: string; logLevel?: LogLevel; deps?: AutoDeps }): Promise<AutoSession> {
  const d = o.deps ?? {};
  const log = d.log ?? createLogger({ level: o.logLevel ?? 'info' });
  const root = process.getuid?.() === 0;
  const dir = d.stateDir ?? autoDir();
  // Root keeps the monitor's usual place; anyone else could not write there.
  const stateFile = d.stateDir !== undefined || !root ? join(dir, 'monitor.json') : undefined;
  const cfgOpts = { stateFile, shutdownCommand: d.shutdownCommand };
  const statusWriter = openAutoStatus(autoStatusFile(dir), dir, (m) => log.debug(`automatic configuration: ${m}`));
  let lastScan: string | null = null;
  let problems: readonly string[] = [];
  let agent: RunningAgent | null = null;

  const watch: AutoWatch = new AutoWatch({
    listHid: d.listHid ?? systemHid,
    log,
    everyMs: d.scanEveryMs,
    async onAdded(all, added) {
      if (!agent) return;
      // A reload restarts the monitor: never in the middle of its shutdown sequence (the look is retried).
      if (agent.monitor?.view().shutdown) throw new Error('the host is shutting down');
      const outcome = await agent.reload(await autoConfig(all, cfgOpts));
      for (const u of added) log.info(`automatic configuration: UPS found: ${describeUps(u)}; now served and watched as primary`);
      for (const p of outcome.problems) log.error(`automatic configuration: ${p}`);
      writeStatus();
    },
    onLook(p) {
      lastScan = new Date().toISOString();
      problems = p;
      writeStatus();
    },
  });
  function writeStatus(): void {
    const s: AutoStatus = {
      mode: 'automatic',
      pid: process.pid,
      noFileAt: o.noFileAt,
      lastScan,
      scanEvery: watch.everyMs / 1000,
      upses: watch.upses.map((u) => ({ name: u.name, desc: u.desc, found: u.note })),
      shutdownRule: shutdownRuleText(),
      stateFile: stateFile ?? MONITOR_DEFAULTS.stateFile,
      problems: [...problems],
    };
    statusWriter.write(s);
  }

  log.info(
    `no configuration file at ${o.noFileAt}: running on an automatic configuration (UPSes found on USB HID, served on this host only, watched as primary; \`upsagent init\` writes it out as a file)`,
  );
  writeStatus();
  // No file to re-read: SIGHUP looks for UPSes at once (and must not end the agent, Node's default).
  const onHup = (): void => {
    log.info('SIGHUP: no configuration file to reload; looking for UPSes now');
    if (agent) void watch.look();
    else wake();
  };
  process.on('SIGHUP', onHup);

  // Until a UPS is found there is nothing to serve nor to watch: no agent, and so no shutdown.
  let stopped = false;
  let wake: () => void = () => undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    log.info(`${sig}: stopping`);
    stopped = true;
    wake();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (;;) {
      await watch.look();
      if (stopped || watch.upses.length > 0) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, watch.everyMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      if (stopped) break;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  const close = async (): Promise<void> => {
    process.off('SIGHUP', onHup);
    await watch.stop();
    statusWriter.close();
  };
  if (stopped) {
    await close();
    return { log, config: null, attach: () => undefined, close: async () => undefined };
  }

  const config = await autoConfig(watch.upses, cfgOpts);
  log.info(`automatic configuration: UPS found: ${watch.upses.map(describeUps).join(', ')}`);
  log.info(`automatic configuration: the host shuts down when ${shutdownRuleText()}`);
  return {
    log,
    config,
    driverFor: d.driverFor,
    attach(a) {
      agent = a;
      writeStatus();
      watch.start();
      try {
        d.onAgent?.(a);
      } catch (err) {
        log.error(`automatic configuration: ${errorMessage(err)}`);
      }
    },
    close,
  };
}
