/**
 * Carries out the steps of plan.ts on a target system (this one, or a
 * folder with --root), recording what it created in the manifest; and
 * prints them for --dry-run. Commands run without a shell.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { errorMessage } from '../core/errors';
import { lookupAccount } from '../privilege/account';
import type { Layout } from './layout';
import type { Manifest } from './manifest';
import type { Owner, Step } from './plan';

export interface ApplyDeps {
  root: string;
  /** Runs a command; throws when it fails. */
  exec?(argv: string[]): void;
  say(line: string): void;
}

/** A step failed; the steps before it stay done, and the manifest written so far says which. */
export class InstallStepError extends Error {}

function defaultExec(argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

const at = (root: string, path: string): string => (root === '/' ? path : join(root, path));
const octal = (mode: number): string => `0${mode.toString(8)}`;

/** uid and gid of an account on the target: its own passwd file (so --root gets the throwaway root's ids). */
function accountIds(root: string, name: string): { uid: number; gid: number } {
  try {
    for (const line of fs.readFileSync(at(root, '/etc/passwd'), 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length >= 7) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // No passwd file there: fall through.
  }
  const a = root === '/' ? lookupAccount(name) : undefined;
  if (a) return { uid: a.uid, gid: a.gid };
  throw new InstallStepError(`no account ${name} in ${at(root, '/etc/passwd')}`);
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** A record to carry on from: an earlier install's, or a new one. */
export function startManifest(prior?: Manifest): Manifest {
  return { version: 1, files: [...(prior?.files ?? [])], dirs: [...(prior?.dirs ?? [])], account: prior?.account, enabled: prior?.enabled ?? false };
}

/**
 * Runs the steps in order, keeping `manifest` up to date as it goes: when a
 * step throws, the record still says what the steps before it created.
 */
export function applySteps(steps: readonly Step[], layout: Layout, deps: ApplyDeps, manifest: Manifest): void {
  const { root } = deps;
  const exec = deps.exec ?? defaultExec;
  const owner = (o: Owner, g: Owner): { uid: number; gid: number } => {
    const a = o === 'account' || g === 'account' ? accountIds(root, layout.account) : undefined;
    return { uid: a && o === 'account' ? a.uid : 0, gid: a && g === 'account' ? a.gid : 0 };
  };
  const noteFile = (p: string) => {
    if (!manifest.files.includes(p)) manifest.files.push(p);
  };
  /** mkdir -p, recording each folder it makes. */
  const mkdirs = (path: string): void => {
    const missing: string[] = [];
    for (let d = path; !fs.existsSync(at(root, d)); d = dirname(d)) missing.unshift(d);
    for (const d of missing) {
      fs.mkdirSync(at(root, d), { mode: 0o755 });
      if (!manifest.dirs.includes(d)) manifest.dirs.push(d);
    }
  };
  const writeAtomically = (path: string, data: Buffer | string, mode: number): void => {
    mkdirs(dirname(path));
    const tmp = `${at(root, path)}.upsagent-new`;
    fs.writeFileSync(tmp, data, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, at(root, path));
  };

  for (const s of steps) {
    try {
      switch (s.kind) {
        case 'note':
          deps.say(`note: ${s.text}`);
          break;
        case 'command':
          try {
            exec(s.argv);
            deps.say(`ran: ${s.argv.join(' ')}`);
            if (s.account && s.argv[0] === 'useradd') manifest.account = s.account;
            if (s.account && s.argv[0] === 'userdel') manifest.account = undefined;
            if (s.enables) manifest.enabled = true;
          } catch (err) {
            const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || errorMessage(err);
            if (!s.mayFail) throw new InstallStepError(`${s.argv.join(' ')} failed: ${why}`);
            deps.say(`warning: ${s.argv.join(' ')} failed (${why}); go on`);
          }
          break;
        case 'binary':
          writeAtomically(s.path, fs.readFileSync(s.from), 0o755);
          noteFile(s.path);
          deps.say(`copied ${s.from} to ${s.path}`);
          break;
        case 'dir': {
          mkdirs(s.path);
          const o = owner(s.owner, s.group);
          fs.chmodSync(at(root, s.path), s.mode);
          fs.chownSync(at(root, s.path), o.uid, o.gid);
          break;
        }
        case 'file': {
          writeAtomically(s.path, s.content, s.mode);
          const o = owner(s.owner, s.group);
          fs.chownSync(at(root, s.path), o.uid, o.gid);
          noteFile(s.path);
          deps.say(`wrote ${s.path}: ${s.what}`);
          break;
        }
        case 'chown-root':
          chownTree(at(root, s.path));
          break;
        case 'remove':
          removePath(at(root, s.path), s);
          manifest.files = manifest.files.filter((f) => f !== s.path);
          if (!fs.existsSync(at(root, s.path))) manifest.dirs = manifest.dirs.filter((d) => d !== s.path);
          break;
      }
    } catch (err) {
      if (err instanceof InstallStepError) throw err;
      throw new InstallStepError(`${describeStep(s).split('\n')[0]}: ${errorMessage(err)}`);
    }
  }
}

function chownTree(path: string): void {
  if (!fs.existsSync(path)) return;
  fs.lchownSync(path, 0, 0);
  if (fs.lstatSync(path).isDirectory()) for (const e of fs.readdirSync(path)) chownTree(join(path, e));
}

function removePath(path: string, s: { recursive?: boolean; onlyIfEmpty?: boolean }): void {
  try {
    if (s.onlyIfEmpty) fs.rmdirSync(path);
    else fs.rmSync(path, { recursive: s.recursive === true, force: true });
  } catch (err) {
    const code = errnoOf(err);
    // Not there, or still holding something that is not ours: leave it.
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return;
    throw err;
  }
}

export function writeManifest(root: string, layout: Layout, m: Manifest): void {
  const file = at(root, layout.manifest);
  fs.mkdirSync(dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o644 });
}

const who = (o: Owner, account: string): string => (o === 'root' ? 'root' : account);

/** One step as --dry-run prints it: a command as it would run, a file with its whole content. */
export function describeStep(s: Step, account = 'upsagent'): string {
  switch (s.kind) {
    case 'note':
      return `# note: ${s.text}`;
    case 'command':
      return `$ ${s.argv.map(shellWord).join(' ')}    # ${s.why}${s.mayFail ? ' (a failure is only a warning)' : ''}`;
    case 'binary':
      return `$ install -m 0755 ${shellWord(s.from)} ${shellWord(s.path)}    # the executable on the PATH`;
    case 'dir':
      return `$ install -d -m ${octal(s.mode)} -o ${who(s.owner, account)} -g ${who(s.group, account)} ${shellWord(s.path)}`;
    case 'file':
      return `--- ${s.path} (mode ${octal(s.mode)}, ${who(s.owner, account)}:${who(s.group, account)}): ${s.what}\n${s.content}${s.content.endsWith('\n') ? '' : '\n'}--- end of ${s.path}`;
    case 'chown-root':
      return `$ chown -R root:root ${shellWord(s.path)}    # what stays must not belong to a removed account`;
    case 'remove':
      return s.onlyIfEmpty ? `$ rmdir ${shellWord(s.path)}    # only when empty` : `$ rm -${s.recursive ? 'r' : ''}f ${shellWord(s.path)}`;
  }
}

function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
