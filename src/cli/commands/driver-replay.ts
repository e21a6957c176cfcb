import { errorMessage, ParseError } from '../../core/errors';
import type { CliIO } from '../io';

/** The recording could not be read at all (missing file, no permission). */
export const EXIT_UNREADABLE = 1;
/** The file was read but is not a recording the driver can use. */
export const EXIT_INVALID = 2;

/** Drivers that can run over a recording. */
export const REPLAY_DRIVERS = ['usbhid'] as const;

export interface DriverReplayArgs {
  driver: string;
  file: string;
}

/** Timers that never fire: the replay is one connection and one full read, then the output. */
const NO_TIMERS = { setTimeout: () => null, clearTimeout: () => undefined };

/**
 * `upsagent driver replay --driver usbhid FILE`: runs the driver over a
 * recorded device (a usbhid-ups debug dump, as in NUT's device library) in
 * this process, with no server, and prints the variables it publishes the
 * way `upsc` prints them, so anyone can check what a recording gives.
 */
export async function runDriverReplay(args: DriverReplayArgs, io: CliIO): Promise<number> {
  if (!(REPLAY_DRIVERS as readonly string[]).includes(args.driver)) {
    io.err(`upsagent driver replay: the ${args.driver} driver cannot replay recordings; use --driver ${REPLAY_DRIVERS.join(' or ')}\n`);
    return EXIT_INVALID;
  }
  const [{ readFile }, { parseHidDump }, { parseReportDescriptor }, replay, usbhid, { EventBus }, { UpsStore }, { MemoryLogger }, { VERSION }] =
    await Promise.all([
      import('node:fs/promises'),
      import('../../drivers/usbhid/hid/dump'),
      import('../../drivers/usbhid/hid/descriptor'),
      import('../../drivers/usbhid/transport/replay'),
      import('../../drivers/usbhid/index'),
      import('../../core/bus'),
      import('../../core/state'),
      import('../../core/logger'),
      import('../version'),
    ]);

  let text: string;
  try {
    text = await readFile(args.file, 'latin1');
  } catch (err) {
    io.err(`upsagent driver replay: cannot read ${args.file}: ${errorMessage(err)}\n`);
    return EXIT_UNREADABLE;
  }

  let transport: InstanceType<typeof replay.ReplayTransport>;
  try {
    const dump = replay.checkDump(parseHidDump(text, args.file), args.file);
    // Parsed here too so a broken descriptor is named with its byte offset, not retried as a device would be.
    parseReportDescriptor(dump.descriptor as Uint8Array);
    transport = new replay.ReplayTransport(dump, { source: args.file });
  } catch (err) {
    const where = err instanceof ParseError ? '' : `${args.file}: `;
    io.err(`upsagent driver replay: ${where}${errorMessage(err)}\n`);
    return EXIT_INVALID;
  }

  const bus = new EventBus();
  const store = new UpsStore(bus);
  const ups = 'replay';
  const publisher = store.addUps(ups);
  const lines: string[] = [];
  const driver = new usbhid.UsbHidDriver(
    { driver: 'usbhid', port: args.file },
    { ups, bus, publisher, log: new MemoryLogger(lines, 'driver') },
    { connector: new usbhid.FixedConnector(args.file, transport), mapping: usbhid.defaultMapping, timers: NO_TIMERS, version: VERSION },
  );
  await driver.start();
  const state = driver.status();
  if (!state.connected) {
    await driver.stop();
    io.err(`upsagent driver replay: ${args.file}: the driver could not use this recording: ${state.lastError ? errorMessage(state.lastError) : 'unknown error'}\n`);
    return EXIT_INVALID;
  }
  const view = store.get(ups);
  const out = (view?.vars() ?? []).map((v) => `${v.name}: ${v.value}\n`).join('');
  await driver.stop();
  // A damaged line costs that line only; say which were left out, on stderr so the output stays upsc's.
  for (const w of transport.warnings) io.err(`upsagent driver replay: ${args.file}:${w.line}: ${w.message}\n`);
  io.out(out);
  return 0;
}
