import { ParseError } from '../../core/errors';

/**
 * Reader for NUT `.dev` and `.seq` files, the input of dummy-ups.
 *
 * dummy-ups 2.8.0 reads these files with NUT's generic config tokenizer and
 * then applies a few rules of its own. We reproduce both, byte for byte, so
 * that the same file gives the same data as the real driver — including its
 * quirks, which real files in the Devices Dumps Library (nut-ddl) depend on.
 * Each quirk that changes what a file means is reported as a warning with
 * file:line, so users can see why a value is not what they wrote.
 *
 * Tokenizer rules (NUT parseconf), verified against the real driver:
 * - words split on whitespace (space, tab, CR, VT, FF); a newline ends the line;
 * - `"..."` makes one word (may be empty, may span lines: the newline is dropped);
 *   a `"` inside an unquoted word is an ordinary character;
 * - `\` takes the next character literally; `\` + newline joins lines;
 * - `#` outside quotes starts a comment, even in the middle of a word;
 * - `=` is always a word of its own (`a=b` reads as `a = b`);
 * - bytes outside 0x20-0x7f are dropped; a word keeps at most 512 characters;
 *   a line keeps at most 32 words;
 * - a last line without a newline is read only if it has two words or more.
 *
 * dummy-ups rules:
 * - a first word starting with `TIMER` (upper case) pauses for the number in
 *   the second word (C atoi: "2.9" is 2, "abc" is 0);
 * - the name is the first word up to its first `:`;
 * - names starting with `driver.` are skipped (the driver owns that tree);
 * - names starting with `ups.status` set ups.status from the remaining words;
 * - other values are the remaining words joined by one space, cut at 127
 *   characters; an empty value (`""`) deletes the variable;
 * - a line with a name and no value reuses the value of the previous line of
 *   the same step (dummy-ups does not clear its buffer).
 *
 * Lines starting with `#RW:` and `#CMD:` are comments to dummy-ups; nut-ddl uses
 * them to declare writable variables and instant commands. We read them too.
 */

/** A variable assignment: [name, value]. */
export type DevVar = [name: string, value: string];

export type RwDeclaration =
  | { name: string; type: 'STRING'; maxLength: number | null; line: number }
  | { name: string; type: 'ENUM'; value: string; line: number }
  | { name: string; type: 'RANGE'; min: number; max: number; line: number }
  | { name: string; type: 'NUMBER'; line: number };

/**
 * The lines between two TIMER lines. The driver applies `vars` in order, then
 * waits `timer` seconds before the next step (null: the file ended without a TIMER).
 *
 * In `vars`, status lines are named `ups.status`. An empty value means "delete
 * this variable", except for ups.status, which is set to the empty string.
 */
export interface DevStep {
  vars: DevVar[];
  rw: RwDeclaration[];
  cmds: string[];
  timer: number | null;
  /** Line where the step starts. */
  line: number;
}

export interface DevWarning {
  source: string;
  line: number;
  message: string;
}

export interface DevFile {
  source: string;
  /** At least one step. */
  steps: DevStep[];
  warnings: DevWarning[];
}

export function formatWarning(w: DevWarning): string {
  return `${w.source}:${w.line}: ${w.message}`;
}

/** Limits of NUT's tokenizer and of dummy-ups' value buffer. */
const MAX_WORDS = 32;
const MAX_WORD_LENGTH = 512;
export const MAX_VALUE_LENGTH = 127;
export const MAX_STATUS_LENGTH = 255;

/** A name that NUT tools and clients handle without surprises. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

interface LogicalLine {
  words: string[];
  /** Physical line where it starts, and its offset in the text. */
  line: number;
  start: number;
  /** Text after a `#` that starts the line (no words before it). */
  comment?: string;
  droppedChars: boolean;
  /** A quoted word went on past a line break (the break is dropped). */
  quoteSpansLines: boolean;
  longWord: boolean;
  extraWords: boolean;
}

