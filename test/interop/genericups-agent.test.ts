/**
 * The whole agent with a `driver: genericups` UPS (its port a fake
 * modem-line link), read and commanded by the REAL NUT clients (upsc,
 * upscmd). What upsc shows is compared with what the real NUT 2.8.0
 * genericups publishes for the same lines (test/helpers/real-genericups.ts)
 * when it can run here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { GenericUpsDriver } from '../../src/drivers/genericups/index';
import { FakeModemPort } from '../helpers/fake-modem-link';
import { RealGenericups, realGenericupsMissing } from '../helpers/real-genericups';

const UPSC = '/usr/bin/upsc';
const UPSCMD = '/usr/bin/upscmd';
const missing = [UPSC, UPSCMD].find((b) => !existsSync(b));

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
  });
}

const lines = (text: string): Map<string, string> => new Map(text.split('\n').filter((l) => l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)] as const));

void describe('agent with a genericups UPS, read and commanded by the real NUT clients', { skip: missing ? `${missing} is missing` : false }, () => {
  let agent: RunningAgent;
  let at: string;
  const port = new FakeModemPort('/dev/ttyS0', Date.now);
  // Type 5 (Tripp Lite Lan2.2): cable power DTR, OL = CTS high, LB = DCD low, SD = DTR+RTS.
  port.inputs = { cts: true, dcd: true, ri: false, dsr: false };

  before(async () => {
    const config = validateConfig({
      ups: { closure: { driver: 'genericups', port: '/dev/ttyS0', upstype: 5, serial: 'TL0001', desc: 'Contact closure' } },
      server: { listen: ['127.0.0.1:0'] },
      users: { admin: { password: 'pw', instcmds: ['all'] } },
    });
    agent = await startAgent({
      config,
      log: new MemoryLogger(),
      version: '2.8.0',
      driverFor: (_name, cfg, deps) => new GenericUpsDriver(cfg, deps, { openSerial: port.open, version: '2.8.0', ring: () => Promise.resolve(null) }),
    });
    at = `closure@127.0.0.1:${agent.addresses()[0]!.port}`;
  });
  after(() => agent?.stop());

  test('upsc shows what the real genericups publishes for the same lines', async () => {
    const r = await run(UPSC, [at]);
    assert.equal(r.code, 0, r.err);
    const ours = lines(r.out);
    assert.equal(ours.get('ups.status'), 'OL');
    assert.equal(ours.get('device.mfr'), 'TrippLite');
    assert.equal(ours.get('ups.serial'), 'TL0001');
    const why = realGenericupsMissing();
    if (why) return; // the comparison needs the real driver (and gcc for its line stand-in)
    const real = RealGenericups.build();
    try {
      const theirs = await real.run({ upstype: '5', serial: 'TL0001' }, 0x020 | 0x040);
      assert.equal(theirs.code, 0, theirs.output);
      const port0 = theirs.vars.get('driver.parameter.port');
      const want = new Map(theirs.vars);
      want.set('driver.parameter.port', '/dev/ttyS0');
      ours.delete('driver.state');
      assert.ok(port0);
      assert.deepEqual(Object.fromEntries(ours), Object.fromEntries(want));
    } finally {
      real.remove();
    }
  });

  test('a line change shows at the next poll: OB LB', async () => {
    port.inputs = { cts: false, dcd: false, ri: false, dsr: false };
    const deadline = Date.now() + 6000;
    let status = '';
    while (Date.now() < deadline) {
      status = (await run(UPSC, [at, 'ups.status'])).out.trim();
      if (status === 'LB OB') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 'LB OB');
  });

  test('upscmd -l lists the shutdown; upscmd load.off sets the shutdown lines', async () => {
    const l = await run(UPSCMD, ['-l', at]);
    assert.equal(l.code, 0, l.err);
    assert.match(l.out, /^load\.off - /m);
    assert.match(l.out, /^shutdown\.default - /m);
    const before = port.changes.length;
    const r = await run(UPSCMD, ['-u', 'admin', '-p', 'pw', at, 'load.off']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out + r.err, /^OK/m);
    const deadline = Date.now() + 3000;
    while (port.changes.length === before && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const last = port.changes[port.changes.length - 1]!;
    assert.deepEqual([last.dtr, last.rts, last.brk], [true, true, false]);
  });
});
