/**
 * upsc, upsrw and upscmd in-process (MemoryIO) against a scripted fake upsd:
 * the cases real dummy-ups cannot produce (ENUM and RANGE variables, tracked
 * results that stay PENDING, odd replies), JSON output, prompts, and what each
 * tool sends on the wire. Interop with the real NUT is in test/interop.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startFakeUpsd, type FakeUpsd } from '../helpers/fake-upsd';
import { MemoryIO } from '../../src/cli/io';
import { runUpsc, jsonEscape } from '../../src/cli/commands/upsc';
import { runUpsrw } from '../../src/cli/commands/upsrw';
import { runUpscmd } from '../../src/cli/commands/upscmd';

type Answer = string | ((line: string) => string);

const servers: Array<{ close(): void }> = [];
after(() => {
  for (const s of servers) s.close();
});

/** A upsd stand-in: each request line looked up in `answers`; unknown ones get ERR UNKNOWN-COMMAND. */
async function fakeUpsd(answers: Record<string, Answer>): Promise<FakeUpsd> {
  const fake = await startFakeUpsd((line) => {
    const a = answers[line];
    return typeof a === 'function' ? a(line) : a;
  });
  servers.push(fake);
  return fake;
}

const at = (f: FakeUpsd, ups = 'ups1') => `${ups}@${f.host}:${f.port}`;

const LIST_UPS = 'BEGIN LIST UPS\nUPS ups1 "Rack \\"A\\""\nUPS ups2 "Description unavailable"\nEND LIST UPS';
const LIST_VAR = 'BEGIN LIST VAR ups1\nVAR ups1 battery.charge "87"\nVAR ups1 device.model "Say \\"hi\\" \\\\ back"\nEND LIST VAR ups1';

