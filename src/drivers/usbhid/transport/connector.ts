/**
 * Where the driver gets a transport from, for the first connection and for
 * every reconnect: the device named by `port` (a hidraw node, or `auto` to
 * pick among the listed HID devices), or a recording.
 */
import { HidTransportError, type HidDeviceInfo, type HidTransport } from '../types';
import { describeDevice, matches, sameDevice, selectDevice, type DeviceMatch, type ListedHidDevice } from '../matcher';

export interface HidConnector {
  /** What is connected to, for log lines: `/dev/hidraw0`, `auto`, a file. */
  readonly target: string;
  /**
   * A transport (not yet opened) for the device to use now. `previous` is
   * the device the driver had before a disconnect: only that one will do.
   * Throws HidTransportError (disconnected: true) when no device fits.
   */
  connect(previous?: HidDeviceInfo): Promise<HidTransport>;
}

export interface HidrawConnectorOptions {
  /** `auto` or a hidraw node. */
  port: string;
  match: DeviceMatch;
  list: () => Promise<ListedHidDevice[]>;
  open: (path: string) => HidTransport;
}

/**
 * usbhid-ups matches USB devices and ignores the port; here `port` may name
 * the node. A node chosen by name is used as given at first; after a
 * disconnect the device may come back under another number, so it is
 * looked for among all nodes by its IDs and strings.
 */
export class HidrawConnector implements HidConnector {
  constructor(private readonly opts: HidrawConnectorOptions) {}

  get target(): string {
    return this.opts.port;
  }

  async connect(previous?: HidDeviceInfo): Promise<HidTransport> {
    const { port, match } = this.opts;
    if (port !== 'auto' && !previous) return this.opts.open(port);

    let devices: ListedHidDevice[];
    try {
      devices = await this.opts.list();
    } catch (err) {
      // Without a listing, a named node is still worth trying; the driver checks what it finds there.
      if (port !== 'auto') return this.opts.open(port);
      throw new HidTransportError(`cannot list HID devices: ${err instanceof Error ? err.message : String(err)}`, true);
    }

    if (port !== 'auto') {
      const there = devices.find((d) => d.path === port);
      if (there && previous && sameDevice(previous, there) === undefined) return this.opts.open(port);
      const moved = previous ? devices.find((d) => matches(match, d) && sameDevice(previous, d) === undefined) : undefined;
      if (moved) return this.opts.open(moved.path);
      throw new HidTransportError(`${previous ? describeDevice({ ...previous, path: undefined }) : port} is not present`, true);
    }

    const dev = selectDevice(devices, match, previous);
    if (dev) return this.opts.open(dev.path);
    const what = previous ? describeDevice({ ...previous, path: undefined }) : 'UPS matching the configuration';
    throw new HidTransportError(`no ${what} among ${devices.length} HID device(s)`, true);
  }
}

/** Always the same transport: a recording (reopened after a scripted disconnect) or a test's fake. */
export class FixedConnector implements HidConnector {
  constructor(
    readonly target: string,
    private readonly transport: HidTransport,
  ) {}

  async connect(): Promise<HidTransport> {
    return this.transport;
  }
}
