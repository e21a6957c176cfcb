/**
 * upssched.conf -> `monitor.timers` (NUT's docs/man/upssched.conf.txt,
 * clients/upssched.c of NUT 2.8.5): CMDSCRIPT is the timer command, each
 * `AT <type> <ups> <action> [args]` line a rule. PIPEFN and LOCKFN have no
 * use: the timers live inside the monitor. upssched only ever sees the
 * notification types upsmon hands to it (NOTIFYFLAG ... EXEC), while our
 * timers see every notification, so AT lines of other types (which never
 * fire in NUT) are left out with a note.
 */
import { Notes } from './notes';
import type { NutLine } from './parse';
import { typeName } from './upsmon-conf';
import { int } from './values';

export interface TimerRuleImport {
  at: string[];
  ups: string;
  start?: string;
  after?: number;
  shared?: boolean;
  cancel?: string;
  otherwise?: string;
  execute?: string;
  line: number;
}

export interface TimersImport {
  command?: string;
  rules: TimerRuleImport[];
  notes: Notes;
}

export function mapUpsschedConf(lines: readonly NutLine[], file: string, execTypes: ReadonlySet<string>): TimersImport {
  const notes = new Notes(file);
  const out: TimersImport = { rules: [], notes };
  const at = ['monitor', 'timers'];
  for (const l of lines) {
    const [d, ...rest] = l.args as [string, ...string[]];
    switch (d) {
      case 'CMDSCRIPT':
        if (rest[0] === undefined) notes.skip(l, at, 'CMDSCRIPT needs the script');
        else out.command = rest[0];
        break;
      case 'PIPEFN':
      case 'LOCKFN':
        notes.skip(l, at, 'the timers run inside the monitor: no pipe or lock file is needed');
        break;
      case 'DEBUG_MIN':
        notes.skip(l, at, 'use log.level: debug for the agent');
        break;
      case 'AT': {
        const [ntype, ups, cmd, a1, a2] = rest;
        const type = ntype === undefined ? undefined : typeName(ntype);
        if (cmd === undefined || ups === undefined || a1 === undefined) {
          notes.skip(l, at, 'AT needs a type, a UPS (or *), a command and its argument');
          break;
        }
        if (!type) {
          notes.skip(l, at, `${ntype} is not a notification type`);
          break;
        }
        if (!execTypes.has(type)) {
          notes.skip(l, at, `upsmon never hands ${type} to upssched (its NOTIFYFLAG has no EXEC, or NOTIFYCMD is not upssched), so this rule never fires in NUT; left out, since the agent's timers see every notification`);
          break;
        }
        const base = { at: [type], ups, line: l.line };
        if (cmd === 'START-TIMER' || cmd === 'START-TIMER-SHARED') {
          const secs = a2 === undefined ? undefined : int(a2);
          if (secs === undefined || secs < 0) notes.skip(l, at, `${cmd} needs the timer's name and its seconds`);
          else out.rules.push({ ...base, start: a1, after: secs, ...(cmd === 'START-TIMER-SHARED' ? { shared: true } : {}) });
        } else if (cmd === 'CANCEL-TIMER') out.rules.push({ ...base, cancel: a1, ...(a2 !== undefined ? { otherwise: a2 } : {}) });
        else if (cmd === 'EXECUTE') out.rules.push({ ...base, execute: a1 });
        else notes.skip(l, at, `${cmd} is not START-TIMER, START-TIMER-SHARED, CANCEL-TIMER or EXECUTE`);
        break;
      }
      default:
        notes.skip(l, at, 'not a directive upssched knows');
    }
  }
  return out;
}
