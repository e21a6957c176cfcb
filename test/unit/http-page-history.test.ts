/**
 * The page's chart sampler on a fake clock: a sample of every readable UPS
 * at start and then every interval, a gap (nulls) for a UPS that stops being
 * readable, a ring that keeps exactly the 24 h window however long it runs,
 * and a history file that survives a restart (old samples dropped, broken
 * files ignored, a write failure logged once and never thrown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../../src/core/logger';
import { HistorySampler, SampleRing, type Sample, type SampleValues } from '../../src/http/page/history';
import { FakeClock } from '../helpers/fake-clock';
import { until } from '../helpers/surface-rig';

function values(charge: number | null, extra: Partial<SampleValues> = {}): SampleValues {
  return { charge, load: 12, inputVoltage: 230, outputVoltage: 229, runtime: 1800, ...extra };
}

function rig(opts: { intervalS?: number; file?: string; windowS?: number; clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const log = new MemoryLogger();
  const current = new Map<string, SampleValues>([['Rack', values(100)]]);
  const sent: Array<{ ups: string; sample: Sample }> = [];
  const sampler = new HistorySampler({ intervalS: opts.intervalS ?? 60, windowS: opts.windowS, clock, log, file: opts.file, read: () => new Map(current), onSample: (ups, sample) => sent.push({ ups, sample }) });
  return { clock, log, current, sent, sampler };
}

test('a sample at start, then one every interval; each one also goes to onSample', async () => {
  const r = rig({ intervalS: 60 });
  const t0 = Math.floor(r.clock.now() / 1000);
  await r.sampler.start();
  assert.deepEqual(r.sampler.series('rack')?.t, [t0]);
  r.current.set('Rack', values(97, { load: 40 }));
  await r.clock.advance(60_000);
  await r.clock.advance(59_000);
  const s = r.sampler.series('RACK')!;
  assert.equal(s.ups, 'Rack');
  assert.equal(s.intervalS, 60);
  assert.deepEqual(s.t, [t0, t0 + 60]);
  assert.deepEqual(s.charge, [100, 97]);
  assert.deepEqual(s.load, [12, 40]);
  assert.deepEqual(r.sent.map((x) => [x.ups, x.sample.t, x.sample.charge]), [['Rack', t0, 100], ['Rack', t0 + 60, 97]]);
  assert.equal(r.sampler.series('other'), null);
  await r.sampler.stop();
  await r.clock.advance(600_000);
  assert.equal(r.sampler.series('rack')!.t.length, 2, 'no sample after stop');
});

test('a UPS that cannot be read gets a row of nulls (a gap in its chart), one never read gets nothing', async () => {
  const r = rig({ intervalS: 10 });
  await r.sampler.start();
  r.current.delete('Rack');
  await r.clock.advance(10_000);
  r.current.set('Rack', values(90));
  r.current.set('New', values(50));
  await r.clock.advance(10_000);
  const s = r.sampler.series('rack')!;
  assert.deepEqual(s.charge, [100, null, 90]);
  assert.deepEqual(s.runtime, [1800, null, 1800]);
  assert.deepEqual(r.sampler.series('new')!.charge, [50]);
  await r.sampler.stop();
});

test('the ring keeps exactly the window: after two days at 60 s there are 1440 samples, the newest ones', async () => {
  const r = rig({ intervalS: 60 });
  await r.sampler.start();
  let n = 0;
  for (let i = 0; i < 2 * 1440; i++) {
    r.current.set('Rack', values(i % 101));
    n = i;
    await r.clock.advance(60_000);
  }
  const s = r.sampler.series('rack')!;
  assert.equal(s.t.length, 1440);
  const now = Math.floor(r.clock.now() / 1000);
  assert.equal(s.t[s.t.length - 1], now);
  assert.ok(s.t[0]! >= now - 24 * 3600);
  // Oldest first, one interval apart, the values in the order they were read.
  for (let i = 1; i < s.t.length; i++) assert.equal(s.t[i]! - s.t[i - 1]!, 60);
  assert.equal(s.charge[s.charge.length - 1], n % 101);
  assert.equal(s.charge[0], (n - 1439) % 101);
  await r.sampler.stop();
});

test('SampleRing wraps in place and lists oldest first', () => {
  const ring = new SampleRing(3);
  for (let t = 1; t <= 5; t++) ring.push({ t, ...values(t) });
  assert.equal(ring.size, 3);
  assert.equal(ring.last(), 5);
  assert.deepEqual(ring.columns().t, [3, 4, 5]);
  assert.deepEqual(ring.columns().charge, [3, 4, 5]);
  assert.deepEqual(ring.columns(4).t, [4, 5]);
});

test('with a file: written every saveEvery and on stop, read back after a restart; samples past the window dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-page-history-'));
  try {
    const file = join(dir, 'sub', 'history.json');
    const first = rig({ intervalS: 60, file });
    await first.sampler.start();
    await first.clock.advance(5 * 60_000);
    // The periodic write (every 300 s) happens before any stop (real file I/O: wait for it).
    await until('the periodic write', () => existsSync(file), 5000);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { version: number; upses: Record<string, { t: number[] }> };
    assert.equal(written.version, 1);
    assert.ok(written.upses.Rack!.t.length >= 5, `written: ${written.upses.Rack!.t.length}`);
    await first.clock.advance(60_000);
    await first.sampler.stop();

    // Restarted an hour later: the 7 old samples are back, and new ones follow.
    const clock = new FakeClock(first.clock.now() + 3600_000);
    const second = rig({ intervalS: 60, file, clock });
    await second.sampler.start();
    const s = second.sampler.series('rack')!;
    assert.equal(s.t.length, 8);
    assert.deepEqual(s.charge, [100, 100, 100, 100, 100, 100, 100, 100]);
    assert.equal(s.t[7]! - s.t[6]!, 3600);
    assert.ok(second.log.lines.some((l) => /7 samples read/.test(l)));
    await second.sampler.stop();

    // Two days later nothing of it is within the window.
    const third = rig({ intervalS: 60, file, clock: new FakeClock(clock.now() + 2 * 86_400_000) });
    await third.sampler.start();
    assert.equal(third.sampler.series('rack')!.t.length, 1);
    await third.sampler.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken history file is ignored with a warning; an unwritable place is logged once and sampling goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-page-history-'));
  try {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"version": 1, "upses": ');
    const a = rig({ file: broken });
    await a.sampler.start();
    assert.equal(a.sampler.series('rack')!.t.length, 1);
    assert.ok(a.log.lines.some((l) => /warn .*not valid JSON.*starting empty/.test(l)));
    await a.sampler.stop();

    // A regular file where the directory should be: no one can write there, root included.
    const notDir = join(dir, 'not-a-dir');
    writeFileSync(notDir, '');
    const b = rig({ file: join(notDir, 'history.json'), intervalS: 60 });
    await b.sampler.start();
    await b.clock.advance(20 * 60_000);
    await b.sampler.stop();
    const warnings = b.log.lines.filter((l) => /cannot write the chart history/.test(l));
    // Five failed writes (four periodic, one at stop), one warning.
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.equal(b.sampler.series('rack')!.t.length, 21);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
