/**
 * Running a built executable (dist/upsagent and its ARM builds) in e2e tests: its exit code and
 * output, and the lines that would mean the packaging leaks Node's internals to the user.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

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

/**
 * `upsagent doctor`'s output says serialport, node-hid and usb loaded from the executable's extracted
 * assets (never a node_modules folder). Without a USB bus in sysfs (containers, CI) the usb addon loads
 * but cannot list, and doctor says so: its line must match `noUsbBusWarning` then.
 */
export function assertAddonsFromExecutable(stdout: string, noUsbBusWarning: RegExp): void {
  for (const name of ['serialport', 'node-hid', 'usb']) {
    const line = stdout.split('\n').find((l) => new RegExp(`^\\S+\\s+${name}\\s`).test(l));
    assert.ok(line, `doctor does not report ${name}:\n${stdout}`);
    const noUsbBus = name === 'usb' && !existsSync('/sys/bus/usb/devices');
    assert.match(line, noUsbBus ? noUsbBusWarning : /^ok\b/, line);
    assert.match(line, /loaded from \//, line);
    assert.doesNotMatch(line, /node_modules/, line);
  }
}
