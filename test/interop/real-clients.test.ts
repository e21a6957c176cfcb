 
/**
 * The REAL NUT 2.8 clients (Debian's /usr/bin/upsc, upsrw, upscmd) against
 * our server, populated from the store by a fake driver that behaves like
 * dummy-ups (SET VAR changes the value). Asserts their output, exit codes
 * and the effect of their requests.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeCmd, describeVar } from '../../src/protocol/descriptions';
import { NutClient, startHarness, type FakeDriver, type Harness } from '../helpers/fake-driver';
import { UPSC, UPSCMD, UPSRW } from '../helpers/real-nut';

interface Run {
  code: number;
  out: string;
  err: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      // Debian's clients are built with NSS and always say this on stderr.
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
  });
}

function populate(d: FakeDriver): void {
  const p = d.pub;
  p.setAttached(true);
  const vars: Record<string, string> = {
    'battery.charge': '100',
    'battery.charge.low': '10',
    'battery.runtime': '1800',
    'device.mfr': 'Acme "Power" \\ Co #1',
    'device.model': 'Rack 1500',
    'input.sensitivity': 'M',
    'input.transfer.low': '180',
    'input.voltage': '230.5',
    'ups.load': '23',
    'ups.status': 'OL CHRG',
  };
  for (const [k, v] of Object.entries(vars)) p.setVar(k, v);
  p.setFlags('battery.charge.low', { rw: true, number: true });
  p.setFlags('device.model', { rw: true, string: true }, 32);
  p.setFlags('input.sensitivity', { rw: true, string: true }, 4);
  p.setEnums('input.sensitivity', ['H', 'M', 'L']);
  p.setFlags('input.transfer.low', { rw: true, number: true });
  p.setRanges('input.transfer.low', [
    [160, 190],
    [200, 210],
  ]);
  for (const c of ['load.off', 'test.battery.start', 'beeper.toggle']) p.addCommand(c);
  p.dataOk();
}

describe('real NUT clients against our server', () => {
  let h: Harness;
  let at: (ups: string) => string;

  before(async () => {
    for (const bin of [UPSC, UPSRW, UPSCMD]) assert.ok(existsSync(bin), `${bin} is missing: install nut-client (test/run.sh does)`);
    h = await startHarness({ ups: { rack: 'Rack "A" #1', spare: '', dead: 'No driver' } });
    populate(h.drivers.rack!);
    h.drivers.spare!.pub.setAttached(true); // waiting for its first dump
    at = (ups) => `${ups}@127.0.0.1:${h.port}`;
  });
  after(() => h.stop());
  afterEach(() => {
    const d = h.drivers.rack!;
    d.calls.length = 0;
    d.failWith = null;
    d.pub.dataOk();
  });

  test('upsc <ups> prints every variable in upsd order, values unescaped', async () => {
    const r = await run(UPSC, [at('rack')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'battery.charge: 100',
        'battery.charge.low: 10',
        'battery.runtime: 1800',
        'device.mfr: Acme "Power" \\ Co #1',
        'device.model: Rack 1500',
        'input.sensitivity: M',
        'input.transfer.low: 180',
        'input.voltage: 230.5',
        'ups.load: 23',
        'ups.status: OL CHRG',
        '',
      ].join('\n'),
    );
  });

  test('upsc <ups> <var>, and its errors with exit code 1', async () => {
    assert.deepEqual(await run(UPSC, [at('rack'), 'ups.status']), { code: 0, out: 'OL CHRG\n', err: '' });
    assert.deepEqual(await run(UPSC, [at('RACK'), 'UPS.LOAD']), { code: 0, out: '23\n', err: '' });
    assert.deepEqual(await run(UPSC, [at('rack'), 'no.such']), { code: 1, out: '', err: 'Error: Variable not supported by UPS\n' });
    assert.deepEqual(await run(UPSC, [at('nosuch')]), { code: 1, out: '', err: 'Error: Unknown UPS\n' });
    assert.deepEqual(await run(UPSC, [at('dead')]), { code: 1, out: '', err: 'Error: Driver not connected\n' });
    assert.deepEqual(await run(UPSC, [at('spare')]), { code: 0, out: 'ups.status: WAIT\n', err: '' });
  });

  test('upsc reports stale data once maxAge passes', async () => {
    h.clock.t += 16_000;
    assert.deepEqual(await run(UPSC, [at('rack'), 'ups.status']), { code: 1, out: '', err: 'Error: Data stale\n' });
    h.drivers.rack!.pub.dataOk();
    assert.deepEqual(await run(UPSC, [at('rack'), 'ups.status']), { code: 0, out: 'OL CHRG\n', err: '' });
  });

  test('upsc -l and -L list the UPSes (with descriptions) in configuration order', async () => {
    assert.deepEqual(await run(UPSC, ['-l', `127.0.0.1:${h.port}`]), { code: 0, out: 'rack\nspare\ndead\n', err: '' });
    assert.deepEqual(await run(UPSC, ['-L', `127.0.0.1:${h.port}`]), {
      code: 0,
      out: 'rack: Rack "A" #1\nspare: Description unavailable\ndead: No driver\n',
      err: '',
    });
  });

  test('upsc -c lists the clients LOGINed to a UPS', async () => {
    assert.deepEqual(await run(UPSC, ['-c', at('rack')]), { code: 0, out: '', err: '' });
    const mon = await NutClient.connect(h.port);
    try {
      await mon.auth('mon', 'pw');
      assert.equal(await mon.request('LOGIN rack'), 'OK');
      assert.deepEqual(await run(UPSC, ['-c', at('rack')]), { code: 0, out: '127.0.0.1\n', err: '' });
    } finally {
      mon.destroy();
    }
  });

  test('upsrw lists writable variables with type, options and our descriptions', async () => {
    const r = await run(UPSRW, [at('rack')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        '[battery.charge.low]',
        describeVar('battery.charge.low'),
        'Type: NUMBER',
        'Value: 10',
        '',
        '[device.model]',
        describeVar('device.model'),
        'Type: STRING',
        'Maximum length: 32',
        'Value: Rack 1500',
        '',
        '[input.sensitivity]',
        describeVar('input.sensitivity'),
        'Type: ENUM STRING',
        'Maximum length: 4',
        'Option: "H"',
        'Option: "M" SELECTED',
        'Option: "L"',
        '',
        '[input.transfer.low]',
        describeVar('input.transfer.low'),
        'Type: RANGE NUMBER',
        'Option: "160-190" SELECTED',
        'Option: "200-210"',
        '',
        '',
      ].join('\n'),
    );
  });

  test('upsrw -s sets a variable through the driver; upsc reads the new value', async () => {
    const r = await run(UPSRW, ['-s', 'battery.charge.low=20', '-u', 'admin', '-p', 'secret', at('rack')]);
    assert.deepEqual(r, { code: 0, out: '', err: 'OK\n' });
    assert.deepEqual(h.drivers.rack!.calls, [{ kind: 'setvar', ups: 'rack', name: 'battery.charge.low', value: '20' }]);
    assert.deepEqual(await run(UPSC, [at('rack'), 'battery.charge.low']), { code: 0, out: '20\n', err: '' });
    // A value with spaces and specials travels intact.
    const m = await run(UPSRW, ['-s', 'device.model=Rack "B" #2', '-u', 'admin', '-p', 'secret', at('rack')]);
    assert.equal(m.code, 0, m.err);
    assert.deepEqual(await run(UPSC, [at('rack'), 'device.model']), { code: 0, out: 'Rack "B" #2\n', err: '' });
  });

  test('upsrw -s errors: bad password, no right, value refused', async () => {
    const bad = await run(UPSRW, ['-s', 'battery.charge.low=30', '-u', 'admin', '-p', 'wrong', at('rack')]);
    assert.deepEqual(bad, { code: 1, out: '', err: 'Unexpected response from upsd: ERR ACCESS-DENIED\n' });
    const mon = await run(UPSRW, ['-s', 'battery.charge.low=30', '-u', 'mon', '-p', 'pw', at('rack')]);
    assert.deepEqual(mon, { code: 1, out: '', err: 'Unexpected response from upsd: ERR ACCESS-DENIED\n' });
    const inv = await run(UPSRW, ['-s', 'input.sensitivity=X', '-u', 'admin', '-p', 'secret', at('rack')]);
    assert.deepEqual(inv, { code: 1, out: '', err: 'Unexpected response from upsd: ERR INVALID-VALUE\n' });
    const ro = await run(UPSRW, ['-s', 'ups.load=5', '-u', 'admin', '-p', 'secret', at('rack')]);
    assert.deepEqual(ro, { code: 1, out: '', err: 'Unexpected response from upsd: ERR READONLY\n' });
    assert.equal(h.drivers.rack!.calls.length, 0);
  });

  test('upsrw -w waits for the result through tracking', async () => {
    const r = await run(UPSRW, ['-w', '-s', 'input.transfer.low=205', '-u', 'admin', '-p', 'secret', at('rack')]);
    assert.deepEqual(r, { code: 0, out: '', err: 'SUCCESS\n' });
    assert.deepEqual(await run(UPSC, [at('rack'), 'input.transfer.low']), { code: 0, out: '205\n', err: '' });
  });

  test('upscmd -l lists the commands with our descriptions', async () => {
    const r = await run(UPSCMD, ['-l', at('rack')]);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      [
        'Instant commands supported on UPS [rack]:',
        '',
        `beeper.toggle - ${describeCmd('beeper.toggle')}`,
        `load.off - ${describeCmd('load.off')}`,
        `test.battery.start - ${describeCmd('test.battery.start')}`,
        '',
      ].join('\n'),
    );
  });

  test('upscmd runs a command (with a parameter) on the driver', async () => {
    assert.deepEqual(await run(UPSCMD, ['-u', 'admin', '-p', 'secret', at('rack'), 'test.battery.start']), { code: 0, out: '', err: 'OK\n' });
    assert.deepEqual(await run(UPSCMD, ['-u', 'admin', '-p', 'secret', at('rack'), 'load.off', '30']), { code: 0, out: '', err: 'OK\n' });
    assert.deepEqual(h.drivers.rack!.calls, [
      { kind: 'instcmd', ups: 'rack', name: 'test.battery.start' },
      { kind: 'instcmd', ups: 'rack', name: 'load.off', param: '30' },
    ]);
  });

  test('upscmd errors: unknown command, no right, driver failure, driver gone', async () => {
    assert.deepEqual(await run(UPSCMD, ['-u', 'admin', '-p', 'secret', at('rack'), 'no.such']), {
      code: 1,
      out: '',
      err: 'Unexpected response from upsd: ERR CMD-NOT-SUPPORTED\n',
    });
    assert.deepEqual(await run(UPSCMD, ['-u', 'plain', '-p', 'pp', at('rack'), 'load.off']), {
      code: 1,
      out: '',
      err: 'Unexpected response from upsd: ERR ACCESS-DENIED\n',
    });
    h.drivers.rack!.failWith = 'INSTCMD-FAILED';
    assert.deepEqual(await run(UPSCMD, ['-u', 'admin', '-p', 'secret', at('rack'), 'load.off']), {
      code: 1,
      out: '',
      err: 'Unexpected response from upsd: ERR INSTCMD-FAILED\n',
    });
    assert.deepEqual(await run(UPSCMD, ['-u', 'admin', '-p', 'secret', at('dead'), 'load.off']), {
      code: 1,
      out: '',
      err: 'Unexpected response from upsd: ERR DRIVER-NOT-CONNECTED\n',
    });
  });

  test('upscmd -w reports the tracked result: SUCCESS, or the ERR status', async () => {
    assert.deepEqual(await run(UPSCMD, ['-w', '-u', 'admin', '-p', 'secret', at('rack'), 'beeper.toggle']), { code: 0, out: '', err: 'SUCCESS\n' });
    h.drivers.rack!.failWith = 'INVALID-ARGUMENT';
    const r = await run(UPSCMD, ['-w', '-u', 'admin', '-p', 'secret', at('rack'), 'beeper.toggle']);
    // upscmd prints the tracking status it got and exits 0, as it does with real upsd.
    assert.deepEqual(r, { code: 0, out: '', err: 'ERR INVALID-ARGUMENT\n' });
  });
});
