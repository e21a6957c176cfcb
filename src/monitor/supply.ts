/**
 * One watched UPS as upsmon tracks it (clients/upsmon.c `utype_t`): the
 * status flags last seen, whether it answers, and the times the rules need.
 * Pure logic: the monitor feeds it poll results and the time, it says what to
 * notify and whether the supply is critical. No I/O, no timers, so every rule
 * is tested with a hand-moved clock.
 */
import type { NotifyType } from './notify-types';

export type Role = 'primary' | 'secondary';

/** Status words upsmon reacts to. */
type Flag = 'OL' | 'OB' | 'LB' | 'FSD' | 'CAL' | 'OFF' | 'BYPASS' | 'ECO' | 'ALARM' | 'OVER' | 'TRIM' | 'BOOST';

/** Words upsmon knows and ignores (no notification, not "OTHER"). */
const SILENT = new Set(['HB', 'CHRG', 'DISCHRG']);

/** While any of these is set upsmon polls at POLLFREQALERT (try_restore_pollfreq). */
const ALERT_FLAGS: readonly Flag[] = ['OB', 'OFF', 'BYPASS', 'ALARM', 'CAL', 'OVER', 'TRIM', 'BOOST'];

/** The timings of upsmon.conf, in ms; a negative duration disables its rule, as in NUT. */
export interface SupplyRules {
  deadTimeMs: number;
  hostSyncMs: number;
  rbWarnTimeMs: number;
  noCommWarnTimeMs: number;
  offDurationMs: number;
  overDurationMs: number;
  obLbDurationMs: number;
  alarmCritical: boolean;
}

/** The built-in shutdown policies (ours): any one reached while on battery makes the supply critical. */
export interface SupplyPolicy {
  onBatteryForMs?: number;
  chargeAtMost?: number;
  runtimeAtMost?: number;
}

/** What one successful poll read. */
export interface Reading {
  /** ups.status as the server sends it (with the FSD prefix once FSD is latched). */
  status: string;
  /** ups.alarm, when the status has ALARM and the UPS publishes it. */
  alarm?: string;
  /** battery.charge (%), read only while on battery and a policy needs it. */
  charge?: number;
  /** battery.runtime (s), likewise. */
  runtime?: number;
  /** ups.test.result, when the UPS publishes it: a change is a battery test result worth keeping. */
  testResult?: string;
}

export type Notify = (type: NotifyType, extra?: string) => void;
export type Warn = (message: string) => void;

/** How many polls in a row must agree before a charge or runtime policy counts (one misread reply never shuts a host down). */
export const POLICY_CONFIRMATIONS = 2;

export class Supply {
  private readonly flags = new Set<Flag>();
  /** -1 never heard from, 0 lost, 1 answering: COMMOK only fires on 0 -> 1, not on the first contact. */
  private commState: -1 | 0 | 1 = -1;
  /** -1 unknown, 0 on battery, 1 on line: ONLINE is not announced for the first OL at start-up. */
  private lineState: -1 | 0 | 1 = -1;
  private lastPoll: number;
  private lastNonCrit: number;
  private lastRbWarn = -Infinity;
  private lastNcWarn = -Infinity;
  private offSince = 0;
  private offState = false;
  private overSince = 0;
  private overState = false;
  private bypassState = false;
  private alarmState = false;
  private oblbSince = 0;
  private fsdNotified = false;
  private alarmsPrev = '';
  private others = new Set<string>();
  private obSince: number | null = null;
  private charge: number | undefined;
  private runtime: number | undefined;
  private chargeHits = 0;
  private runtimeHits = 0;
  private lastError = '';
  private policyAnnounced = false;
  /** undefined until first read: the result standing at start-up is not news. */
  private testResult: string | undefined;

  constructor(
    readonly name: string,
    readonly role: Role,
    readonly powerValue: number,
    private readonly rules: SupplyRules,
    private readonly policy: SupplyPolicy,
    private readonly notify: Notify,
    private readonly warn: Warn,
    now: number,
  ) {
    // NUT starts these at 0 (the epoch), which makes a UPS unreachable from the start
    // "unavailable for decades" at the second failed poll; counting from our start is what users mean.
    this.lastPoll = now;
    this.lastNonCrit = now;
  }

  // --- poll results -----------------------------------------------------------

