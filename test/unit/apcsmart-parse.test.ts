/** apcsmart: the pure parts (values, status byte, alerts, ignore sets, `a`, ^Z) on good, malformed, truncated and echoed input. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApcReplyError, applyAlert, cleanLine, convertValue, parseCaps, parseCmdSet, parseStatus, plausible, plausiblePacked, statusWords, unpack } from '../../src/drivers/apcsmart/parse';
import { IGNORE, VARIABLES } from '../../src/drivers/apcsmart/tables';
import { DeviceReplyError, classifyFailure } from '../../src/drivers/runtime/errors';

const def = (name: string) => VARIABLES.find((v) => v.name === name)!;

describe('values as NUT publishes them', () => {
  test('minutes and hours become seconds; transfer causes become words; the rest passes as sent', () => {
    assert.equal(convertValue('minutes', '0127:'), '7620');
    assert.equal(convertValue('hours', '336'), '1209600');
    // E's ON / OFF are not numbers: NUT's strtol makes them 0.
    assert.equal(convertValue('hours', 'OFF'), '0');
    assert.equal(convertValue('reason', 'O'), 'no transfers yet since turnon');
    assert.equal(convertValue('reason', 'S'), 'simulated power failure or UPS test');
    assert.equal(convertValue('reason', 'Q'), 'Q');
    assert.equal(convertValue('volt', '229.9'), '229.9');
    assert.equal(convertValue('percent', '018.2'), '018.2');
  });

  test('packed sensors: up to 4 fields, ambient.0 becomes ambient.1..4, empty fields N/A', () => {
    assert.deepEqual(unpack(def('ambient.0.humidity'), '45,,50'), [
      ['ambient.1.humidity', '45'],
      ['ambient.2.humidity', 'N/A'],
      ['ambient.3.humidity', '50'],
    ]);
    assert.equal(unpack(def('ambient.0.humidity'), '1,2,3,4,5').length, 4);
  });

  test('shapes: an echoed command byte or noise is not a value', () => {
    assert.ok(plausible('volt', '229.9'));
    assert.ok(!plausible('volt', 'L229.9'), 'echo glued to the reply');
    assert.ok(!plausible('volt', '22#9'));
    assert.ok(!plausible('percent', ''));
    assert.ok(plausible('minutes', '0127:'));
    assert.ok(!plausible('minutes', 'j0127:'));
    assert.ok(plausible('hex', 'FF'));
    assert.ok(!plausible('hex', 'FG'));
    assert.ok(plausible('reason', 'O'));
    assert.ok(!plausible('reason', 'GO'));
    assert.ok(plausible('leave', 'SMART-UPS 1000'));
    assert.ok(!plausible('leave', 'bad\x00byte'));
    assert.ok(plausiblePacked('percent', '45,,50'));
    assert.ok(!plausiblePacked('percent', '45,x,50'));
  });
});

describe('the status byte', () => {
  test('bits to words in NUT order; no bit at all is OFF', () => {
    assert.deepEqual(statusWords(0x08), ['OL']);
    assert.deepEqual(statusWords(0x50), ['OB', 'LB']);
    assert.deepEqual(statusWords(0x0a), ['TRIM', 'OL']);
    assert.deepEqual(statusWords(0x88), ['OL', 'RB']);
    assert.deepEqual(statusWords(0xff), ['CAL', 'TRIM', 'BOOST', 'OL', 'OB', 'OVER', 'LB', 'RB']);
    assert.deepEqual(statusWords(0), ['OFF']);
  });

  test('only one or two hex digits are a status; echoes, NA and noise are refused with a typed error', () => {
    assert.equal(parseStatus('08'), 8);
    assert.equal(parseStatus('50'), 0x50);
    assert.equal(parseStatus('8'), 8);
    for (const bad of ['', 'Q08', 'NA', '0G', '108', ' 08', '08\r']) {
      assert.throws(() => parseStatus(bad), (e: unknown) => e instanceof ApcReplyError, JSON.stringify(bad));
    }
    // A bad reply is a missed poll to the runtime, not a bug and not a lost device.
    assert.ok(new ApcReplyError('x') instanceof DeviceReplyError);
    assert.equal(classifyFailure(new ApcReplyError('x')), 'reply');
  });

  test('alerts change the status as NUT does', () => {
    let s = 0x08;
    s = applyAlert(s, '!');
    assert.deepEqual(statusWords(s), ['OB']);
    s = applyAlert(s, '%');
    assert.deepEqual(statusWords(s), ['OB', 'LB']);
    s = applyAlert(s, '+');
    assert.deepEqual(statusWords(s), ['OB']);
    s = applyAlert(s, '$');
    assert.deepEqual(statusWords(s), ['OL']);
    s = applyAlert(s, '?');
    assert.deepEqual(statusWords(s), ['OL', 'OVER']);
    s = applyAlert(s, '=');
    s = applyAlert(s, '#');
    assert.deepEqual(statusWords(s), ['OL', 'RB']);
    // `*` (powering down), `|` (EEPROM changed), `&` and unknown bytes leave it alone.
    for (const ch of ['*', '|', '&', '~', 'x']) assert.equal(applyAlert(s, ch), s);
  });
});

describe('reading lines: ignore sets', () => {
  test('alert-aware reads pick the alerts out of the reply; plain reads drop them', () => {
    assert.deepEqual(cleanLine('!08\r\n', IGNORE.alertAware, true), { text: '08', alerts: ['!'] });
    assert.deepEqual(cleanLine('0%8|\r\n', IGNORE.alertAware, true), { text: '08', alerts: ['%'] });
    assert.deepEqual(cleanLine('!27.54&\r\n', IGNORE.plain, false), { text: '27.54', alerts: [] });
  });

  test('the ^Z table keeps its leading #; the command set keeps the alert characters it lists', () => {
    assert.equal(cleanLine('#uI43253\r\n', IGNORE.caps, false).text, '#uI43253');
    assert.equal(cleanLine('3.!$%+?=#|.ABC\r\n', IGNORE.cmdset, false).text, '3.!$%+?=#|.ABC');
  });
});

describe('the command set (a)', () => {
  test('protocol.alerts.commands[.more]: the commands part', () => {
    assert.equal(parseCmdSet('3.!$%+?=#|.\x01ABCQ'), '\x01ABCQ');
    assert.equal(parseCmdSet('3.!$%+?=#|.ABC.XYZ'), 'ABC');
    for (const bad of ['', 'NA', '3.!$%+', 'x.!$.ABC', '3.!$.', 'a']) assert.equal(parseCmdSet(bad), null, JSON.stringify(bad));
  });
});

describe('the EEPROM table (^Z)', () => {
  const table = readFileSync(resolve(__dirname, '../fixtures/apcsmart/caps-smart-ups-1000.txt'), 'latin1').trim();

  test('entries: command byte, locale, values of the given width', () => {
    const { entries, problem } = parseCaps(table);
    assert.equal(problem, undefined);
    const u = entries.filter((e) => e.cmd === 'u');
    assert.deepEqual(
      u.map((e) => [e.locale, e.values]),
      [
        ['I', ['253', '257', '261', '265']],
        ['D', ['127', '130', '133', '136']],
      ],
    );
    assert.deepEqual(entries.find((e) => e.cmd === 'E')!.values, ['336', '168', 'ON ', 'OFF']);
    assert.deepEqual(entries.find((e) => e.cmd === 'o')!.values, ['230']);
  });

  test('Matrix units repeat ## before each entry', () => {
    const { entries, problem } = parseCaps('##uI43253257261265##lI43208204200196');
    assert.equal(problem, undefined);
    assert.deepEqual(
      entries.map((e) => e.cmd),
      ['u', 'l'],
    );
  });

  test('a table cut short keeps the entries before the cut and says so; the known quirky firmware is let off', () => {
    const cut = table.slice(0, 30);
    const r = parseCaps(cut);
    assert.match(r.problem ?? '', /cut short|ends inside/);
    assert.ok(r.entries.length >= 1 && r.entries.every((e) => e.values.every((v) => v.length === 3 || v.length === 2 || v.length === 1)));
    assert.equal(parseCaps(cut, true).problem, undefined);
  });

  test('not a table: a wrong first character, counts out of range', () => {
    assert.match(parseCaps('NA').problem ?? '', /not #/);
    assert.match(parseCaps('').problem ?? '', /not #/);
    assert.match(parseCaps('#uI/3253').problem ?? '', /out of range/);
  });
});
