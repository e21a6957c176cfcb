 
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeValue, formatLine, parseErrorLine, quote, quoteIfNeeded, splitWords } from '../../src/protocol/wire';
import { RequestParser } from '../../src/server/parser';

/** What upsd's parser (our RequestParser) makes of one request line. */
function upsdWords(line: string): string[] {
  const p = new RequestParser();
  const buf = Buffer.from(line + '\n', 'latin1');
  let pos = 0;
  while (pos < buf.length) {
    pos = p.next(buf, pos);
    const l = p.take();
    if (l) {
      assert.equal(l.kind, 'words');
      return l.kind === 'words' ? l.words : [];
    }
  }
  throw new Error(`no request parsed from ${JSON.stringify(line)} (a parse error?)`);
}

describe('wire: splitWords', () => {
  test('splits on whitespace and keeps quoted words whole', () => {
    assert.deepEqual(splitWords('VAR ups ups.status "OL CHRG"'), ['VAR', 'ups', 'ups.status', 'OL CHRG']);
    assert.deepEqual(splitWords('  a\tb\r'), ['a', 'b']);
    assert.deepEqual(splitWords(''), []);
    assert.deepEqual(splitWords('UPS x ""'), ['UPS', 'x', '']);
  });

  test('backslash escapes, as upsd writes values (\\" \\\\ \\#)', () => {
    assert.deepEqual(splitWords('VAR u d "Acme \\"Q\\" \\\\ back \\# x"'), ['VAR', 'u', 'd', 'Acme "Q" \\ back # x']);
    assert.deepEqual(splitWords('a\\ b'), ['a b']);
  });

  test('an unterminated quote is null', () => {
    assert.equal(splitWords('VAR u v "open'), null);
  });

  test('control characters are dropped; non-ASCII only with keepNonAscii', () => {
    assert.deepEqual(splitWords('a\x01b c'), ['ab', 'c']);
    assert.deepEqual(splitWords('"caf\u00e9"'), ['caf']);
    assert.deepEqual(splitWords('"caf\u00e9"', { keepNonAscii: true }), ['caf\u00e9']);
  });
});

describe('wire: quoting requests', () => {
  test('escapeValue escapes backslash, double quote and #', () => {
    assert.equal(escapeValue('plain'), 'plain');
    assert.equal(escapeValue('a"b\\c#d'), 'a\\"b\\\\c\\#d');
    assert.equal(quote('x y'), '"x y"');
    assert.equal(quote(''), '""');
  });

  test('quoteIfNeeded quotes only words upsd would otherwise split, drop or misread', () => {
    assert.equal(quoteIfNeeded('ups.status'), 'ups.status');
    for (const w of ['', 'a b', 'a"b', 'a\\b', 'a#b', 'a=b', 'tab\there']) assert.ok(quoteIfNeeded(w).startsWith('"'), w);
  });

  test('formatLine survives upsd parsing word for word, whatever the words hold', () => {
    const samples: string[][] = [
      ['GET', 'VAR', 'ups', 'ups.status'],
      ['SET', 'VAR', 'ups', 'ups.id', 'Rack 1 "left" \\ #2'],
      ['SET', 'VAR', 'ups', 'input.transfer.low', 'a=b'],
      ['USERNAME', 'we#ird=user'],
      ['PASSWORD', 'p a s s # w o r d'],
      ['INSTCMD', 'ups', 'load.off', ''],
    ];
    for (const words of samples) assert.deepEqual(upsdWords(formatLine(words)), words, formatLine(words));
  });
});

describe('wire: errors', () => {
  test('parseErrorLine splits the code and any extra text', () => {
    assert.deepEqual(parseErrorLine('ERR ACCESS-DENIED'), { code: 'ACCESS-DENIED', extra: '' });
    assert.deepEqual(parseErrorLine('ERR UNKNOWN extra words'), { code: 'UNKNOWN', extra: 'extra words' });
    assert.equal(parseErrorLine('OK'), null);
    assert.equal(parseErrorLine('VAR u v "ERR X"'), null);
  });
});
