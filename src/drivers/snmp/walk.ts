/**
 * NUT snmp-ups' walk over a mapping table (snmp_ups_walk, su_ups_get,
 * get_and_process_data, process_phase_data, su_setinfo), with the reads
 * of one walk batched: every OID the walk may need is fetched first, in
 * a few multi-varbind requests, and then the entries are processed in
 * table order exactly as NUT processes them one GET at a time. The per
 * entry state NUT keeps in the table's flags (OK, STALE, UNIQUE, the
 * phase flags) lives here, per session.
 */
import type { Logger } from '../../core/logger';
import { DeviceReplyError } from '../runtime/index';
import { hasFlag, isTemplate, type MibEntry, type MibFlag, type MibMapping } from './mib';
import type { SnmpValue } from './transport';
import { decodeInt, decodeString, formatScaled, isFollow, lookupText, oidLeaf, usDateToIso, type Follow } from './values';

/** Reads many OIDs at once; an OID the card does not have is absent (or missing) in the map. */
export type Fetch = (oids: readonly string[]) => Promise<Map<string, SnmpValue>>;

/** Where the walk publishes (the driver's store of variables, NUT's dstate). */
export interface WalkSink {
  /** su_setinfo: the value with the entry's flags (string size, writable, enum of a lookup). */
  setInfo(name: string, value: string, meta: { string: boolean; rw: boolean; len: number; enums?: readonly string[] }): void;
  /** dstate_setinfo without flags (input.phases from the phase logic). */
  setPlain(name: string, value: string): void;
  get(name: string): string | undefined;
  /** ups.status of this walk (NUT status_commit). */
  setStatus(words: string): void;
}

export interface WalkOptions {
  notransferoids?: boolean;
  symmetrathreephase?: boolean;
  /** Full polls between reads of semi-static values (default 10). */
  semistaticfreq?: number;
}

/** APC's IEM probe: its temperature is in the unit another OID says (NUT su_ups_get). */
const APCC_OID_IEM_TEMP = '1.3.6.1.4.1.318.1.1.10.2.3.2.1.4.1';
const APCC_OID_IEM_TEMP_UNIT = '1.3.6.1.4.1.318.1.1.10.2.3.2.1.5.1';
const APCC_IEM_FAHRENHEIT = 2;

interface EntryState {
  ok: boolean;
  stale: boolean;
  flags: Set<MibFlag>;
}

type PhaseKind = 'input' | 'output' | 'input.bypass';

export type WalkMode = 'init' | 'update' | 'status';

export class MibWalker {
  private readonly states: EntryState[];
  private readonly phases: Record<PhaseKind, number> = { input: -1, output: -1, 'input.bypass': -1 };
  private semistaticCountdown: number;
  private readonly semistaticfreq: number;

  constructor(
    readonly mapping: MibMapping,
    private readonly opts: WalkOptions,
    private readonly sink: WalkSink,
    private readonly log: Logger,
  ) {
    this.semistaticfreq = opts.semistaticfreq !== undefined && opts.semistaticfreq >= 1 ? opts.semistaticfreq : 10;
    this.semistaticCountdown = this.semistaticfreq;
    // upsdrv_initinfo: every entry starts as OK; notransferoids drops the transfer points.
    this.states = mapping.entries.map((e) => ({
      ok: !(opts.notransferoids && (e.name.toLowerCase() === 'input.transfer.low' || e.name.toLowerCase() === 'input.transfer.high')),
      stale: false,
      flags: new Set(e.flags ?? []),
    }));
  }

  /** The first entry of a name (NUT su_find_info), whatever its state. */
  find(name: string): { entry: MibEntry; ok: boolean } | undefined {
    const i = this.mapping.entries.findIndex((e) => e.name.toLowerCase() === name.toLowerCase());
    return i < 0 ? undefined : { entry: this.mapping.entries[i]!, ok: this.states[i]!.ok };
  }

  /**
   * The instant commands (upsdrv_initups + su_addcmd): each command entry
   * whose OID the card has, and NUT's load.off / load.on / shutdown.*
   * when the table has load.off.delay / load.on.delay.
   */
  async commands(fetch: Fetch): Promise<string[]> {
    const cmds = this.mapping.entries.filter((e) => hasFlag(e, 'cmd') && !isTemplate(e) && e.oid !== undefined);
    const got = await fetch(cmds.map((e) => e.oid!));
    const out = new Set<string>();
    const has = (n: string): boolean => this.mapping.entries.some((e) => e.name === n);
    if (has('load.off.delay')) out.add('load.off');
    if (has('load.on.delay')) out.add('load.on');
    if (has('load.off.delay') && has('load.on.delay')) {
      out.add('shutdown.return');
      out.add('shutdown.stayoff');
    }
    for (const e of cmds) {
      const v = got.get(e.oid!);
      if (v !== undefined && v.kind !== 'absent') out.add(e.name);
    }
    return [...out];
  }

