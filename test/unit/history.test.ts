/** EventHistory and the state file: limits, restarts, damaged files, unwritable places, coalesced writes. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '../../src/core/logger';
import { EventHistory, HISTORY_TYPES, StateFileError, isHistoryType, readStateFile, type HistoryEvent } from '../../src/monitor/history';
import { NOTIFY_TYPE_NAMES } from '../../src/monitor/notify-types';
import { FakeClock } from '../helpers/fake-clock';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upsagent-history-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const place = (): string => path.join(dir, `${++seq}`, 'monitor.json');

const ev = (i: number, type = 'ONBATT'): HistoryEvent => ({ at: Date.UTC(2026, 0, 1, 12, 0, i), ups: `ups${i}`, type, message: `event ${i}` });

function make(file: string, size = 200): { h: EventHistory; log: MemoryLogger; clock: FakeClock } {
  const log = new MemoryLogger();
  const clock = new FakeClock();
  return { h: new EventHistory({ file, size, log, clock }), log, clock };
}

void describe('EventHistory', () => {
  void test('keeps only the last `size` events, oldest first', () => {
    const { h } = make(place(), 3);
    for (let i = 0; i < 5; i++) h.add(ev(i));
    assert.deepEqual(h.events().map((e) => e.message), ['event 2', 'event 3', 'event 4']);
  });

  void test('survives a restart: the file holds version, pid, time, events and view; a new instance loads them', async () => {
    const file = place();
    const { h, clock } = make(file);
    h.add(ev(1));
    h.add(ev(2, 'ONLINE'));
    h.setView({ upses: { rack: 'OL' } });
    await h.flush();
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk, { version: 1, pid: process.pid, updatedAt: clock.now(), events: [ev(1), ev(2, 'ONLINE')], view: { upses: { rack: 'OL' } } });
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['monitor.json'], 'no temporary file left behind');

    const next = make(file, 2);
    next.h.add(ev(3));
    await next.h.load();
    // Trimmed to the new size; what was added before load() counts as newer.
    assert.deepEqual(next.h.events(), [ev(2, 'ONLINE'), ev(3)]);
    assert.deepEqual(next.h.previousView(), { upses: { rack: 'OL' } });
    assert.deepEqual(next.log.lines, []);
  });

  void test('a missing file is a first start: nothing logged, no history', async () => {
    const { h, log } = make(place());
    await h.load();
    assert.deepEqual(h.events(), []);
    assert.equal(h.previousView(), null);
    assert.deepEqual(log.lines, []);
  });

  for (const [what, text] of [
    ['not JSON', '{"version": 1, "events": [trunc'],
    ['another version', '{"version": 9, "events": []}'],
    ['a bad event', '{"version": 1, "events": [{"at": "noon"}]}'],
  ] as const) {
    void test(`a corrupt file (${what}) is logged and moved aside to .corrupt; load() does not throw`, async () => {
      const file = place();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      const { h, log } = make(file);
      await h.load();
      assert.deepEqual(h.events(), []);
      assert.equal(fs.existsSync(file), false);
      assert.equal(fs.readFileSync(`${file}.corrupt`, 'utf8'), text);
      assert.equal(log.lines.length, 1);
      assert.match(log.lines[0]!, /^warn .*not a valid upsagent state file.*moved it to .*monitor\.json\.corrupt/);
      // And the next write starts a fresh file.
      h.add(ev(1));
      await h.flush();
      assert.deepEqual((await readStateFile(file))?.events, [ev(1)]);
    });
  }

  void test('an unreadable file (a directory) is logged, left alone, and load() does not throw', async () => {
    const file = place();
    fs.mkdirSync(file, { recursive: true });
    const { h, log } = make(file);
    await h.load();
    assert.equal(fs.statSync(file).isDirectory(), true);
    assert.equal(fs.existsSync(`${file}.corrupt`), false);
    assert.match(log.lines.join('\n'), /^warn .*cannot read the state file: EISDIR/);
  });

  void test('an unwritable place is logged once per distinct error; events stay in memory; recovery is logged', async () => {
    const base = path.join(dir, `${++seq}`);
    fs.mkdirSync(base);
    const blocker = path.join(base, 'state');
    fs.writeFileSync(blocker, 'a file where the directory should be');
    const file = path.join(blocker, 'monitor.json');
    const { h, log } = make(file);
    h.add(ev(1));
    await h.flush();
    h.add(ev(2));
    await h.flush();
    await h.flush();
    assert.equal(log.lines.length, 1, log.lines.join('\n'));
    assert.match(log.lines[0]!, /^error .*cannot write the state file \(history kept in memory\): .*(ENOTDIR|EEXIST)/);
    assert.deepEqual(h.events(), [ev(1), ev(2)]);

    fs.rmSync(blocker);
    await h.flush();
    assert.deepEqual((await readStateFile(file))?.events, [ev(1), ev(2)]);
    assert.match(log.lines[1] ?? '', /^info .*written again/);
  });

  void test('writes are coalesced: one in flight, one after it with the latest content', async (t) => {
    const file = place();
    const { h } = make(file);
    // history.ts calls the fs/promises module's rename, the same object as fs.promises.
    const renames = t.mock.method(fs.promises, 'rename');
    h.add(ev(1));
    const first = h.flush();
    h.add(ev(2));
    const second = h.flush();
    h.add(ev(3));
    const third = h.flush();
    assert.notEqual(first, second);
    assert.equal(second, third, 'callers during a write share the follow-up write');
    await Promise.all([first, second, third]);
    assert.equal(renames.mock.callCount(), 2);
    assert.deepEqual((await readStateFile(file))?.events, [ev(1), ev(2), ev(3)]);
    // Idle again: the next flush writes at once.
    h.add(ev(4));
    await h.flush();
    assert.equal(renames.mock.callCount(), 3);
    assert.deepEqual((await readStateFile(file))?.events.length, 4);
  });
});

void describe('readStateFile', () => {
  void test('null when missing; typed errors when unreadable or corrupt', async () => {
    assert.equal(await readStateFile(path.join(dir, 'none.json')), null);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '[]');
    await assert.rejects(readStateFile(bad), (err: unknown) => err instanceof StateFileError && err.reason === 'corrupt' && err.message === `${bad}: not a valid upsagent state file: not a JSON object`);
    await assert.rejects(readStateFile(dir), (err: unknown) => err instanceof StateFileError && err.reason === 'unreadable' && err.code === 'STATE_FILE');
  });
});

void describe('HISTORY_TYPES', () => {
  void test('notification types worth keeping; chatter such as TRIM and BOOST is not', () => {
    for (const t of HISTORY_TYPES) assert.ok(NOTIFY_TYPE_NAMES.includes(t), t);
    assert.equal(HISTORY_TYPES.length, 22);
    assert.ok(isHistoryType('ONBATT') && isHistoryType('BATTERY_TEST'));
    assert.ok(!isHistoryType('TRIM') && !isHistoryType('BOOST') && !isHistoryType('ECO'));
  });
});
