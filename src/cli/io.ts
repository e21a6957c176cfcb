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

/** The real terminal. */
export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    prompt: (question, opts) => promptTerminal(question, opts?.hidden ?? false),
  };
}

async function promptTerminal(question: string, hidden: boolean): Promise<string> {
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
