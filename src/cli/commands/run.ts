import type { AgentConfig } from '../../app/config';
import { parseListen, SERVER_DEFAULTS } from '../../server/config';
import { ConfigError, errorMessage } from '../../core/errors';
import { hostProblem, type HostLookup } from '../../core/config';
import { processIO, type CliIO } from '../io';
import { createLogger, type LogLevel } from '../../core/logger';
import { VERSION } from '../version';
import { EXIT_CONFIG, loadConfigOrSay, preflight, warningLines } from './config-check';

export interface RunOptions {
  config: string;
  demo: boolean;
  listen?: string[];
  logLevel?: LogLevel;
  /** Resolves host names before the start (tests give a fake). */
  lookup?: HostLookup;
  /** `--user`: the account to run as once ports and devices are open (overrides run.user). */
  user?: string;
  /** `--pid-file`: where `upsagent reload` finds this process (default: /run/upsagent/upsagent.pid for root with the default configuration). */
  pidFile?: string;
  /** No configuration file at the default path and no --config: the automatic run (./auto-run.ts); its test seams. */
  auto?: boolean | import('./auto-run').AutoDeps;
}

/**
 * `upsagent run`: loads and validates the configuration (exit 2 on any
 * problem, before anything starts), starts the agent and runs until SIGINT or
 * SIGTERM.
 */
