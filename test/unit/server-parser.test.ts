 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ARGS, MAX_WORD, READ_SIZE, RequestParser, type ParsedLine } from '../../src/server/parser';

/** Feeds the bytes (optionally split into chunks, each one arrival) and collects every finished line. */
function parse(input: string | Buffer | Buffer[], chunk = Infinity): ParsedLine[] {
  const p = new RequestParser();
  const pieces = Array.isArray(input) ? input : [typeof input === 'string' ? Buffer.from(input, 'latin1') : input];
  const out: ParsedLine[] = [];
  for (const buf of pieces) for (let start = 0; start < buf.length; start += Math.min(chunk, buf.length)) {
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

function words(input: string | Buffer | Buffer[], chunk?: number): Array<string[] | 'error'> {
  return parse(input, chunk).map((l) => (l.kind === 'words' ? l.words : 'error'));
}

const arrivals = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t, 'latin1'));

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

  test('# inside quotes is a parse error: the rest of that read is lost, the next read starts a fresh line (upsd)', () => {
    // Together in one read: VER goes with the error.
    assert.deepEqual(words('GET VAR u "a#b"\nVER\n'), ['error']);
    // In the next read: a fresh line, even without a newline before it (a CR is only a space).
    assert.deepEqual(words(arrivals('GET UPSDESC u "a#b"\r', 'FSD nosuch\n')), ['error', ['FSD', 'nosuch']]);
    // upsd reads 512 bytes at a time: what lies past the error's 512-byte window is parsed.
    const head = `"#${' '.repeat(READ_SIZE - 2)}`;
    assert.deepEqual(words(`${head}VER\n`), ['error', ['VER']]);
    // Two bytes earlier, VER straddles the window's end: "VE" is lost with the error, "R" is a request.
    assert.deepEqual(words(`${head.slice(0, -2)}VER\n`), ['error', ['R']]);
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

  test('a request of any length costs bounded memory: one word of 512 characters, at most 32 words', () => {
    assert.deepEqual(words(`${'a'.repeat(100_000)}\nVER\n`), [['a'.repeat(MAX_WORD)], ['VER']]);
    const [w] = words(`${'GET VAR ups1 '.repeat(20_000)}\n`);
    assert.ok(Array.isArray(w));
    assert.equal(w.length, MAX_ARGS);
    assert.deepEqual(w.slice(0, 4), ['GET', 'VAR', 'ups1', 'GET']);
    // An open quote swallows newlines: the request goes on until the quote closes.
    assert.deepEqual(words(`"${'x'.repeat(20_000)}\nVER\n"\nVER\n`), [['x'.repeat(MAX_WORD)], ['VER']]);
  });

  test('gives the same result however the bytes are chunked', () => {
    const input = 'USERNAME a\nSET VAR "u" v "x \\" y"\r\nLIST UPS # c\n"GET" VAR u\\\n v\nVER\n';
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

  test('random binary input never throws; a quote, a hash and a newline, then a new read, always resynchronise', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let round = 0; round < 50; round++) {
      const junk = Buffer.alloc(4000);
      for (let i = 0; i < junk.length; i++) junk[i] = rnd() & 0xff;
      // '"#\n' ends whatever state the junk left (a parse error, or a line with a comment); the next read is clean.
      const out = words([junk, ...arrivals('"#\n', 'VER\n')], (round % 5) + 1);
      assert.deepEqual(out.at(-1), ['VER'], `round ${round}`);
    }
  });
});
