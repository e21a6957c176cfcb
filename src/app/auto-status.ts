/**
 * Where the automatic run says what it is doing, for `upsagent status`: a
 * small JSON file (AutoStatus) beside its monitor's state. Root's goes to
 * /run/upsagent (the service's runtime folder), anyone else's to a folder
 * of their own under the temporary directory. The file is opened once,
 * before the agent gives root up, and rewritten through that descriptor.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../core/process-alive';
import type { AutoStatus } from './auto-config';

export const ROOT_AUTO_DIR = '/run/upsagent';

/** The automatic run's folder for this user: its status file and (not root) its monitor's state file. */
export function autoDir(uid: number = process.getuid?.() ?? -1): string {
  return uid === 0 ? ROOT_AUTO_DIR : join(tmpdir(), `upsagent-auto-${uid}`);
}

export function autoStatusFile(dir: string): string {
  return join(dir, 'auto.json');
}

/** Where `upsagent status` looks: root's run, then this user's. */
export function autoStatusCandidates(): string[] {
  return [...new Set([autoStatusFile(ROOT_AUTO_DIR), autoStatusFile(autoDir())])];
}

/** The status of an automatic run that is running now, or null. */
export function readAutoStatus(files: readonly string[] = autoStatusCandidates()): AutoStatus | null {
  for (const f of files) {
    try {
      const s = JSON.parse(readFileSync(f, 'utf8')) as AutoStatus;
      if (s && s.mode === 'automatic' && typeof s.pid === 'number' && processAlive(s.pid) && Array.isArray(s.upses)) return s;
    } catch {
      // Absent, half written or not ours: no automatic run there.
    }
  }
  return null;
}

export interface AutoStatusWriter {
  write(s: AutoStatus): void;
  close(): void;
}

/** Opens the status file (creating its folder); a file that cannot be opened only costs `status` its view. */
export function openAutoStatus(file: string, dir: string, onError: (msg: string) => void): AutoStatusWriter {
  let fd: number | null = null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    fd = openSync(file, 'w', 0o644);
  } catch (err) {
    onError(`cannot write ${file}: ${(err as Error).message}`);
  }
  return {
    write(s) {
      if (fd === null) return;
      try {
        const text = `${JSON.stringify(s, null, 2)}\n`;
        ftruncateSync(fd, 0);
        writeSync(fd, text, 0);
      } catch (err) {
        onError(`cannot write ${file}: ${(err as Error).message}`);
      }
    },
    close() {
      if (fd === null) return;
      closeSync(fd);
      fd = null;
      try {
        unlinkSync(file);
      } catch {
        // After the drop to the role account /run/upsagent is not ours; status checks the pid anyway.
      }
    },
  };
}
