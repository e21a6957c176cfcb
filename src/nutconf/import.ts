/**
 * A NUT configuration folder (/etc/nut) -> one upsagent configuration:
 * ups.conf, upsd.conf, upsd.users, upsmon.conf, upssched.conf and nut.conf
 * parsed as NUT parses them, each mapped by its own module, put together
 * here (MODE decides what is emitted; a MONITOR line naming a UPS of this
 * host's ups.conf on localhost becomes a local watch), and checked with the
 * agent's own validateConfig so what comes out is a file `config check`
 * accepts. Whatever could not be carried over is a comment in the YAML,
 * with the file and line it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '../app/config';
import { ConfigError, UpsAgentError, type ConfigIssue } from '../core/errors';
import { Notes, type CommentedOut, type Note } from './notes';
import { MODES, mapNutConf, type NutMode } from './nut-conf';
import { parseNutConf, type NutLine, type NutProblem } from './parse';
import { renderYaml } from './render';
import { mapUpsConf, type UpsEntry } from './ups-conf';
import { mapUpsdConf } from './upsd-conf';
import { mapUpsdUsers } from './upsd-users';
import { mapUpsmonConf, type WatchImport } from './upsmon-conf';
import { mapUpsschedConf } from './upssched-conf';

export const NUT_FILES = ['nut.conf', 'ups.conf', 'upsd.conf', 'upsd.users', 'upsmon.conf', 'upssched.conf'] as const;
export type NutFileName = (typeof NUT_FILES)[number];

/** The folder's files could not be read as NUT reads them: every problem, with file and line. */
export class NutConfError extends UpsAgentError {
  constructor(readonly problems: readonly NutProblem[]) {
    super('NUT-CONF', `${problems.length} problem(s) in the NUT configuration; nothing was imported:\n` + problems.map((p) => `  ${p.file}:${p.line}: ${p.message}`).join('\n'));
  }
}

/** There is nothing to run (MODE=none, no UPS and no MONITOR line...). */
export class NutImportError extends UpsAgentError {
  constructor(message: string) {
    super('NUT-IMPORT', message);
  }
}

export interface ImportOptions {
  /** Overrides nut.conf's MODE. */
  mode?: Exclude<NutMode, 'none'>;
}

export interface ImportResult {
  /** The configuration, as validateConfig accepts it. */
  config: Record<string, unknown>;
  yaml: string;
  mode: NutMode;
  notes: Note[];
  commentedOut: CommentedOut[];
  /** Problems NUT would read past (dropped characters...), also among the notes. */
  warnings: NutProblem[];
}

