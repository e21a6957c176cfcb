import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/core/bus';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { DummyDriver } from '../../src/drivers/dummy/driver';
import { FileSource, MemorySource } from '../../src/drivers/dummy/source';

const dir = mkdtempSync(join(tmpdir(), 'upsagent-dummy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const fresh = (ext = '.dev'): string => join(dir, `f${++seq}${ext}`);

/** Waits until `cond` holds; the bound only keeps a broken build from hanging (not a timing check). */
async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Replaces a file the way editors and config tools do: write a temporary file, then rename. */
function replaceAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

void describe('FileSource', () => {
  void test('reads the file byte for byte (latin1) and rejects a missing one', async () => {
    const p = fresh();
    writeFileSync(p, Buffer.from('ups.model: caf\xe9\n', 'latin1'));
    assert.equal(await new FileSource(p).read(), 'ups.model: caf\xe9\n');
    await assert.rejects(new FileSource(join(dir, 'missing.dev')).read(), /ENOENT/);
  });

  void test('reports an atomic replace, a delete and a re-create; not the same content read again', async () => {
    const p = fresh();
    writeFileSync(p, 'ups.status: OL\n');
    const src = new FileSource(p, { pollMs: 20 });
    await src.read();
    let changes = 0;
    const stop = src.watch(() => changes++);
    try {
      replaceAtomically(p, 'ups.status: OB\n');
      await waitFor(() => changes >= 1, 'the replace');
      assert.equal(await src.read(), 'ups.status: OB\n');

      const before = changes;
      unlinkSync(p);
      await waitFor(() => changes > before, 'the delete');
      await assert.rejects(src.read());

      const afterDelete = changes;
      writeFileSync(p, 'ups.status: OL\n');
      await waitFor(() => changes > afterDelete, 'the re-create');
      assert.equal(await src.read(), 'ups.status: OL\n');
    } finally {
      stop();
    }
  });

  void test('watching a file in a folder that does not exist falls back to polling without throwing', async () => {
    const src = new FileSource(join(dir, 'no-such-dir', 'x.dev'), { pollMs: 20 });
    const stop = src.watch(() => undefined);
    stop();
  });
});

void describe('MemorySource', () => {
  void test('set() and fail() change what read() gives and tell the watchers', async () => {
    const src = new MemorySource('m.dev', 'a.b: 1\n');
    let calls = 0;
    const stop = src.watch(() => calls++);
    src.set('a.b: 2\n');
    assert.equal(await src.read(), 'a.b: 2\n');
    src.fail();
    await assert.rejects(src.read(), /ENOENT/);
    assert.equal(calls, 2);
    stop();
    assert.equal(src.watcherCount(), 0);
  });
});

void describe('DummyDriver on a real file', () => {
  void test('follows atomic replaces, goes stale when the file is deleted and recovers when it is back', async () => {
    const p = fresh();
    writeFileSync(p, 'ups.status: OL\nbattery.charge: 100\n');
    const bus = new EventBus();
    const store = new UpsStore(bus);
    const lines: string[] = [];
    const driver = new DummyDriver({ driver: 'dummy', port: p, pollInterval: 0.1 }, { ups: 'f', bus, publisher: store.addUps('f'), log: new MemoryLogger(lines) });
    const get = (n: string) => store.get('f')?.getVar(n)?.value;
    await driver.start();
    try {
      assert.equal(get('driver.parameter.mode'), 'dummy-once');
      assert.equal(get('driver.parameter.port'), p);
      assert.equal(get('battery.charge'), '100');

      replaceAtomically(p, 'ups.status: OB\nbattery.charge: 80\n');
      await waitFor(() => get('battery.charge') === '80', 'the new value');
      assert.equal(get('ups.status'), 'OB');

      unlinkSync(p);
      await waitFor(() => store.get('f')!.health.staleFlag, 'stale data');
      assert.equal(get('battery.charge'), '80');

      writeFileSync(p, 'ups.status: OL\nbattery.charge: 95\n');
      await waitFor(() => get('battery.charge') === '95', 'the re-created file');
      assert.equal(store.get('f')!.health.staleFlag, false);
      assert.ok(lines.some((l) => l.startsWith('error') && l.includes(p)));
    } finally {
      await driver.stop();
    }
  });
});

describe('FileSource on a FIFO (a read nobody answers)', () => {
  test('the read waits in the event loop, ends when cancelled, and reads what a writer sends', async () => {
    const fifo = fresh();
    execFileSync('mkfifo', [fifo]);
    const src = new FileSource(fifo);
    const ac = new AbortController();
    const pending = src.read(ac.signal);
    ac.abort(new Error('deadline'));
    await assert.rejects(pending, /deadline/);
    const reading = src.read();
    // Not a synchronous child: the writer waits for a reader, and ours opens in the event loop.
    const writer = new Promise<void>((resolve, reject) => execFile('sh', ['-c', `printf 'ups.status: OB\\n' > '${fifo}'`], (err) => (err ? reject(err) : resolve())));
    assert.equal(await reading, 'ups.status: OB\n');
    await writer;
  });

  test('a cancelled read leaves no descriptor behind that could close someone else\'s later', async () => {
    const fifo = fresh();
    execFileSync('mkfifo', [fifo]);
    const ac = new AbortController();
    const pending = new FileSource(fifo).read(ac.signal);
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error('deadline'));
    await assert.rejects(pending);
    // The next descriptor the process opens takes the number the FIFO had.
    const other = fresh('.txt');
    writeFileSync(other, 'x');
    const fd = openSync(other, 'r');
    try {
      // A FileHandle left to the garbage collector would close that number when collected.
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setImmediate(r));
      }
      assert.doesNotThrow(() => fstatSync(fd), 'the descriptor is still ours');
    } finally {
      closeSync(fd);
    }
  });
});
