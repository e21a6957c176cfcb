/** `upsagent status`: the wording and layout, then the command against a scripted fake upsd. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpsd } from '../helpers/fake-upsd';
import { MemoryIO } from '../../src/cli/io';
import { runStatus } from '../../src/cli/commands/status';
import { describeStatus, formatRuntime, renderTable, summarize, unavailable } from '../../src/cli/commands/status-format';

void describe('status wording', () => {
  void test('ups.status flags in words, the important ones first', () => {
    assert.equal(describeStatus('OL'), 'On line power');
    assert.equal(describeStatus('OB'), 'On battery');
    assert.equal(describeStatus('OB LB'), 'On battery, LOW BATTERY');
    assert.equal(describeStatus('LB OB DISCHRG'), 'On battery, LOW BATTERY, discharging');
    assert.equal(describeStatus('FSD OB LB'), 'Forced shutdown, on battery, LOW BATTERY');
    assert.equal(describeStatus('OL CHRG'), 'On line power, charging');
    assert.equal(describeStatus('OL TRIM'), 'On line power, trimming high input voltage');
    assert.equal(describeStatus('OL BOOST OVER RB'), 'On line power, boosting low input voltage, overloaded, replace battery');
    assert.equal(describeStatus('ALARM OL BYPASS'), 'On line power, alarm, on bypass');
    assert.equal(describeStatus('WAIT'), 'Waiting for the driver');
    // Clients must tolerate flags they do not know.
    assert.equal(describeStatus('OL NEWFLAG'), 'On line power, NEWFLAG');
    assert.equal(describeStatus(''), 'Unknown');
  });

  void test('runtime in minutes and seconds (hours past an hour)', () => {
    assert.equal(formatRuntime(45), '45 s');
    assert.equal(formatRuntime(60), '1 min 0 s');
    assert.equal(formatRuntime(1530), '25 min 30 s');
    assert.equal(formatRuntime(4000), '1 h 6 min');
  });

  void test('summary of variables; model without the maker said twice', () => {
    const s = summarize('ups1', 'Rack', [
      ['battery.charge', '87'],
      ['battery.runtime', '1530'],
      ['ups.load', '23'],
      ['input.voltage', '229.8'],
      ['device.mfr', 'APC'],
      ['device.model', 'APC Back-UPS 650'],
      ['ups.status', 'OL CHRG'],
    ]);
    assert.deepEqual(s, {
      name: 'ups1',
      description: 'Rack',
      available: true,
      stale: false,
      driverConnected: true,
      error: null,
      reason: null,
      driverState: null,
      status: { raw: 'OL CHRG', flags: ['OL', 'CHRG'], text: 'On line power, charging' },
      battery: { chargePercent: 87, runtimeSeconds: 1530 },
      loadPercent: 23,
      inputVoltage: 229.8,
      model: 'APC Back-UPS 650',
    });
    assert.equal(summarize('u', null, [['ups.mfr', 'Eaton'], ['ups.model', '5E 850']]).model, 'Eaton 5E 850');
    assert.equal(summarize('u', null, [['battery.charge', 'n/a']]).battery.chargePercent, null);
  });

  void test('the table lines up and shows missing data as "-"', () => {
    const table = renderTable([
      summarize('rack', null, [
        ['ups.status', 'OB LB'],
        ['battery.charge', '9'],
        ['battery.runtime', '95'],
        ['ups.load', '41'],
        ['input.voltage', '0.0'],
        ['device.model', 'Smart 1500'],
      ]),
      unavailable('closet', null, 'DATA-STALE', 'Data stale'),
    ]);
    assert.equal(
      table,
      [
        'UPS     STATE                             CHARGE  RUNTIME     LOAD  INPUT  MODEL',
        'rack    On battery, LOW BATTERY [OB LB]      9 %  1 min 35 s  41 %    0 V  Smart 1500',
        'closet  Data stale: no news from the UPS       -  -              -      -  -',
        '',
      ].join('\n'),
    );
  });
});

void describe('runStatus', () => {
  const servers: Array<{ close(): void }> = [];
  after(() => {
    for (const s of servers) s.close();
  });

  async function fakeUpsd(answers: Record<string, string>): Promise<number> {
    const fake = await startFakeUpsd((line) => answers[line]);
    servers.push(fake);
    return fake.port;
  }

  const answers = {
    'LIST UPS': 'BEGIN LIST UPS\nUPS rack "Rack UPS"\nUPS closet "Description unavailable"\nUPS gone "Old one"\nEND LIST UPS',
    'LIST VAR rack': 'BEGIN LIST VAR rack\nVAR rack battery.charge "100"\nVAR rack ups.status "OL"\nEND LIST VAR rack',
    'LIST VAR closet': 'ERR DATA-STALE',
    'LIST VAR gone': 'ERR DRIVER-NOT-CONNECTED',
    'GET UPSDESC rack': 'UPSDESC rack "Rack UPS"',
    'GET UPSDESC nope': 'ERR UNKNOWN-UPS',
  };

  void test('every UPS on the server, stale and disconnected ones flagged (exit 3: some UPS has no data)', async () => {
    const port = await fakeUpsd(answers);
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: `@127.0.0.1:${port}`, json: true }, io), 3);
    const doc = JSON.parse(io.stdout) as { server: unknown; error: unknown; upses: Array<Record<string, unknown>> };
    assert.deepEqual(doc.server, { host: '127.0.0.1', port });
    assert.equal(doc.error, null);
    assert.deepEqual(
      doc.upses.map((u) => [u.name, u.description, u.available, u.stale, u.driverConnected, u.error, u.reason]),
      [
        ['rack', 'Rack UPS', true, false, true, null, null],
        // A plain upsd does not say why.
        ['closet', null, false, true, true, 'Data stale', null],
        ['gone', 'Old one', false, false, false, 'Driver not connected', null],
      ],
    );
    const text = new MemoryIO();
    assert.equal(await runStatus({ target: `@127.0.0.1:${port}`, json: false }, text), 3);
    const lines = text.stdout.split('\n');
    assert.match(lines[1]!, /^rack\s+On line power \[OL\]\s+100 %/);
    assert.match(lines[2]!, /^closet\s+Data stale/);
    assert.match(lines[3]!, /^gone\s+Driver not connected/);
    assert.equal(lines.slice(4).join('\n'), '\ncloset: no data: Data stale; the server does not say why\ngone: no data: Driver not connected; the server does not say why\n');
  });

  void test('one UPS; an unknown one is an error', async () => {
    const port = await fakeUpsd(answers);
    let io = new MemoryIO();
    assert.equal(await runStatus({ target: `rack@127.0.0.1:${port}`, json: false }, io), 0);
    assert.equal(io.stdout.split('\n').length, 3);
    io = new MemoryIO();
    assert.equal(await runStatus({ target: `nope@127.0.0.1:${port}`, json: false }, io), 1);
    assert.equal(io.stderr, 'Error: Unknown UPS\n');
  });

  void test('a server that cannot be reached: non-zero exit, the reason in JSON too', async () => {
    const port = await fakeUpsd({});
    servers.pop()!.close();
    await new Promise((r) => setImmediate(r));
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: `@127.0.0.1:${port}`, json: true }, io), 1);
    assert.deepEqual(JSON.parse(io.stdout), { server: { host: '127.0.0.1', port }, error: 'Connection failure: Connection refused', upses: [] });
    assert.equal(io.stderr, 'Error: Connection failure: Connection refused\n');
  });

  void test('a target that cannot be read', async () => {
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: 'ups@host:notaport', json: false }, io), 1);
    assert.match(io.stderr, /ups\[@host\[:port\]\]/);
  });
});
