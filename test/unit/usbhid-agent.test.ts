/**
 * The whole agent with a `driver: usbhid` UPS whose port is a recording,
 * read by the REAL NUT clients (Debian's /usr/bin/upsc, upsrw, upscmd;
 * test/run.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { VERSION } from '../../src/cli/version';
import { FIXTURES, fixtureText, upscLines } from './usbhid-helpers';

const UPSC = '/usr/bin/upsc';
const UPSRW = '/usr/bin/upsrw';
const UPSCMD = '/usr/bin/upscmd';

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      // Debian's clients are built with NSS and always say this on stderr.
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
  });
}

void describe('agent with a usbhid UPS replaying a recording, read by the real NUT clients', () => {
  let agent: RunningAgent;
  let at: string;
  const file = resolve(FIXTURES, 'simple-ups.dev');

  before(async () => {
    for (const bin of [UPSC, UPSRW, UPSCMD]) assert.ok(existsSync(bin), `${bin} is missing: install nut-client (test/run.sh does)`);
    const config = validateConfig({
      ups: { sim: { driver: 'usbhid', port: file, desc: 'Simple UPS (recording)' } },
      server: { listen: ['127.0.0.1:0'] },
      users: { admin: { password: 'pw', actions: ['set'], instcmds: ['all'] } },
    });
    agent = await startAgent({ config, log: new MemoryLogger(), version: '0.0.0-test' });
    at = `sim@127.0.0.1:${agent.addresses()[0]!.port}`;
  });
  after(() => agent.stop());

  test('upsc lists every variable of the recording', async () => {
    const r = await run(UPSC, [at]);
    assert.equal(r.code, 0, r.err);
    const got = upscLines(r.out);
    for (const [name, value] of upscLines(fixtureText('simple-ups.dev'))) {
      if (name === 'driver.parameter.port') assert.equal(got.get(name), file);
      else assert.equal(got.get(name), value, name);
    }
    assert.equal(got.get('driver.version'), VERSION);
    assert.equal((await run(UPSC, [at, 'ups.status'])).out, 'OL CHRG\n');
    assert.equal((await run(UPSC, ['-L', at.replace(/^sim@/, '')])).out, 'sim: Simple UPS (recording)\n');
  });

  test('upscmd -l lists its instant commands; upsrw lists battery.charge.low as writable', async () => {
    const cmds = await run(UPSCMD, ['-l', at]);
    assert.equal(cmds.code, 0, cmds.err);
    for (const c of ['load.off', 'shutdown.return', 'test.battery.start.quick', 'beeper.disable']) assert.match(cmds.out, new RegExp(`^${c.replace(/\./g, '\\.')} - `, 'm'));
    const rw = await run(UPSRW, [at]);
    assert.equal(rw.code, 0, rw.err);
    assert.match(rw.out, /\[battery\.charge\.low\]\n.*\nType: STRING\nMaximum length: 10\nValue: 10\n/);
  });

  test('upsrw sets battery.charge.low and upscmd runs beeper.disable: written to the device, read back', async () => {
    const set = await run(UPSRW, ['-s', 'battery.charge.low=25', '-u', 'admin', '-p', 'pw', '-w', at]);
    assert.equal(set.code, 0, set.err);
    assert.equal(set.out + set.err, 'SUCCESS\n', 'upsrw -w waits for the driver to confirm');
    assert.equal((await run(UPSC, [at, 'battery.charge.low'])).out, '25\n');
    const cmd = await run(UPSCMD, ['-u', 'admin', '-p', 'pw', '-w', at, 'beeper.disable']);
    assert.equal(cmd.code, 0, cmd.err);
    assert.equal((await run(UPSC, [at, 'ups.beeper.status'])).out, 'disabled\n');
  });
});