void describe('upsc', () => {
  void test('tries STARTTLS first, carries on in plain text, logs out at the end', async () => {
    const f = await fakeUpsd({ STARTTLS: 'ERR FEATURE-NOT-CONFIGURED', 'GET VAR ups1 ups.status': 'VAR ups1 ups.status "OB LB"' });
    const io = new MemoryIO();
    assert.equal(await runUpsc([at(f), 'ups.status'], io), 0);
    assert.equal(io.stdout, 'OB LB\n');
    assert.equal(io.stderr, '');
    assert.deepEqual(f.received, ['STARTTLS', 'GET VAR ups1 ups.status', 'LOGOUT']);
  });

  void test('-j: the list of UPSes, with -L their descriptions', async () => {
    const f = await fakeUpsd({ 'LIST UPS': LIST_UPS });
    let io = new MemoryIO();
    assert.equal(await runUpsc(['-j', '-l', `${f.host}:${f.port}`], io), 0);
    assert.equal(io.stdout, '[\n  "ups1",\n  "ups2"\n]\n');
    io = new MemoryIO();
    assert.equal(await runUpsc(['-jL', `${f.host}:${f.port}`], io), 0);
    assert.equal(io.stdout, '{\n  "ups1": "Rack \\"A\\"",\n  "ups2": "Description unavailable"\n}\n');
    assert.deepEqual(JSON.parse(io.stdout), { ups1: 'Rack "A"', ups2: 'Description unavailable' });
  });

  void test('-j: variables as an object, escapes as NUT 2.8.5 writes them', async () => {
    const f = await fakeUpsd({ 'LIST VAR ups1': LIST_VAR, 'GET VAR ups1 device.model': 'VAR ups1 device.model "a\\"b"' });
    let io = new MemoryIO();
    assert.equal(await runUpsc(['-j', at(f)], io), 0);
    assert.deepEqual(JSON.parse(io.stdout), { 'battery.charge': '87', 'device.model': 'Say "hi" \\ back' });
    assert.equal(io.stdout, '{\n  "battery.charge": "87",\n  "device.model": "Say \\"hi\\" \\\\ back"\n}\n');
    io = new MemoryIO();
    assert.equal(await runUpsc(['-j', at(f), 'device.model'], io), 0);
    assert.equal(io.stdout, '"a\\"b"\n');
  });

  void test('-j errors: JSON on stdout and the usual message on stderr', async () => {
    const f = await fakeUpsd({ 'LIST VAR nope': 'ERR UNKNOWN-UPS', 'GET VAR ups1 x.y': 'ERR VAR-NOT-SUPPORTED' });
    let io = new MemoryIO();
    assert.equal(await runUpsc(['-j', at(f, 'nope')], io), 1);
    assert.equal(io.stdout, '{\n  "error": "Unknown UPS"\n}\n');
    assert.equal(io.stderr, 'Error: Unknown UPS\n');
    io = new MemoryIO();
    assert.equal(await runUpsc(['-j', at(f), 'x.y'], io), 1);
    assert.equal(io.stdout, '{"error": "Variable not supported by UPS"}\n');
    io = new MemoryIO();
    assert.equal(await runUpsc(['-j', ''], io), 1);
    assert.equal(io.stdout, '{"error": "invalid UPS definition.\\nRequired format: upsname[@hostname[:port]]"}\n');
    assert.equal(io.stderr, "upscli_splitname: can't parse empty string\nError: invalid UPS definition.\nRequired format: upsname[@hostname[:port]]\n");
  });

  void test('an empty list in -j mode keeps NUT\'s blank line', async () => {
    const f = await fakeUpsd({ 'LIST UPS': 'BEGIN LIST UPS\nEND LIST UPS', 'LIST CLIENT ups1': 'BEGIN LIST CLIENT ups1\nEND LIST CLIENT ups1' });
    let io = new MemoryIO();
    await runUpsc(['-j', '-l', `${f.host}:${f.port}`], io);
    assert.equal(io.stdout, '[\n\n]\n');
    io = new MemoryIO();
    await runUpsc(['-j', '-c', at(f)], io);
    assert.equal(io.stdout, '[\n\n]\n');
  });

  void test('an upsd too old for LIST says so', async () => {
    const f = await fakeUpsd({});
    const io = new MemoryIO();
    assert.equal(await runUpsc([at(f)], io), 1);
    assert.equal(io.stderr, 'Error: upsd is too old to support this query\n');
  });

  void test('garbage instead of a reply: "Protocol error", exit 1, no crash', async () => {
    const f = await fakeUpsd({ 'GET VAR ups1 ups.status': 'HELLO' });
    const io = new MemoryIO();
    assert.equal(await runUpsc([at(f), 'ups.status'], io), 1);
    assert.equal(io.stderr, 'Error: Protocol error\n');
  });

  void test('-W with a bad value', async () => {
    const io = new MemoryIO();
    assert.equal(await runUpsc(['-W', 'soon', 'ups1'], io), 1);
    assert.equal(io.stderr, 'Error: invalid network timeout: soon\n');
  });

  void test('-h prints usage on stdout with exit 0; -V the version on stderr', async () => {
    let io = new MemoryIO();
    assert.equal(await runUpsc(['-h'], io), 0);
    assert.match(io.stdout, /-l .*\n.*-L /s);
    io = new MemoryIO();
    assert.equal(await runUpsc(['-V'], io), 0);
    assert.match(io.stderr, /upsc .* Network UPS Tools upsc 2\.8\.0/);
  });

  void test('jsonEscape follows json_print_esc', () => {
    assert.equal(jsonEscape('a"b\\c\b\f\n\r\t\u0001é'), 'a\\"b\\\\c\\b\\f\\n\\r\\t\\u0001é');
  });
});