const enum St {
  FindWord,
  Comment,
  Quoted,
  QuotedLiteral,
  Word,
  WordLiteral,
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Splits text into logical lines exactly as NUT's parseconf does. */
export function tokenize(text: string): { lines: LogicalLine[]; openQuoteLine: number | null; lostLastLine: number | null } {
  const lines: LogicalLine[] = [];
  let phys = 1;
  let cur: LogicalLine = { words: [], line: 1, start: 0, droppedChars: false, quoteSpansLines: false, longWord: false, extraWords: false };
  let word = '';
  let state = St.FindWord;
  let commentFrom = -1;
  let quoteLine = 0;

  const addChar = (ch: string, code: number): void => {
    if (code < 0x20 || code > 0x7f) {
      cur.droppedChars = true;
      return;
    }
    if (word.length >= MAX_WORD_LENGTH) {
      cur.longWord = true;
      return;
    }
    word += ch;
  };
  const endWord = (): void => {
    if (cur.words.length >= MAX_WORDS) cur.extraWords = true;
    else cur.words.push(word);
    word = '';
  };
  const startWord = (ch: string, code: number): St => {
    addChar(ch, code);
    if (ch === '=') {
      endWord();
      return St.FindWord;
    }
    return St.Word;
  };
  const endLine = (end: number): void => {
    if (commentFrom >= 0) {
      if (cur.words.length === 0) cur.comment = text.slice(commentFrom, end).replace(/\r$/, '');
      commentFrom = -1;
    }
    lines.push(cur);
    cur = { words: [], line: phys, start: end + 1, droppedChars: false, quoteSpansLines: false, longWord: false, extraWords: false };
    word = '';
    state = St.FindWord;
  };

  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    const nl = code === 0x0a;
    if (nl) phys++;
    switch (state) {
      case St.FindWord:
        if (nl) endLine(i);
        else if (ch === '#') {
          state = St.Comment;
          commentFrom = i + 1;
        } else if (isSpace(code)) {
          /* between words */
        } else if (ch === '\\') state = St.WordLiteral;
        else if (ch === '"') {
          state = St.Quoted;
          quoteLine = phys;
        } else state = startWord(ch, code);
        break;
      case St.Comment:
        if (nl) endLine(i);
        break;
      case St.Quoted:
        if (ch === '"') {
          endWord();
          state = St.FindWord;
        } else if (ch === '\\') state = St.QuotedLiteral;
        else if (nl) cur.quoteSpansLines = true; // the quote goes on; the break is not kept
        else addChar(ch, code);
        break;
      case St.QuotedLiteral:
        if (!nl) addChar(ch, code);
        state = St.Quoted;
        break;
      case St.Word:
        if (ch === '#') {
          endWord();
          state = St.Comment;
          // Not a declaration: words came before the `#`.
          commentFrom = -1;
        } else if (nl) {
          endWord();
          endLine(i);
        } else if (isSpace(code)) {
          endWord();
          state = St.FindWord;
        } else if (ch === '=') {
          endWord();
          state = startWord(ch, code);
        } else if (ch === '\\') state = St.WordLiteral;
        else addChar(ch, code);
        break;
      case St.WordLiteral:
        if (!nl) addChar(ch, code);
        state = St.Word;
        break;
    }
  }

  // End of file: parseconf keeps the line only when it already has a word.
  const openQuoteLine = state === St.Quoted || state === St.QuotedLiteral ? quoteLine : null;
  let lostLastLine: number | null = null;
  if (cur.words.length === 0 && word !== '') lostLastLine = cur.line;
  if (cur.words.length > 0) {
    if (word !== '') endWord();
    lines.push(cur);
  } else if (commentFrom >= 0) {
    cur.comment = text.slice(commentFrom).replace(/\r$/, '');
    lines.push(cur);
  }
  return { lines, openQuoteLine, lostLastLine };
}

/** C's atoi: optional blanks and sign, then digits; anything else ends the number. */
function atoi(s: string): { value: number; clean: boolean } {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return { value: 0, clean: false };
  return { value: Number.parseInt(m[1]!, 10), clean: m[0].length === s.length };
}

/**
 * Reads a .dev/.seq text (a string where each character is one byte, e.g. read
 * as latin1, or a Buffer). Throws ParseError only when the file has content
 * but not one `name: value` or TIMER line: e.g. a binary or unrelated file.
 */
