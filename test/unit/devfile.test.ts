import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ParseError } from '../../src/core/errors';
import { declarationsOf, formatWarning, parseDevFile, type DevFile } from '../../src/drivers/dummy/devfile';

const FIXTURES = resolve(__dirname, '../fixtures/dummy');
const fixture = (name: string): string => readFileSync(resolve(FIXTURES, name), 'latin1');

/** The variables a file leaves behind once all its steps ran, as the driver applies them. */
function finalVars(file: DevFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const step of file.steps) {
    for (const [name, value] of step.vars) {
      if (value === '' && name !== 'ups.status') out.delete(name.toLowerCase());
      else out.set(name.toLowerCase(), value);
    }
  }
  return out;
}

const vars = (text: string): Map<string, string> => finalVars(parseDevFile(text));
const warningsOf = (text: string): string[] => parseDevFile(text, 'f.dev').warnings.map(formatWarning);

void describe('parseDevFile: plain dumps', () => {
  void test('reads `name: value` lines in order, skipping comments, blank lines and driver.*', () => {
    const f = parseDevFile('# head\n\nbattery.charge: 100\ndriver.name: usbhid-ups\nups.status: OL\n  # indented\n', 'x.dev');
    assert.equal(f.steps.length, 1);
    assert.deepEqual(f.steps[0]!.vars, [
      ['battery.charge', '100'],
      ['ups.status', 'OL'],
    ]);
    assert.equal(f.steps[0]!.timer, null);
    assert.deepEqual(f.warnings, []);
  });

  void test('keeps every value of a realistic dump and its declarations', () => {
    const f = parseDevFile(fixture('basic.dev'), 'basic.dev');
    const v = finalVars(f);
    assert.equal(v.get('ups.status'), 'OL CHRG');
    assert.equal(v.get('ups.test.result'), 'No test initiated');
    assert.equal(v.get('device.model'), 'TC-650');
    assert.equal(v.has('driver.name'), false);
    assert.equal(v.size, 23);
    assert.deepEqual(f.warnings, []);
    const d = declarationsOf(f);
    assert.deepEqual(d.cmds, ['beeper.disable', 'test.battery.start.quick']);
    assert.deepEqual(
      d.rw.map((r) => ({ ...r, line: undefined })),
      [
        { name: 'battery.charge.low', type: 'STRING', maxLength: 10, line: undefined },
        { name: 'input.transfer.high', type: 'ENUM', value: '270', line: undefined },
        { name: 'input.transfer.high', type: 'ENUM', value: '280', line: undefined },
        { name: 'ups.delay.shutdown', type: 'RANGE', min: 0, max: 600, line: undefined },
      ],
    );
    assert.deepEqual(
      d.rw.map((r) => r.line),
      [30, 31, 32, 33],
    );
  });

  void test('an empty or comment-only file is valid and has one empty step', () => {
    for (const text of ['', '# only a comment\n', '\n\n   \n']) {
      const f = parseDevFile(text);
      assert.equal(f.steps.length, 1);
      assert.deepEqual(f.steps[0]!.vars, []);
    }
  });

  void test('accepts a Buffer and reads it byte by byte', () => {
    const f = parseDevFile(Buffer.from('ups.model: caf\xe9\n', 'latin1'));
    assert.deepEqual(f.steps[0]!.vars, [['ups.model', 'caf']]);
  });
});

