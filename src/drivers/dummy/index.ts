import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import type { DriverDeps } from '../types';
import { DummyDriver } from './driver';

/** The registry's entry point: a dummy driver reading the file named by `port`. */
export function createDummyDriver(cfg: UpsConfig, deps: DriverDeps): Module {
  return new DummyDriver(cfg, deps);
}

export { DummyDriver, resolveMode, DEFAULT_POLL_INTERVAL, type DummyMode, type DummyOptions } from './driver';
export { FileSource, MemorySource, type DummySource } from './source';
export { parseDevFile, declarationsOf, formatWarning, type DevFile, type DevStep, type DevVar, type DevWarning, type RwDeclaration } from './devfile';
