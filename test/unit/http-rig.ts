/**
 * A running agent with the HTTP listener for the http-* tests: dummy UPSes
 * on .dev files (declarations applied, so enums, ranges and commands come
 * from the file), the NUT server and the web listener on ephemeral loopback
 * ports, a MemoryLogger, and small fetch helpers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { DummyDriver } from '../../src/drivers/dummy';

export const DEV = readFileSync(join(__dirname, '../fixtures/dummy/basic.dev'), 'utf8');

export const PASSWORDS = { admin: 'admin-pass-Z9q', viewer: 'viewer-pass-K3x', cmdonly: 'cmd-pass-P7w', mon: 'mon-pass-R2d' } as const;
export const TOKEN = 'fixed-token-0123456789abcdefghij';

export const USERS = {
  admin: { password: PASSWORDS.admin, actions: ['set', 'fsd'], instcmds: ['all'] },
  viewer: { password: PASSWORDS.viewer },
  cmdonly: { password: PASSWORDS.cmdonly, instcmds: ['beeper.disable'] },
  mon: { password: PASSWORDS.mon, upsmon: 'secondary' },
};

/** A monitor watching u, fast and harmless: polls every second, dry run, notifications only logged. */
export const MONITOR = {
  ups: [{ name: 'u' }],
  pollFreq: 1,
  pollFreqAlert: 1,
  shutdownCommand: 'true',
  dryRun: true,
  notify: { routes: { ONBATT: ['log'], ONLINE: ['log'] } },
};

export function devWith(status: string, extra = ''): string {
  return DEV.replace(/^ups\.status:.*$/m, `ups.status: ${status}`) + extra;
}

export interface Rig {
  agent: RunningAgent;
  base: string;
  log: MemoryLogger;
  dir: string;
  devFile(ups: string): string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  send(method: string, path: string, opts?: { headers?: Record<string, string>; body?: string | Buffer; json?: unknown }): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

export function basic(user: keyof typeof PASSWORDS, password: string = PASSWORDS[user]): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function startRig(opts: { upses?: string[]; http?: Record<string, unknown>; monitor?: Record<string, unknown>; server?: Record<string, unknown> } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-http-'));
  const upses = opts.upses ?? ['u'];
  const ups: Record<string, unknown> = {};
  for (const name of upses) {
    const file = join(dir, `${name}.dev`);
    writeFileSync(file, DEV);
    ups[name] = { driver: 'dummy', port: file, pollInterval: 1, desc: `UPS ${name}` };
  }
  const log = new MemoryLogger();
  const config = validateConfig({
    ups,
    server: { listen: ['127.0.0.1:0'], ...opts.server },
    users: USERS,
    http: { listen: ['127.0.0.1:0'], ...opts.http },
    // The state file in the test's folder: the default (/var/lib/upsagent) is the machine's.
    ...(opts.monitor ? { monitor: { stateFile: join(dir, 'monitor.json'), ...opts.monitor } } : {}),
  });
  const agent = await startAgent({ config, log, version: 'test', driverFor: (_ups, cfg, deps) => new DummyDriver(cfg, deps, { declarations: 'apply' }) });
  const addr = agent.httpAddresses()[0]!;
  const base = `http://127.0.0.1:${addr.port}`;
  const call = async (method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer; json?: unknown } = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    let body = o.body;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    const r = await fetch(base + path, { method, headers, body });
    const text = await r.text();
    return { status: r.status, body: parse(text), text, headers: r.headers };
  };
  await until('the first read', () => upses.every((u) => agent.store.get(u)?.health.dumpDone === true));
  return {
    agent,
    base,
    log,
    dir,
    devFile: (u) => join(dir, `${u}.dev`),
    get: (path, headers) => call('GET', path, { headers }),
    send: call,
    async stop() {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A request as curl makes it: plain node:http, no Sec-Fetch-* headers (Node's fetch sends Sec-Fetch-Mode: cors). */
export function curlLike(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}