void describe('upsrw', () => {
  const typed: Record<string, Answer> = {
    'LIST RW ups1': 'BEGIN LIST RW ups1\nRW ups1 input.sensitivity "medium"\nRW ups1 battery.charge.low "20"\nRW ups1 ups.id "rack"\nRW ups1 ups.delay.start "30"\nRW ups1 odd.one "x"\nRW ups1 old.enum "b"\nEND LIST RW ups1',
    'GET DESC ups1 input.sensitivity': 'DESC ups1 input.sensitivity "Input power sensitivity"',
    'GET TYPE ups1 input.sensitivity': 'TYPE ups1 input.sensitivity RW ENUM STRING:10',
    'GET VAR ups1 input.sensitivity': 'VAR ups1 input.sensitivity "medium"',
    'LIST ENUM ups1 input.sensitivity':
      'BEGIN LIST ENUM ups1 input.sensitivity\nENUM ups1 input.sensitivity "low"\nENUM ups1 input.sensitivity "medium"\nENUM ups1 input.sensitivity "high"\nEND LIST ENUM ups1 input.sensitivity',
    'GET DESC ups1 battery.charge.low': 'DESC ups1 battery.charge.low "Low battery level (percent)"',
    'GET TYPE ups1 battery.charge.low': 'TYPE ups1 battery.charge.low RW RANGE NUMBER',
    'GET VAR ups1 battery.charge.low': 'VAR ups1 battery.charge.low "20"',
    'LIST RANGE ups1 battery.charge.low': 'BEGIN LIST RANGE ups1 battery.charge.low\nRANGE ups1 battery.charge.low "5" "15"\nRANGE ups1 battery.charge.low "18" "40"\nEND LIST RANGE ups1 battery.charge.low',
    'GET DESC ups1 ups.id': 'ERR VAR-NOT-SUPPORTED',
    'GET TYPE ups1 ups.id': 'TYPE ups1 ups.id RW STRING:8',
    'GET VAR ups1 ups.id': 'VAR ups1 ups.id "rack"',
    'GET DESC ups1 ups.delay.start': 'DESC ups1 ups.delay.start "Start delay"',
    'GET TYPE ups1 ups.delay.start': 'TYPE ups1 ups.delay.start RW NUMBER',
    'GET VAR ups1 ups.delay.start': 'VAR ups1 ups.delay.start "30"',
    'GET DESC ups1 odd.one': 'DESC ups1 odd.one "Odd"',
    'GET TYPE ups1 odd.one': 'TYPE ups1 odd.one RW FANCY',
    'GET DESC ups1 old.enum': 'DESC ups1 old.enum "Old"',
    'GET TYPE ups1 old.enum': 'TYPE ups1 old.enum ENUM',
    'GET VAR ups1 old.enum': 'VAR ups1 old.enum "b"',
    'LIST ENUM ups1 old.enum': 'BEGIN LIST ENUM ups1 old.enum\nENUM ups1 old.enum "a"\nENUM ups1 old.enum "b"\nEND LIST ENUM ups1 old.enum',
  };

  void test('lists ENUM, RANGE, STRING and NUMBER variables as upsrw does', async () => {
    const f = await fakeUpsd(typed);
    const io = new MemoryIO();
    assert.equal(await runUpsrw([at(f)], io), 0);
    assert.equal(
      io.stdout,
      [
        '[input.sensitivity]',
        'Input power sensitivity',
        'Type: ENUM STRING',
        'Maximum length: 10',
        'Option: "low"',
        'Option: "medium" SELECTED',
        'Option: "high"',
        '',
        '[battery.charge.low]',
        'Low battery level (percent)',
        'Type: RANGE NUMBER',
        'Option: "5-15"',
        'Option: "18-40" SELECTED',
        '',
        '[ups.id]',
        'Description unavailable',
        'Type: STRING',
        'Maximum length: 8',
        'Value: rack',
        '',
        '[ups.delay.start]',
        'Start delay',
        'Type: NUMBER',
        'Value: 30',
        '',
        '[odd.one]',
        'Odd',
        'Type: FANCY (unrecognized)',
        '',
        '[old.enum]',
        'Old',
        'Type: ENUM',
        'Option: "a"',
        'Option: "b" SELECTED',
        '',
        '',
      ].join('\n'),
    );
    assert.ok(!f.received.includes('STARTTLS'), 'upsrw does not try STARTTLS');
  });

  void test('a value that cannot be read stops the listing with NUT\'s message', async () => {
    const f = await fakeUpsd({ ...typed, 'GET VAR ups1 input.sensitivity': 'ERR DATA-STALE' });
    const io = new MemoryIO();
    assert.equal(await runUpsrw([at(f)], io), 1);
    assert.equal(io.stdout, '[input.sensitivity]\nInput power sensitivity\n');
    assert.equal(io.stderr, "do_enum: can't get current value of input.sensitivity\n");
  });

  void test('asks for user, password and value when not given', async () => {
    const f = await fakeUpsd({ 'USERNAME admin': 'OK', 'PASSWORD secret': 'OK', 'SET VAR ups1 ups.id rack2': 'OK' });
    const io = new MemoryIO(['admin', 'secret', 'rack2']);
    assert.equal(await runUpsrw(['-s', 'ups.id', at(f)], io), 0);
    assert.equal(io.prompts.length, 3);
    assert.match(io.prompts[0]!, /^Username( \(.*\))?: $/);
    assert.equal(io.prompts[1], 'Password: ');
    assert.equal(io.prompts[2], 'Enter new value for ups.id: ');
    assert.equal(io.stderr, 'OK\n');
    assert.deepEqual(f.received, ['USERNAME admin', 'PASSWORD secret', 'SET VAR ups1 ups.id rack2', 'LOGOUT']);
  });

  void test('values with quotes and backslashes are sent escaped', async () => {
    const f = await fakeUpsd({ 'USERNAME admin': 'OK', 'PASSWORD pw': 'OK', 'SET VAR ups1 ups.id "a \\"b\\" \\\\c"': 'OK' });
    const io = new MemoryIO();
    assert.equal(await runUpsrw(['-s', 'ups.id=a "b" \\c', '-u', 'admin', '-p', 'pw', at(f)], io), 0);
    assert.equal(io.stderr, 'OK\n');
  });

  void test('-w polls GET TRACKING while PENDING and prints the result', async () => {
    let polls = 0;
    const id = '0a1b2c3d-0000-4000-8000-123456789abc';
    const f = await fakeUpsd({
      'USERNAME admin': 'OK',
      'PASSWORD pw': 'OK',
      'SET TRACKING ON': 'OK',
      'SET VAR ups1 ups.id x': `OK TRACKING ${id}`,
      [`GET TRACKING ${id}`]: () => (++polls < 2 ? 'PENDING' : 'SUCCESS'),
    });
    const io = new MemoryIO();
    assert.equal(await runUpsrw(['-w', '-s', 'ups.id=x', '-u', 'admin', '-p', 'pw', at(f)], io), 0);
    assert.equal(io.stderr, 'SUCCESS\n');
    assert.equal(polls, 2);
  });

  void test('-w -t 0: gives up at once with NUT\'s timeout message', async () => {
    const id = '0a1b2c3d-0000-4000-8000-123456789abc';
    const f = await fakeUpsd({ 'USERNAME admin': 'OK', 'PASSWORD pw': 'OK', 'SET TRACKING ON': 'OK', 'SET VAR ups1 ups.id x': `OK TRACKING ${id}` });
    const io = new MemoryIO();
    assert.equal(await runUpsrw(['-w', '-t', '0', '-s', 'ups.id=x', '-u', 'admin', '-p', 'pw', at(f)], io), 1);
    assert.equal(io.stderr, "Can't receive status tracking information: timeout\n");
  });

  void test('a server that refuses tracking', async () => {
    const f = await fakeUpsd({ 'USERNAME admin': 'OK', 'PASSWORD pw': 'OK', 'SET TRACKING ON': 'ERR INVALID-ARGUMENT' });
    const io = new MemoryIO();
    assert.equal(await runUpsrw(['-w', '-s', 'ups.id=x', '-u', 'admin', '-p', 'pw', at(f)], io), 1);
    assert.equal(io.stderr, 'Enabling set variable status tracking failed. upsd answered: ERR INVALID-ARGUMENT\n');
  });
});

