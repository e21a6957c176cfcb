/**
 * The `monitor:` section: what upsmon.conf and upssched.conf say, in one
 * place, with NUT's defaults (docs/man/upsmon.conf.txt, clients/upsmon.c of
 * NUT 2.8.5). Keys are NUT's directive names in camelCase.
 */
import { hostProblem, type HostUse } from '../core/config';
import type { ConfigIssue } from '../core/errors';
import { bool, dict, list, num, obj, oneOf, optional, refine, str, type Infer, type Schema } from '../core/schema';
import { splitName } from '../client/target';
import { NOTIFY_ROUTES, NOTIFY_TYPE_NAMES, type NotifyType } from './notify-types';

/** upsmon's compiled-in defaults, in seconds. */
export const MONITOR_DEFAULTS = {
  minSupplies: 1,
  pollFreq: 5,
  pollFreqAlert: 5,
  hostSync: 15,
  deadTime: 15,
  finalDelay: 5,
  shutdownCommand: '/sbin/shutdown -h +0',
  rbWarnTime: 43200,
  noCommWarnTime: 300,
  offDuration: 30,
  overDuration: -1,
  obLbDuration: 0,
  alarmCritical: true,
  /** Seconds to linger after running the shutdown command; 0 = exit at once, -1 = never (NUT SHUTDOWNEXIT yes/no/N). */
  shutdownExit: 0,
  dryRun: false,
  stateFile: '/var/lib/upsagent/monitor.json',
  /** Seconds a notification command may run before it is killed. */
  commandTimeout: 60,
  /** Events kept in the history. */
  historySize: 200,
  /** upsmon CERTVERIFY 0: a TLS session is encrypted, its certificate not checked. */
  certVerify: false,
  /** upsmon FORCESSL 0: plain text when the server declines STARTTLS. */
  forceSsl: false,
} as const;

const notifyType = oneOf(NOTIFY_TYPE_NAMES);

/** An optional mapping whose absence means "all its defaults" (optional() alone would give {} without them). */
function withDefaults<T>(s: Schema<T>): Schema<T> & { optional: true } {
  return { ...s, optional: true, check: (v, path, issues) => s.check(v ?? {}, path, issues) };
}
const seconds = (min = 0, max = 7 * 86_400) => num({ min, max });

/** `ups`, `ups@host` or `ups@host:port` (`[v6addr]:port`), parsed as upsclient does. */
const upsName = refine(str({ minLength: 1, maxLength: 255 }), (v, path, issues) => {
  const r = splitName(v);
  if (!r.ok) issues.push({ path, message: `${JSON.stringify(v)} is not ups or ups@host[:port]` });
  else if (v.includes('@')) {
    // Checked here, not when the monitor first connects: a mistyped address must stop `config check`.
    const bad = hostProblem(r.value.host);
    if (bad) issues.push({ path, message: bad });
  }
});

const watchedUps = refine(
  obj({
    /** A UPS of the `ups:` section, or a remote `ups@host[:port]`. */
    name: upsName,
    /** How many of this host's power supplies it feeds; 0 = watch only (NUT: powervalue). */
    powerValue: optional(num({ min: 0, max: 1000, integer: true }), 1),
    /** primary: this host sets FSD and waits for the others; secondary: it shuts down when FSD appears. */
    role: optional(oneOf(['primary', 'secondary'] as const, { master: 'primary', slave: 'secondary' })),
    user: optional(str({ minLength: 1, maxLength: 255 })),
    password: optional(str({ minLength: 1, maxLength: 255 })),
    /** This server only (upsmon's CERTHOST): check its certificate; default monitor.certVerify. */
    certVerify: optional(bool()),
    /** This server only: refuse plain text; default monitor.forceSsl. */
    forceSsl: optional(bool()),
    /** This server only: the CAs its certificate must chain to; default monitor.caFile. */
    caFile: optional(str({ minLength: 1 })),
    /** The name its certificate must carry when it is not the host in `name` (CERTHOST's certificate name). */
    certName: optional(str({ minLength: 1, maxLength: 255 })),
  }),
  (v, path, issues) => {
    if ((v.user === undefined) !== (v.password === undefined)) {
      issues.push({ path, message: 'give both user and password, or neither (a local UPS needs neither)' });
    }
  },
);