export function parseDevFile(input: string | Uint8Array, source = '<string>'): DevFile {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const warnings: DevWarning[] = [];
  const warn = (line: number, message: string): void => void warnings.push({ source, line, message });

  const { lines, openQuoteLine, lostLastLine } = tokenize(text);
  if (openQuoteLine !== null) warn(openQuoteLine, 'a quoted value is not closed before the end of the file');
  else if (lostLastLine !== null) warn(lostLastLine, 'the last line has a single word and no newline; ignored, as NUT does');

  const steps: DevStep[] = [];
  let step: DevStep = { vars: [], rw: [], cmds: [], timer: null, line: 1 };
  // dummy-ups' value buffer: it lives for one pass of its reader, i.e. one step.
  let lastValue: string | null = null;
  let usable = 0;
  let firstContent = 0;

  for (const l of lines) {
    if (l.words.length === 0) {
      if (l.comment !== undefined) readDeclaration(l.comment, l.line, step, warn);
      continue;
    }
    firstContent ||= l.line;
    if (l.quoteSpansLines) warn(l.line, 'a quoted value goes on over a line break; the break is dropped, as NUT does');
    if (l.droppedChars) warn(l.line, 'characters outside printable ASCII were dropped, as NUT does');
    if (l.longWord) warn(l.line, `a word longer than ${MAX_WORD_LENGTH} characters was cut`);
    if (l.extraWords) warn(l.line, `a line keeps its first ${MAX_WORDS} words; the rest were dropped, as NUT does`);

    const first = l.words[0]!;
    if (/^(RW|CMD):/.test(first)) {
      // The .nds layout nut-ddl drafted writes declarations without the `#`.
      // No NUT variable is called RW or CMD, so read them as declarations.
      const eol = text.indexOf('\n', l.start);
      readDeclaration(text.slice(l.start, eol < 0 ? text.length : eol).trim(), l.line, step, warn);
      usable++;
      continue;
    }
    if (first.startsWith('TIMER')) {
      usable++;
      const arg = l.words[1];
      let seconds = 0;
      if (arg === undefined) warn(l.line, 'TIMER without a number of seconds; read as TIMER 0');
      else {
        const n = atoi(arg);
        if (!n.clean) warn(l.line, `TIMER ${JSON.stringify(arg)} is not a whole number; read as TIMER ${n.value}, as dummy-ups does`);
        seconds = Math.max(0, n.value);
        if (n.value < 0) warn(l.line, 'a negative TIMER does not wait');
      }
      step.timer = seconds;
      steps.push(step);
      step = { vars: [], rw: [], cmds: [], timer: null, line: l.line + 1 };
      lastValue = null;
      continue;
    }
    if (/^timer$/i.test(first)) warn(l.line, `${JSON.stringify(first)} is read as a variable: TIMER must be written in capitals`);

    const colon = first.indexOf(':');
    const name = colon >= 0 ? first.slice(0, colon) : first;
    if (name === '') {
      warn(l.line, 'no variable name before ":"; line ignored');
      continue;
    }
    if (colon < 0) warn(l.line, `no ":" after the first word; read as variable ${JSON.stringify(name)}`);
    else if (colon < first.length - 1) warn(l.line, `text after ":" in ${JSON.stringify(first)} is ignored, as dummy-ups does`);
    if (!PLAIN_NAME.test(name)) warn(l.line, `unusual variable name ${JSON.stringify(name)}`);
    if (colon >= 0) usable++;

    // The driver's own tree: dummy-ups never takes it from the file.
    if (name.toLowerCase().startsWith('driver.')) continue;

    const args = l.words.slice(1);
    if (name.startsWith('ups.status')) {
      if (name !== 'ups.status') warn(l.line, `${JSON.stringify(name)} sets ups.status, as dummy-ups does`);
      let status = '';
      for (const a of args) status = status ? `${status} ${a}` : a;
      if (status.length > MAX_STATUS_LENGTH) {
        warn(l.line, `ups.status longer than ${MAX_STATUS_LENGTH} characters was cut`);
        status = status.slice(0, MAX_STATUS_LENGTH);
      }
      step.vars.push(['ups.status', status]);
      continue;
    }
    if (args.length === 0) {
      if (lastValue === null) {
        warn(l.line, `${name} has no value; line ignored`);
      } else {
        warn(l.line, `${name} has no value; it takes the previous line's value ${JSON.stringify(lastValue)}, as dummy-ups does`);
        step.vars.push([name, lastValue]);
      }
      continue;
    }
    let value = args.join(' ');
    if (value.length > MAX_VALUE_LENGTH) {
      warn(l.line, `value of ${name} is longer than ${MAX_VALUE_LENGTH} characters; cut, as dummy-ups does`);
      value = value.slice(0, MAX_VALUE_LENGTH);
    }
    lastValue = value;
    step.vars.push([name, value]);
  }
  if (step.vars.length || step.rw.length || step.cmds.length || steps.length === 0) steps.push(step);

  if (firstContent && usable === 0) {
    throw new ParseError('no "name: value" line and no TIMER line: this is not a .dev or .seq file', source, firstContent);
  }
  warnings.sort((a, b) => a.line - b.line);
  return { source, steps, warnings };
}

