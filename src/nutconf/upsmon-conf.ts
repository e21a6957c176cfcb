/**
 * upsmon.conf -> `monitor:` (NUT's docs/man/upsmon.conf.txt, clients/upsmon.c
 * of NUT 2.8.5). Directive names are matched case-sensitively, as upsmon
 * does. MONITOR lines come back with their target parsed; whether one is a
 * UPS of this host is decided with ups.conf (see ./import.ts).
 */
import { splitName } from '../client/target';
import { NOTIFY_TYPE_NAMES } from '../monitor/notify-types';
import { Notes } from './notes';
import type { NutLine } from './parse';
import { int } from './values';

export interface WatchImport {
  /** As written: ups@host[:port]. */
  system: string;
  ups: string;
  host: string;
  port: number;
  powerValue: number;
  role: 'primary' | 'secondary';
  user: string;
  password: string;
  line: number;
}

export interface MonitorImport {
  watches: WatchImport[];
  /** monitor: keys with their values (minSupplies, pollFreq, ...). */
  settings: Record<string, unknown>;
  routes: Record<string, string[]>;
  messages: Record<string, string>;
  /** NOTIFYCMD, and whether it is upssched (then upssched.conf says what runs). */
  notifyCmd?: { command: string; upssched: boolean; line: number };
  /** The types upsmon hands to NOTIFYCMD (their NOTIFYFLAG has EXEC). */
  execTypes: Set<string>;
  notes: Notes;
}

/** Seconds and counts, by directive: the monitor: key each becomes. */
const NUMBERS: Record<string, string> = {
  MINSUPPLIES: 'minSupplies',
  POLLFREQ: 'pollFreq',
  POLLFREQALERT: 'pollFreqAlert',
  HOSTSYNC: 'hostSync',
  DEADTIME: 'deadTime',
  FINALDELAY: 'finalDelay',
  RBWARNTIME: 'rbWarnTime',
  NOCOMMWARNTIME: 'noCommWarnTime',
  OFFDURATION: 'offDuration',
  OVERDURATION: 'overDuration',
  OBLBDURATION: 'obLbDuration',
};

/** TLS is not imported: NUT's CERTPATH is a folder or an NSS database, the monitor wants the CA's PEM file, and certVerify without it would check against the system's CAs. */
const TLS_WHY = 'TLS to the servers watched is not carried over by the import; set it by hand (docs/install.md, TLS)';

const LEFT_OUT: Record<string, string> = {
  RUN_AS_USER: 'the agent runs as the account its service is installed with (upsagent install)',
  CERTPATH: `${TLS_WHY}: monitor.caFile is the PEM file of the CA (NUT's CERTPATH is a folder of hashed certificates or an NSS database)`,
  CERTIDENT: `${TLS_WHY}: the monitor sends no client certificate`,
  CERTHOST: `${TLS_WHY}: on that host's ups entries, certName, certVerify and forceSsl`,
  CERTVERIFY: `${TLS_WHY}: monitor.certVerify, with monitor.caFile`,
  FORCESSL: `${TLS_WHY}: monitor.forceSsl`,
  DEBUG_MIN: 'use log.level: debug for the agent',
  POLLFAIL_LOG_THROTTLE_MAX: 'the agent logs a failing poll once when it starts failing and once when it recovers',
};

const FLAGS: Record<string, string> = { SYSLOG: 'log', WALL: 'wall', EXEC: 'exec', IGNORE: 'ignore' };

/** The notification type as our monitor names it (NUT compares them case-insensitively). */
export function typeName(word: string): string | undefined {
  return NOTIFY_TYPE_NAMES.find((t) => t === word.toUpperCase());
}

export function isUpssched(command: string): boolean {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return /(^|\/)upssched$/.test(first);
}

