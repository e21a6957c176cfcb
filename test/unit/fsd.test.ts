/**
 * `upsagent fsd` (upsmon -c fsd by hand) against the in-process NUT server:
 * FSD is latched and upsc then reads `FSD <status>`; where the credentials
 * come from (options, the monitor section, prompts); what is sent on the wire;
 * refusals reported with the server's answer.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpsd } from '../helpers/fake-upsd';
import { freePort } from '../helpers/real-nut';
import { MemoryIO } from '../../src/cli/io';
import { runFsd } from '../../src/cli/commands/fsd';
import { runUpsc } from '../../src/cli/commands/upsc';
import { startHarness, type Harness } from '../helpers/fake-driver';

const dir = mkdtempSync(join(tmpdir(), 'upsagent-fsd-'));
let h: Harness;
let target: string;

before(async () => {
  // The FSD latch lasts for the server's life, as upsd's: each test that sets FSD uses a UPS of its own.
  h = await startHarness({ ups: { ups1: 'Test UPS', ups2: 'Other', ups3: 'Third', ups4: 'Fourth' } });
  target = `ups1@127.0.0.1:${h.port}`;
});
after(async () => {
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  h.drivers.ups1!.attach({ 'ups.status': 'OL' });
  h.drivers.ups2!.attach({ 'ups.status': 'OB' });
  h.drivers.ups3!.attach({ 'ups.status': 'OL CHRG' });
  h.drivers.ups4!.attach({ 'ups.status': 'OB LB' });
});

const at = (ups: string): string => `${ups}@127.0.0.1:${h.port}`;

async function upscStatus(ups: string): Promise<string> {
  const io = new MemoryIO();
  assert.equal(await runUpsc([`${ups}@127.0.0.1:${h.port}`, 'ups.status'], io), 0, io.stderr);
  return io.stdout;
}

/** Records whether each prompt was to be hidden. */
class PromptIO extends MemoryIO {
  readonly hidden: boolean[] = [];
  override prompt(question: string, opts?: { hidden?: boolean }): Promise<string> {
    this.hidden.push(opts?.hidden === true);
    return super.prompt(question);
  }
}

