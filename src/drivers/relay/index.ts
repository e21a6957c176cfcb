import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import type { DriverDeps } from '../types';
import { RelayDriver } from './driver';

/** The registry's entry point: a relay of the UPS named by `port` (ups@host[:port]). */
export function createRelayDriver(cfg: UpsConfig, deps: DriverDeps): Module {
  return new RelayDriver(cfg, deps);
}

export { RelayDriver, DEFAULT_POLL_INTERVAL, DEFAULT_POLLFREQ, type RelayOptions } from './driver';
export { relaySchema, relayTarget, isRelayPort, RELAY_OPTIONS, type RelayConfig } from './config';
export { connectNut, type UpstreamClient, type UpstreamConnect } from './upstream';
