/**
 * The usbhid driver's entry point for the registry: NUT's usbhid-ups for USB
 * HID Power Devices. `port` is `auto`, a hidraw node, or a recorded dump
 * (nut-ddl / usbhid-ups debug output) to replay: demos and tests run the
 * whole driver without hardware that way.
 */
import { resolve } from 'node:path';
import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import type { DriverDeps } from '../types';
import type { UsbHidConfig } from './config';
import { UsbHidDriver, type MappingLayer, type Timers } from './driver';
import { HidMapper, deviceQuirks, findSubdriverByName, selectSubdriver } from './mapping/index';
import { matchFromConfig } from './matcher';
import { FixedConnector, HidrawConnector, type HidConnector } from './transport/connector';
import { listHidDevices } from './transport/device-list';
import { HidrawTransport } from './transport/hidraw';
import { ReplayTransport, loadHidDump } from './transport/replay';
import { HidTransportError, type HidDeviceInfo, type HidTransport, type HidTransportHandlers } from './types';

/** The vendor tables and mapping engine of src/drivers/usbhid/mapping. */
export const defaultMapping: MappingLayer = {
  selectSubdriver,
  findSubdriver: findSubdriverByName,
  createMapper: (subdriver, descriptor, info, opts) => new HidMapper(subdriver, descriptor, info, opts),
  quirks: deviceQuirks,
};

/** `port` names hardware (`auto`, a /dev node), or else a recording to replay. */
export function isHardwarePort(port: string): boolean {
  return port === 'auto' || port.startsWith('/dev/');
}

/**
 * A recording, loaded when the driver first connects (constructing a
 * driver must not touch files or devices). A recording that cannot be read
 * fails like an absent device: logged, retried.
 */
class LazyReplay implements HidTransport {
  private replay: ReplayTransport | undefined;
  constructor(private readonly file: string) {}
  async open(handlers: HidTransportHandlers): Promise<HidDeviceInfo> {
    if (!this.replay) {
      try {
        this.replay = new ReplayTransport(await loadHidDump(this.file), { source: this.file });
      } catch (err) {
        throw new HidTransportError(err instanceof Error ? err.message : String(err), true);
      }
    }
    return this.replay.open(handlers);
  }
  private get r(): ReplayTransport {
    if (!this.replay) throw new HidTransportError(`${this.file}: not open`, true);
    return this.replay;
  }
  close(): Promise<void> {
    return this.replay?.close() ?? Promise.resolve();
  }
  getReportDescriptor(): Promise<Uint8Array> {
    return this.r.getReportDescriptor();
  }
  getFeatureReport(reportId: number, length: number): Promise<Uint8Array> {
    return this.r.getFeatureReport(reportId, length);
  }
  sendFeatureReport(data: Uint8Array): Promise<void> {
    return this.r.sendFeatureReport(data);
  }
  getString(index: number): Promise<string | undefined> {
    return this.r.getString(index);
  }
}

/** The connector `cfg.port` calls for. */
export function connectorFor(upsCfg: UpsConfig): HidConnector {
  const cfg = upsCfg as UsbHidConfig;
  if (!isHardwarePort(cfg.port)) {
    const file = resolve(cfg.port);
    return new FixedConnector(file, new LazyReplay(file));
  }
  return new HidrawConnector({
    port: cfg.port,
    match: matchFromConfig(cfg),
    list: () => listHidDevices(),
    open: (path) => new HidrawTransport({ path, readInput: cfg.pollonly !== true }),
  });
}

export interface UsbHidFactoryOptions {
  connector?: HidConnector;
  mapping?: MappingLayer;
  timers?: Timers;
  version?: string;
}

/** The registry's entry point. */
export function createUsbHidDriver(cfg: UpsConfig, deps: DriverDeps, opts: UsbHidFactoryOptions = {}): Module {
  return new UsbHidDriver(cfg, deps, {
    connector: opts.connector ?? connectorFor(cfg),
    mapping: opts.mapping ?? defaultMapping,
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.version ? { version: opts.version } : {}),
  });
}

export { UsbHidDriver, DRIVER_NAME, DEFAULT_POLLFREQ, DEFAULT_POLL_INTERVAL, type MappingLayer, type Timers } from './driver';
export { ReplayTransport, loadHidDump, checkDump } from './transport/replay';
export { FixedConnector, HidrawConnector, type HidConnector } from './transport/connector';