type Warn = (line: number, message: string) => void;

/** Cuts a nut-ddl end-of-line remark (`#COMMENT...`, `#BAD...`) that is not inside quotes. */
function stripRemark(s: string): string {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (s[i] === '#' && !quoted) return s.slice(0, i);
  }
  return s;
}

/** Reads nut-ddl's `#RW:name:TYPE:options` and `#CMD:name` comment lines into `step`. */
function readDeclaration(comment: string, line: number, step: DevStep, warn: Warn): void {
  // Exactly `#RW:` / `#CMD:` as nut-ddl writes them; `# RW:` is prose in its templates.
  const text = comment;
  const cmd = /^CMD:(.*)$/.exec(text);
  if (cmd) {
    const name = stripRemark(cmd[1]!).trim();
    if (!PLAIN_NAME.test(name)) warn(line, `#CMD declares ${JSON.stringify(name)}, which is not a command name; ignored`);
    else step.cmds.push(name);
    return;
  }
  const rw = /^RW:(.*)$/.exec(text);
  if (!rw) return;
  const body = stripRemark(rw[1]!).trim();
  const [name = '', rawType = '', ...rest] = body.split(':');
  const options = rest.join(':').trim();
  if (!PLAIN_NAME.test(name)) {
    warn(line, `#RW declares ${JSON.stringify(name)}, which is not a variable name; ignored`);
    return;
  }
  const type = rawType.trim().toUpperCase();
  const quoted = [...options.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
  switch (type) {
    case 'STRING': {
      if (options === '') step.rw.push({ name, type, maxLength: null, line });
      else if (/^\d+$/.test(options)) step.rw.push({ name, type, maxLength: Number(options), line });
      else {
        warn(line, `#RW ${name}: STRING length ${JSON.stringify(options)} is not a number; length left unknown`);
        step.rw.push({ name, type, maxLength: null, line });
      }
      return;
    }
    case 'ENUM':
      if (quoted.length !== 1) warn(line, `#RW ${name}: ENUM needs one value in quotes; ignored`);
      else step.rw.push({ name, type, value: quoted[0]!, line });
      return;
    case 'RANGE': {
      const [min, max] = quoted.map(Number);
      if (quoted.length !== 2 || !Number.isFinite(min) || !Number.isFinite(max) || quoted.some((q) => q.trim() === '')) {
        warn(line, `#RW ${name}: RANGE needs two numbers in quotes, e.g. "0" "100"; ignored`);
      } else step.rw.push({ name, type, min: min!, max: max!, line });
      return;
    }
    case 'NUMBER':
      step.rw.push({ name, type, line });
      return;
    default:
      warn(line, `#RW ${name}: type ${JSON.stringify(rawType)} is not STRING, ENUM, RANGE or NUMBER; ignored`);
  }
}

/** Every #RW and #CMD declaration of a file, in file order. */
export function declarationsOf(file: DevFile): { rw: RwDeclaration[]; cmds: string[] } {
  return { rw: file.steps.flatMap((s) => s.rw), cmds: file.steps.flatMap((s) => s.cmds) };
}
