/**
 * NUT's configuration file syntax, read as NUT 2.8's common/parseconf.c
 * reads it, so a file means here what it means to upsd and upsmon:
 *
 * - words are separated by blanks; `#` outside quotes starts a comment;
 * - `"..."` makes one word of what it holds (blanks and `=` included; `""`
 *   is an empty word); a `#` inside quotes is an error (NUT drops the line);
 * - `\` takes the next character as it is, inside quotes or not; `\` at the
 *   end of a line continues the word on the next line (and so does a
 *   newline inside quotes, which NUT skips);
 * - `=` is a word of its own wherever it stands (`a=b` is `a`, `=`, `b`);
 * - only printable ASCII is kept: NUT drops other bytes (tabs inside
 *   quotes, UTF-8), and we say where;
 * - a line holds at most 32 words of at most 512 characters; NUT drops the
 *   rest silently, we say so.
 *
 * Nothing is dropped without a word: each problem comes back with the file
 * and line it is on, as an error (the import cannot go on) or a warning (the
 * import goes on reading it as NUT does, and says so in its output).
 */

/** One logical line: its words, and the physical line it starts on. */
export interface NutLine {
  file: string;
  line: number;
  args: string[];
}

export interface NutProblem {
  file: string;
  line: number;
  message: string;
  /** error: NUT itself would refuse or lose the line; warning: NUT reads it, but not as written. */
  severity: 'error' | 'warning';
}

export interface NutFile {
  lines: NutLine[];
  problems: NutProblem[];
}

/** parseconf.h's PCONF_DEFAULT_ARG_LIMIT and PCONF_DEFAULT_WORDLEN_LIMIT. */
export const ARG_LIMIT = 32;
export const WORDLEN_LIMIT = 512;

type State = 'start' | 'comment' | 'quoted' | 'quotedLiteral' | 'word' | 'wordLiteral';

const isBlank = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\v' || ch === '\f';

/** Splits a NUT configuration file into its logical lines (empty ones left out). */
export function parseNutConf(text: string, file: string): NutFile {
  const lines: NutLine[] = [];
  const problems: NutProblem[] = [];
  let physical = 1;
  let start = 1;
  let args: string[] = [];
  let word = '';
  let inWord = false;
  let state: State = 'start';
  let quoteLine = 0;
  let dropped = new Set<string>();
  let tooLong = false;
  let broken = false;
  let runOn = false;

  const problem = (message: string, severity: NutProblem['severity'], line = physical): void => {
    problems.push({ file, line, message, severity });
  };
  const add = (ch: string): void => {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7f) {
      dropped.add(code > 0xff ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `0x${code.toString(16).padStart(2, '0')}`);
      return;
    }
    if (word.length >= WORDLEN_LIMIT) {
      tooLong = true;
      return;
    }
    word += ch;
  };
  const endWord = (): void => {
    args.push(word);
    word = '';
    inWord = false;
  };
  const endLine = (): void => {
    if (dropped.size > 0) problem(`character(s) ${[...dropped].join(', ')} dropped, as NUT drops everything but printable ASCII`, 'warning', start);
    if (tooLong) problem(`a word longer than ${WORDLEN_LIMIT} characters is cut there, as NUT cuts it`, 'warning', start);
    if (args.length > ARG_LIMIT) {
      problem(`${args.length} words; NUT reads the first ${ARG_LIMIT} and drops the rest (${args.slice(ARG_LIMIT).join(' ')})`, 'warning', start);
      args = args.slice(0, ARG_LIMIT);
    }
    if (!broken && args.length > 0) lines.push({ file, line: start, args });
    args = [];
    word = '';
    inWord = false;
    dropped = new Set();
    tooLong = false;
    broken = false;
    state = 'start';
  };

  for (const ch of text) {
    const nl = ch === '\n';
    switch (state) {
      case 'start':
        if (nl) endLine();
        else if (ch === '#') state = 'comment';
        else if (isBlank(ch)) break;
        else if (ch === '\\') {
          inWord = true;
          state = 'wordLiteral';
        } else if (ch === '"') {
          inWord = true;
          quoteLine = physical;
          runOn = false;
          state = 'quoted';
        } else if (ch === '=') {
          args.push('=');
        } else {
          add(ch);
          inWord = true;
          state = 'word';
        }
        break;
      case 'comment':
        if (nl) endLine();
        break;
      case 'quoted':
        if (ch === '#') {
          problem('a "#" inside quotes: NUT stops reading the line there ("Unbalanced word due to unescaped # in quotes"); write it as \\#', 'error', physical);
          broken = true;
          state = 'comment';
        } else if (ch === '"') {
          endWord();
          state = 'start';
        } else if (ch === '\\') state = 'quotedLiteral';
        else if (!nl) add(ch);
        else if (!runOn) {
          runOn = true;
          problem(`the quote opened on line ${quoteLine} runs on past the end of its line; NUT reads the lines up to the closing quote as one word`, 'warning', quoteLine);
        }
        break;
      case 'quotedLiteral':
        if (!nl) add(ch);
        state = 'quoted';
        break;
      case 'word':
        if (ch === '#') {
          endWord();
          state = 'comment';
        } else if (nl) {
          endWord();
          endLine();
        } else if (isBlank(ch)) {
          endWord();
          state = 'start';
        } else if (ch === '=') {
          endWord();
          args.push('=');
          state = 'start';
        } else if (ch === '\\') state = 'wordLiteral';
        else add(ch);
        break;
      case 'wordLiteral':
        if (!nl) add(ch);
        state = 'word';
        break;
    }
    if (nl) {
      physical++;
      if (state === 'start' && args.length === 0 && !inWord) start = physical;
    }
  }
  if (state === 'quoted' || state === 'quotedLiteral') {
    problem(`the quote opened on line ${quoteLine} is never closed`, 'error', quoteLine);
    broken = true;
  } else if (inWord) endWord();
  endLine();
  return { lines, problems };
}

/** A `[name]` section of ups.conf or upsd.users, with its lines. */
export interface NutSection {
  name: string;
  line: number;
  entries: NutLine[];
}

/** Lines before the first section header (ups.conf's global settings), and each section. */
export function splitSections(lines: readonly NutLine[]): { global: NutLine[]; sections: NutSection[] } {
  const global: NutLine[] = [];
  const sections: NutSection[] = [];
  for (const l of lines) {
    const head = l.args[0]!;
    if (head.length >= 2 && head.startsWith('[') && head.endsWith(']')) {
      sections.push({ name: head.slice(1, -1), line: l.line, entries: [] });
      continue;
    }
    (sections.at(-1)?.entries ?? global).push(l);
  }
  return { global, sections };
}

/**
 * A ups.conf-style setting as common/upsconf.c reads it: `key` alone is a
 * flag, `key = value` a value; NUT ignores anything else.
 */
export type Setting = { kind: 'flag'; key: string } | { kind: 'value'; key: string; value: string; extra: string[] } | { kind: 'ignored' };

export function settingOf(l: NutLine): Setting {
  const [key, eq, value, ...extra] = l.args;
  if (l.args.length === 1) return { kind: 'flag', key: key! };
  if (l.args.length >= 3 && eq === '=') return { kind: 'value', key: key!, value: value!, extra };
  return { kind: 'ignored' };
}
