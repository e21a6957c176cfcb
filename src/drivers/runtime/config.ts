/**
 * Keys every driver takes, because the runtime that polls it reads them.
 * They sit beside driver/port/desc in a `ups:` entry.
 */
import { num, optional, type ObjectOf } from '../../core/schema';

export const RUNTIME_OPTIONS = {
  /** Seconds between polls of the device (NUT: pollinterval; default per driver, 2 for most). */
  pollInterval: optional(num({ min: 0.1, max: 3600 })),
  /** Seconds one device operation (a read, a poll, a write) may take before it counts as failed (default 5). */
  timeout: optional(num({ min: 0.1, max: 600 })),
  /** Polls missed in a row before clients get ERR DATA-STALE (default 1: at once). */
  staleAfter: optional(num({ min: 1, max: 1000, integer: true })),
};

export type RuntimeConfig = ObjectOf<typeof RUNTIME_OPTIONS>;

/** The runtime options a UPS entry sets (seconds to milliseconds); what it leaves out keeps the runtime's default. */
export function runtimeSettings(cfg: RuntimeConfig): { timeoutMs?: number; staleAfter?: number } {
  return {
    ...(cfg.timeout !== undefined ? { timeoutMs: cfg.timeout * 1000 } : {}),
    ...(cfg.staleAfter !== undefined ? { staleAfter: cfg.staleAfter } : {}),
  };
}

