/**
 * The power-down flag (NUT's POWERDOWNFLAG) and `upsagent killpower check`
 * (upsmon -K): the file format NUT's halt scripts read, that a file without
 * the magic text is never taken for a flag nor deleted, and the exit codes.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { MemoryIO } from '../../src/cli/io';
import { runKillpowerCheck } from '../../src/cli/commands/killpower';
import { MemoryLogger } from '../../src/core/logger';
import { PowerDownFlagError, SDMAGIC, clearPowerDownFlag, powerDownFlagStatus, writePowerDownFlag } from '../../src/monitor/killpower';

const dir = mkdtempSync(join(tmpdir(), 'upsagent-killpower-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `flag-${++n}`);

/** A configuration whose monitor watches a local dummy UPS, with `extra` monitor keys. */
function configWith(monitorExtra: string): string {
  const file = join(dir, `cfg-${++n}.yaml`);
  writeFileSync(file, `ups:\n  myups:\n    driver: dummy\n    port: myups.dev\nmonitor:\n  ups:\n    - name: myups\n${monitorExtra}`);
  return file;
}

void describe('power-down flag file', () => {
  test('written with the exact magic text upsmon writes, and read back as set', async () => {
    const f = fresh();
    await writePowerDownFlag(f);
    assert.equal(readFileSync(f, 'latin1'), 'upsmon-shutdown-file');
    assert.equal(SDMAGIC, 'upsmon-shutdown-file');
    assert.equal(await powerDownFlagStatus(f), 'set');
  });

  test('a missing file, or one in a missing folder, is absent', async () => {
    assert.equal(await powerDownFlagStatus(fresh()), 'absent');
    assert.equal(await powerDownFlagStatus(join(dir, 'no-such-dir', 'flag')), 'absent');
  });

  test('only the start of the first line counts, as upsmon compares it', async () => {
    const f = fresh();
    writeFileSync(f, `${SDMAGIC}\n`);
    assert.equal(await powerDownFlagStatus(f), 'set', 'NUT flag written by echo, with a newline');
    writeFileSync(f, `${SDMAGIC} trailing words`);
    assert.equal(await powerDownFlagStatus(f), 'set');
    writeFileSync(f, ` ${SDMAGIC}`);
    assert.equal(await powerDownFlagStatus(f), 'foreign', 'a leading blank is not the magic');
    writeFileSync(f, 'upsmon-shutdown-fil');
    assert.equal(await powerDownFlagStatus(f), 'foreign', 'a truncated magic is not the magic');
    writeFileSync(f, '');
    assert.equal(await powerDownFlagStatus(f), 'foreign', 'an empty file');
  });

  test('a directory or a FIFO at the path is foreign, and the check does not hang on the FIFO', async () => {
    const d = fresh();
    mkdirSync(d);
    assert.equal(await powerDownFlagStatus(d), 'foreign');
    const fifo = fresh();
    execFileSync('mkfifo', [fifo]);
    assert.equal(await powerDownFlagStatus(fifo), 'foreign');
  });

  test('writing replaces what was there, as upsmon does', async () => {
    const f = fresh();
    writeFileSync(f, 'something much longer than the magic text, on several\nlines\n');
    await writePowerDownFlag(f);
    assert.equal(readFileSync(f, 'latin1'), SDMAGIC);
  });

  test('a flag that cannot be written is a typed error naming the file', async () => {
    const f = join(dir, 'no-such-dir', 'flag');
    await assert.rejects(writePowerDownFlag(f), (err: unknown) => {
      assert.ok(err instanceof PowerDownFlagError);
      assert.equal(err.code, 'POWERDOWNFLAG');
      assert.equal(err.operation, 'write');
      assert.match(err.message, /cannot write the power-down flag .*no-such-dir\/flag: .*ENOENT/);
      return true;
    });
  });

  test('a flag that cannot be opened for another reason than absence is an error, not a guess', async () => {
    // A symlink loop: open fails with ELOOP whoever runs the test (root reads through any permission bits).
    const a = fresh();
    const b = fresh();
    symlinkSync(b, a);
    symlinkSync(a, b);
    await assert.rejects(powerDownFlagStatus(a), (err: unknown) => err instanceof PowerDownFlagError && err.operation === 'read' && /ELOOP/.test(err.message));
    await assert.rejects(clearPowerDownFlag(a), PowerDownFlagError);
  });

  test('clearing removes a flag with the magic, and says so', async () => {
    const f = fresh();
    await writePowerDownFlag(f);
    const lines: string[] = [];
    assert.equal(await clearPowerDownFlag(f, new MemoryLogger(lines)), 'removed');
    assert.equal(existsSync(f), false);
    assert.ok(lines.some((l) => l.startsWith('info') && l.includes(f)), lines.join('\n'));
    assert.equal(await clearPowerDownFlag(f), 'absent');
  });

  test('clearing leaves a file without the magic alone, and logs an error', async () => {
    const f = fresh();
    writeFileSync(f, 'important data\n');
    const lines: string[] = [];
    assert.equal(await clearPowerDownFlag(f, new MemoryLogger(lines)), 'foreign');
    assert.equal(readFileSync(f, 'latin1'), 'important data\n');
    assert.ok(lines.some((l) => l.startsWith('error') && l.includes('magic')), lines.join('\n'));
  });
});