void describe('upscmd', () => {
  void test('-l: commands with descriptions, a name alone when there is none', async () => {
    const f = await fakeUpsd({
      'LIST CMD ups1': 'BEGIN LIST CMD ups1\nCMD ups1 load.off\nCMD ups1 beeper.toggle\nEND LIST CMD ups1',
      'GET CMDDESC ups1 load.off': 'CMDDESC ups1 load.off "Turn off the load immediately"',
      'GET CMDDESC ups1 beeper.toggle': 'ERR CMD-NOT-SUPPORTED',
    });
    const io = new MemoryIO();
    assert.equal(await runUpscmd(['-l', at(f)], io), 0);
    assert.equal(io.stdout, 'Instant commands supported on UPS [ups1]:\n\nload.off - Turn off the load immediately\nbeeper.toggle\n');
  });

  void test('runs a command with a parameter; the OK goes to stderr', async () => {
    const f = await fakeUpsd({ 'USERNAME admin': 'OK', 'PASSWORD pw': 'OK', 'INSTCMD ups1 load.off.delay 30': 'OK' });
    const io = new MemoryIO();
    assert.equal(await runUpscmd(['-u', 'admin', '-p', 'pw', at(f), 'load.off.delay', '30'], io), 0);
    assert.equal(io.stdout, '');
    assert.equal(io.stderr, 'OK\n');
  });

  void test('an empty password is sent bare, as NUT does, and the refusal printed', async () => {
    const f = await fakeUpsd({ 'USERNAME admin': 'OK', PASSWORD: 'ERR INVALID-ARGUMENT', 'INSTCMD ups1 load.off': 'ERR PASSWORD-REQUIRED' });
    const io = new MemoryIO();
    assert.equal(await runUpscmd(['-u', 'admin', '-p', '', at(f), 'load.off'], io), 1);
    assert.equal(io.stderr, 'Unexpected response from upsd: ERR PASSWORD-REQUIRED\n');
    assert.ok(f.received.includes('PASSWORD'));
  });

  void test('the server hanging up after USERNAME', async () => {
    const server = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.once('data', () => sock.destroy());
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const io = new MemoryIO();
    assert.equal(await runUpscmd(['-u', 'admin', '-p', 'pw', `ups1@127.0.0.1:${port}`, 'load.off'], io), 1);
    assert.equal(io.stderr, 'Set username failed: Server disconnected\n');
  });
});