  /**
   * One walk: `init` reads everything once (upsdrv_initinfo), `update`
   * every non-static value (upsdrv_updateinfo), `status` only what makes
   * ups.status (our quick poll between NUT's pollfreq walks).
   * Throws when the card answered none of the values it was asked.
   */
  async walk(mode: WalkMode, fetch: Fetch): Promise<void> {
    if (mode === 'update') {
      this.semistaticCountdown--;
      if (this.semistaticCountdown < 0) this.semistaticCountdown = this.semistaticfreq;
    }
    const wanted = new Set<string>();
    const planned: number[] = [];
    this.mapping.entries.forEach((e, i) => {
      if (!this.considered(mode, e, this.states[i]!)) return;
      planned.push(i);
      if (e.oid !== undefined) wanted.add(e.oid);
      if (e.oid === APCC_OID_IEM_TEMP) wanted.add(APCC_OID_IEM_TEMP_UNIT);
      for (const kind of this.phaseKinds(this.states[i]!)) {
        if (this.phases[kind] !== -1) continue;
        const p = this.find(`${kind}.phases`);
        if (p?.entry.oid) wanted.add(p.entry.oid);
      }
    });
    if (planned.length === 0) return;
    const got = await fetch([...wanted]);
    // Values that are OIDs: NUT reads what they point to.
    const pointed = [...got.values()].filter((v): v is { kind: 'oid'; value: string } => v.kind === 'oid').map((v) => v.value.replace(/^\./, ''));
    if (pointed.length > 0) for (const [k, v] of await fetch(pointed)) if (!got.has(k)) got.set(k, v);

    const tokens: string[] = [];
    let asked = 0;
    let answered = 0;
    for (const i of planned) {
      const e = this.mapping.entries[i]!;
      const st = this.states[i]!;
      // An earlier entry of this walk may have won a UNIQUE competition.
      if (!this.considered(mode, e, st)) continue;
      if (hasFlag(e, 'absent')) {
        if (mode === 'init') {
          if (e.dfl !== undefined) this.setInfo(e, null);
          st.flags.add('static');
        }
        continue;
      }
      if (!this.phasesAllow(e, st, got)) continue;
      asked++;
      const ok = this.process(e, st, got, tokens);
      if (ok) {
        answered++;
        if (st.stale) {
          this.log.info(`${e.name}: data resumed`);
          st.stale = false;
        }
        if (st.flags.has('unique')) {
          this.disableCompetition(i);
          st.flags.delete('unique');
        }
      } else if (mode === 'init') {
        st.ok = false;
      } else if (!st.stale) {
        this.log.info(`${e.name}: data stale`);
        st.stale = true;
      }
    }
    if (mode !== 'init' && asked > 0 && answered === 0) throw new DeviceReplyError(`the card answered none of the ${asked} values of the ${this.mapping.name} MIB`);
    this.sink.setStatus(uniqueWords(tokens).join(' '));
  }

  /** The skip rules of snmp_ups_walk, in its order. */
  private considered(mode: WalkMode, e: MibEntry, st: EntryState): boolean {
    if (e.name.startsWith('device.count')) {
      if (mode === 'init') st.ok = false;
      return false;
    }
    // NUT's templates (outlets, groups, ambient sensors, daisy chains) and alarm lists are not walked yet.
    if (isTemplate(e) || e.name.endsWith('.alarm') || e.name === 'ups.alarms') {
      st.ok = false;
      return false;
    }
    if (st.flags.has('cmd')) return false;
    if (mode !== 'init' && !st.ok) return false;
    if (mode === 'init' && !st.ok) return false;
    if (mode === 'status') return e.name.toLowerCase() === 'ups.status' && !st.flags.has('static');
    if (mode === 'update' && st.flags.has('semistatic') && this.semistaticCountdown !== 0) return false;
    if (mode === 'update' && st.flags.has('static')) return false;
    return true;
  }

  private phaseKinds(st: EntryState): PhaseKind[] {
    const k: PhaseKind[] = [];
    if (st.flags.has('in1') || st.flags.has('in3')) k.push('input');
    if (st.flags.has('out1') || st.flags.has('out3')) k.push('output');
    if (st.flags.has('byp1') || st.flags.has('byp3')) k.push('input.bypass');
    return k;
  }

