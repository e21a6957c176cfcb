/** The genericups driver's entry point for the registry: NUT's contact-closure driver on a serial port. */
import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import { openSerialPort } from '../serial/link';
import type { DriverDeps } from '../types';
import { GenericUpsDriver, type GenericUpsOptions } from './driver';

export function createGenericUpsDriver(cfg: UpsConfig, deps: DriverDeps, opts: Partial<GenericUpsOptions> = {}): Module {
  return new GenericUpsDriver(cfg, deps, {
    openSerial: opts.openSerial ?? openSerialPort,
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.ring ? { ring: opts.ring } : {}),
  });
}

export { GenericUpsDriver, DRIVER_NAME, GENERICUPS_VERSION, DEFAULT_POLL_INTERVAL, SHUTDOWN_COMMANDS, type GenericUpsOptions } from './driver';
export { CABLES, MAX_UPSTYPE, cableType, listTypes, type CableType } from './cables';
export { procSerialRing, ringFromProcText, PROC_SERIAL, type RingSource } from './ring';
