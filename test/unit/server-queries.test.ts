 
/**
 * The read-only side of the NUT server over real TCP: VER/NETVER/HELP,
 * GET and LIST, formats and escapes byte for byte as upsd 2.8.0 sends them
 * (checked against a real upsd with a driver publishing the same data).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCmd, describedNames, describeVar, NO_DESCRIPTION } from '../../src/protocol/descriptions';
import { startHarness, type FakeDriver, type Harness, type NutClient, publishSampleVars } from '../helpers/fake-driver';

/** The same data a hand-made NUT driver gave real upsd in the format checks. */
function populate(d: FakeDriver): void {
  const p = d.pub;
  publishSampleVars(p);
  p.setVar('device.mfr', 'Acme "Q" \\ back # x');
  p.setVar('ups.delay', '20');
  p.setFlags('ups.delay', { rw: true });
  p.setEnums('ups.delay', ['10', '20']);
  p.setVar('ups.numflag', '1');
  p.setFlags('ups.numflag', { number: true });
  p.setVar('ups.ro', 'x');
  p.setVar('Battery.Weird', 'w');
  p.dataOk();
}

describe('NUT server: queries', () => {
  let h: Harness;
  let c: NutClient;

  before(async () => {
    h = await startHarness({ ups: { fake: '', slow: 'Slow "one" \\ # x', dead: 'Not running' } });
    populate(h.drivers.fake!);
    h.drivers.slow!.pub.setAttached(true); // attached, no dump yet
    c = await h.client();
  });
  after(() => h.stop());

  test('VER, NETVER, PROTVER and HELP; any argument is INVALID-ARGUMENT', async () => {
    assert.equal(await c.request('VER'), 'Network UPS Tools upsd 2.8.0 (upsagent 9.9.9-test) - http://www.networkupstools.org/');
    assert.equal(await c.request('NETVER'), '1.3');
    assert.equal(await c.request('PROTVER'), '1.3');
    assert.equal(await c.request('HELP'), 'Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS');
    for (const r of ['VER x', 'NETVER x', 'PROTVER x', 'HELP x']) assert.equal(await c.request(r), 'ERR INVALID-ARGUMENT', r);
  });

  test('commands are case-insensitive; unknown commands and empty lines are UNKNOWN-COMMAND', async () => {
    assert.equal(await c.request('ver'), await c.request('VER'));
    assert.equal(await c.request('pRoTvEr'), '1.3');
    for (const r of ['FOO', '', '   ', 'ATTACH fake', 'DETACH', 'V"E"R', '# only a comment']) {
      assert.equal(await c.request(r), 'ERR UNKNOWN-COMMAND', JSON.stringify(r));
    }
  });

  test('STARTTLS is refused with FEATURE-NOT-CONFIGURED and the connection stays usable', async () => {
    assert.equal(await c.request('STARTTLS'), 'ERR FEATURE-NOT-CONFIGURED');
    assert.equal(await c.request('STARTTLS now'), 'ERR FEATURE-NOT-CONFIGURED');
    assert.equal(await c.request('NETVER'), '1.3');
  });

  test('LIST UPS in configuration order, descriptions escaped, "Description unavailable" when empty', async () => {
    assert.equal(
      await c.request('LIST UPS'),
      [
        'BEGIN LIST UPS',
        'UPS fake "Description unavailable"',
        'UPS slow "Slow \\"one\\" \\\\ \\# x"',
        'UPS dead "Not running"',
        'END LIST UPS',
      ].join('\n'),
    );
    assert.equal(await c.request('list ups extra words'), await c.request('LIST UPS'));
  });

  test('LIST VAR sorted as upsd sorts, values escaped (\\ " #), UPS name echoed as sent', async () => {
    const expected = (n: string) =>
      [
        `BEGIN LIST VAR ${n}`,
        `VAR ${n} Battery.Weird "w"`,
        `VAR ${n} device.mfr "Acme \\"Q\\" \\\\ back \\# x"`,
        `VAR ${n} input.sensitivity "M"`,
        `VAR ${n} input.transfer.low "180"`,
        `VAR ${n} ups.both "5"`,
        `VAR ${n} ups.delay "20"`,
        `VAR ${n} ups.numflag "1"`,
        `VAR ${n} ups.ro "x"`,
        `VAR ${n} ups.status "OL"`,
        `VAR ${n} ups.str "abc"`,
        `VAR ${n} ups.strrw0 "abc"`,
        `END LIST VAR ${n}`,
      ].join('\n');
    assert.equal(await c.request('LIST VAR fake'), expected('fake'));
    assert.equal(await c.request('list var FAKE'), expected('FAKE'));
    assert.equal(await c.request('LIST VAR fake extra'), expected('fake'));
  });

  test('LIST RW lists only writable variables; LIST CMD the commands in upsd order', async () => {
    assert.equal(
      await c.request('LIST RW fake'),
      [
        'BEGIN LIST RW fake',
        'RW fake input.sensitivity "M"',
        'RW fake input.transfer.low "180"',
        'RW fake ups.both "5"',
        'RW fake ups.delay "20"',
        'RW fake ups.strrw0 "abc"',
        'END LIST RW fake',
      ].join('\n'),
    );
    assert.equal(
      await c.request('LIST CMD Fake'),
      ['BEGIN LIST CMD Fake', 'CMD Fake beeper.toggle', 'CMD Fake Load.Off', 'CMD Fake test.battery.start', 'END LIST CMD Fake'].join('\n'),
    );
  });

  test('GET TYPE word order: RW, ENUM, RANGE, then STRING:n or NUMBER', async () => {
    const cases: Array<[string, string]> = [
      ['input.sensitivity', 'RW ENUM STRING:8'],
      ['input.transfer.low', 'RW RANGE NUMBER'],
      ['ups.delay', 'RW ENUM NUMBER'],
      ['ups.both', 'RW ENUM RANGE NUMBER'],
      ['ups.str', 'STRING:10'],
      ['ups.strrw0', 'RW STRING:0'],
      ['ups.numflag', 'NUMBER'],
      ['ups.ro', 'NUMBER'],
    ];
    for (const [v, t] of cases) assert.equal(await c.request(`GET TYPE fake ${v}`), `TYPE fake ${v} ${t}`);
    assert.equal(await c.request('get type FAKE INPUT.SENSITIVITY'), 'TYPE FAKE INPUT.SENSITIVITY RW ENUM STRING:8');
  });

  test('LIST ENUM and LIST RANGE in declaration order, enum values escaped', async () => {
    assert.equal(
      await c.request('LIST ENUM fake input.sensitivity'),
      [
        'BEGIN LIST ENUM fake input.sensitivity',
        'ENUM fake input.sensitivity "H"',
        'ENUM fake input.sensitivity "M"',
        'ENUM fake input.sensitivity "L"',
        'ENUM fake input.sensitivity "a\\"b"',
        'END LIST ENUM fake input.sensitivity',
      ].join('\n'),
    );
    assert.equal(
      await c.request('LIST RANGE fake input.transfer.low'),
      [
        'BEGIN LIST RANGE fake input.transfer.low',
        'RANGE fake input.transfer.low "160" "190"',
        'RANGE fake input.transfer.low "200" "210"',
        'END LIST RANGE fake input.transfer.low',
      ].join('\n'),
    );
    assert.equal(await c.request('LIST ENUM fake ups.ro'), 'BEGIN LIST ENUM fake ups.ro\nEND LIST ENUM fake ups.ro');
    assert.equal(await c.request('LIST RANGE fake ups.ro'), 'BEGIN LIST RANGE fake ups.ro\nEND LIST RANGE fake ups.ro');
    assert.equal(await c.request('list enum fAKE UPS.DELAY'), 'BEGIN LIST ENUM fAKE UPS.DELAY\nENUM fAKE UPS.DELAY "10"\nENUM fAKE UPS.DELAY "20"\nEND LIST ENUM fAKE UPS.DELAY');
  });

  test('GET VAR echoes the names as sent and escapes the value', async () => {
    assert.equal(await c.request('GET VAR fake ups.status'), 'VAR fake ups.status "OL"');
    assert.equal(await c.request('Get Var Fake UPS.STATUS'), 'VAR Fake UPS.STATUS "OL"');
    assert.equal(await c.request('GET VAR fake device.mfr'), 'VAR fake device.mfr "Acme \\"Q\\" \\\\ back \\# x"');
    assert.equal(await c.request('GET VAR fake ups.status extra words'), 'VAR fake ups.status "OL"');
    // Quoting, escapes and '=' splitting in the request, as upsd parses them.
    assert.equal(await c.request('GET "VAR" fake "ups.status"'), 'VAR fake ups.status "OL"');
    assert.equal(await c.request('GET VAR fake ups\\.status'), 'VAR fake ups.status "OL"');
    assert.equal(await c.request('GET VAR fake ups.status=x'), 'VAR fake ups.status "OL"');
    assert.equal(await c.request('GET VAR fake ups.status#comment'), 'VAR fake ups.status "OL"');
    assert.equal(await c.request('GET\tVAR\tfake\tups.status\r'), 'VAR fake ups.status "OL"');
  });

  test('server.info and server.version are answered by the server for any UPS name', async () => {
    assert.equal(await c.request('GET VAR nosuch server.info'), 'VAR nosuch server.info "Network UPS Tools upsd 2.8.0 (upsagent 9.9.9-test) - http://www.networkupstools.org/"');
    assert.equal(await c.request('GET VAR fake SERVER.VERSION'), 'VAR fake server.version "2.8.0"');
    assert.equal(await c.request('GET VAR "" server.version'), 'VAR  server.version "2.8.0"');
    assert.equal(await c.request('GET VAR dead server.version'), 'VAR dead server.version "2.8.0"');
    assert.equal(await c.request('GET VAR fake server.other'), 'ERR VAR-NOT-SUPPORTED');
  });

  test('GET UPSDESC: the description, or "Unavailable"', async () => {
    assert.equal(await c.request('GET UPSDESC slow'), 'UPSDESC slow "Slow \\"one\\" \\\\ \\# x"');
    assert.equal(await c.request('GET UPSDESC FAKE'), 'UPSDESC FAKE "Unavailable"');
  });

  test('GET DESC / CMDDESC: our descriptions, "Description unavailable" for unknown names', async () => {
    assert.equal(await c.request('GET DESC fake ups.status'), `DESC fake ups.status "${describeVar('ups.status')}"`);
    assert.equal(await c.request('GET DESC fake UPS.LOAD'), `DESC fake UPS.LOAD "${describeVar('ups.load')}"`);
    assert.equal(await c.request('GET DESC fake no.such'), 'DESC fake no.such "Description unavailable"');
    assert.equal(await c.request('GET CMDDESC fake load.off'), `CMDDESC fake load.off "${describeCmd('load.off')}"`);
    assert.equal(await c.request('GET CMDDESC fake no.such'), 'CMDDESC fake no.such "Description unavailable"');
  });

  test('GET NUMLOGINS and LIST CLIENT start empty', async () => {
    assert.equal(await c.request('GET NUMLOGINS fake'), 'NUMLOGINS fake 0');
    assert.equal(await c.request('LIST CLIENT Fake'), 'BEGIN LIST CLIENT Fake\nEND LIST CLIENT Fake');
  });

  test('GET TRACKING reads OFF until SET TRACKING ON; an id then needs tracking on', async () => {
    assert.equal(await c.request('GET TRACKING'), 'OFF');
    assert.equal(await c.request('GET TRACKING 123'), 'ERR FEATURE-NOT-CONFIGURED');
  });

  test('argument errors: INVALID-ARGUMENT for missing words and unknown subcommands', async () => {
    for (const r of [
      'GET',
      'GET FOO',
      'GET FOO x',
      'GET FOO x y',
      'GET VAR',
      'GET VAR fake',
      'GET VAR ""',
      'GET NUMLOGINS',
      'GET UPSDESC',
      'GET TYPE fake',
      'GET DESC fake',
      'GET CMDDESC fake',
      'LIST',
      'LIST FOO',
      'LIST FOO x',
      'LIST FOO x y',
      'LIST VAR',
      'LIST RW',
      'LIST CMD',
      'LIST CLIENT',
      'LIST ENUM fake',
      'LIST RANGE fake',
      'GET VAR fake"ups.status"',
      'GET VAR fake #ups.status',
    ]) {
      assert.equal(await c.request(r), 'ERR INVALID-ARGUMENT', r);
    }
  });

  test('UNKNOWN-UPS before anything about the variable; then VAR-NOT-SUPPORTED', async () => {
    for (const r of [
      'GET VAR nosuch ups.status',
      'GET TYPE nosuch x',
      'GET DESC nosuch x',
      'GET CMDDESC nosuch x',
      'GET NUMLOGINS nosuch',
      'GET UPSDESC nosuch',
      'LIST VAR nosuch',
      'LIST RW nosuch',
      'LIST CMD nosuch',
      'LIST CLIENT nosuch',
      'LIST ENUM nosuch x',
      'LIST RANGE nosuch x',
    ]) {
      assert.equal(await c.request(r), 'ERR UNKNOWN-UPS', r);
    }
    for (const r of ['GET VAR fake no.such', 'GET TYPE fake no.such', 'LIST ENUM fake no.such', 'LIST RANGE fake no.such', 'GET VAR fake ""', 'GET VAR fake=ups.status']) {
      assert.equal(await c.request(r), 'ERR VAR-NOT-SUPPORTED', r);
    }
  });

  test('LIST VAR follows the store: a changed value shows in the next reply', async () => {
    const before = await c.request('LIST VAR fake');
    h.drivers.fake!.pub.setVar('ups.status', 'OB LB');
    const now = await c.request('LIST VAR fake');
    assert.notEqual(now, before);
    assert.match(now, /^VAR fake ups\.status "OB LB"$/m);
    h.drivers.fake!.pub.setVar('ups.status', 'OL');
    assert.equal(await c.request('LIST VAR fake'), before);
    h.drivers.fake!.pub.addCommand('shutdown.return');
    assert.match(await c.request('LIST CMD fake'), /^CMD fake shutdown\.return$/m);
    h.drivers.fake!.pub.deleteCommand('shutdown.return');
    assert.doesNotMatch(await c.request('LIST CMD fake'), /shutdown\.return/);
  });
});