void describe('upsagent killpower check (upsmon -K)', () => {
  test('--flag: exit 0 when the flag is set, 1 when absent or foreign, saying which', async () => {
    const f = fresh();
    let io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config: join(dir, 'unused.yaml'), flag: f }, io), 1);
    assert.match(io.stderr, /not set: .* does not exist/);

    writeFileSync(f, 'not ours');
    io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config: join(dir, 'unused.yaml'), flag: f }, io), 1);
    assert.match(io.stderr, /not set: .* does not contain the upsmon magic string/);

    await writePowerDownFlag(f);
    io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config: join(dir, 'unused.yaml'), flag: f }, io), 0);
    assert.equal(io.stdout, `Power down flag is set (${f})\n`);
    assert.equal(io.stderr, '');
  });

  test('--flag works with no readable configuration at all (late in a shutdown)', async () => {
    const f = fresh();
    await writePowerDownFlag(f);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'ups: [this is: not valid');
    for (const config of [join(dir, 'missing.yaml'), broken]) {
      const io = new MemoryIO();
      assert.equal(await runKillpowerCheck({ config, flag: f }, io), 0, io.stderr);
    }
  });

  test('without --flag: the configuration names the flag (monitor.powerDownFlag)', async () => {
    const f = fresh();
    const config = configWith(`  powerDownFlag: ${f}\n`);
    let io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config }, io), 1);
    assert.match(io.stderr, /does not exist/);
    await writePowerDownFlag(f);
    io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config }, io), 0, io.stderr);
    assert.match(io.stdout, /is set/);
    // --flag wins over the configuration.
    io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config, flag: fresh() }, io), 1);
  });

  test('exit 2 when no flag is configured, the configuration is bad, or --flag is empty', async () => {
    let io = new MemoryIO();
    const noFlag = configWith('');
    assert.equal(await runKillpowerCheck({ config: noFlag }, io), 2);
    assert.match(io.stderr, /no power-down flag is configured \(monitor\.powerDownFlag\)/);

    io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config: join(dir, 'missing.yaml') }, io), 2);
    assert.match(io.stderr, /cannot read the file/);
    assert.match(io.stderr, /--flag FILE/);

    io = new MemoryIO();
    const bad = configWith('  powerDownFlag: 5\n  pollFreq: often\n');
    assert.equal(await runKillpowerCheck({ config: bad }, io), 2);
    assert.match(io.stderr, /monitor\.pollFreq/);

    io = new MemoryIO();
    assert.equal(await runKillpowerCheck({ config: noFlag, flag: '' }, io), 2);
  });
});
