/**
 * `upsagent driver replay`: golden output against what NUT's upsc printed
 * for the same recording, exit codes for recordings it cannot use, and
 * robustness against corrupted recordings.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemoryIO } from '../../src/cli/io';
import { EXIT_INVALID, EXIT_UNREADABLE, runDriverReplay } from '../../src/cli/commands/driver-replay';
import { VERSION } from '../../src/cli/version';
import { CS500, FIXTURES, NUT_DDL, fixtureText, upscLines } from './usbhid-helpers';

async function replay(file: string): Promise<{ code: number; out: string; err: string }> {
  const io = new MemoryIO();
  const code = await runDriverReplay({ driver: 'usbhid', file }, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** upsc's `var: value` lines as a map. */
function parseOut(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n').filter((l) => l)) {
    const i = line.indexOf(': ');
    m.set(line.slice(0, i), line.slice(i + 2));
  }
  return m;
}

/**
 * Compares our output with NUT's upsc lines. `accepted` are the variables
 * allowed to differ or be missing, each with the reason; `extra` the ones
 * we may add.
 */
function compare(ours: Map<string, string>, nut: Map<string, string>, accepted: Record<string, string>, extra: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [name, value] of nut) {
    if (name in accepted) continue;
    if (!ours.has(name)) problems.push(`missing ${name}: ${value}`);
    else if (ours.get(name) !== value) problems.push(`${name}: ours ${JSON.stringify(ours.get(name))}, NUT ${JSON.stringify(value)}`);
  }
  for (const name of ours.keys()) if (!nut.has(name) && !extra.includes(name)) problems.push(`extra ${name}: ${ours.get(name)}`);
  return problems;
}

/** upsc sorts as upsd lists: case-insensitive byte order. */
function isUpscOrder(out: string): boolean {
  const names = out.split('\n').filter((l) => l).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
  return names.every((n, i) => i === 0 || names[i - 1]! < n);
}

void describe('upsagent driver replay: golden output', () => {
  test('our own recordings: exactly the values worked out by hand', async () => {
    for (const name of ['simple-ups.dev', 'no-report-ids.dev']) {
      const file = resolve(FIXTURES, name);
      const r = await replay(file);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      assert.ok(isUpscOrder(r.out), 'sorted as upsc prints');
      const ours = parseOut(r.out);
      assert.equal(ours.get('driver.parameter.port'), file);
      assert.equal(ours.get('driver.version'), VERSION);
      const problems = compare(ours, upscLines(fixtureText(name)), { 'driver.parameter.port': 'the recording replaces port=auto' }, [
        'driver.version',
        'driver.parameter.port',
        'driver.parameter.pollfreq',
        'driver.parameter.pollinterval',
        'driver.parameter.synchronous',
        // NUT 2.8.1 added it; the recordings are in 2.8.0's format.
        'driver.state',
      ]);
      assert.deepEqual(problems, [], name);
    }
  });

  if (existsSync(CS500)) {
    test('APC Back-UPS CS 500 (nut-ddl): every value NUT published from the HID data', async () => {
      const r = await replay(CS500);
      assert.equal(r.code, 0, r.err);
      assert.ok(isUpscOrder(r.out));
      const accepted: Record<string, string> = {
        'battery.type': 'string descriptor 4 ("PbAc") was read from the device by usbhid-ups; the recording holds only its index',
        'driver.parameter.port': 'NUT ran with port=auto; the replay names the file',
        'driver.state': 'usbhid-ups 2.8.1+ state machine (updateinfo at the moment of the capture), not device data',
        'driver.version': "NUT's version; ours is upsagent's",
        'driver.version.internal': "usbhid-ups' own version number",
        'driver.version.usb': 'the libusb version NUT was built with; we use hidraw',
      };
      const problems = compare(parseOut(r.out), upscLines(readFileSync(CS500, 'latin1')), accepted, ['driver.version', 'driver.parameter.port']);
      assert.deepEqual(problems, []);
    });
  }
});

