/** The apcsmart driver's entry point for the registry: NUT's apcsmart for APC Smart protocol UPSes on a serial port. */
import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import { openSerialPort } from '../serial/link';
import type { DriverDeps } from '../types';
import { ApcSmartDriver, type ApcSmartDriverOptions } from './driver';

export function createApcSmartDriver(cfg: UpsConfig, deps: DriverDeps, opts: Partial<ApcSmartDriverOptions> = {}): Module {
  return new ApcSmartDriver(cfg, deps, { openSerial: openSerialPort, ...opts });
}

export { ApcSmartDriver, DRIVER_NAME, DEFAULT_POLL_INTERVAL, type ApcSmartDriverOptions } from './driver';
export { apcsmartSchema, APCSMART_OPTIONS, type ApcSmartConfig } from './config';
