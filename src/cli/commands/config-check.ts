import { loadConfig } from '../../app/config';
import { ConfigError, errorMessage } from '../../core/errors';
import type { CliIO } from '../io';

/** Exit code for a configuration that is not valid, before anything starts. */
export const EXIT_CONFIG = 2;

/** `upsagent config check FILE`: validates and names every problem. */
export async function runConfigCheck(file: string, io: CliIO): Promise<number> {
  try {
    const cfg = await loadConfig(file);
    const upses = Object.keys(cfg.ups);
    io.out(`${file}: OK (${upses.length} UPS: ${upses.join(', ')}; ${Object.keys(cfg.users ?? {}).length} user(s))\n`);
    return 0;
  } catch (err) {
    io.err(err instanceof ConfigError ? `${err.message}\n` : `${file}: ${errorMessage(err)}\n`);
    return EXIT_CONFIG;
  }
}
