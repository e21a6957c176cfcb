/**
 * upsc's options as NUT 2.8.5 reads them (getopt "+DhlLcVW:j": options stop
 * at the first operand), and what we say when one comes after the UPS:
 * NUT answers "old-style variable names are not supported", we name the
 * misplaced option and show the synopsis, without connecting.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpsd, type FakeUpsd } from '../helpers/fake-upsd';
import { MemoryIO } from '../../src/cli/io';
import { runUpsc } from '../../src/cli/commands/upsc';

const LIST_VAR = 'BEGIN LIST VAR ups1\nVAR ups1 battery.charge "87"\nEND LIST VAR ups1';
let fake: FakeUpsd;
after(() => fake.close());

async function upsd(): Promise<FakeUpsd> {
  fake ??= await startFakeUpsd((line) => (line === 'LIST VAR ups1' ? LIST_VAR : line === 'LIST UPS' ? 'BEGIN LIST UPS\nUPS ups1 "x"\nEND LIST UPS' : undefined));
  return fake;
}

test('-j before the UPS, alone or in a cluster, as NUT 2.8.5 takes it', async () => {
  const f = await upsd();
  for (const args of [['-j', `ups1@${f.host}:${f.port}`], ['-W', '5', '-j', `ups1@${f.host}:${f.port}`], ['-jl', `${f.host}:${f.port}`], ['-lj', `${f.host}:${f.port}`]]) {
    const io = new MemoryIO();
    assert.equal(await runUpsc(args, io), 0, `${args.join(' ')}: ${io.stderr}`);
    assert.doesNotThrow(() => JSON.parse(io.stdout), args.join(' '));
  }
});

test('-j after the UPS: the option is named, the synopsis shown, nothing is asked of the server', async () => {
  const f = await upsd();
  const before = f.received.length;
  const io = new MemoryIO();
  assert.equal(await runUpsc([`ups1@${f.host}:${f.port}`, '-j'], io), 1);
  assert.doesNotMatch(io.stderr, /old-style/);
  assert.match(io.stderr, new RegExp(`^Error: -j is an option; options go before the UPS or host, e\\.g\\. upsagent upsc -j ups1@${f.host}:${f.port}\\n`));
  assert.ok(io.stderr.includes('\n       upsagent upsc [-j] [-W <secs>] <ups>[@<host>[:<port>]] [<variable>]\n'), io.stderr);
  assert.equal(io.stdout, '');
  assert.equal(f.received.length, before);
});

test('a variable name without a dot is still refused as NUT refuses it', async () => {
  const f = await upsd();
  const io = new MemoryIO();
  assert.equal(await runUpsc([`ups1@${f.host}:${f.port}`, 'charge'], io), 1);
  assert.match(io.stderr, /old-style variable names are not supported/);
});

test('-h shows every form with its options first', async () => {
  const io = new MemoryIO();
  assert.equal(await runUpsc(['-h'], io), 0);
  assert.match(io.stdout, /usage: upsagent upsc \[-j\] \[-W <secs>\] -l \| -L \[<host>\[:<port>\]\]\n {7}upsagent upsc \[-j\] \[-W <secs>\] <ups>\[@<host>\[:<port>\]\] \[<variable>\]\n {7}upsagent upsc \[-j\] \[-W <secs>\] -c <ups>/);
  assert.match(io.stdout, /Options go before <ups> or <host>/);
});
