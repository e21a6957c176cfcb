/**
 * Runs bench/load-client.ts (the closed-loop load generator) in its own
 * process, so it never shares an event loop with the server it measures,
 * and returns its figures. For bench scripts that compare servers.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

/** What load-client.ts prints (one JSON line). */
export interface LoadResult {
  request: string;
  clients: number;
  connected: number;
  connectMs: number;
  requests: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

/** node + tsx running one of this repository's scripts. */
export function tsxCommand(script: string, args: readonly string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', join(ROOT, script), ...args]];
}

/** `clients` closed-loop connections to 127.0.0.1:`port` sending `request` for `seconds` (after 1 s of warm-up). */
export function runLoad(port: number, clients: number, seconds: number, request: string): Promise<LoadResult> {
  const [cmd, args] = tsxCommand('bench/load-client.ts', [String(port), String(clients), String(seconds), request]);
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd: ROOT, timeout: (seconds + 300) * 1000, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${err.message}\n${stderr}`)) : res(JSON.parse(stdout) as LoadResult),
    );
  });
}
