/**
 * The NUT configuration syntax as NUT 2.8's common/parseconf.c reads it:
 * words, quotes, backslash escapes, comments, `=`, continuation lines, and
 * what NUT drops (said, with file and line, never silently).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ARG_LIMIT, parseNutConf, settingOf, splitSections, WORDLEN_LIMIT } from '../../src/nutconf/parse';

const words = (text: string): string[][] => parseNutConf(text, 'f.conf').lines.map((l) => l.args);

describe('NUT config parser (parseconf)', () => {
  test('blank-separated words; tabs and CR are blanks; empty and comment lines give nothing', () => {
    assert.deepEqual(words('LISTEN  127.0.0.1\t3493\r\n\n   \n# just a comment\nMAXAGE 15'), [['LISTEN', '127.0.0.1', '3493'], ['MAXAGE', '15']]);
  });

  test('"=" is a word of its own wherever it stands', () => {
    assert.deepEqual(words('a=b\nc =d\ne= f\ng = h\nMODE=none\n= x'), [
      ['a', '=', 'b'],
      ['c', '=', 'd'],
      ['e', '=', 'f'],
      ['g', '=', 'h'],
      ['MODE', '=', 'none'],
      ['=', 'x'],
    ]);
  });

  test('quotes make one word of blanks, "=" and "#"-free text; "" is an empty word', () => {
    assert.deepEqual(words('desc = "Rack UPS = left, 2 m"\nUPSD_OPTIONS=""\nx "a""b"'), [['desc', '=', 'Rack UPS = left, 2 m'], ['UPSD_OPTIONS', '=', ''], ['x', 'a', 'b']]);
  });

  test('a backslash takes the next character as it is, inside quotes or not', () => {
    assert.deepEqual(words(String.raw`password = "m0n\"quoted\""` + '\n' + String.raw`p2 = watch\#me` + '\n' + String.raw`d = Desk\ UPS` + '\n' + String.raw`q = "back\\slash"`), [
      ['password', '=', 'm0n"quoted"'],
      ['p2', '=', 'watch#me'],
      ['d', '=', 'Desk UPS'],
      ['q', '=', 'back\\slash'],
    ]);
  });

  test('"#" ends a word and starts a comment outside quotes', () => {
    assert.deepEqual(words('port = desk.dev\t# the desk\nfoo#bar baz'), [['port', '=', 'desk.dev'], ['foo']]);
  });

  test('a backslash at the end of a line continues the word; the line number is where the line starts', () => {
    const r = parseNutConf('# head\n[pdu]\n  desc = "Switched PDU \\\nbehind the rack"\n  port = long\\\nname\nnext = 1\n', 'ups.conf');
    assert.deepEqual(
      r.lines.map((l) => [l.line, ...l.args]),
      [
        [2, '[pdu]'],
        [3, 'desc', '=', 'Switched PDU behind the rack'],
        [5, 'port', '=', 'longname'],
        [7, 'next', '=', '1'],
      ],
    );
    assert.deepEqual(r.problems, []);
  });

  test('a quote that runs on past its line is one word, as NUT reads it, with a warning', () => {
    const r = parseNutConf('desc = "two\nlines"\nafter = 1\n', 'ups.conf');
    assert.deepEqual(r.lines.map((l) => l.args), [['desc', '=', 'twolines'], ['after', '=', '1']]);
    assert.equal(r.lines[1]!.line, 3);
    assert.deepEqual(r.problems.map((p) => [p.line, p.severity]), [[1, 'warning']]);
    assert.match(r.problems[0]!.message, /runs on past the end of its line/);
  });

  test('a "#" inside quotes is an error on its line; that line is dropped, every other line is read', () => {
    const r = parseNutConf('[admin]\n  password = "pa#ss"\n  actions = SET\n', 'upsd.users');
    assert.deepEqual(r.lines.map((l) => l.args), [['[admin]'], ['actions', '=', 'SET']]);
    assert.equal(r.problems.length, 1);
    assert.deepEqual([r.problems[0]!.file, r.problems[0]!.line, r.problems[0]!.severity], ['upsd.users', 2, 'error']);
    assert.match(r.problems[0]!.message, /"#" inside quotes.*\\#/);
  });

  test('every bad line is reported, not only the first', () => {
    const r = parseNutConf('a = "x#"\nb = 1\nc = "y#"\nd = "never closed\n', 'x.conf');
    assert.deepEqual(r.problems.map((p) => [p.line, p.severity]), [[1, 'error'], [3, 'error'], [4, 'warning'], [4, 'error']]);
    assert.match(r.problems.at(-1)!.message, /quote opened on line 4 is never closed/);
    assert.deepEqual(r.lines.map((l) => l.args), [['b', '=', '1']]);
  });

  test('a file without a final newline keeps its last line', () => {
    assert.deepEqual(words('a = 1\nb = 2'), [['a', '=', '1'], ['b', '=', '2']]);
    assert.deepEqual(words('flag'), [['flag']]);
  });

  test('bytes outside printable ASCII are dropped as NUT drops them, with a warning on the line', () => {
    const r = parseNutConf('desc = "B\u00fcro\tUPS"\nok = 1\n', 'ups.conf');
    assert.deepEqual(r.lines[0]!.args, ['desc', '=', 'BroUPS']);
    assert.deepEqual(r.problems.map((p) => [p.line, p.severity]), [[1, 'warning']]);
    assert.match(r.problems[0]!.message, /0xfc, 0x09 dropped/);
  });

  test(`more than ${ARG_LIMIT} words, or a word over ${WORDLEN_LIMIT} characters, is cut as NUT cuts it, with a warning`, () => {
    const many = Array.from({ length: ARG_LIMIT + 3 }, (_, i) => `w${i}`).join(' ');
    const r = parseNutConf(`${many}\nlong ${'x'.repeat(WORDLEN_LIMIT + 10)}\n`, 'f');
    assert.equal(r.lines[0]!.args.length, ARG_LIMIT);
    assert.equal(r.lines[1]!.args[1]!.length, WORDLEN_LIMIT);
    assert.deepEqual(r.problems.map((p) => p.line), [1, 2]);
    assert.match(r.problems[0]!.message, /w32 w33 w34/);
  });

  test('sections: lines before the first header are global; a header is one word [name] (`[b c]` is not one, as in NUT)', () => {
    const { lines } = parseNutConf('pollinterval = 2\n[a]\n driver = x\n[b c]\n[b]\n port = y\n', 'ups.conf');
    const s = splitSections(lines);
    assert.deepEqual(s.global.map((l) => l.args), [['pollinterval', '=', '2']]);
    assert.deepEqual(s.sections.map((x) => [x.name, x.line, x.entries.length]), [['a', 2, 2], ['b', 5, 1]]);
  });

  test('settings: a flag, key = value (extra words kept apart), anything else ignored as upsconf.c does', () => {
    const { lines } = parseNutConf('nolock\nport = /dev/x\ndesc = a b\ndesc x\nport =\n', 'ups.conf');
    assert.deepEqual(lines.map(settingOf), [
      { kind: 'flag', key: 'nolock' },
      { kind: 'value', key: 'port', value: '/dev/x', extra: [] },
      { kind: 'value', key: 'desc', value: 'a', extra: ['b'] },
      { kind: 'ignored' },
      { kind: 'ignored' },
    ]);
  });
});
