/**
 * The whole configuration schema, composed from the schemas each module
 * declares beside its code: drivers (src/drivers/registry.ts), the NUT
 * server (src/server/config.ts), users and logging (core). This is the only
 * place that knows which sections exist.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  logSchema,
  loadWith,
  parseWith,
  upsEntrySchema,
  upsSectionSchema,
  usersSchema,
  validateWith,
  type LogConfig,
  type UpsConfig,
  type UserConfig,
} from '../core/config';
import { obj } from '../core/schema';
import { COMMON_DRIVER_OPTIONS, DRIVERS } from '../drivers/registry';
import { serverSectionSchema, type ServerConfig } from '../server/config';

export interface AgentConfig {
  ups: Record<string, UpsConfig>;
  server?: ServerConfig;
  users?: Record<string, UserConfig>;
  log?: LogConfig;
}

export const configSchema = obj({
  ups: upsSectionSchema(
    upsEntrySchema(
      COMMON_DRIVER_OPTIONS,
      DRIVERS.map((d) => d.schema),
    ),
  ),
  server: serverSectionSchema,
  users: usersSchema,
  log: logSchema,
});

/** Validates a parsed document; throws ConfigError listing every problem. */
export function validateConfig(doc: unknown, file = '<config>'): AgentConfig {
  return validateWith(configSchema, doc, file);
}

/** Parses YAML text and validates it. */
export function parseConfig(text: string, file = '<config>'): Promise<AgentConfig> {
  return parseWith(configSchema, text, file);
}

/**
 * Reads and validates a file. A device file named relatively (a dummy
 * .dev/.seq, a usbhid recording) is found beside the configuration, as
 * dummy-ups finds its file in NUT's configuration folder; not relative to
 * wherever the agent was started.
 */
export async function loadConfig(file: string): Promise<AgentConfig> {
  const cfg = await loadWith(configSchema, file);
  for (const ups of Object.values(cfg.ups)) {
    const spec = DRIVERS.find((d) => d.schema.name === ups.driver);
    if (spec?.schema.portIsFile?.(ups) && !isAbsolute(ups.port)) ups.port = resolve(dirname(resolve(file)), ups.port);
  }
  return cfg;
}

export type { UpsConfig, UserConfig, ServerConfig };
