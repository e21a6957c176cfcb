/**
 * The real NUT upsmon (2.8.0), logged in as primary to one UPS of the agent,
 * across reloads that add and remove other UPSes, change another UPS's
 * driver and change the users: it keeps its one connection (no new
 * connection is accepted from it, NUMLOGINS stays 1) and notices nothing
 * (no COMMBAD, no NOCOMM); then, when its own UPS goes on battery in its
 * file, it sees that through the same connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { NutClient } from '../../src/client';
import { MemoryLogger } from '../../src/core/logger';
import { startRealUpsmon } from '../helpers/real-upsmon';

const dev = (status: string): string => `ups.status: ${status}\nbattery.charge: 95\nbattery.runtime: 1800\ndevice.mfr: Example Corp\n`;

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a real upsmon stays logged in, on its one connection, across reloads of the rest', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-reload-upsmon-'));
  for (const n of ['a', 'b', 'c', 'd']) writeFileSync(join(dir, `${n}.dev`), dev('OL'));
  const users = (extra: Record<string, unknown> = {}) => ({ mon: { password: 'mon-pw', upsmon: 'primary' }, ...extra });
  const conf = (ups: Record<string, string>, u: Record<string, unknown>) =>
    validateConfig({
      ups: Object.fromEntries(Object.entries(ups).map(([n, f]) => [n, { driver: 'dummy', port: join(dir, f), pollInterval: 0.5 }])),
      server: { listen: ['127.0.0.1:0'] },
      users: u,
    });
  const log = new MemoryLogger();
  const agent = await startAgent({ config: conf({ a: 'a.dev', b: 'b.dev', d: 'd.dev' }, users()), log, version: 'test' });
  const port = agent.addresses()[0]!.port;
  const notifyFile = join(dir, 'notify.log');
  const mon = await startRealUpsmon({ monitors: [{ ups: `a@127.0.0.1:${port}`, user: 'mon', password: 'mon-pw', role: 'primary' }], shutdownFile: join(dir, 'shutdown'), notifyFile, pollFreq: 1, pollFreqAlert: 1, deadTime: 15 });
  const client = await NutClient.connect({ host: '127.0.0.1', port });
  const connects = (): number => log.lines.filter((l) => l.includes('connect from')).length;
  try {
    await until('upsmon logged in', async () => ((await client.getNumLogins('a')) === 1 ? true : undefined));
    const before = connects();
    assert.ok(before >= 2, 'the server logs each connection (upsmon, this client)');

    const r1 = await agent.reload(conf({ a: 'a.dev', b: 'c.dev', e: 'd.dev' }, users({ viewer: { password: 'viewer-pw' } })));
    assert.deepEqual(r1.problems, []);
    assert.deepEqual((await client.listUps()).map(([u]) => u).sort(), ['a', 'b', 'e']);
    const r2 = await agent.reload(conf({ a: 'a.dev', e: 'd.dev' }, users()));
    assert.deepEqual(r2.problems, []);
    assert.deepEqual((await client.listUps()).map(([u]) => u).sort(), ['a', 'e']);

    // A few of upsmon's polls (POLLFREQ 1) later: the same login, no new connection, nothing noticed.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await client.getNumLogins('a'), 1);
    assert.equal(connects(), before, `no new connection: ${log.lines.filter((l) => l.includes('connect from')).join('\n')}`);
    const noticed = existsSync(notifyFile) ? readFileSync(notifyFile, 'utf8') : '';
    assert.doesNotMatch(noticed, /COMMBAD|NOCOMM/);

    // Its UPS goes on battery: upsmon sees it, through that same connection.
    writeFileSync(join(dir, 'a.dev'), dev('OB'));
    await until('upsmon notices ONBATT', () => (existsSync(notifyFile) && readFileSync(notifyFile, 'utf8').includes('ONBATT a@') ? true : undefined));
    assert.equal(connects(), before);
  } finally {
    await client.close();
    await mon.stop();
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
