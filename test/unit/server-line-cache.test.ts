/**
 * The line cache (src/server/line-cache.ts) must never change an answer: a
 * request line seen before is answered exactly as the parser would answer it,
 * whatever came before it in the stream and however the bytes arrive.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedLine, rememberLine, repeats } from '../../src/server/line-cache';
import { startHarness, type Harness, type NutClient } from '../helpers/fake-driver';

describe('NUT server: repeated request lines', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function client(): Promise<NutClient> {
    h = await startHarness();
    h.drivers.ups1!.attach({ 'ups.status': 'OL', 'ups.load': '12', 'battery.charge': '100' }, []);
    const c = await h.client();
    await c.request('VER');
    return c;
  }

  async function replies(c: NutClient, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await c.readReply());
    return out;
  }

  test('the same line answers the same, pipelined, one at a time and split across writes', async () => {
    const c = await client();
    c.send('GET VAR ups1 ups.load\nGET VAR ups1 ups.load\nGET VAR ups1 ups.load\n');
    assert.deepEqual(await replies(c, 3), Array(3).fill('VAR ups1 ups.load "12"'));
    assert.ok(cachedLine('GET VAR ups1 ups.load'), 'a plain line is kept');
    assert.equal(await c.request('GET VAR ups1 ups.load'), 'VAR ups1 ups.load "12"');
    c.send('GET VAR ups1 ');
    await new Promise((r) => setTimeout(r, 20));
    c.send('ups.load\n');
    assert.equal(await c.readReply(), 'VAR ups1 ups.load "12"');
  });

  test('a value that changed is answered new: lines keep words, not replies', async () => {
    const c = await client();
    assert.equal(await c.request('GET VAR ups1 battery.charge'), 'VAR ups1 battery.charge "100"');
    const pub = h!.drivers.ups1!.pub;
    pub.setVar('battery.charge', '55');
    pub.dataOk();
    assert.equal(await c.request('GET VAR ups1 battery.charge'), 'VAR ups1 battery.charge "55"');
  });

  test('a line continued past its first newline is never taken for the part before it', async () => {
    const c = await client();
    // Backslash-newline and a newline in quotes join lines: the bytes before the first newline are not a request.
    for (let i = 0; i < 2; i++) {
      c.send('GET VAR ups1 ups.lo\\\nad\nGET VAR ups1 "ups.\nload"\n');
      assert.deepEqual(await replies(c, 2), ['VAR ups1 ups.load "12"', 'VAR ups1 ups.load "12"']);
    }
    assert.equal(cachedLine('GET VAR ups1 ups.lo\\'), undefined);
    assert.equal(cachedLine('GET VAR ups1 "ups.'), undefined);
  });

  test('a known line in the middle of a line is part of that line, not a request of its own', async () => {
    const c = await client();
    assert.equal(await c.request('VER'), (await c.request('VER')));
    // "VER" is known; here it ends the line "GET VAR ups1 VER".
    c.send('GET VAR ups1 ');
    await new Promise((r) => setTimeout(r, 20));
    c.send('VER\n');
    assert.equal(await c.readReply(), 'ERR VAR-NOT-SUPPORTED');
  });

  test('a parse error loses the rest of its window, then known lines answer again', async () => {
    const c = await client();
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    // upsd drops the rest of the read after `#` in quotes: the GET in the same window is never answered.
    c.send('GET UPSDESC ups1 "a#b"\nGET VAR ups1 ups.status\n');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
    assert.equal(await c.request('GET VAR ups1 ups.status'), 'VAR ups1 ups.status "OL"');
  });

  test('the line a client sent last is matched whole: longer, shorter and unfinished lines are not it', async () => {
    const c = await client();
    assert.equal(await c.request('GET VAR ups1 ups.load'), 'VAR ups1 ups.load "12"');
    assert.equal(await c.request('GET VAR ups1 ups.load'), 'VAR ups1 ups.load "12"');
    c.send('GET VAR ups1 ups.load.x\nGET VAR ups1 ups.loa\nGET VAR ups1 ups.load\r\nGET VAR ups1 ups.load\n');
    assert.deepEqual(await replies(c, 4), ['ERR VAR-NOT-SUPPORTED', 'ERR VAR-NOT-SUPPORTED', 'VAR ups1 ups.load "12"', 'VAR ups1 ups.load "12"']);
    // The same bytes without their newline yet, then the rest of a longer name.
    c.send('GET VAR ups1 ups.load');
    await new Promise((r) => setTimeout(r, 20));
    c.send('.x\n');
    assert.equal(await c.readReply(), 'ERR VAR-NOT-SUPPORTED');
  });

  test('repeats() needs the same bytes followed by a newline', () => {
    const line = rememberLine('GET VAR a b', ['GET', 'VAR', 'a', 'b']);
    const at = (text: string, from = 0) => repeats(line, Buffer.from(text, 'latin1'), from);
    assert.equal(at('GET VAR a b\n'), true);
    assert.equal(at('xxGET VAR a b\nGET', 2), true);
    assert.equal(at('GET VAR a b'), false, 'no newline yet');
    assert.equal(at('GET VAR a bc\n'), false);
    assert.equal(at('GET VAR a \n'), false);
    assert.equal(at('GET VAR a c\n'), false);
    assert.equal(at('GET VAR a b\r\n'), false);
  });
});