export function mapUpsmonConf(lines: readonly NutLine[], file: string): MonitorImport {
  const notes = new Notes(file);
  const out: MonitorImport = { watches: [], settings: {}, routes: {}, messages: {}, execTypes: new Set(), notes };
  const at = ['monitor'];
  for (const l of lines) {
    const [d, ...rest] = l.args as [string, ...string[]];
    if (rest.length === 0) {
      notes.skip(l, at, 'upsmon ignores a directive without a value');
      continue;
    }
    const a1 = rest[0]!;
    if (d in NUMBERS) {
      const n = int(a1);
      if (n === undefined) notes.skip(l, at, `${d} needs a whole number (upsmon would read ${JSON.stringify(a1)} as 0)`);
      else out.settings[NUMBERS[d]!] = d === 'OBLBDURATION' && n < 1 ? 0 : n;
      continue;
    }
    switch (d) {
      case 'MONITOR': {
        if (rest.length < 5) {
          notes.skip(l, at, 'MONITOR needs system, power value, user, password and type (primary or secondary); upsmon refuses it', [4]);
          break;
        }
        const [system, pv, user, password, type] = rest as [string, string, string, string, string];
        const target = splitName(system);
        const power = int(pv);
        const role = ({ master: 'primary', primary: 'primary', slave: 'secondary', secondary: 'secondary' } as const)[type.toLowerCase() as 'master'];
        if (!target.ok) notes.skip(l, at, `${system} is not ups@host[:port]`, [4]);
        else if (power === undefined || power < 0) notes.skip(l, at, `the power value ${pv} is not a whole number of 0 or more`, [4]);
        else if (role === undefined) notes.skip(l, at, `the type ${type} is not primary or secondary (or master, slave)`, [4]);
        else out.watches.push({ system, ...target.value, powerValue: power, role, user, password, line: l.line });
        break;
      }
      case 'SHUTDOWNCMD':
        out.settings.shutdownCommand = a1;
        break;
      case 'POWERDOWNFLAG':
        out.settings.powerDownFlag = a1;
        break;
      case 'ALARMCRITICAL': {
        const n = int(a1);
        if (n === undefined) notes.skip(l, at, 'ALARMCRITICAL needs 0 or 1');
        else out.settings.alarmCritical = n !== 0;
        break;
      }
      case 'SHUTDOWNEXIT': {
        const t = a1.toLowerCase();
        const n = int(a1);
        if (['on', 'yes', 'true'].includes(t)) out.settings.shutdownExit = 0;
        else if (['off', 'no', 'false'].includes(t)) out.settings.shutdownExit = -1;
        else if (n !== undefined) out.settings.shutdownExit = n;
        else notes.skip(l, at, 'SHUTDOWNEXIT is yes, no or a number of seconds; upsmon reads anything else as yes, and so does the default');
        break;
      }
      case 'NOTIFYCMD':
        out.notifyCmd = { command: a1, upssched: isUpssched(a1), line: l.line };
        break;
      case 'NOTIFYMSG': {
        const type = typeName(a1);
        if (!type) notes.skip(l, ['monitor', 'notify'], `${a1} is not a notification type`);
        else if (rest[1] === undefined) notes.skip(l, ['monitor', 'notify'], 'NOTIFYMSG needs the message');
        else out.messages[type] = rest[1];
        break;
      }
      case 'NOTIFYFLAG': {
        const type = typeName(a1);
        const words = (rest[1] ?? '').split('+').filter((w) => w !== '');
        const routes = words.map((w) => FLAGS[w.toUpperCase()]);
        if (!type) notes.skip(l, ['monitor', 'notify'], `${a1} is not a notification type`);
        else if (routes.length === 0 || routes.some((r) => r === undefined)) notes.skip(l, ['monitor', 'notify'], 'NOTIFYFLAG flags are SYSLOG, WALL, EXEC and IGNORE, joined with +');
        else {
          // upsmon: IGNORE wins over the others it is written with.
          out.routes[type] = routes.includes('ignore') ? ['ignore'] : [...new Set(routes as string[])];
          if (routes.includes('exec') && !routes.includes('ignore')) out.execTypes.add(type);
          else out.execTypes.delete(type);
        }
        break;
      }
      default:
        if (d in LEFT_OUT) notes.skip(l, at, LEFT_OUT[d]!, d === 'CERTIDENT' ? [2] : []);
        else if (d.toUpperCase() in NUMBERS || d.toUpperCase() === 'MONITOR' || d.toUpperCase() in LEFT_OUT) notes.skip(l, at, `upsmon reads directive names in upper case only, so it ignores ${d}; left out likewise`, d.toUpperCase() === 'MONITOR' ? [4] : []);
        else notes.skip(l, at, 'not a directive upsmon knows');
    }
  }
  return out;
}