  /** A poll answered (upsmon parse_status). An empty status is a dead UPS, as in NUT. */
  answered(r: Reading, now: number): void {
    const words = r.status.split(/\s+/).filter(Boolean).map((w) => w.toUpperCase());
    if (words.length === 0) {
      this.failed('empty ups.status', now);
      return;
    }
    this.alive(now);
    const has = new Set(words);

    // Cleared early when they disappear (LB, FSD silently; the others with their NOT... notification).
    if (!has.has('LB')) this.flags.delete('LB');
    if (!has.has('FSD')) {
      this.flags.delete('FSD');
      this.fsdNotified = false;
    }
    this.clearIfGone(has, 'CAL', 'NOTCAL');
    if (!has.has('OFF')) {
      this.offSince = 0;
      this.offState = false;
      this.clearIfGone(has, 'OFF', 'NOTOFF');
    }
    if (!has.has('BYPASS')) {
      this.bypassState = false;
      this.clearIfGone(has, 'BYPASS', 'NOTBYPASS');
    }
    if (!has.has('ALARM')) {
      this.alarmState = false;
      this.clearIfGone(has, 'ALARM', 'NOTALARM');
    }
    if (!has.has('OVER')) {
      this.overSince = 0;
      this.overState = false;
      this.clearIfGone(has, 'OVER', 'NOTOVER');
    }
    this.clearIfGone(has, 'TRIM', 'NOTTRIM');
    this.clearIfGone(has, 'BOOST', 'NOTBOOST');
    this.clearIfGone(has, 'ECO', 'NOTECO');

    const others: string[] = [];
    for (const w of words) {
      switch (w) {
        case 'OL':
          this.onLine();
          break;
        case 'OB':
          this.onBattery(now);
          break;
        case 'LB':
          this.raise('LB', 'LOWBATT');
          break;
        case 'RB':
          if (now - this.lastRbWarn > this.rules.rbWarnTimeMs) {
            this.notify('REPLBATT');
            this.lastRbWarn = now;
          }
          break;
        case 'CAL':
          this.raise('CAL', 'CAL');
          break;
        case 'OFF':
          this.isOff(now);
          break;
        case 'BYPASS':
          this.bypassState = true;
          this.raise('BYPASS', 'BYPASS');
          break;
        case 'ECO':
          this.raise('ECO', 'ECO');
          break;
        case 'ALARM':
          this.isAlarm(r.alarm);
          break;
        case 'OVER':
          if (!this.flags.has('OVER')) {
            this.overSince = now;
            this.overState = true;
          }
          this.raise('OVER', 'OVER');
          break;
        case 'TRIM':
          this.raise('TRIM', 'TRIM');
          break;
        case 'BOOST':
          this.raise('BOOST', 'BOOST');
          break;
        case 'FSD':
          if (!this.flags.has('FSD')) {
            this.flags.add('FSD');
            if (!this.fsdNotified) {
              this.fsdNotified = true;
              this.notify('FSD');
            }
          }
          break;
        default:
          if (!SILENT.has(w)) others.push(w);
      }
    }
    this.trackOthers(others);

    // upsmon update_crittimer: the last time this supply was seen not OB+LB (or calibrating).
    if (!this.flags.has('OB') || !this.flags.has('LB') || this.flags.has('CAL')) this.lastNonCrit = now;

    this.readBattery(r);
    this.readTestResult(r.testResult);
  }

  /** A new ups.test.result (e.g. "Done and passed") is announced; the one standing at start-up is not. */
  private readTestResult(result: string | undefined): void {
    if (result === undefined) return;
    const before = this.testResult;
    this.testResult = result;
    if (before !== undefined && before !== result && !/^(no test initiated|in progress)$/i.test(result.trim())) this.notify('BATTERY_TEST', result);
  }

  /** A poll failed: no answer, an error, stale data, driver gone (upsmon ups_is_gone). */
  failed(reason: string, now: number): void {
    this.lastError = reason;
    // A reading that was not taken again is never presented as fresh.
    this.charge = undefined;
    this.runtime = undefined;
    this.chargeHits = 0;
    this.runtimeHits = 0;
    if (this.commState !== 0) {
      this.commState = 0;
      this.notify('COMMBAD');
      return;
    }
    if (now - this.lastPoll < this.rules.noCommWarnTimeMs) return;
    if (now - this.lastNcWarn > this.rules.noCommWarnTimeMs) {
      this.notify('NOCOMM');
      this.lastNcWarn = now;
    }
  }

  private alive(now: number): void {
    this.lastPoll = now;
    this.lastError = '';
    if (this.commState === 1) return;
    if (this.commState === 0) this.notify('COMMOK');
    this.commState = 1;
  }

  private raise(flag: Flag, type: NotifyType): void {
    if (this.flags.has(flag)) return;
    this.flags.add(flag);
    this.notify(type);
  }

  private clearIfGone(has: ReadonlySet<string>, flag: Flag, type: NotifyType): void {
    if (has.has(flag) || !this.flags.has(flag)) return;
    this.flags.delete(flag);
    this.notify(type);
  }

