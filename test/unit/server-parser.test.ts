 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ARGS, MAX_LINE, MAX_WORD, RequestParser, type ParsedLine } from '../../src/server/parser';

/** Feeds the bytes (optionally split into chunks) and collects every finished line. */
function parse(input: string | Buffer, chunk = Infinity): ParsedLine[] {
  const p = new RequestParser();
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const out: ParsedLine[] = [];
  for (let start = 0; start < buf.length; start += Math.min(chunk, buf.length)) {
    const piece = buf.subarray(start, Math.min(buf.length, start + chunk));
    let pos = 0;
    while (pos < piece.length) {
      pos = p.next(piece, pos);
      const l = p.take();
      if (l) out.push(l);
    }
  }
  return out;
}

function words(input: string | Buffer, chunk?: number): Array<string[] | 'tooLong'> {
  return parse(input, chunk).map((l) => (l.kind === 'words' ? l.words : 'tooLong'));
}

describe('RequestParser (upsd parseconf rules)', () => {
  test('splits on spaces, tabs, CR, VT and FF; a newline ends the request', () => {
    assert.deepEqual(words('GET VAR ups ups.status\n'), [['GET', 'VAR', 'ups', 'ups.status']]);
    assert.deepEqual(words('GET\tVAR  ups\r\n'), [['GET', 'VAR', 'ups']]);
    assert.deepEqual(words('A\vB\fC\n'), [['A', 'B', 'C']]);
    assert.deepEqual(words('\n   \n'), [[], []]);
  });

  test('quotes group words, keep spaces and make empty words', () => {
    assert.deepEqual(words('SET VAR u v "a b  c"\n'), [['SET', 'VAR', 'u', 'v', 'a b  c']]);
    assert.deepEqual(words('GET VAR u ""\n'), [['GET', 'VAR', 'u', '']]);
    assert.deepEqual(words('"GET"VAR\n'), [['GET', 'VAR']]);
  });

  test('a quote inside a word is an ordinary character', () => {
    assert.deepEqual(words('GET VAR u"v"\n'), [['GET', 'VAR', 'u"v"']]);
  });

  test('backslash takes the next character literally, in and out of quotes', () => {
    assert.deepEqual(words('a\\ b "c\\"d" "e\\\\f" \\#g\n'), [['a b', 'c"d', 'e\\f', '#g']]);
    assert.deepEqual(words('\\VER\n'), [['VER']]);
  });

  test('a backslash before the newline, or a newline inside quotes, continues the request', () => {
    assert.deepEqual(words('VER\\\nx\n'), [['VERx']]);
    assert.deepEqual(words('GET VAR u "a\nb"\n'), [['GET', 'VAR', 'u', 'ab']]);
    assert.deepEqual(words('"a\\\nb"\n'), [['ab']]);
  });

  test('# outside quotes starts a comment', () => {
    assert.deepEqual(words('GET VAR u #v\n'), [['GET', 'VAR', 'u']]);
    assert.deepEqual(words('GET VAR u v#w x\n'), [['GET', 'VAR', 'u', 'v']]);
    assert.deepEqual(words('# all comment\n'), [[]]);
  });

  test('# inside quotes is a parse error: that request gets nothing, the next one is read', () => {
    assert.deepEqual(words('GET VAR u "a#b"\nVER\n'), [['VER']]);
  });

  test('= is a word of its own', () => {
    assert.deepEqual(words('a=b =c d=\n'), [['a', '=', 'b', '=', 'c', 'd', '=']]);
  });

  test('control characters and bytes above 0x7f are dropped; 0x7f is kept', () => {
    assert.deepEqual(words(Buffer.from([0x56, 0x01, 0x45, 0xc3, 0xa9, 0x52, 0x7f, 0x0a])), [['VER\x7f']]);
    // A dropped byte still starts a word: "\x01 VER" is an empty word, then VER.
    assert.deepEqual(words(Buffer.from('\x01 VER\n', 'latin1')), [['', 'VER']]);
  });

  test(`words keep at most ${MAX_WORD} characters and requests ${MAX_ARGS} words`, () => {
    const long = 'n'.repeat(MAX_WORD + 100);
    const [w] = words(`GET VAR ${long} x\n`);
    assert.ok(Array.isArray(w));
    assert.equal(w[2]!.length, MAX_WORD);
    assert.equal(w[3], 'x');
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const [m] = words(`${many}\n`);
    assert.ok(Array.isArray(m));
    assert.equal(m.length, MAX_ARGS);
    assert.equal(m[MAX_ARGS - 1], `w${MAX_ARGS - 1}`);
  });

  test(`a request longer than ${MAX_LINE} bytes is dropped up to its newline and reported`, () => {
    const out = words(`${'a'.repeat(MAX_LINE * 3)}\nVER\n`);
    assert.deepEqual(out, ['tooLong', ['VER']]);
    // Also when it is only spaces, or an open quote that never closes on that line.
    assert.deepEqual(words(`VER${' '.repeat(MAX_LINE)}\nVER\n`), ['tooLong', ['VER']]);
    assert.deepEqual(words(`"${'x'.repeat(MAX_LINE)}\nVER\n`), ['tooLong', ['VER']]);
  });

  test('gives the same result however the bytes are chunked', () => {
    const input = 'USERNAME a\nSET VAR "u" v "x \\" y"\r\nLIST UPS # c\n"GET" VAR u\\\n v\nbad "a#b"\nVER\n';
    const whole = words(input);
    for (const size of [1, 2, 3, 7, 16]) assert.deepEqual(words(input, size), whole, `chunk ${size}`);
    assert.deepEqual(whole, [['USERNAME', 'a'], ['SET', 'VAR', 'u', 'v', 'x " y'], ['LIST', 'UPS'], ['GET', 'VAR', 'u', 'v'], ['VER']]);
  });

  test('an unfinished request waits for more bytes', () => {
    const p = new RequestParser();
    const a = Buffer.from('GET VA');
    assert.equal(p.next(a, 0), a.length);
    assert.equal(p.take(), null);
    const b = Buffer.from('R u v\nVER\n');
    const pos = p.next(b, 0);
    assert.deepEqual(p.take(), { kind: 'words', words: ['GET', 'VAR', 'u', 'v'] });
    assert.equal(pos, 6);
    p.next(b, pos);
    assert.deepEqual(p.take(), { kind: 'words', words: ['VER'] });
  });

  test('random binary input never throws and always resynchronises on the next newline', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let round = 0; round < 50; round++) {
      const junk = Buffer.alloc(4000);
      for (let i = 0; i < junk.length; i++) junk[i] = rnd() & 0xff;
      // "x#\n" ends whatever state the junk left (escape, quote, word, comment), then a clean request.
      const tail = Buffer.from('x#\nVER\n');
      const out = words(Buffer.concat([junk, tail]), (round % 5) + 1);
      assert.deepEqual(out.at(-1), ['VER'], `round ${round}`);
    }
  });
});
