/**
 * `upsagent shutdown-ups [ups]`: NUT's `upsdrvctl shutdown`. The last step of
 * a system's shutdown on power failure: for each UPS, start its driver alone
 * (the agent is no longer running), wait for the device, and send the first
 * shutdown command the UPS supports, so it cuts the load after its delay and
 * (with shutdown.return) powers it again when the mains come back.
 *
 * The commands tried are the UPS's `sdcommands`, else the list NUT's drivers
 * use (drivers/usbhid-ups.c upsdrv_shutdown, then the generic load.off), each
 * only if the UPS lists it, stopping at the first it accepts
 * (drivers/main.c do_loop_shutdown_commands).
 */
import { EventBus } from '../../core/bus';
import type { UpsConfig } from '../../core/config';
import { UpsAgentError, errorMessage } from '../../core/errors';
import { MemoryLogger, type Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import { UpsStore, type UpsView } from '../../core/state';
import { createDriver } from '../../drivers/registry';
import type { DriverDeps } from '../../drivers/types';
import type { CliIO } from '../io';
import { EXIT_CONFIG, loadConfigOrSay } from './config-check';

/** NUT's order: power off and return, reboot, the generic delayed off, stay off; then the immediate off most UPSes have. */
export const DEFAULT_SHUTDOWN_COMMANDS: readonly string[] = ['shutdown.return', 'shutdown.reboot', 'load.off.delay', 'shutdown.stayoff', 'load.off'];

/**
 * The driver's own shutdown (NUT 2.8.1+: upsdrv_shutdown as an instant command): tried first when
 * the UPS lists it (apcsmart's sdtype logic, qx, genericups), then DEFAULT_SHUTDOWN_COMMANDS.
 * In `sdcommands` it stands for that whole sequence.
 */
export const SHUTDOWN_DEFAULT = 'shutdown.default';
const DEFAULT_SEQUENCE: readonly string[] = [SHUTDOWN_DEFAULT, ...DEFAULT_SHUTDOWN_COMMANDS];

/** How long to wait for each UPS's device, by default: a USB UPS may take seconds to enumerate. */
export const DEFAULT_DEVICE_WAIT_MS = 15_000;

/** Driver messages shown when a UPS fails, so the reason (no device, no permission...) is on screen. */
const SHOWN_DRIVER_LINES = 5;

export interface ShutdownUpsOptions {
  config: string;
  /** One UPS of the `ups:` section; default: all of them, in the order written. */
  ups?: string;
  /** Start the drivers and say what would be sent, without sending it. */
  dryRun?: boolean;
  /** Per UPS, how long to wait for its device (ms); default DEFAULT_DEVICE_WAIT_MS. */
  waitMs?: number;
}

/** Builds a driver some other way than from the registry (tests); undefined = the registry's. Same shape as the agent's DriverOverride. */
export type ShutdownDriverFor = (ups: string, cfg: UpsConfig, deps: DriverDeps) => Promise<Module | undefined> | Module | undefined;

export interface ShutdownUpsDeps {
  driverFor?: ShutdownDriverFor;
}

export type ShutdownFailure = 'DRIVER-FAILED' | 'DEVICE-NOT-FOUND' | 'NO-SHUTDOWN-COMMAND' | 'SHUTDOWN-FAILED';

/** Why one UPS could not be told to shut down. */
export class ShutdownError extends UpsAgentError {
  constructor(
    readonly ups: string,
    readonly failure: ShutdownFailure,
    message: string,
  ) {
    super(failure, message);
  }
}

/** The commands to try for a UPS, in order: its sdcommands (with shutdown.default expanded) or the default sequence. */
export function shutdownCommandsFor(cfg: UpsConfig): string[] {
  const configured = cfg.sdcommands as readonly string[] | undefined;
  const wanted = configured ?? DEFAULT_SEQUENCE;
  const out: string[] = [];
  for (const c of wanted) {
    for (const cmd of c.toLowerCase() === SHUTDOWN_DEFAULT ? DEFAULT_SEQUENCE : [c]) {
      if (!out.some((o) => o.toLowerCase() === cmd.toLowerCase())) out.push(cmd);
    }
  }
  return out;
}

export async function runShutdownUps(opts: ShutdownUpsOptions, io: CliIO, deps: ShutdownUpsDeps = {}): Promise<number> {
  const config = await loadConfigOrSay(opts.config, io);
  if (!config) return EXIT_CONFIG;
  const known = Object.keys(config.ups);
  if (known.length === 0) {
    io.err(`${opts.config}: the ups: section is empty; there is no UPS to shut down\n`);
    return EXIT_CONFIG;
  }
  let names = known;
  if (opts.ups !== undefined) {
    // Names are compared as the server compares them (upsd's strcasecmp).
    const match = known.find((n) => n.toLowerCase() === opts.ups!.toLowerCase());
    if (match === undefined) {
      io.err(`${opts.ups} is not a UPS of ${opts.config}; known: ${known.join(', ')}\n`);
      return EXIT_CONFIG;
    }
    names = [match];
  }

  let failed = 0;
  for (const name of names) {
    try {
      await shutdownOne(name, config.ups[name]!, opts, deps, io);
    } catch (err) {
      failed++;
      io.err(`${name}: ${errorMessage(err)}\n`);
    }
  }
  if (names.length > 1 && failed > 0) io.err(`${failed} of ${names.length} UPS(es) could not be told to shut down\n`);
  return failed === 0 ? 0 : 1;
}

/** One UPS: its own bus, store and driver, so nothing is shared with the next one. Throws ShutdownError. */
async function shutdownOne(name: string, cfg: UpsConfig, opts: ShutdownUpsOptions, deps: ShutdownUpsDeps, io: CliIO): Promise<void> {
  const lines: string[] = [];
  const log: Logger = new MemoryLogger(lines, `driver:${name}`);
  const bus = new EventBus(log);
  const store = new UpsStore(bus);
  const driverDeps: DriverDeps = { ups: name, bus, publisher: store.addUps(name, cfg.desc ?? ''), log };
  const view = store.get(name)!;
  const withDriverLines = (err: ShutdownError): ShutdownError => {
    const shown = lines.filter((l) => l.startsWith('error') || l.startsWith('warn')).slice(-SHOWN_DRIVER_LINES);
    return shown.length === 0 ? err : new ShutdownError(name, err.failure, `${err.message}\n${shown.map((l) => `  ${l}`).join('\n')}`);
  };

  let driver: Module;
  try {
    driver = (await deps.driverFor?.(name, cfg, driverDeps)) ?? (await createDriver(cfg, driverDeps));
  } catch (err) {
    throw new ShutdownError(name, 'DRIVER-FAILED', `cannot create its ${cfg.driver} driver: ${errorMessage(err)}`);
  }

  const waitMs = opts.waitMs ?? DEFAULT_DEVICE_WAIT_MS;
  const attach = waitForAttach(bus, view, waitMs);
  try {
    // Not awaited before waiting: a driver may attach during start() or any time after it.
    driver.start().catch((err: unknown) => attach.fail(err));
    const outcome = await attach.done;
    if (outcome !== true) {
      if (outcome !== false) throw new ShutdownError(name, 'DRIVER-FAILED', `its ${cfg.driver} driver failed to start: ${errorMessage(outcome.error)}`);
      throw withDriverLines(
        new ShutdownError(
          name,
          'DEVICE-NOT-FOUND',
          `the device (${cfg.driver} on ${cfg.port}) did not answer within ${formatSeconds(waitMs)}; is it connected, and is no agent still running with it?`,
        ),
      );
    }
    await sendShutdown(name, view, bus, shutdownCommandsFor(cfg), opts.dryRun === true, io);
  } catch (err) {
    throw err instanceof ShutdownError ? err : new ShutdownError(name, 'SHUTDOWN-FAILED', errorMessage(err));
  } finally {
    attach.cancel();
    try {
      await driver.stop();
    } catch (err) {
      io.err(`${name}: stopping its driver failed: ${errorMessage(err)}\n`);
    }
  }
}

/** Tries the candidates the UPS lists, in order, until one is accepted. */
async function sendShutdown(name: string, view: UpsView, bus: EventBus, candidates: readonly string[], dryRun: boolean, io: CliIO): Promise<void> {
  const usable = candidates.filter((c) => view.hasCommand(c));
  if (usable.length === 0) {
    const listed = view.commands();
    throw new ShutdownError(
      name,
      'NO-SHUTDOWN-COMMAND',
      `the UPS supports none of the shutdown commands tried (${candidates.join(', ')}); it lists ${listed.length ? listed.join(', ') : 'no instant commands'}. Set sdcommands for it to choose others`,
    );
  }
  if (dryRun) {
    const rest = usable.slice(1);
    io.out(`${name}: would send ${usable[0]!} (dry run: nothing sent)${rest.length ? `; if the UPS refused it: ${rest.join(', ')}` : ''}\n`);
    return;
  }
  const refused: string[] = [];
  for (const cmd of usable) {
    try {
      await bus.request('ups.instcmd', { ups: name, name: cmd });
    } catch (err) {
      refused.push(`${cmd}: ${errorMessage(err)}`);
      io.err(`${name}: ${cmd} failed: ${errorMessage(err)}\n`);
      continue;
    }
    io.out(`${name}: sent ${cmd}; the UPS accepted it\n`);
    return;
  }
  throw new ShutdownError(name, 'SHUTDOWN-FAILED', `every shutdown command failed (${refused.join('; ')})`);
}

interface AttachWait {
  /** true: attached; false: the wait ran out; otherwise the driver's start failed. */
  done: Promise<true | false | { error: unknown }>;
  fail(err: unknown): void;
  cancel(): void;
}

/** Resolves when the store says the UPS is attached (its device was read), or after `ms`. */
function waitForAttach(bus: EventBus, view: UpsView, ms: number): AttachWait {
  const owner = {};
  let timer: NodeJS.Timeout | undefined;
  let settle: (v: true | false | { error: unknown }) => void = () => undefined;
  const done = new Promise<true | false | { error: unknown }>((resolve) => {
    settle = resolve;
  });
  const cancel = (): void => {
    clearTimeout(timer);
    bus.removeAll(owner);
  };
  void done.then(cancel);
  if (view.health.attached) settle(true);
  else {
    bus.on('driver.attached', owner, (e) => {
      if (e.ups.toLowerCase() === view.name.toLowerCase()) settle(true);
    });
    timer = setTimeout(() => settle(view.health.attached), ms);
  }
  return { done, fail: (error) => settle({ error }), cancel };
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
