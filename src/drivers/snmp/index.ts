/** The snmp driver's entry point for the registry: NUT's snmp-ups for UPS management cards on the network. */
import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import type { DriverDeps } from '../types';
import { SnmpDriver, type SnmpDriverOptions } from './driver';
import { NetSnmpTransport } from './net-snmp-transport';

export function createSnmpDriver(cfg: UpsConfig, deps: DriverDeps, opts: Partial<SnmpDriverOptions> = {}): Module {
  return new SnmpDriver(cfg, deps, { createTransport: (o) => new NetSnmpTransport(o), ...opts });
}

export { SnmpDriver, DRIVER_NAME, type SnmpDriverOptions } from './driver';
export { snmpSchema, SNMP_OPTIONS, type SnmpConfig } from './config';
export { MIB2NUT, mibNames } from './mibs/index';
export type { SnmpTransport, SnmpValue, SnmpVarbind } from './transport';