/** A notification command: a shell command line, or one with the events it wants. */
const commandEntry: Schema<{ command: string; events?: NotifyType[] }> = {
  expected: 'a command line, or a mapping with command and events',
  optional: false,
  check(v, path, issues) {
    if (typeof v === 'string') return str({ minLength: 1 }).check(v, path, issues) === undefined ? undefined : { command: v };
    return commandShape.check(v, path, issues);
  },
};
const commandShape = obj({
  command: str({ minLength: 1 }),
  /** Run for these types whatever their routes say; without it, for every type routed to exec. */
  events: optional(list(notifyType, { minItems: 1, unique: true })),
});

const notifySchema = withDefaults(
  obj({
    /** Per type, where it goes (NUT NOTIFYFLAG); types not named go to log and wall. */
    routes: optional(dict(list(oneOf(NOTIFY_ROUTES), { minItems: 1, unique: true }), { key: typeKey(), keyText: 'a notification type' }), {}),
    /** Per type, the message (NUT NOTIFYMSG); `%s` is the UPS name. */
    messages: optional(dict(str({ minLength: 1, maxLength: 1024 }), { key: typeKey(), keyText: 'a notification type' }), {}),
    /** Commands run for notifications (NUT NOTIFYCMD, several allowed). */
    commands: optional(list(commandEntry), []),
    commandTimeout: optional(seconds(1, 86_400), MONITOR_DEFAULTS.commandTimeout),
  }),
);

function typeKey(): RegExp {
  return new RegExp(`^(${NOTIFY_TYPE_NAMES.join('|')})$`);
}

/** One upssched `AT <type> <ups> <action>` line. */
const timerRule = refine(
  obj({
    at: list(notifyType, { minItems: 1, unique: true }),
    /** A UPS as the monitor names it, or `*` for any. */
    ups: optional(str({ minLength: 1 }), '*'),
    /** START-TIMER: the timer's name. */
    start: optional(str({ minLength: 1, maxLength: 255 })),
    /** Seconds until a started timer fires. */
    after: optional(seconds(0)),
    /** START-TIMER-SHARED: one timer for every UPS that starts it. */
    shared: optional(bool(), false),
    /** CANCEL-TIMER: the timer's name. */
    cancel: optional(str({ minLength: 1, maxLength: 255 })),
    /** CANCEL-TIMER-MATCHED: only cancel it for the UPS of this event. */
    matched: optional(bool(), false),
    /** CANCEL-TIMER's optional command: passed to the timer command when nothing was cancelled. */
    otherwise: optional(str({ minLength: 1 })),
    /** EXECUTE: passed to the timer command at once. */
    execute: optional(str({ minLength: 1 })),
  }),
  (v, path, issues) => {
    const actions = [v.start, v.cancel, v.execute].filter((a) => a !== undefined).length;
    if (actions !== 1) issues.push({ path, message: 'give exactly one of start (with after), cancel or execute' });
    else if (v.start !== undefined && v.after === undefined) issues.push({ path: `${path}.after`, message: 'is required with start (seconds)' });
    else if (v.start === undefined && v.after !== undefined) issues.push({ path: `${path}.after`, message: 'only goes with start' });
    if (v.shared && v.start === undefined) issues.push({ path: `${path}.shared`, message: 'only goes with start' });
    if (v.matched && v.cancel === undefined) issues.push({ path: `${path}.matched`, message: 'only goes with cancel' });
    if (v.otherwise !== undefined && v.cancel === undefined) issues.push({ path: `${path}.otherwise`, message: 'only goes with cancel' });
  },
);

const timersSchema = withDefaults(
  refine(
    obj({
      /** upssched's CMDSCRIPT: run with the timer's name (or EXECUTE's word) as its argument. */
      command: optional(str({ minLength: 1 })),
      rules: optional(list(timerRule), []),
    }),
    (v, path, issues) => {
      if ((v.rules?.length ?? 0) > 0 && v.command === undefined) issues.push({ path: `${path}.command`, message: 'is required when there are rules (the command the timers run)' });
    },
  ),
);

