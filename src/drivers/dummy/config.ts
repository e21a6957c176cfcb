/** The dummy driver's keys in a `ups:` entry (dummy-ups' options). */
import type { DriverSchema, UpsConfig } from '../../core/config';
import { oneOf, optional, type ObjectOf } from '../../core/schema';
import type { RuntimeConfig } from '../runtime/config';

export const DUMMY_OPTIONS = {
  /** `once` (a .dev file, re-read when it changes) or `loop` (a .seq file stepped by TIMER lines); default from the file's extension. */
  mode: optional(oneOf(['once', 'loop'] as const)),
};

export type DummyConfig = UpsConfig & RuntimeConfig & ObjectOf<typeof DUMMY_OPTIONS>;

export const dummySchema: DriverSchema = {
  name: 'dummy',
  options: DUMMY_OPTIONS,
  // dummy-ups reads its file from NUT's configuration folder; ours sits beside the configuration.
  portIsFile: () => true,
};
