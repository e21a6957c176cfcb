/**
 * What a CLI command reads from and writes to. Commands take this instead of
 * touching process.stdout directly, so tests run them in-process and compare
 * their output byte for byte.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Asks a question on the terminal; `hidden` for passwords (no echo). */
  prompt(question: string, opts?: { hidden?: boolean }): Promise<string>;
}

/**
 * Exit status when the reader of our output went away (`upsagent upsc ups | head -1`).
 * NUT's C tools die of SIGPIPE there, which a shell reports as 128 + 13 = 141;
 * Node ignores SIGPIPE and cannot die of it, so we exit with the status the
 * shell would have shown: scripts under `set -o pipefail` see the same as
 * with NUT's upsc, and truncated output is never reported as a success.
 */
export const EXIT_READER_GONE = 141;

/** What to do when stdout or stderr loses its reader. */
export type ReaderGone = 'exit' | 'ignore';

let readerGoneMode: ReaderGone | undefined;

/**
 * Ends the process quietly when its stdout or stderr reader goes away (EPIPE),
 * instead of dying on an unhandled 'error' event with a stack trace.
 * `exit`: the tools (upsc, status, ...) stop at once, with EXIT_READER_GONE.
 * `ignore`: the daemon (`run`) goes on protecting the host; only its console
 * output is lost. Idempotent; a later call changes the mode.
 */
export function handleClosedOutput(mode: ReaderGone, exit: (code: number) => void = (c) => process.exit(c)): void {
  const first = readerGoneMode === undefined;
  readerGoneMode = mode;
  if (!first) return;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    if (readerGoneMode === 'exit') exit(EXIT_READER_GONE);
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}

/** The real terminal. */
export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    prompt: (question, opts) => promptTerminal(question, opts?.hidden ?? false),
  };
}

/**
 * Piped stdin (`printf 'admin\nsecret\n' | upsagent upscmd ...`): one line
 * reader for the whole process, so a second prompt gets the next line instead
 * of losing what the first reader had buffered, and gets '' at end of input
 * instead of waiting forever. stdin is paused between prompts so it does not
 * keep the process alive.
 */
interface PipedInput {
  lines: string[];
  waiters: Array<(line: string) => void>;
  ended: boolean;
}
let piped: PipedInput | undefined;

async function pipedLine(): Promise<string> {
  if (!piped) {
    const state: PipedInput = { lines: [], waiters: [], ended: false };
    piped = state;
    const readline = await import('node:readline');
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
      const w = state.waiters.shift();
      if (w) w(line);
      else state.lines.push(line);
      if (state.waiters.length === 0) process.stdin.pause();
    });
    rl.on('close', () => {
      state.ended = true;
      for (const w of state.waiters.splice(0)) w('');
    });
  }
  const state = piped;
  const ready = state.lines.shift();
  if (ready !== undefined) return ready;
  if (state.ended) return '';
  return new Promise((resolve) => {
    state.waiters.push(resolve);
    process.stdin.resume();
  });
}

async function promptTerminal(question: string, hidden: boolean): Promise<string> {
  if (process.stdin.isTTY !== true) {
    process.stderr.write(question);
    return pipedLine();
  }
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  if (hidden) {
    // Echo nothing while the password is typed (readline writes through _writeToOutput).
    const anyRl = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
    anyRl._writeToOutput = (s: string) => {
      if (s.startsWith(question)) anyRl.output.write(question);
    };
  }
  return new Promise((resolve) => {
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      if (hidden) process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.on('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** An in-memory IO for tests: collects output, answers prompts from a list. */
export class MemoryIO implements CliIO {
  stdout = '';
  stderr = '';
  readonly prompts: string[] = [];
  constructor(private readonly answers: string[] = []) {}
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
  prompt(question: string): Promise<string> {
    this.prompts.push(question);
    return Promise.resolve(this.answers.shift() ?? '');
  }
}