/** Built-in shutdown policies: on battery, the UPS counts as critical for this host once one is reached. */
const policySchema = withDefaults(
  obj({
    onBatteryFor: optional(seconds(1)),
    chargeAtMost: optional(num({ min: 0, max: 100 })),
    runtimeAtMost: optional(seconds(0)),
  }),
);

export const monitorSectionSchema = optional(
  refine(
    obj({
      ups: list(watchedUps, { minItems: 1 }),
      minSupplies: optional(num({ min: 0, max: 1000, integer: true }), MONITOR_DEFAULTS.minSupplies),
      pollFreq: optional(seconds(1, 3600), MONITOR_DEFAULTS.pollFreq),
      pollFreqAlert: optional(seconds(1, 3600), MONITOR_DEFAULTS.pollFreqAlert),
      hostSync: optional(seconds(0, 3600), MONITOR_DEFAULTS.hostSync),
      deadTime: optional(seconds(0, 86_400), MONITOR_DEFAULTS.deadTime),
      finalDelay: optional(seconds(0, 3600), MONITOR_DEFAULTS.finalDelay),
      shutdownCommand: optional(str({ minLength: 1 }), MONITOR_DEFAULTS.shutdownCommand),
      powerDownFlag: optional(str({ minLength: 1 })),
      rbWarnTime: optional(seconds(1, 10 * 365 * 86_400), MONITOR_DEFAULTS.rbWarnTime),
      noCommWarnTime: optional(seconds(1, 86_400), MONITOR_DEFAULTS.noCommWarnTime),
      offDuration: optional(num({ min: -1, max: 86_400 }), MONITOR_DEFAULTS.offDuration),
      overDuration: optional(num({ min: -1, max: 86_400 }), MONITOR_DEFAULTS.overDuration),
      obLbDuration: optional(num({ min: -1, max: 86_400 }), MONITOR_DEFAULTS.obLbDuration),
      alarmCritical: optional(bool(), MONITOR_DEFAULTS.alarmCritical),
      shutdownExit: optional(num({ min: -1, max: 86_400 }), MONITOR_DEFAULTS.shutdownExit),
      /** Log the shutdown command instead of running it. */
      dryRun: optional(bool(), MONITOR_DEFAULTS.dryRun),
      /** Where the event history and the monitor's view are kept across restarts. */
      stateFile: optional(str({ minLength: 1 }), MONITOR_DEFAULTS.stateFile),
      historySize: optional(num({ min: 1, max: 100_000, integer: true }), MONITOR_DEFAULTS.historySize),
      /** Check remote servers' TLS certificates (upsmon CERTVERIFY); needs STARTTLS, so plain text is refused too. */
      certVerify: optional(bool(), MONITOR_DEFAULTS.certVerify),
      /** Refuse to talk to a remote server in plain text (upsmon FORCESSL). */
      forceSsl: optional(bool(), MONITOR_DEFAULTS.forceSsl),
      /** PEM file of the CAs remote servers' certificates must chain to (upsmon CERTPATH); without it, the system's. */
      caFile: optional(str({ minLength: 1 })),
      notify: notifySchema,
      timers: timersSchema,
      policy: policySchema,
    }),
    (v, path, issues) => checkMonitor(v, path, issues),
  ),
);

function checkMonitor(v: { ups: Array<{ name: string; powerValue?: number }>; minSupplies?: number }, path: string, issues: ConfigIssue[]): void {
  const total = v.ups.reduce((n, u) => n + (u.powerValue ?? 1), 0);
  const min = v.minSupplies ?? MONITOR_DEFAULTS.minSupplies;
  // upsmon would shut the host down on its first look: say so now instead.
  if (total < min) issues.push({ path: `${path}.minSupplies`, message: `is ${min} but the watched UPSes' power values add up to ${total}: the host would be shut down at once; lower minSupplies (0 = watch only)` });
  const seen = new Set<string>();
  v.ups.forEach((u, i) => {
    const key = u.name.toLowerCase();
    if (seen.has(key)) issues.push({ path: `${path}.ups[${i}].name`, message: `${u.name} is watched twice` });
    seen.add(key);
  });
}

