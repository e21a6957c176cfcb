/**
 * What the privilege e2e tests (run as root) set up: a throwaway system account for the agent
 * to drop to, and a copy of the built executable in a root-owned folder that account can read
 * but not write.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/** A system account with its own group, no home and no login shell; its uid and gid. */
export function addRoleAccount(user: string): { uid: number; gid: number } {
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user], { stdio: 'pipe' });
  return {
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })),
  };
}

/** Removes the account and its group (quietly: a failed setup may not have made them). */
export function removeRoleAccount(user: string): void {
  spawnSync('userdel', [user]);
  spawnSync('groupdel', [user]);
}

/** A fresh folder under /tmp (mode 755, root's) holding a copy of `built` as `upsagent` (mode 755). */
export function binaryInScratch(built: string, prefix: string): { scratch: string; bin: string } {
  const scratch = mkdtempSync(prefix);
  chmodSync(scratch, 0o755);
  const bin = join(scratch, 'upsagent');
  copyFileSync(built, bin);
  chmodSync(bin, 0o755);
  return { scratch, bin };
}
