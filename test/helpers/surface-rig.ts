/**
 * What the MQTT and notification tests share: waiting for a condition on
 * real time, and an agent configuration with a dummy UPS on a .dev file
 * (its status changed by rewriting the file) watched by a dry-run monitor
 * whose notifications only go to the log.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTIFY_TYPE_NAMES } from '../../src/monitor/notify-types';

export const BASIC_DEV = readFileSync(join(__dirname, '../fixtures/dummy/basic.dev'), 'utf8');

export async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** basic.dev with another ups.status (and battery.charge). */
export function devWith(status: string, charge = '100'): string {
  return BASIC_DEV.replace(/^ups\.status:.*$/m, `ups.status: ${status}`).replace(/^battery\.charge:.*$/m, `battery.charge: ${charge}`);
}

/** A dummy UPS `u` on `dir/u.dev`; setStatus rewrites the file, which the driver re-reads. */
export function dummyUps(dir: string): { dev: string; setStatus(status: string, charge?: string): void } {
  const dev = join(dir, 'u.dev');
  writeFileSync(dev, BASIC_DEV);
  return { dev, setStatus: (status, charge) => writeFileSync(dev, devWith(status, charge)) };
}

/** ups u, a server on a free loopback port, and a dry-run monitor of u; `extra` adds sections. */
export function watchedDummyConfig(dir: string, dev: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ups: { u: { driver: 'dummy', port: dev, pollInterval: 0.5 } },
    server: { listen: ['127.0.0.1:0'] },
    monitor: { ups: [{ name: 'u' }], pollFreq: 1, dryRun: true, stateFile: join(dir, 'state.json'), notify: { routes: Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['log']])) } },
    ...extra,
  };
}