type Section = NonNullable<Infer<typeof monitorSectionSchema>>;
/** Keys the schema always fills in (they have defaults). */
type Defaulted = Exclude<keyof Section, 'ups' | 'powerDownFlag' | 'caFile' | 'notify' | 'timers' | 'policy'>;
type Filled<T> = { [K in keyof T]-?: NonNullable<T[K]> };
export type WatchedUpsConfig = Section['ups'][number] & { powerValue: number };
export type TimerRuleConfig = NonNullable<NonNullable<Section['timers']>['rules']>[number] & { ups: string; shared: boolean; matched: boolean };
export type NotifyConfig = Filled<NonNullable<Section['notify']>>;
export type PolicyConfig = NonNullable<Section['policy']>;
/** The section after validation: every default filled in. */
export type MonitorConfig = Filled<Pick<Section, Defaulted>> & {
  ups: WatchedUpsConfig[];
  powerDownFlag?: string;
  caFile?: string;
  notify: NotifyConfig;
  timers: { command?: string; rules: TimerRuleConfig[] };
  policy: PolicyConfig;
};

/** A watched UPS resolved against the `ups:` section: local (on the bus) or remote (over the NUT protocol). */
export type WatchTarget =
  | { kind: 'local'; ups: string }
  | { kind: 'remote'; ups: string; host: string; port: number };

/**
 * `name` is local when it has no `@` and names a UPS of this agent's `ups:`
 * section; anything else is reached over the network.
 */
export function watchTarget(name: string, localUpses: readonly string[]): WatchTarget {
  if (!name.includes('@') && localUpses.some((u) => u.toLowerCase() === name.toLowerCase())) return { kind: 'local', ups: localUpses.find((u) => u.toLowerCase() === name.toLowerCase())! };
  const r = splitName(name);
  if (!r.ok) throw new Error(`cannot parse ${name}`);
  return { kind: 'remote', ...r.value };
}

/** The hosts of the remote UPSes the monitor watches, for resolving before anything starts. */
export function monitorHosts(monitor: Pick<MonitorConfig, 'ups'> | undefined): HostUse[] {
  return (monitor?.ups ?? []).flatMap((u, i) => {
    const r = u.name.includes('@') ? splitName(u.name) : null;
    return r?.ok ? [{ path: `monitor.ups[${i}].name`, host: r.value.host }] : [];
  });
}

/** A local UPS defaults to primary (this host owns it), a remote one to secondary, as NUT's sample configs pair them. */
export function roleOf(u: WatchedUpsConfig, target: WatchTarget): 'primary' | 'secondary' {
  return u.role ?? (target.kind === 'local' ? 'primary' : 'secondary');
}

/** A remote UPS's TLS settings: its own, else the monitor's (as upsmon's CERTHOST overrides CERTVERIFY/FORCESSL). */
export function tlsSettingsOf(u: WatchedUpsConfig, m: Pick<MonitorConfig, 'certVerify' | 'forceSsl' | 'caFile'>): { certVerify: boolean; forceSsl: boolean; caFile?: string; caKey: string; certName?: string } {
  const own = u.caFile !== undefined;
  return {
    certVerify: u.certVerify ?? m.certVerify,
    forceSsl: u.forceSsl ?? m.forceSsl,
    caFile: u.caFile ?? m.caFile,
    caKey: own ? `monitor.ups[${u.name}].caFile` : 'monitor.caFile',
    certName: u.certName,
  };
}

/** Every CA file the monitor names, read and checked as the start will (`config check`, reload). */
export function monitorTlsProblems(m: MonitorConfig | undefined, load: (file: string, key: string) => unknown): ConfigIssue[] {
  if (!m) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const u of m.ups) {
    const t = tlsSettingsOf(u, m);
    if (t.caFile === undefined || seen.has(t.caFile)) continue;
    seen.add(t.caFile);
    try {
      load(t.caFile, t.caKey);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      const prefix = `${t.caKey}: `;
      issues.push({ path: t.caKey, message: text.startsWith(prefix) ? text.slice(prefix.length) : text });
    }
  }
  return issues;
}
