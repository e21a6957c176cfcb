import { loadConfig, type AgentConfig } from '../../app/config';
import { ConfigError, errorMessage } from '../../core/errors';
import type { CliIO } from '../io';

/** Exit code for a configuration that is not valid, before anything starts. */
export const EXIT_CONFIG = 2;

/** Loads a configuration for a command; on any problem, prints every one of them and returns null. */
export async function loadConfigOrSay(file: string, io: CliIO): Promise<AgentConfig | null> {
  try {
    return await loadConfig(file);
  } catch (err) {
    io.err(err instanceof ConfigError ? `${err.message}\n` : `${file}: ${errorMessage(err)}\n`);
    return null;
  }
}

/** `upsagent config check FILE`: validates and names every problem. */
export async function runConfigCheck(file: string, io: CliIO): Promise<number> {
  const cfg = await loadConfigOrSay(file, io);
  if (!cfg) return EXIT_CONFIG;
  const upses = Object.keys(cfg.ups);
  io.out(`${file}: OK (${upses.length} UPS: ${upses.join(', ')}; ${Object.keys(cfg.users ?? {}).length} user(s))\n`);
  return 0;
}