void describe('upsagent fsd', () => {
  test('wrong password: exit 1 with the server\'s answer, and no FSD', async () => {
    const io = new MemoryIO();
    assert.equal(await runFsd({ target, user: 'admin', password: 'wrong' }, io), 1);
    assert.match(io.stderr, /setting FSD on ups1@127\.0\.0\.1:\d+ failed: Access denied \(ERR ACCESS-DENIED\)/);
    assert.match(io.stderr, /PRIMARY was refused too/);
    assert.equal(io.stdout, '');
    assert.equal(await upscStatus('ups1'), 'OL\n');
    assert.equal(h.store.get('ups1')!.fsd, false);
  });

  test('a user with neither upsmon primary nor the fsd action is refused', async () => {
    const io = new MemoryIO();
    assert.equal(await runFsd({ target, user: 'mon', password: 'pw' }, io), 1);
    assert.match(io.stderr, /Access denied/);
    assert.equal(h.store.get('ups1')!.fsd, false);
  });

  test('unknown UPS: exit 1 with the server\'s answer', async () => {
    const io = new MemoryIO();
    assert.equal(await runFsd({ target: `nosuch@127.0.0.1:${h.port}`, user: 'admin', password: 'secret' }, io), 1);
    assert.match(io.stderr, /setting FSD on nosuch@127\.0\.0\.1:\d+ failed: Unknown UPS \(ERR UNKNOWN-UPS\)/);
  });

  test('--user/--password of a upsmon primary: OK FSD-SET, and upsc then reads FSD OL', async () => {
    const io = new MemoryIO();
    assert.equal(h.store.get('ups1')!.fsd, false);
    assert.equal(await runFsd({ target, user: 'admin', password: 'secret' }, io), 0, io.stderr);
    assert.match(io.stdout, /^FSD set on ups1@127\.0\.0\.1:\d+/);
    assert.equal(io.stderr, '');
    assert.equal(await upscStatus('ups1'), 'FSD OL\n');
    assert.equal(await upscStatus('ups2'), 'OB\n', 'only the named UPS');
  });

  test('a user with only the fsd action: PRIMARY refused, FSD still set', async () => {
    const io = new MemoryIO();
    assert.equal(h.store.get('ups2')!.fsd, false);
    assert.equal(await runFsd({ target: at('ups2'), user: 'fsder', password: 'ff' }, io), 0, io.stderr);
    assert.equal(await upscStatus('ups2'), 'FSD OB\n');
  });

  test('sends USERNAME, PASSWORD, PRIMARY, then FSD; falls back to MASTER for an old upsd', async () => {
    const fake = await startFakeUpsd((line) => {
      if (line === 'PRIMARY ups1') return 'ERR UNKNOWN-COMMAND';
      if (line === 'MASTER ups1') return 'OK MASTER-GRANTED';
      if (line === 'FSD ups1') return 'OK FSD-SET';
      return 'OK';
    });
    try {
      const io = new MemoryIO();
      assert.equal(await runFsd({ target: `ups1@127.0.0.1:${fake.port}`, user: 'upsmon', password: 'p w' }, io), 0, io.stderr);
      assert.deepEqual(fake.received, ['USERNAME upsmon', 'PASSWORD "p w"', 'PRIMARY ups1', 'MASTER ups1', 'FSD ups1', 'LOGOUT']);
    } finally {
      fake.close();
    }
  });

  test('credentials from the monitor.ups entry watching this UPS', async () => {
    const config = join(dir, 'monitor.yaml');
    writeFileSync(
      config,
      [
        'monitor:',
        '  ups:',
        `    - name: ups2@127.0.0.1:${h.port}`,
        '      user: mon',
        '      password: pw',
        `    - name: UPS3@127.0.0.1:${h.port}`,
        '      user: admin',
        '      password: secret',
        '      role: primary',
        '',
      ].join('\n'),
    );
    const io = new PromptIO();
    assert.equal(h.store.get('ups3')!.fsd, false);
    assert.equal(await runFsd({ target: at('ups3'), config }, io), 0, io.stderr);
    assert.deepEqual(io.prompts, [], 'nothing asked');
    assert.equal(await upscStatus('ups3'), 'FSD OL CHRG\n');

    // The entry for ups2 is a secondary's: its credentials are used, and refused.
    const io2 = new PromptIO();
    assert.equal(await runFsd({ target: at('ups2'), config }, io2), 1);
    assert.deepEqual(io2.prompts, []);
    assert.match(io2.stderr, /Access denied/);
  });

  test('no credentials anywhere: asks for the user, then the password without echo', async () => {
    const io = new PromptIO(['admin', 'secret']);
    assert.equal(h.store.get('ups4')!.fsd, false);
    assert.equal(await runFsd({ target: at('ups4'), config: join(dir, 'missing.yaml') }, io), 0, io.stderr);
    assert.equal(await upscStatus('ups4'), 'FSD OB LB\n');
    assert.equal(io.prompts.length, 2);
    assert.match(io.prompts[0]!, /^Username/);
    assert.equal(io.prompts[1], 'Password: ');
    assert.deepEqual(io.hidden, [false, true]);
    assert.match(io.stderr, /not using .*missing\.yaml for the credentials/);
  });

  test('an unreachable server or a bad target: exit 1', async () => {
    const port = await freePort();
    let io = new MemoryIO();
    assert.equal(await runFsd({ target: `ups1@127.0.0.1:${port}`, user: 'admin', password: 'secret' }, io), 1);
    assert.match(io.stderr, /Error: Connection failure: Connection refused/);
    io = new MemoryIO();
    assert.equal(await runFsd({ target: 'ups1@127.0.0.1:', user: 'admin', password: 'secret' }, io), 1);
    assert.match(io.stderr, /invalid UPS definition/);
  });
});
