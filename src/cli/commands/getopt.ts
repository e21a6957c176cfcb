/**
 * POSIX getopt, as NUT's upsc/upsrw/upscmd use it (their option strings start
 * with "+": parsing stops at the first word that is not an option). Written
 * here rather than using yargs so that `upsagent upsc ...` accepts exactly the
 * arguments NUT's tools accept: clustered flags (`-lL`), attached values
 * (`-sups.load=5`), `--` to end options, and the same diagnostics.
 */
export interface ParsedOption {
  opt: string;
  arg?: string;
}

export type GetoptResult =
  | { ok: true; options: ParsedOption[]; operands: string[] }
  /** `message` is what glibc's getopt prints, e.g. "upsc: invalid option -- 'x'". */
  | { ok: false; options: ParsedOption[]; message: string };

/**
 * @param spec option letters; a letter followed by ":" takes a value (e.g. "hls:p:").
 * @param prog program name for messages.
 */
export function getopt(args: readonly string[], spec: string, prog: string): GetoptResult {
  const takesArg = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === ':' || c === '+') continue;
    takesArg.set(c, spec[i + 1] === ':');
  }
  const options: ParsedOption[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!;
      const needs = takesArg.get(c);
      if (needs === undefined) return { ok: false, options, message: `${prog}: invalid option -- '${c}'` };
      if (!needs) {
        options.push({ opt: c });
        continue;
      }
      // The value is the rest of this word, or else the next word.
      if (j + 1 < word.length) {
        options.push({ opt: c, arg: word.slice(j + 1) });
      } else if (i + 1 < args.length) {
        options.push({ opt: c, arg: args[++i]! });
      } else {
        return { ok: false, options, message: `${prog}: option requires an argument -- '${c}'` };
      }
      break;
    }
  }
  return { ok: true, options, operands: args.slice(i) };
}
