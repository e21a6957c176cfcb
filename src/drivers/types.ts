import type { EventBus, InstCmdRequest, SetVarRequest } from '../core/bus';
import type { UpsConfig } from '../core/config';
import type { Logger } from '../core/logger';
import type { Module } from '../core/module';
import type { UpsPublisher } from '../core/state';

/** What every driver is given: it publishes through `publisher` and answers requests on `bus`. */
export interface DriverDeps {
  /** The UPS name as clients see it; requests on the bus are addressed to it. */
  ups: string;
  bus: EventBus;
  publisher: UpsPublisher;
  log: Logger;
  /** Milliseconds since the epoch; tests pass a fake one. Defaults to Date.now. */
  clock?: () => number;
}

/** Builds a driver module from its configuration entry. Constructing must not touch the device. */
export type DriverFactory = (cfg: UpsConfig, deps: DriverDeps) => Module;

/** How a driver answers the requests the server sends it through the bus. */
export interface DriverRequestHandlers {
  setVar(req: SetVarRequest): Promise<void> | void;
  instCmd(req: InstCmdRequest): Promise<void> | void;
}

/**
 * The start of every driver's life: state `starting`, and the one SET VAR
 * and INSTCMD handler for its UPS registered under `owner`. The UPS is
 * attached in the store (the server stops answering DRIVER-NOT-CONNECTED)
 * by the runtime, when the device is first seen.
 */
export function attachDriver(deps: DriverDeps, owner: object, handlers: DriverRequestHandlers): void {
  deps.publisher.setDriverState('starting');
  deps.bus.handle('ups.setvar', deps.ups, owner, (req) => handlers.setVar(req));
  deps.bus.handle('ups.instcmd', deps.ups, owner, (req) => handlers.instCmd(req));
}

/** The end: handlers gone, state `disconnected`, detached (the store drops the UPS's data). */
export function detachDriver(deps: DriverDeps, owner: object): void {
  deps.bus.removeAll(owner);
  deps.publisher.setDriverState('disconnected');
  deps.publisher.setAttached(false);
}

/** What starting and stopping needs of a driver built on the shared runtime. */
export interface RuntimeBacked {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The start every runtime-backed driver makes: its request handlers, its
 * driver.* variables, then the runtime (which resolves after the first
 * attempt to open the device, bounded by its deadline).
 */
export async function startOnRuntime(deps: DriverDeps, owner: object, handlers: DriverRequestHandlers, publishInfo: () => void, runtime: RuntimeBacked): Promise<void> {
  attachDriver(deps, owner, handlers);
  publishInfo();
  await runtime.start();
}

/** And its stop: no more requests, the device closed (a read in flight publishes nothing), then detached. */
export async function stopOnRuntime(deps: DriverDeps, owner: object, runtime: RuntimeBacked): Promise<void> {
  deps.bus.removeAll(owner);
  await runtime.stop();
  detachDriver(deps, owner);
}

/**
 * A runtime-backed driver's start and stop, each done once however often they are called
 * (a start while started, or a stop while stopped, does nothing): the Module side every such
 * driver has. `running` says whether it is started, for device callbacks that must publish
 * nothing after a stop.
 */
export class RuntimeLifecycle {
  private started = false;

  constructor(
    private readonly deps: DriverDeps,
    private readonly owner: object,
    private readonly handlers: DriverRequestHandlers,
    private readonly publishInfo: () => void,
    private readonly runtime: RuntimeBacked,
  ) {}

  get running(): boolean {
    return this.started;
  }

  /** `first` runs once, before the handlers are attached (a driver's start-up log line). */
  async start(first?: () => void): Promise<void> {
    if (this.started) return;
    this.started = true;
    first?.();
    await startOnRuntime(this.deps, this.owner, this.handlers, this.publishInfo, this.runtime);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await stopOnRuntime(this.deps, this.owner, this.runtime);
  }
}

/** What a USB device says of itself before it is opened: what NUT's matchers and `upsagent scan` look at. */
export interface UsbIdentity {
  vendorId: number;
  productId: number;
  /** iManufacturer / iProduct / iSerialNumber strings, when the device has them. */
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** NUT's Bus: the bus number as three digits ("001"). */
  bus: string;
  /** NUT's Device: the device address as three digits ("004"). */
  device: string;
}
