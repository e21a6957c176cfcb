import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus';
import { RequestError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';

describe('EventBus', () => {
  test('delivers typed payloads to every listener in order', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const a = {};
    const b = {};
    bus.on('ups.status', a, (p) => seen.push(`a:${p.ups}:${p.from}->${p.to}`));
    bus.on('ups.status', b, (p) => seen.push(`b:${p.to}`));
    bus.emit('ups.status', { ups: 'u1', from: 'OL', to: 'OB' });
    assert.deepEqual(seen, ['a:u1:OL->OB', 'b:OB']);
  });

  test('a throwing listener is logged and the others still run', () => {
    const log = new MemoryLogger();
    const bus = new EventBus(log);
    const seen: string[] = [];
    bus.on('driver.state', {}, () => {
      throw new Error('boom');
    });
    bus.on('driver.state', {}, (p) => seen.push(p.state));
    bus.emit('driver.state', { ups: 'u', state: 'connected' });
    assert.deepEqual(seen, ['connected']);
    assert.ok(log.lines.some((l) => l.includes('driver.state') && l.includes('boom')));
  });

  test('an async listener that rejects is logged, the others run, and the process goes on', async () => {
    const log = new MemoryLogger();
    const bus = new EventBus(log);
    const seen: string[] = [];
    let unhandled = 0;
    const onUnhandled = (): void => void unhandled++;
    process.on('unhandledRejection', onUnhandled);
    try {
      bus.on('ups.stale', {}, async () => {
        await Promise.resolve();
        throw new Error('async boom');
      });
      bus.on('ups.stale', {}, (p) => void seen.push(String(p.stale)));
      bus.emit('ups.stale', { ups: 'u', stale: true });
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(seen, ['true']);
      assert.ok(log.lines.some((l) => l.includes('listener for ups.stale rejected') && l.includes('async boom')), log.lines.join('\n'));
      assert.equal(unhandled, 0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('removeAll drops only the owner\'s listeners and handlers', async () => {
    const bus = new EventBus();
    const owner = {};
    const other = {};
    let count = 0;
    bus.on('ups.updated', owner, () => count++);
    bus.on('ups.updated', other, () => (count += 10));
    bus.handle('ups.instcmd', 'u', owner, () => undefined);
    bus.removeAll(owner);
    bus.emit('ups.updated', { ups: 'u', changed: [] });
    assert.equal(count, 10);
    assert.equal(bus.listenerCount('ups.updated'), 1);
    assert.equal(bus.hasHandler('ups.instcmd', 'u'), false);
    await assert.rejects(bus.request('ups.instcmd', { ups: 'u', name: 'load.off' }), (e: unknown) => e instanceof RequestError && e.failure === 'DRIVER-NOT-CONNECTED');
  });

  test('a listener may remove itself while the event is delivered', () => {
    const bus = new EventBus();
    const owner = {};
    const seen: number[] = [];
    bus.on('ups.fsd', owner, () => {
      seen.push(1);
      bus.removeAll(owner);
    });
    bus.on('ups.fsd', {}, () => seen.push(2));
    bus.emit('ups.fsd', { ups: 'u', by: 'x' });
    bus.emit('ups.fsd', { ups: 'u', by: 'x' });
    assert.deepEqual(seen, [1, 2, 2]);
  });

  test('requests reach the handler of their UPS, case-insensitively, and carry its failure', async () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.handle('ups.setvar', 'MyUps', {}, (r) => {
      got.push(`${r.ups}:${r.name}=${r.value}`);
    });
    bus.handle('ups.setvar', 'other', {}, () => {
      throw new RequestError('READONLY');
    });
    await bus.request('ups.setvar', { ups: 'myups', name: 'ups.id', value: 'x' });
    assert.deepEqual(got, ['myups:ups.id=x']);
    await assert.rejects(bus.request('ups.setvar', { ups: 'OTHER', name: 'a', value: 'b' }), (e: unknown) => e instanceof RequestError && e.failure === 'READONLY');
  });
});