void describe('parseDevFile: tokenizer rules (values checked against the real dummy-ups 2.8.0)', () => {
  const q = finalVars(parseDevFile(fixture('quirks.dev'), 'quirks.dev'));
  const expected: Record<string, string> = {
    'ups.mfr': 'Quirk Works',
    'ups.model': 'Big  UPS extra',
    'a.colon': ': spaced colon',
    'a.equals': 'a = b c = d',
    'a.hash': 'Foo',
    'a.escapes': 'esc aped q"uo back\\slash',
    'a.continued': 'continued line',
    'a.novalue': 'continued line',
    'a.padded': 'upper case name',
    'a.tabs': 'tab-sep value',
    'a.quote': 'goes onto the next line',
    'a.inner': 'x"y z"w',
    'a.many': Array.from({ length: 31 }, (_, i) => String(i + 1)).join(' '),
    'a.long': 'A'.repeat(127),
    'ups.status': 'OB',
    'a.pair': 'a b',
    'a.bare': 'a b',
    'a.colons': 'z',
    timer: '5',
    'a.last': 'end',
    'a.nonascii': 'caf uro',
  };
  for (const [name, value] of Object.entries(expected)) {
    void test(`${name} reads ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`, () => {
      assert.equal(q.get(name), value);
    });
  }
  void test('the whole quirks file gives exactly those variables (a "" value deletes; driver.* is skipped)', () => {
    assert.deepEqual([...q.keys()].sort(), Object.keys(expected).sort());
  });

  void test('CR of CRLF line ends is whitespace', () => {
    assert.deepEqual([...vars('ups.mfr: Acme Inc\r\nups.status: OL\r\n')], [
      ['ups.mfr', 'Acme Inc'],
      ['ups.status', 'OL'],
    ]);
  });

  void test('odd whitespace between and around words collapses to one space', () => {
    assert.equal(vars('ups.model:\t  Smart \t\f UPS   \v\n').get('ups.model'), 'Smart UPS');
  });

  void test('quoted words keep their spaces; an empty quoted value means delete', () => {
    const f = parseDevFile('a.b: " x  y "\na.c: ""\n');
    assert.deepEqual(f.steps[0]!.vars, [
      ['a.b', ' x  y '],
      ['a.c', ''],
    ]);
  });

  void test('a last line without newline is read when it has two words, dropped (with a warning) when it has one', () => {
    assert.equal(vars('a.b: 1\na.c: 2').get('a.c'), '2');
    const f = parseDevFile('a.b: 1\nlonely', 'f.dev');
    assert.deepEqual(f.steps[0]!.vars, [['a.b', '1']]);
    assert.deepEqual(f.warnings.map(formatWarning), ['f.dev:2: the last line has a single word and no newline; ignored, as NUT does']);
  });

  void test('a word is cut at 512 characters before the value is cut at 127', () => {
    const f = parseDevFile(`a.b: "${'x'.repeat(600)}"\n`, 'f.dev');
    assert.equal(f.steps[0]!.vars[0]![1], 'x'.repeat(127));
    assert.deepEqual(f.warnings.map(formatWarning), [
      'f.dev:1: a word longer than 512 characters was cut',
      'f.dev:1: value of a.b is longer than 127 characters; cut, as dummy-ups does',
    ]);
  });

  void test('ups.status keeps repeated and quoted tokens as dummy-ups does; an empty status line sets ""', () => {
    assert.equal(vars('ups.status: OL OL CHRG\n').get('ups.status'), 'OL OL CHRG');
    assert.equal(vars('ups.status: "OB LB"\n').get('ups.status'), 'OB LB');
    assert.deepEqual(parseDevFile('ups.status:\n').steps[0]!.vars, [['ups.status', '']]);
  });

  void test('a valueless line as the first of a step is ignored (dummy-ups would use garbage)', () => {
    const f = parseDevFile('a.b:\n', 'f.dev');
    assert.deepEqual(f.steps[0]!.vars, []);
    assert.deepEqual(f.warnings.map(formatWarning), ['f.dev:1: a.b has no value; line ignored']);
  });

  void test('the previous-value quirk does not reach across a TIMER (dummy-ups reads each step in a new pass)', () => {
    const f = parseDevFile('a.b: 1\nTIMER 5\na.c:\n', 'f.dev');
    assert.deepEqual(
      f.steps.flatMap((s) => s.vars),
      [['a.b', '1']],
    );
    assert.deepEqual(f.warnings.map(formatWarning), ['f.dev:3: a.c has no value; line ignored']);
  });
});