/** Reads the folder's NUT files that exist; file names in messages are the full paths. */
export function readNutFolder(dir: string): Partial<Record<NutFileName, { path: string; text: string }>> {
  const out: Partial<Record<NutFileName, { path: string; text: string }>> = {};
  for (const f of NUT_FILES) {
    const path = join(dir, f);
    if (!existsSync(path)) continue;
    out[f] = { path, text: readFileSync(path, 'latin1') };
  }
  return out;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', 'localhost.localdomain', 'ip6-localhost']);

/** Turns the folder's files into one configuration. Throws NutConfError or NutImportError. */
export function importNut(dir: string, files: Partial<Record<NutFileName, { path: string; text: string }>>, opts: ImportOptions = {}): ImportResult {
  const parsed: Partial<Record<NutFileName, NutLine[]>> = {};
  const problems: NutProblem[] = [];
  for (const f of NUT_FILES) {
    const src = files[f];
    if (!src) continue;
    const r = parseNutConf(src.text, src.path);
    parsed[f] = r.lines;
    problems.push(...r.problems);
  }
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new NutConfError(errors);
  const warnings = problems.filter((p) => p.severity === 'warning');
  const top = new Notes(dir);
  const name = (f: NutFileName): string => files[f]?.path ?? join(dir, f);

  // nut.conf: what NUT runs here.
  const nut = parsed['nut.conf'] ? mapNutConf(parsed['nut.conf'], name('nut.conf')) : undefined;
  let mode: NutMode | undefined = opts.mode ?? nut?.mode;
  if (opts.mode && nut?.mode && opts.mode !== nut.mode) top.add(0, [], `MODE ${opts.mode} (from --mode) instead of nut.conf's ${nut.mode}`);
  if (mode === 'none') {
    throw new NutImportError(
      `${name('nut.conf')}:${nut?.modeLine ?? 0}: MODE=none: NUT is set to run nothing on this host, so there is nothing to import. ` +
        `If these files are what you want to run, pass --mode standalone (drivers, server and monitor), netserver (the same, serving the network) or netclient (only the monitor).`,
    );
  }
  const upsLines = parsed['ups.conf'] ?? [];
  const monLines = parsed['upsmon.conf'] ?? [];
  if (mode === undefined) {
    const hasUps = upsLines.some((l) => l.args[0]!.startsWith('['));
    mode = hasUps ? 'standalone' : monLines.some((l) => l.args[0] === 'MONITOR') ? 'netclient' : undefined;
    if (mode === undefined) throw new NutImportError(`${dir}: no UPS in ups.conf and no MONITOR line in upsmon.conf: nothing to import (files found: ${NUT_FILES.filter((f) => files[f]).join(', ') || 'none'})`);
    top.add(0, [], `${nut ? 'nut.conf has no MODE' : 'no nut.conf'}: imported as MODE=${mode}, from the files there`);
  } else top.add(0, [], `MODE=${mode}: ${mode === 'netclient' ? 'only the monitor runs here' : 'drivers, server and monitor run here'}`);
  if (!MODES.includes(mode)) throw new NutImportError(`unknown mode ${String(mode)}`);

  const all: Notes[] = [top];
  if (nut) all.push(nut.notes);
  const config: Record<string, unknown> = {};
  let localUps: Record<string, UpsEntry> = {};
  let localSections: string[] = [];
  let ports: number[] = [3493];

  if (mode !== 'netclient') {
    const u = mapUpsConf(upsLines, name('ups.conf'), dir);
    all.push(u.notes);
    localUps = u.ups;
    localSections = u.sections;
    if (!files['ups.conf']) top.add(0, ['ups'], 'no ups.conf: no UPS of this host');
    if (Object.keys(u.ups).length) config.ups = u.ups;

    const s = mapUpsdConf(parsed['upsd.conf'] ?? [], name('upsd.conf'));
    if (files['upsd.conf']) all.push(s.notes);
    if (nut?.allowNotAllListeners !== undefined) {
      if (s.server.allowNotAllListeners === undefined) s.server.allowNotAllListeners = nut.allowNotAllListeners;
      else if (s.server.allowNotAllListeners !== nut.allowNotAllListeners) top.add(0, ['server'], `ALLOW_NOT_ALL_LISTENERS differs between nut.conf and upsd.conf: upsd.conf's is kept`);
    }
    if (s.server.listen) ports = s.server.listen.map((l) => Number(/:(\d+)$/.exec(l)?.[1] ?? 3493));
    if (Object.keys(s.server).length) config.server = s.server;

    const users = mapUpsdUsers(parsed['upsd.users'] ?? [], name('upsd.users'));
    all.push(users.notes);
    if (Object.keys(users.users).length) config.users = users.users;
  } else {
    for (const f of ['ups.conf', 'upsd.conf', 'upsd.users'] as const) {
      if (parsed[f]?.length) top.add(0, [], `${f} is not imported: with MODE=netclient NUT runs no driver and no upsd here`);
    }
  }

  // upsmon.conf and upssched.conf: the monitor.
  const mon = mapUpsmonConf(monLines, name('upsmon.conf'));
  all.push(mon.notes);
  const isLocal = (w: WatchImport): boolean => mode !== 'netclient' && LOCAL_HOSTS.has(w.host.toLowerCase()) && ports.includes(w.port);
  const localName = (w: WatchImport): string | undefined => (isLocal(w) ? Object.keys(localUps).find((n) => n.toLowerCase() === w.ups.toLowerCase()) : undefined);
  const renamed = new Map<string, string>();
  const kept = mon.watches.filter((w) => {
    if (!isLocal(w) || localName(w) !== undefined || !localSections.includes(w.ups)) return true;
    mon.notes.add(w.line, ['monitor'], `MONITOR ${w.system}: ${w.ups} is a UPS of this host's ups.conf that could not be carried over (see the ups: section), so nothing watches it here`);
    return false;
  });
  const watches = kept.map((w) => {
    const local = localName(w);
    if (local !== undefined) {
      renamed.set(w.system, local);
      mon.notes.add(w.line, ['monitor', 'ups'], `MONITOR ${w.system}: a UPS of this host, watched straight from its driver (the login as ${w.user} is not needed)`);
      return { name: local, powerValue: w.powerValue, role: w.role };
    }
    return { name: w.system, powerValue: w.powerValue, role: w.role, user: w.user, password: w.password };
  });
  if (watches.length) {
    const total = watches.reduce((n, w) => n + w.powerValue, 0);
    const min = typeof mon.settings.minSupplies === 'number' ? mon.settings.minSupplies : 1;
    if (total < min) {
      mon.notes.add(0, ['monitor'], `the power values add up to ${total}, less than MINSUPPLIES ${min}: upsmon refuses to start ("insufficient power configured"); written with minSupplies: ${total} so the monitor starts${total === 0 ? ' and only watches' : ''} — check this`);
      mon.settings.minSupplies = total;
    }
    const notify: Record<string, unknown> = {};
    if (Object.keys(mon.routes).length) notify.routes = mon.routes;
    if (Object.keys(mon.messages).length) notify.messages = mon.messages;
    const monitor: Record<string, unknown> = { ups: watches, ...mon.settings };
    if (mon.notifyCmd && !mon.notifyCmd.upssched) notify.commands = [mon.notifyCmd.command];
    if (mon.notifyCmd?.upssched) mon.notes.add(mon.notifyCmd.line, ['monitor'], `NOTIFYCMD ${mon.notifyCmd.command}: upssched's timers are monitor.timers (from upssched.conf)`);
    if (Object.keys(notify).length) monitor.notify = notify;
    if (parsed['upssched.conf'] && !mon.notifyCmd?.upssched) {
      top.add(0, ['monitor'], `upssched.conf is not imported: NOTIFYCMD is ${mon.notifyCmd ? mon.notifyCmd.command : 'not set'}, not upssched, so NUT never reads it`);
    } else if (parsed['upssched.conf']) {
      const t = mapUpsschedConf(parsed['upssched.conf'], name('upssched.conf'), mon.execTypes);
      all.push(t.notes);
      const rules = t.rules.map(({ line, ...r }) => {
        const local = renamed.get(r.ups);
        if (local !== undefined) t.notes.add(line, ['monitor', 'timers'], `AT ... ${r.ups}: written as ${local}, the name the monitor gives that UPS`);
        return { ...r, ups: local ?? r.ups };
      });
      if (rules.length && t.command === undefined) t.notes.add(0, ['monitor'], 'AT rules without CMDSCRIPT: upssched has nothing to run, so the rules are left out');
      else if (t.command !== undefined || rules.length) monitor.timers = { ...(t.command !== undefined ? { command: t.command } : {}), rules };
    }
    config.monitor = monitor;
  } else if (files['upsmon.conf']) {
    top.add(0, [], 'upsmon.conf has no MONITOR line: no monitor: section (nothing watches a UPS to shut this host down)');
  }

  const notes = all.flatMap((n) => n.list);
  const commentedOut = all.flatMap((n) => n.commentedOut);
  for (const w of warnings) notes.push({ file: w.file, line: w.line, at: [], text: w.message });
  settle(config, notes);
  if (config.ups === undefined && config.monitor === undefined) {
    const why = [...commentedOut.map((c) => `${c.note.file}:${c.note.line}: ${c.note.text}`), ...notes.filter((n) => n.at[0] === 'ups' || n.at[0] === 'monitor').map((n) => `${n.file}:${n.line}: ${n.text}`)];
    throw new NutImportError(`${dir}: nothing left to run: no UPS could be carried over and nothing is monitored${why.length ? `:\n  ${why.join('\n  ')}` : ''}`);
  }
  // Whatever settle could not take out is a bug of this import: say so rather than write a file that does not load.
  validateConfig(config, 'the imported configuration');
  const header = [
    `upsagent configuration imported from ${dir} by \`upsagent import-nut\`.`,
    'Check it with `upsagent config check FILE`; every key is documented in config.example.yaml.',
    'Comments below name the NUT file and line of what could not be carried over as it was.',
  ];
  return { config, yaml: renderYaml(config, header, notes, commentedOut), mode, notes, commentedOut, warnings };
}

/**
 * What the agent's own check still refuses (a value out of range, a
 * cross-field rule) is taken out with its message, until the check passes:
 * the output always loads. At most one pass per problem.
 */
function settle(config: Record<string, unknown>, notes: Note[]): void {
  for (let round = 0; round < 50; round++) {
    let issues: readonly ConfigIssue[];
    try {
      validateConfig(config, 'import');
      return;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues = err.issues;
    }
    const issue = issues[0]!;
    const path = splitPath(issue.path);
    const removed = removeAt(config, path);
    if (removed.length === 0) return;
    notes.push({ file: 'config check', line: 0, at: removed.slice(0, -1), text: `${removed.join('.')} left out: ${issue.path}: ${issue.message}` });
  }
}

function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const i of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(i[1]!);
  }
  return out;
}

