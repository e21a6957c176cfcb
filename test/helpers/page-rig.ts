/**
 * What the page's browser test and bench/http-page.ts share: headless
 * Debian Chromium (the system's, nothing downloaded; a fresh profile per
 * launch, no background traffic), and an agent serving dummy UPSes from .dev
 * files (their status changed by rewriting the file) with the web page on a
 * free loopback port.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import type { Logger } from '../../src/core/logger';
import { NOTIFY_TYPE_NAMES } from '../../src/monitor/notify-types';
import { BASIC_DEV } from './surface-rig';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** basic.dev plus what the card shows beyond it: a temperature and frequencies. */
export function pageDev(status: string, charge = '100'): string {
  return `${BASIC_DEV.replace(/^ups\.status:.*$/m, `ups.status: ${status}`).replace(/^battery\.charge:.*$/m, `battery.charge: ${charge}`)}ups.temperature: 30.5\ninput.frequency: 50.0\noutput.frequency: 49.9\n`;
}

export const PAGE_USERS = {
  admin: { password: 'page-admin-pass-7Qx', actions: ['set'], instcmds: ['all'] },
  viewer: { password: 'page-viewer-pass-2Lm' },
};

export interface PageAgent {
  agent: RunningAgent;
  base: string;
  setStatus(ups: string, status: string, charge?: string): void;
}

/**
 * Dummy UPSes `names` on `dir/<name>.dev` (re-read every 0.5 s), a dry-run
 * monitor of the first one, the users above, and `http` merged into the
 * http: section (listen defaults to a free loopback port).
 */
export async function startPageAgent(dir: string, names: string[], log: Logger, http: Record<string, unknown> = {}): Promise<PageAgent> {
  const dev = (n: string) => join(dir, `${n}.dev`);
  for (const n of names) writeFileSync(dev(n), pageDev('OL CHRG'));
  const agent = await startAgent({
    config: validateConfig({
      ups: Object.fromEntries(names.map((n) => [n, { driver: 'dummy', port: dev(n), pollInterval: 0.5, desc: `Dummy ${n}` }])),
      server: { listen: ['127.0.0.1:0'] },
      users: PAGE_USERS,
      monitor: { ups: [{ name: names[0]! }], pollFreq: 1, pollFreqAlert: 1, dryRun: true, stateFile: join(dir, 'monitor.json'), notify: { routes: Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['log']])) } },
      http: { listen: ['127.0.0.1:0'], ...http },
    }),
    log,
    version: 'test',
  });
  const end = Date.now() + 15_000;
  while (!names.every((n) => agent.store.get(n)?.health.dumpDone)) {
    if (Date.now() > end) {
      await agent.stop();
      throw new Error('the agent never read its dummy devices');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    agent,
    base: `http://127.0.0.1:${agent.httpAddresses()[0]!.port}`,
    setStatus: (ups, status, charge) => writeFileSync(dev(ups), pageDev(status, charge)),
  };
}
