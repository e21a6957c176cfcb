/**
 * Fair connection slots: one address may hold at most
 * server.maxClientsPerAddress connections, so it cannot lock other hosts
 * out; exempt addresses (loopback by default) are not counted. Linux routes
 * all of 127.0.0.0/8 to loopback, so clients bound to 127.0.0.2 and
 * 127.0.0.3 stand in for other hosts.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { parseSubnet } from '../../src/server/subnets';
import { serverSectionSchema } from '../../src/server/config';
import { startHarness, type Harness } from '../helpers/fake-driver';

/** Connects from `from`; resolves with the first reply to NETVER, or 'closed' when the server hung up. */
function tryClient(port: number, from: string, keep: Socket[]): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: from });
    keep.push(s);
    let buf = '';
    s.on('error', () => undefined);
    s.on('connect', () => s.write('NETVER\n'));
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.trim());
    });
    s.on('close', () => resolve('closed'));
  });
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('NUT server: connection slots per address', () => {
  let h: Harness | undefined;
  const socks: Socket[] = [];
  afterEach(async () => {
    for (const s of socks.splice(0)) s.destroy();
    await h?.stop();
    h = undefined;
  });

  test('one address gets maxClientsPerAddress slots; another is still served; a freed slot is usable again', async () => {
    h = await startHarness({ server: { maxClientsPerAddress: 3, exemptAddresses: [] } });
    const mine: Socket[] = [];
    for (let i = 0; i < 3; i++) assert.equal(await tryClient(h.port, '127.0.0.2', mine), '1.3');
    assert.equal(await tryClient(h.port, '127.0.0.2', mine), 'closed');
    assert.equal(await tryClient(h.port, '127.0.0.2', mine), 'closed');
    // Someone else is not locked out.
    assert.equal(await tryClient(h.port, '127.0.0.3', socks), '1.3');
    assert.ok(h.log.lines.some((l) => l.includes('refusing 127.0.0.2: 3 connections from this address already (server.maxClientsPerAddress)')));
    // The refusals are one warning line per interval, not one each.
    assert.equal(h.log.lines.filter((l) => l.includes('refusing 127.0.0.2')).length, 1);
    mine[0]!.destroy();
    await until(() => h!.server.clientCount === 3, 'the slot to be freed');
    assert.equal(await tryClient(h.port, '127.0.0.2', mine), '1.3');
    socks.push(...mine);
  });

  test('exempt addresses and subnets are not counted; loopback is exempt by default', async () => {
    h = await startHarness({ server: { maxClientsPerAddress: 2, exemptAddresses: ['127.0.0.2', '127.0.1.0/24'] } });
    for (let i = 0; i < 5; i++) assert.equal(await tryClient(h.port, '127.0.0.2', socks), '1.3');
    for (let i = 0; i < 5; i++) assert.equal(await tryClient(h.port, '127.0.1.9', socks), '1.3');
    assert.equal(await tryClient(h.port, '127.0.0.3', socks), '1.3');
    assert.equal(await tryClient(h.port, '127.0.0.3', socks), '1.3');
    assert.equal(await tryClient(h.port, '127.0.0.3', socks), 'closed');
    await h.stop();
    // The defaults: 127.0.0.0/8 and ::1 exempt.
    h = await startHarness({ server: { maxClientsPerAddress: 2 } });
    for (let i = 0; i < 6; i++) assert.equal(await tryClient(h.port, '127.0.0.5', socks), '1.3');
  });

  test('the config checks addresses and subnets', () => {
    assert.deepEqual(parseSubnet('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseSubnet('fd00::/8'), { address: 'fd00::', prefix: 8, family: 'ipv6' });
    assert.deepEqual(parseSubnet('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
    assert.match(String(parseSubnet('10.0.0.0/33')), /prefix length "33"; it is 0 to 32/);
    assert.match(String(parseSubnet('host.example')), /not an IP address or subnet/);
    const issues: Array<{ path: string; message: string }> = [];
    const cfg = serverSectionSchema.check({ exemptAddresses: ['192.0.2.0/24', 'nope'] }, 'server', issues);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.path, 'server.exemptAddresses[1]');
    assert.ok(cfg);
    const defaults = serverSectionSchema.check({}, 'server', []);
    assert.equal(defaults?.maxClientsPerAddress, 32);
    assert.deepEqual(defaults?.exemptAddresses, ['127.0.0.0/8', '::1']);
    assert.equal(defaults?.loginThrottle?.enabled, true);
  });
});
