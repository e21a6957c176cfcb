/**
 * What an import could not carry over, said where it belongs in the YAML
 * written: each note names the NUT file and line it comes from, and where
 * in the output it is shown (`at`: a path such as ['ups', 'rack'], [] for
 * the top of the file).
 */
import type { NutLine } from './parse';

export interface Note {
  file: string;
  line: number;
  at: string[];
  text: string;
}

/** A UPS or user that cannot be carried over as it is, shown commented out with the reason. */
export interface CommentedOut {
  at: string[];
  /** The entry as it would read in the YAML (its key and value). */
  key: string;
  value: Record<string, unknown>;
  note: Note;
}

/** Collects notes for one file. */
export class Notes {
  readonly list: Note[] = [];
  readonly commentedOut: CommentedOut[] = [];

  constructor(readonly file: string) {}

  add(l: Pick<NutLine, 'line'> | number, at: string[], text: string): void {
    this.list.push({ file: this.file, line: typeof l === 'number' ? l : l.line, at, text });
  }

  /** A directive that has no place in our configuration: what it said (secrets masked) and why it is left out. */
  skip(l: NutLine, at: string[], why: string, secret: readonly number[] = []): void {
    this.add(l, at, `${shown(l, secret)}: ${why}`);
  }

  commentOut(l: Pick<NutLine, 'line'>, at: string[], key: string, value: Record<string, unknown>, why: string): void {
    const note = { file: this.file, line: l.line, at, text: why };
    this.commentedOut.push({ at, key, value, note });
  }
}

/** The directive as written, with the words at `secret` positions (passwords) masked. */
export function shown(l: NutLine, secret: readonly number[] = []): string {
  return l.args.map((a, i) => (secret.includes(i) ? '****' : /[\s"#=\\]|^$/.test(a) && a !== '=' ? JSON.stringify(a) : a)).join(' ');
}