  /**
   * process_phase_data for the entry's families. NUT's test for the family
   * name matches "input" before "input.bypass", so bypass entries are
   * checked against the input phase flags, which they do not carry: they
   * are all kept, whatever the bypass phase count (we do the same, so the
   * same variables appear). Returns false when the entry is dropped.
   */
  private phasesAllow(e: MibEntry, st: EntryState, got: Map<string, SnmpValue>): boolean {
    for (const kind of this.phaseKinds(st)) {
      if (this.phases[kind] === -1) {
        const name = `${kind}.phases`;
        const published = this.sink.get(name);
        if (published !== undefined) this.phases[kind] = Number.parseInt(published, 10) || 0;
        else {
          const p = this.find(name);
          const v = p?.entry.oid ? got.get(p.entry.oid) : undefined;
          const n = v ? decodeInt(v) : null;
          this.phases[kind] = typeof n === 'number' ? n : isFollow(n) ? this.followInt(n, got) ?? 1 : 1;
        }
        this.sink.setPlain(name, String(this.phases[kind]));
      }
      const n = this.phases[kind];
      const [one, three, all]: [MibFlag, MibFlag, MibFlag[]] = kind === 'output' ? ['out1', 'out3', ['out1', 'out3']] : ['in1', 'in3', ['in1', 'in3']];
      if (st.flags.has(one)) {
        if (n !== 1) {
          st.ok = false;
          return false;
        }
        for (const f of all) st.flags.delete(f);
      } else if (st.flags.has(three)) {
        if (n !== 3) {
          st.ok = false;
          return false;
        }
        for (const f of all) st.flags.delete(f);
      }
    }
    return true;
  }

  private followInt(f: Follow, got: Map<string, SnmpValue>): number | null {
    const v = got.get(f.follow.replace(/^\./, ''));
    const n = v ? decodeInt(v) : null;
    return typeof n === 'number' ? n : oidLeaf(f.follow);
  }

  private readInt(oid: string, got: Map<string, SnmpValue>): number | null {
    const v = got.get(oid);
    if (!v) return null;
    const n = decodeInt(v);
    return isFollow(n) ? this.followInt(n, got) : n;
  }

  /** su_ups_get: true when the entry got a value. */
  private process(e: MibEntry, st: EntryState, got: Map<string, SnmpValue>, tokens: string[]): boolean {
    const lname = e.name.toLowerCase();
    if (lname === 'ups.status') {
      if (e.oid === undefined) return false;
      const n = this.readInt(e.oid, got);
      if (n === null) return false;
      const text = lookupText(e.lookup, n);
      if (text) tokens.push(...text.split(' ').filter((w) => w !== ''));
      return true;
    }
    if (lname === 'ambient.temperature' && e.oid !== undefined) {
      const n = this.readInt(e.oid, got);
      if (n === null) return false;
      let temp: number;
      if (e.oid === APCC_OID_IEM_TEMP) {
        const unit = this.readInt(APCC_OID_IEM_TEMP_UNIT, got);
        temp = unit === null || unit === APCC_IEM_FAHRENHEIT ? (n - 32) / 1.8 : n;
      } else temp = n * e.len;
      this.setInfo(e, Math.fround(temp).toFixed(1));
      return true;
    }
    if (e.oid === undefined) {
      if (e.dfl === undefined) return false;
      this.setInfo(e, e.dfl);
      return true;
    }
    const v = got.get(e.oid);
    if (!v) return false;
    if (e.string) {
      let s = decodeString(v, e.lookup);
      if (isFollow(s)) {
        const p = got.get(s.follow.replace(/^\./, ''));
        const ps = p ? decodeString(p, e.lookup) : null;
        s = typeof ps === 'string' ? ps : String(oidLeaf(s.follow));
      }
      if (s === null) return false;
      if (this.opts.symmetrathreephase && (lname === 'input.transfer.low' || lname === 'input.transfer.high')) {
        // Line-to-line to line-to-neutral voltage (NUT's three-phase Symmetra quirk).
        s = (Number.parseFloat(s) * 0.707).toFixed(2);
      }
      if (e.convert === 'usdate-to-isodate') s = usDateToIso(s);
      this.setInfo(e, s);
      return true;
    }
    const n = this.readInt(e.oid, got);
    if (n === null) return false;
    if ((st.flags.has('neginvalid') && n < 0) || (st.flags.has('zeroinvalid') && n === 0)) {
      st.ok = false;
      if (st.flags.has('unique')) {
        // NUT drops the other providers of this name too (disable_competition), then this one.
        this.disableCompetition(this.states.indexOf(st));
        st.flags.delete('unique');
      }
      return false;
    }
    this.setInfo(e, lookupText(e.lookup, n) ?? formatScaled(n, e.len));
    return true;
  }

  private disableCompetition(i: number): void {
    const name = this.mapping.entries[i]!.name;
    this.mapping.entries.forEach((e, j) => {
      if (j !== i && e.name === name) this.states[j]!.ok = false;
    });
  }

  /** su_setinfo: the value (null: the default), its flags, and the enum of a writable lookup. */
  private setInfo(e: MibEntry, value: string | null): void {
    if (hasFlag(e, 'cmd')) return;
    const v = value ?? e.dfl;
    if (v === undefined) return;
    const enums = e.rw && e.lookup ? e.lookup.map(([, t]) => t) : undefined;
    this.sink.setInfo(e.name, v, { string: e.string ?? false, rw: e.rw ?? false, len: e.len, ...(enums ? { enums } : {}) });
  }
}

/** NUT status_set adds each word once, in first-seen order. */
function uniqueWords(words: readonly string[]): string[] {
  return [...new Set(words)];
}
