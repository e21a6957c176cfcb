import type { EventBus } from '../core/bus';
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
