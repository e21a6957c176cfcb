/**
 * Running a built executable (dist/upsagent and its ARM builds) in e2e tests: its exit code and
 * output, and the lines that would mean the packaging leaks Node's internals to the user.
 */
import { execFile } from 'node:child_process';

/** Lines that would mean the packaging leaks Node's internals to the user. */
export const SEA_NOISE = /ExperimentalWarning|single-executable|only supports loading built-in modules|Cannot find module/i;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

/** Runs `file` to its end (or `opts.timeout`, else `defaultTimeoutMs`); code null when killed or unstartable. */
export function runFile(file: string, args: string[], opts: RunOptions, defaultTimeoutMs: number): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeout ?? defaultTimeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}