void describe('upsagent driver replay: recordings it cannot use', () => {
  let dir: string;
  const write = (name: string, text: string): string => {
    dir ??= mkdtempSync(join(tmpdir(), 'upsagent-replay-'));
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  test('a dump with damaged lines replays; each line left out is named on stderr with its line number', async () => {
    const r = await replay(resolve(FIXTURES, 'wrong-id-damaged.dev'));
    assert.equal(r.code, 0, r.err);
    const warned = r.err.split('\n').filter((l) => /wrong-id-damaged\.dev:\d+: /.test(l));
    assert.ok(warned.length >= 2, r.err);
    assert.match(r.out, /^battery\.charge: 89$/m);
    assert.doesNotMatch(r.out, /^battery\.runtime:/m, 'the wrong-ID reply is refused');
  });

  test('a file that cannot be read: exit 1', async () => {
    const r = await replay(resolve(FIXTURES, 'nope.dev'));
    assert.equal(r.code, EXIT_UNREADABLE);
    assert.equal(r.out, '');
    assert.match(r.err, /^upsagent driver replay: cannot read .*nope\.dev: ENOENT/);
  });

  test('not a dump, a cut descriptor, a broken descriptor, no usable report: exit 2 with the reason', async () => {
    const simple = fixtureText('simple-ups.dev');
    const cases: Array<[string, string, RegExp]> = [
      ['plain.dev', 'battery.charge: 100\n', /plain\.dev: no "Report Descriptor: \(N bytes\) =>" line: not a usbhid-ups debug dump/],
      ['cut.dev', simple.replace(/# \[D3\] {2}02 09 35 81 02 c0 c0\n/, ''), /cut\.dev:\d+: report descriptor: 325 bytes announced, 318 found/],
      ['broken.dev', '# [D3] Report Descriptor: (3 bytes) => a1 01 c1\n# [D3] Report[get]: (2 bytes) => 01 00\n', /broken\.dev: report descriptor byte \d+: /],
      ['noreports.dev', simple.replace(/^# \[D3\] Report\[get\].*\n/gm, ''), /noreports\.dev: no "Report\[get\]" or "Report\[buf\]" lines/],
      [
        'otherids.dev',
        simple.replace(/^# \[D3\] Report\[get\].*\n/gm, '').replace('# DEVICE:EOC', '# [D3] Report[get]: (2 bytes) => 63 00\n# DEVICE:EOC'),
        /otherids\.dev: the driver could not use this recording: no feature report could be read/,
      ],
    ];
    try {
      for (const [name, text, why] of cases) {
        const r = await replay(write(name, text));
        assert.equal(r.code, EXIT_INVALID, `${name}: ${r.err}`);
        assert.equal(r.out, '', name);
        assert.match(r.err, why, name);
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a driver that cannot replay is refused', async () => {
    const io = new MemoryIO();
    assert.equal(await runDriverReplay({ driver: 'dummy', file: 'x' }, io), EXIT_INVALID);
    assert.match(io.stderr, /the dummy driver cannot replay recordings; use --driver usbhid/);
  });
});

/** A small deterministic generator (mulberry32), so a failure names a reproducible seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void describe('upsagent driver replay: corrupted recordings never crash it', () => {
  test('random report and descriptor bytes (seeded): exit 0 or 2, never an exception', async () => {
    const base = fixtureText('simple-ups.dev').split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'upsagent-fuzz-'));
    const outcomes = { published: 0, refused: 0 };
    try {
      for (let seed = 1; seed <= 120; seed++) {
        const rnd = random(seed);
        const lines = base.map((line) => {
          // Report and descriptor lines: change some bytes; report lines may also lose or gain some.
          const m = /^(# \[D3\] (?:Report\[get\]: \(\d+ bytes\) =>|Report Descriptor: \(\d+ bytes\) =>|))( (?:[0-9a-f]{2} ?)+)$/.exec(line);
          if (!m || rnd() > 0.3) return line;
          const bytes = m[2]!.trim().split(' ').map((b) => (rnd() < 0.25 ? Math.floor(rnd() * 256).toString(16).padStart(2, '0') : b));
          if (/Report\[get\]/.test(m[1]!) && rnd() < 0.3) {
            const n = Math.max(1, bytes.length + Math.floor(rnd() * 5) - 2);
            const resized = Array.from({ length: n }, (_, i) => bytes[i] ?? '00');
            return `# [D3] Report[get]: (${n} bytes) => ${resized.join(' ')}`;
          }
          return `${m[1]} ${bytes.join(' ')}`;
        });
        const file = join(dir, `seed-${seed}.dev`);
        writeFileSync(file, lines.join('\n'));
        const r = await replay(file).catch((err: unknown) => assert.fail(`seed ${seed}: threw ${String(err)}`));
        assert.ok(r.code === 0 || r.code === EXIT_INVALID, `seed ${seed}: exit ${r.code} ${r.err}`);
        if (r.code === 0) assert.match(r.out, /^driver\.name: usbhid-ups$/m, `seed ${seed}`);
        else assert.notEqual(r.err, '', `seed ${seed}: says why`);
        outcomes[r.code === 0 ? 'published' : 'refused']++;
      }
      // Both paths were exercised: corrupted values published, and recordings refused.
      assert.ok(outcomes.published > 10 && outcomes.refused > 10, JSON.stringify(outcomes));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (existsSync(NUT_DDL)) {
    test('every file of nut-ddl: exit 0 or 2, never an exception', async () => {
      const files: string[] = [];
      const walk = (d: string): void => {
        for (const e of readdirSync(d)) {
          const p = join(d, e);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.(dev|seq|nut)$/.test(e)) files.push(p);
        }
      };
      walk(NUT_DDL);
      assert.ok(files.length > 0);
      for (const f of files) {
        const r = await replay(f);
        assert.ok(r.code === 0 || r.code === EXIT_INVALID, `${f}: exit ${r.code} ${r.err}`);
      }
    });
  }
});