  private onLine(): void {
    this.obSince = null;
    if (this.flags.has('OL')) return;
    if (this.lineState !== -1) this.notify('ONLINE');
    this.lineState = 1;
    this.flags.add('OL');
    this.flags.delete('OB');
  }

  private onBattery(now: number): void {
    this.obSince ??= now;
    if (this.flags.has('OB')) return;
    this.lineState = 0;
    this.notify('ONBATT');
    this.flags.add('OB');
    this.flags.delete('OL');
  }

  private isOff(now: number): void {
    const off = this.rules.offDurationMs;
    if (this.flags.has('OFF')) {
      if (this.offSince === 0) this.offSince = now;
      else if (off > 0 && now - this.offSince > off && !this.offState) {
        this.warn(`${this.name} is OFF for ${Math.round((now - this.offSince) / 1000)} s: assuming the line is not fed (if it is calibrating, see offDuration)`);
        this.offState = true;
      }
      return;
    }
    this.offSince = now;
    if (off === 0) {
      this.warn(`${this.name} is OFF: assuming the line is not fed (if it is calibrating, see offDuration)`);
      this.offState = true;
    }
    this.flags.add('OFF');
    this.notify('OFF');
  }

  private isAlarm(alarm: string | undefined): void {
    const text = alarm ?? '';
    if (this.flags.has('ALARM')) {
      // Re-announced when the alarm text changes, as upsmon does.
      if (alarm !== undefined && text !== this.alarmsPrev) {
        this.alarmsPrev = text;
        this.notify('ALARM', text);
      }
      return;
    }
    this.alarmState = true;
    this.alarmsPrev = text;
    this.flags.add('ALARM');
    this.notify('ALARM', alarm ?? 'n/a');
  }

  private trackOthers(words: string[]): void {
    const now = new Set(words);
    const changed = words.some((w) => !this.others.has(w)) || [...this.others].some((w) => !now.has(w));
    this.others = now;
    if (!changed) return;
    if (now.size > 0) this.notify('OTHER', [...now].join(' '));
    else this.notify('NOTOTHER');
  }

  private readBattery(r: Reading): void {
    const p = this.policy;
    this.charge = finite(r.charge);
    this.runtime = finite(r.runtime);
    const onBattery = this.flags.has('OB');
    this.chargeHits = onBattery && p.chargeAtMost !== undefined && this.charge !== undefined && this.charge <= p.chargeAtMost ? this.chargeHits + 1 : 0;
    this.runtimeHits = onBattery && p.runtimeAtMost !== undefined && this.runtime !== undefined && this.runtime <= p.runtimeAtMost ? this.runtimeHits + 1 : 0;
  }

  /** This host set FSD on the UPS: notify FSD unless it was already (upsmon setfsd / lastfsdnotify). */
  fsdSetHere(): void {
    if (this.fsdNotified) return;
    this.fsdNotified = true;
    this.notify('FSD');
  }

  // --- decisions ----------------------------------------------------------------

  /**
   * Why this supply cannot be counted on, or null (upsmon is_ups_critical,
   * with recalc's promotion of a dead UPS last seen on battery). Called once
   * per monitor cycle: it keeps the OBLBDURATION timer.
   */
  critical(now: number): string | null {
    // recalc: a UPS last seen on battery and silent for longer than DEADTIME is taken as low battery.
    if (now - this.lastPoll > this.rules.deadTimeMs && this.flags.has('OB') && !this.flags.has('LB')) {
      this.warn(`${this.name} was last seen on battery and has not answered for ${Math.round((now - this.lastPoll) / 1000)} s: taking it as low battery`);
      this.flags.add('LB');
    }
    if (this.flags.has('FSD')) return 'forced shutdown (FSD) is set';

    if (this.commState === 0) {
      const r = this.criticalWhileSilent(now);
      if (r) return r;
    }
    if (this.flags.has('OFF') && this.rules.offDurationMs >= 0 && this.offState) return 'administratively OFF for longer than offDuration';

    const policy = this.policyReached(now);
    // Announced once each time a policy is reached (a POLICY event in the history says why the host went down).
    if (policy && !this.policyAnnounced) this.notify('POLICY', policy);
    this.policyAnnounced = policy !== null;
    if (!this.flags.has('OB') || !this.flags.has('LB')) {
      this.oblbSince = 0;
      return policy;
    }
    // On battery and low battery from here.
    if (this.flags.has('CAL')) {
      this.warn(`${this.name} is OB LB but calibrating: not critical`);
      return policy;
    }
    const delay = this.rules.obLbDurationMs;
    if (delay > 0) {
      if (this.oblbSince === 0) {
        this.oblbSince = now;
        this.warn(`${this.name} is OB LB: waiting obLbDuration (${delay / 1000} s) before acting`);
        return policy;
      }
      if (now - this.oblbSince < delay) return policy;
    }
    if (this.role === 'primary') return 'on battery with low battery';
    // A secondary gives the primary HOSTSYNC to raise FSD, then goes on its own.
    if (now - this.lastNonCrit > this.rules.hostSyncMs) return `on battery with low battery, and no FSD from the primary for ${Math.round((now - this.lastNonCrit) / 1000)} s`;
    return policy;
  }

