/**
 * Parse errors and odd lines, byte for byte against the real upsd 2.8.0: both
 * servers get the same bytes in the same writes (each write its own read,
 * spaced apart) and must send back exactly the same bytes. The cases: a `#`
 * inside quotes (upsd drops the rest of that 512-byte read and starts the
 * next read on a fresh line), CR-only line ends, newlines inside quotes,
 * over-long words and lines, too many words, comments, empty lines, bytes
 * outside printable ASCII.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { freePort, startRealNut, type RealNut } from '../helpers/real-nut';

const DEV = resolve(__dirname, '../fixtures/sidebyside/rack.dev');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends each piece as its own write, `gapMs` apart, and returns every byte that came back (latin1). */
async function feed(port: number, pieces: Array<string | Buffer>, gapMs = 120): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  let got = '';
  sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
  sock.on('error', () => undefined);
  await new Promise((r) => sock.once('connect', r));
  for (const p of pieces) {
    sock.write(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
    await sleep(gapMs);
  }
  // Whatever is still coming (a LIST, a late reply) has time to arrive.
  await sleep(300);
  sock.destroy();
  return got;
}

/** `NETVER\n` repeated to `len` bytes with a `"#` (a parse error) at each offset given. */
function netverRun(len: number, errorsAt: number[]): Buffer {
  const b = Buffer.from('NETVER\n'.repeat(Math.ceil(len / 7)).slice(0, len), 'latin1');
  for (const at of errorsAt) b.write('"#', at, 'latin1');
  return b;
}

const CASES: Array<[string, Array<string | Buffer>]> = [
  ['the issue: # in quotes, CR, then FSD in the next read', ['GET UPSDESC DUMMY "a#b"\r', 'FSD nosuch\n']],
  ['the same bytes in one read: the FSD is lost', ['GET UPSDESC DUMMY "a#b"\rFSD nosuch\n']],
  ['# in quotes then a request on the next line, same read', ['GET VAR DUMMY "ups#status"\nNETVER\n', 'NETVER\n']],
  ['# in quotes: the next read starts mid-line', ['LIST VAR "x#', 'VAR DUMMY\n']],
  ['error windows are 512 bytes from the start of a read', [netverRun(2000, [100, 600, 1530])]],
  ['an error at the very end of a window', [netverRun(1100, [510])]],
  ['a request after the error, in the next 512 bytes', ['"#'.padEnd(512, ' ') + 'NETVER\n']],
  ['a CR alone ends nothing', ['NETVER\rNETVER\n', 'NETVER\r', '\n', 'GET VAR DUMMY ups.load\r\r\n']],
  ['CR inside a command word', ['NET\rVER\n']],
  ['a newline inside quotes continues the request', ['GET VAR DUMMY "ups.st\natus"\n', 'GET VAR DUMMY "x', '\nNETVER\n', '"\n']],
  ['backslash continuation', ['GET VAR DUMMY ups.\\\nload\n']],
  ['comments and empty lines', ['GET VAR DUMMY ups.load # a comment "with #"\n', '\n', '   \n', '# only a comment\n', 'USERNAME a"b#c\n']],
  ['a 100,000-byte word', ['a'.repeat(100_000) + '\nNETVER\n']],
  ['a line of 15,000 words', ['GET VAR DUMMY '.repeat(5000) + '\n', 'NETVER\n']],
  ['more than 32 words', [`GET VAR DUMMY ups.load ${'x '.repeat(40)}\n`, `${'NETVER '.repeat(33)}\n`]],
  ['bytes outside printable ASCII are dropped', [Buffer.from('NET\xffV\x01ER\n\x7fNETVER\nGET VAR DUMMY ups.\xe9load\n', 'latin1')]],
  ['= is a word of its own', ['GET VAR DUMMY=ups.load\n', 'GET=VAR DUMMY ups.load\n']],
  ['an unbalanced quote is closed by the next quote, across reads', ['GET UPSDESC "DUMMY', '"\n']],
];

describe('parse errors and odd input: byte for byte as real upsd 2.8.0', () => {
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;

  before(async () => {
    real = await startRealNut({ devices: { DUMMY: { file: DEV, desc: 'Parse test' } } });
    ourPort = await freePort();
    const config = validateConfig({
      ups: { DUMMY: { driver: 'dummy', port: real.deviceFiles.DUMMY ?? DEV, desc: 'Parse test' } },
      server: { listen: [`127.0.0.1:${ourPort}`] },
    });
    ours = await startAgent({ config, log: new MemoryLogger(), version: 'test' });
    for (let tries = 0; tries < 100 && !ours.store.get('DUMMY')?.health.dumpDone; tries++) await sleep(100);
  });
  after(async () => {
    await ours?.stop();
    await real?.stop();
  });

  test('the issue\'s case: upsd answers the FSD of the next read with ERR USERNAME-REQUIRED', async () => {
    const pieces = CASES[0]![1];
    assert.equal(await feed(real.port, pieces), 'ERR USERNAME-REQUIRED\n');
    assert.equal(await feed(ourPort, pieces), 'ERR USERNAME-REQUIRED\n');
  });

  for (const [name, pieces] of CASES) {
    test(name, async () => {
      const [theirs, mine] = await Promise.all([feed(real.port, pieces), feed(ourPort, pieces)]);
      assert.equal(mine, theirs);
    });
  }
});