/**
 * Removes the smallest thing the problem is about: a UPS's option (the
 * whole UPS when it is driver or port, or a rule of the driver's), a user,
 * a watched UPS or timer rule (list items go whole), a setting.
 * Keys with dots (`default.battery.voltage.high`) are matched first.
 */
function removeAt(config: Record<string, unknown>, path: string[]): string[] {
  const [section, entry, key] = path;
  const rec = config as Record<string, Record<string, unknown> | undefined>;
  if (section === 'ups' && entry !== undefined && rec.ups?.[entry]) {
    const ups = rec.ups[entry] as Record<string, unknown>;
    const dotted = path.slice(2).join('.');
    const k = dotted in ups ? dotted : key;
    if (k !== undefined && k in ups && k !== 'driver' && k !== 'port') {
      delete ups[k];
      return ['ups', entry, k];
    }
    delete rec.ups[entry];
    if (Object.keys(rec.ups).length === 0) delete rec.ups;
    return ['ups', entry];
  }
  if (section === 'users' && entry !== undefined && rec.users?.[entry]) {
    delete rec.users[entry];
    if (Object.keys(rec.users).length === 0) delete rec.users;
    return ['users', entry];
  }
  // Walk as deep as the path exists; a list item goes whole.
  let node: unknown = config;
  const walked: string[] = [];
  for (const p of path) {
    if (node === null || typeof node !== 'object' || !(p in (node as object))) break;
    if (Array.isArray(node)) {
      node.splice(Number(p), 1);
      if (node.length === 0 && walked.length) return removeAt(config, walked);
      return [...walked, p];
    }
    walked.push(p);
    node = (node as Record<string, unknown>)[p];
  }
  if (walked.length === 0) return [];
  const parent = walked.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, config);
  delete parent[walked.at(-1)!];
  return walked;
}