  /**
   * NUT's rules for a UPS that stopped answering, except CAL: nut#2794 showed a
   * host shut down because stale data arrived while the UPS was calibrating on
   * line power; a silent UPS is only taken as failing by DEADTIME (last seen OB).
   */
  private criticalWhileSilent(now: number): string | null {
    if (this.overState || this.flags.has('OVER')) {
      if (this.rules.overDurationMs >= 0 && now - this.overSince >= this.rules.overDurationMs) return 'last seen overloaded for longer than overDuration, and silent';
    }
    if ((this.alarmState || this.flags.has('ALARM')) && this.rules.alarmCritical) return 'last seen in ALARM, and silent (see alarmCritical)';
    if (this.bypassState || this.flags.has('BYPASS')) return 'last seen on bypass, and silent';
    if (this.offState || (this.rules.offDurationMs >= 0 && this.flags.has('OFF'))) return 'last seen administratively OFF, and silent';
    return null;
  }

  /** The built-in policies: only on battery, with fresh readings confirmed by consecutive polls. */
  private policyReached(now: number): string | null {
    if (!this.flags.has('OB') || this.obSince === null) return null;
    const p = this.policy;
    if (p.onBatteryForMs !== undefined && now - this.obSince >= p.onBatteryForMs) return `on battery for ${Math.round((now - this.obSince) / 1000)} s (policy: ${p.onBatteryForMs / 1000} s)`;
    if (this.chargeHits >= POLICY_CONFIRMATIONS) return `battery charge ${this.charge} % (policy: at most ${p.chargeAtMost} %)`;
    if (this.runtimeHits >= POLICY_CONFIRMATIONS) return `battery runtime ${this.runtime} s (policy: at most ${p.runtimeAtMost} s)`;
    return null;
  }

  // --- what the monitor and `upsagent status` read ---------------------------------

  /** upsmon bumps its poll rate while a UPS is in a state prone to disappearing. */
  get alert(): boolean {
    return ALERT_FLAGS.some((f) => this.flags.has(f));
  }

  /** Waiting out OBLBDURATION: poll often enough to see its end. */
  get waitingObLb(): boolean {
    return this.oblbSince > 0;
  }

  get isOnBattery(): boolean {
    return this.flags.has('OB');
  }

  /** Whether charge/runtime are worth reading on the next poll. */
  get wantsBattery(): boolean {
    return this.flags.has('OB') && (this.policy.chargeAtMost !== undefined || this.policy.runtimeAtMost !== undefined);
  }

  snapshot(now: number): SupplySnapshot {
    return {
      name: this.name,
      role: this.role,
      powerValue: this.powerValue,
      status: [...this.flags].join(' '),
      others: [...this.others],
      comm: this.commState === 1 ? 'ok' : this.commState === 0 ? 'lost' : 'unknown',
      lastError: this.lastError,
      lastPollAgoS: Math.round((now - this.lastPoll) / 1000),
      onBatteryForS: this.obSince === null ? null : Math.round((now - this.obSince) / 1000),
      charge: this.charge ?? null,
      runtime: this.runtime ?? null,
      policy: {
        onBatteryForS: this.policy.onBatteryForMs === undefined ? null : this.policy.onBatteryForMs / 1000,
        chargeAtMost: this.policy.chargeAtMost ?? null,
        runtimeAtMost: this.policy.runtimeAtMost ?? null,
      },
    };
  }
}

/** A supply as `upsagent status` shows it (plain data: it goes into the state file). */
export interface SupplySnapshot {
  name: string;
  role: Role;
  powerValue: number;
  /** The flags upsmon tracks, e.g. `OB LB`. */
  status: string;
  others: string[];
  comm: 'ok' | 'lost' | 'unknown';
  lastError: string;
  lastPollAgoS: number;
  onBatteryForS: number | null;
  charge: number | null;
  runtime: number | null;
  policy: { onBatteryForS: number | null; chargeAtMost: number | null; runtimeAtMost: number | null };
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}