void describe('parseDevFile: TIMER steps', () => {
  void test('splits the file at TIMER lines, each step keeping its wait', () => {
    const f = parseDevFile(fixture('cycle.seq'), 'cycle.seq');
    assert.deepEqual(
      f.steps.map((s) => [s.vars.map(([n, v]) => `${n}=${v}`), s.timer]),
      [
        [['ups.mfr=Cycle Co', 'ups.model=Cycle 1', 'ups.status=OL', 'battery.charge=100', 'battery.runtime=1200'], 3],
        [['ups.status=OB DISCHRG', 'battery.charge=60', 'battery.runtime=700'], 2],
        [['ups.status=OB DISCHRG LB', 'battery.charge=15'], 1],
      ],
    );
    assert.deepEqual(f.warnings, []);
  });

  void test('a file not ending in TIMER has a last step with no wait', () => {
    const f = parseDevFile('a.b: 1\nTIMER 2\na.b: 2\n');
    assert.deepEqual(
      f.steps.map((s) => s.timer),
      [2, null],
    );
  });

  void test('TIMER numbers are read like C atoi, with a warning when the text is not a whole number', () => {
    const timers = (t: string): Array<number | null> => parseDevFile(t).steps.map((s) => s.timer);
    assert.deepEqual(timers('TIMER 2.9\n'), [2]);
    assert.deepEqual(timers('TIMER abc\n'), [0]);
    assert.deepEqual(timers('TIMER -4\n'), [0]);
    assert.deepEqual(timers('TIMER\n'), [0]);
    assert.deepEqual(timers('TIMERS: 7\n'), [7]);
    assert.deepEqual(warningsOf('a.b: 1\nTIMER 2.9\nTIMER\nTIMER -1\n'), [
      'f.dev:2: TIMER "2.9" is not a whole number; read as TIMER 2, as dummy-ups does',
      'f.dev:3: TIMER without a number of seconds; read as TIMER 0',
      'f.dev:4: a negative TIMER does not wait',
    ]);
  });

  void test('a lower-case timer line is a variable, as dummy-ups reads it', () => {
    const f = parseDevFile('ups.status: OL\ntimer 5\n', 'f.dev');
    assert.deepEqual(f.steps[0]!.vars, [
      ['ups.status', 'OL'],
      ['timer', '5'],
    ]);
    assert.equal(f.steps[0]!.timer, null);
    assert.ok(f.warnings.some((w) => w.message.includes('TIMER must be written in capitals')));
  });
});

void describe('parseDevFile: declarations', () => {
  void test('#RW and #CMD lines with nut-ddl end-of-line remarks', () => {
    const f = parseDevFile(
      [
        '#RW:a.s:STRING',
        '#RW:a.n:STRING:16\t#COMMENT: sixteen',
        '#RW:a.e:ENUM:"x y"#BAD: odd',
        '#RW:a.r:RANGE:"-5" "5.5" #COMMENT a range',
        '#RW:a.num:NUMBER',
        '#CMD:load.on #COMMENT: works',
        '#CMD:load.off\t#BAD: Not working',
        '  #CMD:beeper.enable',
        '# CMD:prose.only',
      ].join('\n') + '\n',
      'f.dev',
    );
    const d = declarationsOf(f);
    assert.deepEqual(d.cmds, ['load.on', 'load.off', 'beeper.enable']);
    assert.deepEqual(
      d.rw.map(({ line: _line, ...r }) => r),
      [
        { name: 'a.s', type: 'STRING', maxLength: null },
        { name: 'a.n', type: 'STRING', maxLength: 16 },
        { name: 'a.e', type: 'ENUM', value: 'x y' },
        { name: 'a.r', type: 'RANGE', min: -5, max: 5.5 },
        { name: 'a.num', type: 'NUMBER' },
      ],
    );
    assert.deepEqual(f.warnings, []);
    assert.deepEqual(f.steps[0]!.vars, []);
  });

  void test('template and broken declarations are warnings with their line, never errors', () => {
    assert.deepEqual(
      warningsOf(
        [
          'ups.status: OL',
          '#RW:<var.name>:<type>:<options>',
          '#RW:a.b:RANGE:"1"',
          '#RW:a.b:ENUM:',
          '#RW:a.b:COLOR:"red"',
          '#RW:a.b:STRING:<length>',
          '#CMD:<command.name>',
        ].join('\n') + '\n',
      ),
      [
        'f.dev:2: #RW declares "<var.name>", which is not a variable name; ignored',
        'f.dev:3: #RW a.b: RANGE needs two numbers in quotes, e.g. "0" "100"; ignored',
        'f.dev:4: #RW a.b: ENUM needs one value in quotes; ignored',
        'f.dev:5: #RW a.b: type "COLOR" is not STRING, ENUM, RANGE or NUMBER; ignored',
        'f.dev:6: #RW a.b: STRING length "<length>" is not a number; length left unknown',
        'f.dev:7: #CMD declares "<command.name>", which is not a command name; ignored',
      ],
    );
  });

  void test('the .nds draft layout (RW:/CMD: without "#") is read as declarations, not variables', () => {
    const f = parseDevFile(fixture('declared.nds'), 'declared.nds');
    assert.deepEqual([...finalVars(f)], [
      ['var.1', 'one'],
      ['var.2', 'two'],
    ]);
    const d = declarationsOf(f);
    assert.deepEqual(d.cmds, ['command.1']);
    assert.deepEqual(
      d.rw.map((r) => `${r.name}:${r.type}`),
      ['var.1:ENUM', 'var.1:ENUM', 'var.2:RANGE', 'var.3:STRING'],
    );
  });

  void test('declarations belong to the step they appear in', () => {
    const f = parseDevFile('#CMD:load.on\nTIMER 1\n#CMD:load.off\n');
    assert.deepEqual(
      f.steps.map((s) => s.cmds),
      [['load.on'], ['load.off']],
    );
  });
});