describe('descriptions', () => {
  test('cover the common variables and every standard instant command, in plain quotable text', () => {
    const { vars } = describedNames();
    assert.ok(vars.length >= 150, `only ${vars.length} variables`);
    for (const cmd of [
      'load.off',
      'load.on',
      'load.off.delay',
      'load.on.delay',
      'shutdown.return',
      'shutdown.stayoff',
      'shutdown.stop',
      'shutdown.reboot',
      'shutdown.reboot.graceful',
      'test.panel.start',
      'test.panel.stop',
      'test.failure.start',
      'test.failure.stop',
      'test.battery.start',
      'test.battery.start.quick',
      'test.battery.start.deep',
      'test.battery.stop',
      'test.system.start',
      'calibrate.start',
      'calibrate.stop',
      'bypass.start',
      'bypass.stop',
      'reset.input.minmax',
      'reset.watchdog',
      'beeper.enable',
      'beeper.disable',
      'beeper.mute',
      'beeper.toggle',
      'outlet.1.shutdown.return',
      'outlet.2.load.off',
      'outlet.12.load.on',
      'outlet.3.load.cycle',
    ]) {
      assert.notEqual(describeCmd(cmd), NO_DESCRIPTION, cmd);
    }
    for (const v of ['ups.status', 'battery.charge', 'battery.runtime', 'input.voltage', 'ups.load', 'outlet.7.status', 'ambient.2.temperature', 'device.model', 'driver.name']) {
      assert.notEqual(describeVar(v), NO_DESCRIPTION, v);
    }
    assert.equal(describeVar('BATTERY.CHARGE'), describeVar('battery.charge'));
    assert.equal(describeVar('no.such.thing'), NO_DESCRIPTION);
    assert.equal(describeVar('__proto__'), NO_DESCRIPTION);
  });

  test('no description holds a character that would need escaping on the wire', () => {
    const { vars, cmds } = describedNames();
    for (const n of vars) assert.match(describeVar(n), /^[\x20-\x7e]+$/, n);
    for (const n of cmds) assert.match(describeCmd(n), /^[\x20-\x7e]+$/, n);
    for (const n of vars) assert.doesNotMatch(describeVar(n), /["\\#]/, n);
    for (const n of cmds) assert.doesNotMatch(describeCmd(n), /["\\#]/, n);
  });
});
