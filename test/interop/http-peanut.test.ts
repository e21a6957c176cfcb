/**
 * The PeaNUT-shaped endpoints against what PeaNUT itself would answer: the
 * REAL upsd 2.8.0 + dummy-ups serve a .dev file, and the answers PeaNUT builds
 * from upsd (its getData: LIST VAR, then GET TYPE for each variable, a value
 * becomes a number when the type says NUMBER and `+value` is a number; getVar
 * is GET VAR's string; the type route is GET TYPE's words; commands are
 * LIST CMD; rwvars LIST RW) are computed here with a NUT client. upsagent
 * serves the same file; its /api/v1/devices... must answer the same, but for
 * the driver.* variables, which name the driver's own version and options.
 * Then a SET made over HTTP is what the real upsc reads from our NUT server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { NutClient } from '../../src/client';
import { MemoryLogger } from '../../src/core/logger';
import { startRealNut, UPSC, type RealNut } from '../helpers/real-nut';

const FILE = resolve(__dirname, '../fixtures/sidebyside/rack.dev');
const AUTH = { authorization: `Basic ${Buffer.from('admin:sekret-http').toString('base64')}` };

let nut: RealNut;
let agent: RunningAgent;
let base: string;
let dir: string;

before(async () => {
  nut = await startRealNut({ devices: { u: { file: FILE } }, users: { admin: { password: 'sekret-http', actions: ['SET'], instcmds: ['ALL'] } } });
  dir = mkdtempSync(join(tmpdir(), 'upsagent-http-peanut-'));
  copyFileSync(FILE, join(dir, 'u.dev'));
  agent = await startAgent({
    config: validateConfig({
      ups: { u: { driver: 'dummy', port: join(dir, 'u.dev') } },
      server: { listen: ['127.0.0.1:0'] },
      users: { admin: { password: 'sekret-http', actions: ['set'], instcmds: ['all'] } },
      http: { listen: ['127.0.0.1:0'] },
    }),
    log: new MemoryLogger(),
    version: 'test',
  });
  base = `http://127.0.0.1:${agent.httpAddresses()[0]!.port}`;
  const end = Date.now() + 10_000;
  while (!agent.store.get('u')?.health.dumpDone) {
    if (Date.now() > end) throw new Error('the agent never read its device');
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  await agent?.stop();
  await nut?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function ours(path: string): Promise<unknown> {
  const r = await fetch(base + path);
  assert.equal(r.status, 200, path);
  return (await r.json()) as unknown;
}

function withoutDriverVars<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('driver.')));
}

async function withRealUpsd<T>(fn: (c: NutClient) => Promise<T>): Promise<T> {
  const c = await NutClient.connect({ host: '127.0.0.1', port: nut.port });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

test('GET /api/v1/devices/{ups} and /vars: what PeaNUT builds from the real upsd, value for value and type for type', async () => {
  const peanut = await withRealUpsd(async (c) => {
    const out: Record<string, string | number> = {};
    for (const [name, value] of await c.listVars('u')) {
      const type = (await c.getType('u', name)).join(' ');
      out[name] = type.includes('NUMBER') && !Number.isNaN(+value) ? +value : value;
    }
    return out;
  });
  assert.ok(Object.keys(peanut).length > 15);
  assert.deepEqual(withoutDriverVars((await ours('/api/v1/devices/u')) as Record<string, string | number>), withoutDriverVars(peanut));
  assert.deepEqual(withoutDriverVars((await ours('/api/v1/devices/u/vars')) as Record<string, string | number>), withoutDriverVars(peanut));
  const list = (await ours('/api/v1/devices')) as Array<Record<string, string | number>>;
  assert.deepEqual(withoutDriverVars(list[0]!), withoutDriverVars(peanut));
});

test('var, var type, commands and rwvars: as PeaNUT reads them from the real upsd', async () => {
  const real = await withRealUpsd(async (c) => {
    const names = (await c.listVars('u')).map(([n]) => n).filter((n) => !n.startsWith('driver.'));
    const values: Record<string, string> = {};
    const types: Record<string, string> = {};
    for (const n of names) {
      values[n] = await c.getVar('u', n);
      types[n] = (await c.getType('u', n)).join(' ');
    }
    return { names, values, types, commands: await c.listCmd('u'), rw: (await c.listRw('u')).map(([n]) => n) };
  });
  for (const n of real.names) {
    assert.equal(await ours(`/api/v1/devices/u/var/${n}`), real.values[n], n);
    assert.equal(await ours(`/api/v1/devices/u/var/${n}/type`), real.types[n], `${n} type`);
  }
  assert.deepEqual(await ours('/api/v1/devices/u/commands'), real.commands);
  assert.deepEqual(((await ours('/api/v1/devices/u/rwvars')) as string[]).filter((n) => !n.startsWith('driver.')), real.rw.filter((n) => !n.startsWith('driver.')));
});

test('a SET made over HTTP is what the real upsc then reads from our NUT server', async () => {
  const r = await fetch(`${base}/api/v1/devices/u/var/ups.delay.shutdown`, { method: 'POST', headers: { ...AUTH, 'content-type': 'text/plain' }, body: '45' });
  assert.equal(r.status, 200);
  assert.equal(await r.json(), 'Variable ups.delay.shutdown on device u saved successfully');
  const port = agent.addresses()[0]!.port;
  const out = await new Promise<string>((res, rej) => execFile(UPSC, [`u@127.0.0.1:${port}`, 'ups.delay.shutdown'], { timeout: 10_000 }, (e, stdout) => (e ? rej(e) : res(stdout))));
  assert.equal(out.trim(), '45');
});