void describe('parseDevFile: warnings and errors carry file:line', () => {
  void test('garbage lines are warnings with their physical line number', () => {
    assert.deepEqual(warningsOf('ups.status: OL\n: lost\nsome words here\nups.mfr: A\n"open quote\n'), [
      'f.dev:2: no variable name before ":"; line ignored',
      'f.dev:3: no ":" after the first word; read as variable "some"',
      'f.dev:5: a quoted value is not closed before the end of the file',
    ]);
  });

  void test('line numbers count physical lines across continuations and multi-line quotes', () => {
    const f = parseDevFile('a.b: "x\ny"\nc.d: 1\\\n2\n: bad\n', 'f.dev');
    assert.deepEqual(
      f.warnings.map((w) => w.line),
      [1, 5],
    );
  });

  void test('non-ASCII bytes and control characters are dropped with a warning', () => {
    assert.deepEqual(warningsOf('ups.model: \xc3\xa9t\xc3\xa9\x01\n'), ['f.dev:1: characters outside printable ASCII were dropped, as NUT does']);
    assert.equal(vars('ups.model: \xc3\xa9t\xc3\xa9\x01\n').get('ups.model'), 't');
  });

  void test('a file with content but no usable line is a ParseError naming the first line', () => {
    assert.throws(
      () => parseDevFile('\n\nthis is not\na device dump\n', 'notes.txt'),
      (err: unknown) => err instanceof ParseError && err.line === 3 && err.message.startsWith('notes.txt:3: no "name: value" line'),
    );
    assert.throws(() => parseDevFile(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0a]), 'a.out'), ParseError);
  });

  void test('one usable line among garbage is enough', () => {
    const f = parseDevFile('garbage garbage\nups.status: OL\nmore garbage\n', 'f.dev');
    assert.equal(finalVars(f).get('ups.status'), 'OL');
    assert.equal(f.warnings.length, 2);
  });
});

void describe('parseDevFile: arbitrary input', () => {
  void test('never throws anything but ParseError, whatever the bytes (seeded random texts)', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const pieces = ['a.b', ':', ' ', '\t', '\n', '\r\n', '"', '\\', '#', '=', 'TIMER', ' 5', 'RW:', 'CMD:', '#RW:x:ENUM:"', 'ups.status', 'driver.', '\x00', '\xff', 'x'.repeat(600)];
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const len = rand(40);
      for (let j = 0; j < len; j++) text += rand(4) === 0 ? String.fromCharCode(rand(256)) : pieces[rand(pieces.length)]!;
      try {
        const f = parseDevFile(text, 'fuzz.dev');
        assert.ok(f.steps.length >= 1);
        for (const s of f.steps) for (const [name, value] of s.vars) assert.ok(name.length > 0 && value.length <= 255, JSON.stringify(text));
      } catch (err) {
        assert.ok(err instanceof ParseError, `${String(err)} for ${JSON.stringify(text)}`);
      }
    }
  });
});