export async function runAgent(opts: RunOptions, io: CliIO = processIO()): Promise<number> {
  let config: AgentConfig;
  let demo: Awaited<ReturnType<typeof loadDemo>> | undefined;
  let auto: import('./auto-run').AutoSession | undefined;
  if (opts.demo) {
    demo = await loadDemo();
    config = demo.config;
  } else if (opts.auto) {
    auto = await (await import('./auto-run')).startAuto({ noFileAt: opts.config, logLevel: opts.logLevel, deps: opts.auto === true ? {} : opts.auto });
    if (!auto.config) return 0;
    config = auto.config;
  } else {
    const loaded = await loadConfigOrSay(opts.config, io, { guide: true });
    if (!loaded) return EXIT_CONFIG;
    config = loaded;
  }
  try {
    if (opts.listen?.length) {
      for (const l of opts.listen) {
        const r = parseListen(l);
        const bad = typeof r === 'string' ? r : hostProblem(r.host);
        if (bad) throw new ConfigError('--listen', [{ path: '--listen', message: bad }]);
      }
      config = { ...config, server: { ...config.server!, listen: opts.listen } };
    }
  } catch (err) {
    io.err(err instanceof ConfigError ? `${err.message}\n` : `${errorMessage(err)}\n`);
    return EXIT_CONFIG;
  }
  // Before anything starts: a listen name that does not resolve would only fail at bind.
  const file = opts.demo ? '--demo' : auto ? '<automatic configuration>' : opts.config;
  const checked = await preflight(config, { lookup: opts.lookup, strict: false });
  io.err(warningLines(file, checked.warnings));
  if (checked.problems.length) {
    io.err(`${new ConfigError(file, checked.problems).message}\n`);
    await auto?.close();
    return EXIT_CONFIG;
  }

  const log = auto?.log ?? createLogger({ level: opts.logLevel ?? config.log?.level ?? 'info', file: config.log?.file });
  const { startAgent } = await import('../../app/agent');
  const { prepareSeparation } = await import('../../privilege/separate');
  // SIGHUP re-reads the file (src/app/reload-control.ts); from now on, so that one during the start does not end the agent.
  const { startReloadControl, DEFAULT_PID_FILE } = await import('../../app/reload-control');
  const { DEFAULT_CONFIG_PATH } = await import('../../core/config');
  const defaultPid = opts.config === DEFAULT_CONFIG_PATH && process.getuid?.() === 0 ? DEFAULT_PID_FILE : undefined;
  const control = opts.demo || auto
    ? undefined
    : startReloadControl({
        file: opts.config,
        log: log.child('reload'),
        pidFile: opts.pidFile ?? defaultPid,
        lookup: opts.lookup,
        adjust: (c) => (opts.listen?.length ? { ...c, server: { ...c.server!, listen: opts.listen } } : c),
      });
  let agent;
  let separation;
  // A SIGTERM/SIGINT while the agent starts (its server may already answer) is kept and acted on
  // once it has started, so it stops cleanly instead of dying of the signal half-way.
  let stopAsked: NodeJS.Signals | undefined;
  const askStop = (sig: NodeJS.Signals): void => {
    stopAsked ??= sig;
  };
  process.on('SIGINT', askStop);
  process.on('SIGTERM', askStop);
  try {
    // The privileged helper is started while this is still root; the drop comes once ports and devices are open.
    separation = await prepareSeparation({ cli: opts.user, run: config.run, monitor: config.monitor, log: log.child('privilege') });
    const sep = separation;
    agent = await startAgent({
      config,
      log,
      version: VERSION,
      driverFor: demo?.driverFor ?? auto?.driverFor,
      monitorDeps: sep.actions ? { actions: sep.actions } : undefined,
      onOpened: () => sep.drop(),
    });
  } catch (err) {
    log.error(`cannot start: ${errorMessage(err)}`);
    process.off('SIGINT', askStop);
    process.off('SIGTERM', askStop);
    control?.close();
    await auto?.close();
    await separation?.stop();
    return 1;
  }
  const helper = separation;
  control?.attach(agent);
  auto?.attach(agent);
  const stopAgent = async (): Promise<void> => {
    control?.close();
    await auto?.close();
    process.off('SIGHUP', demoHup);
    try {
      await agent.stop();
    } finally {
      await helper.stop();
    }
  };
  if (opts.demo) log.info('demo mode: a simulated UPS; try `upsc -l 127.0.0.1` or `upsagent status`');
  // Without a file there is nothing to re-read; SIGHUP must not end the demo either.
  const demoHup = (): void => log.info('SIGHUP: the demo has no configuration file to reload');
  if (opts.demo) process.on('SIGHUP', demoHup);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${sig}: stopping`);
      stopAgent().then(
        () => resolve(0),
        (err: unknown) => {
          log.error(`stop failed: ${errorMessage(err)}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.off('SIGINT', askStop);
    process.off('SIGTERM', askStop);
    if (stopAsked) onSignal(stopAsked);
    // A host that only watches other servers is done once its shutdown sequence is (upsmon exits then).
    void agent.finished.then(async () => {
      if (stopping) return;
      stopping = true;
      await stopAgent().catch(() => undefined);
      resolve(0);
    });
  });
}

/**
 * The embedded demo: one simulated UPS on the default loopback addresses, no
 * users (read-only), watched by the monitor in dry run: its power failures
 * go through the whole shutdown sequence, and the command is only logged.
 */
async function loadDemo() {
  const { demoSetup } = await import('../../drivers/dummy/demo');
  const { validateConfig } = await import('../../app/config');
  const { DEMO_STATE_FILE } = await import('./status');
  const { NOTIFY_TYPE_NAMES } = await import('../../monitor/notify-types');
  const setup = demoSetup();
  const monitored = validateConfig({
    ups: { [setup.name]: { driver: 'dummy', port: 'demo.seq' } },
    monitor: {
      ups: [{ name: setup.name, role: 'primary' }],
      dryRun: true,
      stateFile: DEMO_STATE_FILE,
      // The log only: a demo must not write on every terminal of the machine (wall).
      notify: { routes: Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['log']])) },
    },
  });
  const config: AgentConfig = {
    ups: { [setup.name]: setup.config },
    server: SERVER_DEFAULTS,
    users: {},
    log: { level: 'info' },
    monitor: monitored.monitor,
  };
  return { config, driverFor: setup.driverFor };
}
