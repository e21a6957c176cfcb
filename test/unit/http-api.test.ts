/**
 * The JSON API over HTTP against a running agent (dummy UPS, NUT server,
 * web listener): the PeaNUT-shaped endpoints answer in the shapes PeaNUT's
 * own e2e tests expect (Brandawg93/PeaNUT __tests__/e2e/api/v1/devices.test.ts)
 * and Homepage's peanut widget reads; the native endpoints; INSTCMD and
 * SET VAR with and without rights, with NUT's error codes; FSD; the NUT
 * clients the server tracks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { basic, curlLike, devWith, startRig, until, type Rig } from './http-rig';

let rig: Rig;
before(async () => {
  rig = await startRig({ upses: ['u', 'second'] });
});
after(async () => {
  await rig.stop();
});

type Obj = Record<string, unknown>;

describe('PeaNUT-shaped endpoints', () => {
  test('GET /api/v1/devices: one flat name -> value object per UPS, in configuration order, numbers as numbers', async () => {
    const r = await rig.get('/api/v1/devices');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const list = r.body as Obj[];
    assert.equal(list.length, 2);
    assert.equal(list[0]!['device.serial'], 'TC0001');
    assert.equal(list[0]!['battery.charge'], 100);
    assert.equal(list[0]!['battery.voltage'], 13.6);
    assert.equal(list[0]!['ups.firmware'], '1.0.3', 'a dotted version stays a string');
    assert.equal(list[0]!['ups.status'], 'OL CHRG');
  });

  test("GET /api/v1/devices/{ups}: what Homepage's peanut widget reads (battery.charge, ups.load, ups.status)", async () => {
    const r = await rig.get('/api/v1/devices/u');
    assert.equal(r.status, 200);
    const d = r.body as Obj;
    assert.equal(typeof d['battery.charge'], 'number');
    assert.equal(d['ups.load'], 12);
    assert.equal(d['ups.status'], 'OL CHRG');
    assert.deepEqual((await rig.get('/api/v1/devices/u/vars')).body, d);
    // UPS names are matched case-insensitively, as upsd does.
    assert.equal(((await rig.get('/api/v1/devices/U')).body as Obj)['device.serial'], 'TC0001');
  });

  test('one variable: its value as a JSON string; type, description, enum, range', async () => {
    assert.deepEqual(await pick('/api/v1/devices/u/var/device.serial'), [200, 'TC0001']);
    assert.deepEqual(await pick('/api/v1/devices/u/var/battery.charge'), [200, '100']);
    assert.deepEqual(await pick('/api/v1/devices/u/var/battery.charge.low/type'), [200, 'RW STRING:10']);
    assert.deepEqual(await pick('/api/v1/devices/u/var/input.transfer.high/type'), [200, 'RW ENUM NUMBER']);
    assert.deepEqual(await pick('/api/v1/devices/u/var/battery.charge/type'), [200, 'NUMBER']);
    assert.deepEqual(await pick('/api/v1/devices/u/var/device.serial/description'), [200, 'Device serial number']);
    assert.deepEqual(await pick('/api/v1/devices/u/var/input.transfer.high/enum'), [200, ['270', '280']]);
    assert.deepEqual(await pick('/api/v1/devices/u/var/ups.delay.shutdown/range'), [200, ['0 600']]);
    assert.deepEqual(await pick('/api/v1/devices/u/var/battery.charge/range'), [200, []]);
    const missing = await rig.get('/api/v1/devices/u/var/device.serial.not.found');
    assert.equal(missing.status, 404);
    assert.equal((missing.body as Obj).error, 'VAR-NOT-SUPPORTED');
  });

  test('description, rwvars, commands, command description', async () => {
    assert.deepEqual(await pick('/api/v1/devices/u/description'), [200, 'UPS u']);
    const rw = (await rig.get('/api/v1/devices/u/rwvars')).body as string[];
    assert.deepEqual([...rw].sort(), ['battery.charge.low', 'input.transfer.high', 'ups.delay.shutdown']);
    assert.deepEqual(await pick('/api/v1/devices/u/commands'), [200, ['beeper.disable', 'test.battery.start.quick']]);
    const [status, text] = await pick('/api/v1/devices/u/command/beeper.disable/description');
    assert.equal(status, 200);
    assert.equal(typeof text, 'string');
    assert.equal((await rig.get('/api/v1/devices/u/command/no.such/description')).status, 404);
  });

  test('an unknown UPS is 404 UNKNOWN-UPS everywhere', async () => {
    for (const p of ['/api/v1/devices/nope', '/api/v1/devices/nope/vars', '/api/v1/devices/nope/var/battery.charge', '/api/v1/devices/nope/commands', '/api/v1/ups/nope']) {
      const r = await rig.get(p);
      assert.equal(r.status, 404, p);
      assert.deepEqual(Object.keys(r.body as Obj).sort(), ['error', 'message']);
      assert.equal((r.body as Obj).error, 'UNKNOWN-UPS', p);
    }
  });

  test('POST var (text body, as PeaNUT sends it) and POST command answer PeaNUT\'s sentences', async () => {
    const set = await rig.send('POST', '/api/v1/devices/u/var/battery.charge.low', { headers: { ...basic('admin'), 'content-type': 'text/plain' }, body: '9' });
    assert.deepEqual([set.status, set.body], [200, 'Variable battery.charge.low on device u saved successfully']);
    await until('the new value in the store', () => rig.agent.store.get('u')?.getVar('battery.charge.low')?.value === '9');
    const cmd = await rig.send('POST', '/api/v1/devices/u/command/beeper.disable', { headers: basic('admin') });
    assert.deepEqual([cmd.status, cmd.body], [200, 'Command beeper.disable on device u run successfully']);
  });
});

async function pick(path: string): Promise<[number, unknown]> {
  const r = await rig.get(path);
  return [r.status, r.body];
}

describe('native endpoints', () => {
  test('/api/v1/ups: state and health of every UPS', async () => {
    const list = (await rig.get('/api/v1/ups')).body as Obj[];
    assert.deepEqual(
      list.map((u) => [u.name, u.description, u.status, u.available, u.problem, u.driverState, u.fsd]),
      [
        ['u', 'UPS u', 'OL CHRG', true, null, 'connected', false],
        ['second', 'UPS second', 'OL CHRG', true, null, 'connected', false],
      ],
    );
    assert.equal(typeof list[0]!.dataAgeS, 'number');
  });

  test('/api/v1/ups/{ups}: every variable with type, enum, range, description; commands with descriptions', async () => {
    const u = (await rig.get('/api/v1/ups/second')).body as { vars: Obj[]; commands: Obj[] };
    const byName = new Map(u.vars.map((v) => [v.name, v]));
    assert.deepEqual(byName.get('input.transfer.high'), {
      name: 'input.transfer.high',
      value: 280,
      nutType: 'RW ENUM NUMBER',
      type: 'number',
      writable: true,
      enum: ['270', '280'],
      range: [],
      description: 'Mains voltage over which the UPS goes to battery (V)',
    });
    assert.deepEqual(byName.get('ups.delay.shutdown')!.range, [{ min: 0, max: 600 }]);
    assert.equal(byName.get('battery.charge.low')!.maxLength, 10);
    assert.equal(byName.get('ups.status')!.writable, false);
    assert.deepEqual(
      u.commands.map((c) => c.name),
      ['beeper.disable', 'test.battery.start.quick'],
    );
    assert.ok(u.commands.every((c) => typeof c.description === 'string' && c.description !== ''));
    const one = (await rig.get('/api/v1/ups/second/vars/ups.delay.shutdown')).body as Obj;
    assert.equal(one.value, 20);
  });

  test('a UPS whose data went stale answers DATA-STALE (503) for reads, and says so in its summary', async () => {
    // The dummy keeps the last good data and reports it stale once its file cannot be read.
    rmSync(rig.devFile('second'));
    await until('stale', () => rig.agent.store.get('second')!.isStale(15_000));
    const r = await rig.get('/api/v1/devices/second');
    assert.equal(r.status, 503);
    assert.equal((r.body as Obj).error, 'DATA-STALE');
    const s = (await rig.get('/api/v1/ups/second')).body as Obj;
    assert.deepEqual([s.available, s.problem, s.vars], [false, 'DATA-STALE', []]);
    writeFileSync(rig.devFile('second'), devWith('OL CHRG'));
    await until('fresh again', () => !rig.agent.store.get('second')!.isStale(15_000));
    assert.equal((await rig.get('/api/v1/devices/second')).status, 200);
  });
});

describe('instant commands and SET VAR need rights', () => {
  test('no login: 401 with a Basic challenge; wrong password: 401; a user without the command: 403 ACCESS-DENIED', async () => {
    const none = await curlLike(rig.base, 'POST', '/api/v1/ups/u/commands/beeper.disable');
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm="upsagent"/);
    assert.equal((JSON.parse(none.text) as Obj).error, 'ACCESS-DENIED');
    const wrong = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: basic('admin', 'not-it') });
    assert.equal(wrong.status, 401);
    const viewer = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: basic('viewer') });
    assert.deepEqual([viewer.status, (viewer.body as Obj).error], [403, 'ACCESS-DENIED']);
    const other = await rig.send('POST', '/api/v1/ups/u/commands/test.battery.start.quick', { headers: basic('cmdonly') });
    assert.deepEqual([other.status, (other.body as Obj).error], [403, 'ACCESS-DENIED']);
  });

  test('a command the UPS lacks is CMD-NOT-SUPPORTED (404) before rights are looked at, as upsd orders it', async () => {
    const r = await rig.send('POST', '/api/v1/ups/u/commands/load.on', { headers: basic('viewer') });
    assert.deepEqual([r.status, (r.body as Obj).error], [404, 'CMD-NOT-SUPPORTED']);
  });

  test('a user with the command runs it: it reaches the driver through the bus', async () => {
    const before = rig.log.lines.length;
    const r = await rig.send('POST', '/api/v1/ups/u/commands/BEEPER.DISABLE', { headers: basic('cmdonly'), json: {} });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { result: 'OK', ups: 'u', message: 'Command beeper.disable on device u run successfully' });
    const lines = rig.log.lines.slice(before);
    assert.ok(lines.some((l) => l.includes('[test:driver:u]') && l.includes('instant command beeper.disable received')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('instant command: cmdonly@127.0.0.1 (http) did beeper.disable on u')));
  });

  test('a parameter goes with the command', async () => {
    const before = rig.log.lines.length;
    const r = await rig.send('POST', '/api/v1/ups/u/commands/beeper.disable', { headers: basic('admin'), json: { param: '5' } });
    assert.equal(r.status, 200);
    assert.ok(rig.log.lines.slice(before).some((l) => l.includes('instant command beeper.disable [5] received')));
  });

  test('SET VAR: the value reaches the driver; NUT error codes for bad values, read-only and unknown variables', async () => {
    const h = basic('admin');
    const ok = await rig.send('PUT', '/api/v1/ups/u/vars/input.transfer.high', { headers: h, json: { value: '270' } });
    assert.deepEqual([ok.status, (ok.body as Obj).result], [200, 'OK']);
    await until('the driver took it', () => rig.agent.store.get('u')?.getVar('input.transfer.high')?.value === '270');
    const cases: Array<[string, unknown, number, string]> = [
      ['input.transfer.high', { value: '275' }, 400, 'INVALID-VALUE'],
      ['ups.delay.shutdown', { value: '601' }, 400, 'INVALID-VALUE'],
      ['battery.charge.low', { value: 'x'.repeat(11) }, 400, 'TOO-LONG'],
      ['battery.charge', { value: '50' }, 409, 'READONLY'],
      ['no.such.var', { value: '1' }, 404, 'VAR-NOT-SUPPORTED'],
      ['ups.delay.shutdown', { value: 'a\nb' }, 400, 'INVALID-ARGUMENT'],
      ['ups.delay.shutdown', { other: 1 }, 400, 'INVALID-ARGUMENT'],
    ];
    for (const [name, json, status, code] of cases) {
      const r = await rig.send('PUT', `/api/v1/ups/u/vars/${name}`, { headers: h, json });
      assert.deepEqual([r.status, (r.body as Obj).error], [status, code], `${name} ${JSON.stringify(json)}`);
    }
    assert.equal(rig.agent.store.get('u')?.getVar('ups.delay.shutdown')?.value, '20', 'nothing refused was set');
    const viewer = await rig.send('PUT', '/api/v1/ups/u/vars/ups.delay.shutdown', { headers: basic('viewer'), json: { value: '30' } });
    assert.deepEqual([viewer.status, (viewer.body as Obj).error], [403, 'ACCESS-DENIED']);
    const cmdonly = await rig.send('POST', '/api/v1/devices/u/var/ups.delay.shutdown', { headers: basic('cmdonly'), body: '30' });
    assert.equal(cmdonly.status, 403);
  });

  test('FSD: needs the fsd action; once set, ups.status reads FSD first', async () => {
    const viewer = await rig.send('POST', '/api/v1/ups/second/fsd', { headers: basic('viewer') });
    assert.equal(viewer.status, 403);
    assert.equal(rig.agent.store.get('second')!.fsd, false);
    const r = await rig.send('POST', '/api/v1/ups/second/fsd', { headers: basic('admin') });
    assert.deepEqual([r.status, r.body], [200, { result: 'OK', ups: 'second' }]);
    assert.match(String(((await rig.get('/api/v1/devices/second')).body as Obj)['ups.status']), /^FSD /);
    assert.equal(((await rig.get('/api/v1/ups/second')).body as Obj).fsd, true);
  });
});

describe('NUT clients', () => {
  test('a client logged in to the NUT server is listed by address, and leaves the list when it goes', async () => {
    const { port } = rig.agent.addresses()[0]!;
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (b) => (got += b.toString()));
    sock.write('USERNAME mon\nPASSWORD mon-pass-R2d\nLOGIN u\n');
    try {
      await until('three OKs', () => (got.match(/^OK/gm) ?? []).length === 3);
      await until('listed', async () => JSON.stringify((await rig.get('/api/v1/devices/u/clients')).body) === '["127.0.0.1"]');
      assert.deepEqual((await rig.get('/api/v1/ups/u/clients')).body, { ups: 'u', count: 1, clients: ['127.0.0.1'] });
      assert.equal(((await rig.get('/api/v1/ups')).body as Obj[])[0]!.logins, 1);
    } finally {
      sock.end('LOGOUT\n');
    }
    await until('gone', async () => JSON.stringify((await rig.get('/api/v1/devices/u/clients')).body) === '[]');
  });
});
