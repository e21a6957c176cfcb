/**
 * upsd.users -> `users:` (NUT's docs/man/upsd.users.txt, server/user.c):
 * `[name]` sections with password, actions (SET, FSD; several per line and
 * several lines), instcmds (names or ALL), and upsmon primary/secondary
 * (master/slave); `key = value` and `upsmon role` forms both, keys in any
 * case, as upsd reads them.
 */
import { NAME, NAME_TEXT } from '../core/config';
import { Notes } from './notes';
import { splitSections, type NutLine } from './parse';

export interface UserImport {
  password?: string;
  actions?: Array<'set' | 'fsd'>;
  instcmds?: string[];
  upsmon?: 'primary' | 'secondary';
}

const ROLES: Record<string, 'primary' | 'secondary'> = { primary: 'primary', master: 'primary', secondary: 'secondary', slave: 'secondary' };
const COMMAND = /^[A-Za-z0-9_.-]+$/;

/** user.c's user_parse_arg: the variable and its values, or why upsd passes the line by. */
function varOf(l: NutLine): { key: string; values: string[] } | string {
  const a = l.args;
  if (a[0]!.toLowerCase() === 'user') return 'the old upsd.users format: upsd ignores it';
  if (a[0]!.toLowerCase() === 'upsmon' && a.length >= 2 && a[1] !== '=') return { key: 'upsmon', values: [a[1]!] };
  if (a.length >= 3 && a[1] === '=') return { key: a[0]!.toLowerCase(), values: a.slice(2) };
  return 'upsd ignores this line (it wants `key = value`, or `upsmon primary`)';
}

export function mapUpsdUsers(lines: readonly NutLine[], file: string): { users: Record<string, UserImport>; notes: Notes } {
  const notes = new Notes(file);
  const users: Record<string, UserImport> = {};
  const { global, sections } = splitSections(lines);
  for (const l of global) notes.skip(l, ['users'], 'outside any [user] section: upsd ignores it', l.args[0]?.toLowerCase() === 'password' ? [2] : []);
  const taken = new Set<string>();
  for (const sec of sections) {
    const at = ['users', sec.name];
    if (taken.has(sec.name)) {
      notes.add(sec.line, ['users'], `[${sec.name}] again: upsd ignores the duplicate section ("Ignoring duplicate user") and hands its lines to the user before it; left out here, check that user by hand`);
      continue;
    }
    taken.add(sec.name);
    const u = { actions: [] as Array<'set' | 'fsd'>, instcmds: [] as string[], password: undefined as string | undefined, upsmon: undefined as UserImport['upsmon'] };
    for (const l of sec.entries) {
      const v = varOf(l);
      if (typeof v === 'string') {
        notes.skip(l, at, v, l.args[0]?.toLowerCase() === 'password' ? [1, 2] : []);
        continue;
      }
      for (const value of v.values) {
        switch (v.key) {
          case 'password':
            // user.c keeps the first password it sees.
            if (u.password === undefined) u.password = value;
            else notes.add(l, at, 'a second password: upsd keeps the first, and so does this import');
            break;
          case 'actions': {
            const a = value.toLowerCase();
            if (a === 'set' || a === 'fsd') {
              if (!u.actions.includes(a)) u.actions.push(a);
            } else if (a === 'login') {
              u.upsmon ??= 'secondary';
              notes.add(l, at, 'actions = LOGIN: written as upsmon: secondary (what lets a monitor log in)');
            } else if (a === 'master' || a === 'primary') {
              u.upsmon = 'primary';
              notes.add(l, at, `actions = ${value}: written as upsmon: primary`);
            } else notes.add(l, at, `actions = ${value}: not an action upsd checks (SET, FSD); left out`);
            break;
          }
          case 'instcmds':
            if (COMMAND.test(value)) {
              const c = value.toLowerCase() === 'all' ? 'all' : value;
              if (!u.instcmds.some((x) => x.toLowerCase() === c.toLowerCase())) u.instcmds.push(c);
            } else notes.add(l, at, `instcmds = ${value}: not a command name; left out`);
            break;
          case 'upsmon': {
            const r = ROLES[value.toLowerCase()];
            // set_upsmon_type adds rights, never takes them away: primary stays primary.
            if (r) u.upsmon = u.upsmon === 'primary' ? 'primary' : r;
            else notes.add(l, at, `upsmon ${value}: upsd knows primary, secondary (and master, slave); left out`);
            break;
          }
          case 'allowfrom':
            notes.add(l, at, 'allowfrom: no longer used by upsd (restrict clients with a firewall and server.listen)');
            break;
          default:
            notes.add(l, at, `${v.key}: not a setting upsd knows; left out`);
        }
      }
    }
    if (!NAME.test(sec.name)) {
      notes.add(sec.line, ['users'], `[${sec.name}]: a user name here is ${NAME_TEXT}; this user is left out (add it by hand under another name)`);
      continue;
    }
    if (u.password === undefined || u.password === '') {
      notes.add(sec.line, ['users'], `[${sec.name}] has no password, so upsd lets nobody log in as it; left out`);
      continue;
    }
    // password first, and only the lists that say something.
    users[sec.name] = { password: u.password, ...(u.actions.length ? { actions: u.actions } : {}), ...(u.instcmds.length ? { instcmds: u.instcmds } : {}), ...(u.upsmon ? { upsmon: u.upsmon } : {}) } as UserImport;
  }
  return { users, notes };
}
