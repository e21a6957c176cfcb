/**
 * Which account the agent becomes, and becoming it. The choice is made as
 * upsmon and upsd make it (RUN_AS_USER, -u), with one default of ours: a root
 * start becomes the role account `upsagent install` creates, when it exists.
 */
import { execFileSync } from 'node:child_process';
import { UpsAgentError } from '../core/errors';
import { ROLE_ACCOUNT } from './config';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
}

/** The account or group named could not be found or taken on. */
export class RunAsError extends UpsAgentError {
  constructor(message: string) {
    super('RUN_AS', message);
  }
}

/** getent: the system's own lookup (files, and LDAP or whatever NSS is set up with). */
function getent(db: 'passwd' | 'group', key: string): string[] | undefined {
  try {
    const out = execFileSync('getent', [db, key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    const line = out.split('\n')[0];
    return line ? line.split(':') : undefined;
  } catch {
    // getent exits 2 for a key it does not know.
    return undefined;
  }
}

export function lookupAccount(name: string): Account | undefined {
  const f = getent('passwd', name);
  if (!f || f.length < 7) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
}

export function lookupGroup(name: string): GroupEntry | undefined {
  const f = getent('group', name);
  if (!f || f.length < 3) return undefined;
  return { name: f[0]!, gid: Number(f[2]) };
}

export interface RunAsChoice {
  /** Undefined: stay as we are. */
  account?: Account;
  /** The group to take (the account's own unless run.group says otherwise). */
  gid?: number;
  /** Why, for the log. */
  reason: string;
}

export interface ChooseOptions {
  /** `--user`, which wins over run.user. */
  cli?: string;
  config?: { user?: string; group?: string };
  uid: number;
  lookup?: (name: string) => Account | undefined;
  lookupGroup?: (name: string) => GroupEntry | undefined;
}

/** Throws RunAsError when the account asked for cannot be had. */
export function chooseRunAs(o: ChooseOptions): RunAsChoice {
  const lookup = o.lookup ?? lookupAccount;
  const findGroup = o.lookupGroup ?? lookupGroup;
  const asked = o.cli ?? o.config?.user;
  const isRoot = o.uid === 0;
  if (asked === undefined) {
    if (!isRoot) return { reason: `running as uid ${o.uid}` };
    const role = lookup(ROLE_ACCOUNT);
    if (!role) return { reason: `running as root: there is no ${ROLE_ACCOUNT} account to run as (upsagent install creates it; run.user names another)` };
    return withGroup(role, o.config?.group, findGroup, `the role account ${ROLE_ACCOUNT}`);
  }
  const account = lookup(asked);
  if (!account) throw new RunAsError(`cannot run as ${asked}: no such account`);
  if (account.uid === 0) return { reason: 'running as root, as run.user says: no privilege separation' };
  if (!isRoot) {
    if (account.uid === o.uid) return { reason: `running as ${asked}` };
    throw new RunAsError(`cannot run as ${asked}: only root can change its account (started as uid ${o.uid})`);
  }
  return withGroup(account, o.config?.group, findGroup, asked);
}

function withGroup(account: Account, group: string | undefined, findGroup: (n: string) => GroupEntry | undefined, why: string): RunAsChoice {
  if (group === undefined) return { account, gid: account.gid, reason: `running as ${why}` };
  const g = findGroup(group);
  if (!g) throw new RunAsError(`cannot run with group ${group}: no such group`);
  return { account, gid: g.gid, reason: `running as ${why}, group ${group}` };
}

/**
 * Becomes the account for good: its groups (the supplementary ones from
 * the group database, so e.g. `dialout` or `tty` membership works), then
 * the group, then the user. Checked afterwards: a drop that did not happen
 * must not look as if it did.
 */
export function becomeAccount(account: Account, gid = account.gid): void {
  const p = process as NodeJS.Process & { initgroups?(user: string, extraGroup: number): void };
  if (!p.initgroups || !p.setgid || !p.setuid) throw new RunAsError('this system cannot change the account of a running process');
  p.initgroups(account.name, gid);
  p.setgid(gid);
  p.setuid(account.uid);
  if (process.getuid?.() !== account.uid || process.geteuid?.() !== account.uid || process.getgid?.() !== gid) {
    throw new RunAsError(`changing to ${account.name} did not take effect`);
  }
}
