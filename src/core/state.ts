import type { DriverState, EventBus } from './bus';

/** How a variable may be read and written, as NUT's ST_FLAG_* describe it. */
export interface VarFlags {
  /** Writable with SET VAR. */
  rw: boolean;
  /** A string variable; `maxLength` is its size (NUT's aux value). */
  string: boolean;
  /** Declared numeric by the driver. */
  number: boolean;
  /** Set once by the driver; never changed by SET VAR. */
  immutable: boolean;
}

export interface VarInfo {
  readonly name: string;
  readonly value: string;
  readonly flags: Readonly<VarFlags>;
  /** Max length of a STRING variable (0 when unknown). */
  readonly maxLength: number;
  /** Allowed values, in the order the driver declared them. */
  readonly enums: readonly string[];
  /** Allowed numeric ranges, in declaration order. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** The driver's own description (a relay's, from its upstream); GET DESC falls back to NUT's table. */
  readonly desc?: string;
}

export interface UpsHealth {
  /** A driver is attached and answering (NUT: driver socket connected). */
  attached: boolean;
  /** The driver finished its first full update (NUT: DUMPDONE). Before it, ups.status reads WAIT. */
  dumpDone: boolean;
  /** The driver itself said its data is stale (device gone, no reply). */
  staleFlag: boolean;
  /** Last time (ms, store clock) the driver said its data is fresh. 0 = never. */
  lastUpdate: number;
  /** The driver's own view of its device link. */
  driverState: DriverState;
}

/** Read-only view of one UPS, for the server and other readers. */
export interface UpsView {
  readonly name: string;
  readonly desc: string;
  /** Increments on any change: readers key caches on it. */
  readonly version: number;
  readonly fsd: boolean;
  readonly health: Readonly<UpsHealth>;
  getVar(name: string): VarInfo | undefined;
  /** Variables sorted by name as upsd sorts them (case-insensitive byte order). */
  vars(): readonly VarInfo[];
  /** Instant commands, sorted like vars. */
  commands(): readonly string[];
  hasCommand(name: string): boolean;
  /** The driver's own description of a command, if it gave one (GET CMDDESC falls back to NUT's table). */
  commandDesc(name: string): string | undefined;
  /** Data is stale: the driver said so, or has said nothing for longer than maxAgeMs. */
  isStale(maxAgeMs: number, now?: number): boolean;
}

/** What a driver uses to publish into the store; one per UPS. */
export interface UpsPublisher {
  readonly ups: string;
  setVar(name: string, value: string): void;
  setFlags(name: string, flags: Partial<VarFlags>, maxLength?: number): void;
  setEnums(name: string, values: readonly string[]): void;
  addEnum(name: string, value: string): void;
  setRanges(name: string, ranges: ReadonlyArray<readonly [number, number]>): void;
  deleteVar(name: string): void;
  /** A description of the variable (GET DESC) other than NUT's table's; undefined drops it. */
  setDesc(name: string, text: string | undefined): void;
  addCommand(name: string): void;
  /** The same for a command (GET CMDDESC). */
  setCommandDesc(name: string, text: string | undefined): void;
  deleteCommand(name: string): void;
  /** Heartbeat: data is complete and fresh (NUT: DUMPDONE first time, then DATAOK). */
  dataOk(): void;
  /** The device stopped answering (NUT: DATASTALE). */
  dataStale(): void;
  setDriverState(state: DriverState): void;
  /** Driver attached (true) or gone (false). Detaching clears the data. */
  setAttached(attached: boolean): void;
}

/** NUT compares names with strcasecmp: lower-case both sides, then compare bytes. */
export function compareNames(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

const DEFAULT_FLAGS: VarFlags = { rw: false, string: false, number: false, immutable: false };

class VarEntry implements VarInfo {
  value = '';
  flags: VarFlags = { ...DEFAULT_FLAGS };
  maxLength = 0;
  enums: string[] = [];
  ranges: Array<readonly [number, number]> = [];
  desc: string | undefined;
  constructor(readonly name: string) {}
}

class UpsRecord implements UpsView {
  version = 0;
  fsd = false;
  health: UpsHealth = { attached: false, dumpDone: false, staleFlag: false, lastUpdate: 0, driverState: 'starting' };
  readonly varMap = new Map<string, VarEntry>();
  readonly cmdMap = new Map<string, string>();
  readonly cmdDescs = new Map<string, string>();
  private sortedVars: VarEntry[] | null = null;
  private sortedCmds: string[] | null = null;

  constructor(
    readonly name: string,
    public desc: string,
    private readonly clock: () => number,
  ) {}

  getVar(name: string): VarInfo | undefined {
    return this.varMap.get(name.toLowerCase());
  }
  vars(): readonly VarInfo[] {
    this.sortedVars ??= [...this.varMap.values()].sort((a, b) => compareNames(a.name, b.name));
    return this.sortedVars;
  }
  commands(): readonly string[] {
    this.sortedCmds ??= [...this.cmdMap.values()].sort(compareNames);
    return this.sortedCmds;
  }
  hasCommand(name: string): boolean {
    return this.cmdMap.has(name.toLowerCase());
  }
  commandDesc(name: string): string | undefined {
    return this.cmdDescs.get(name.toLowerCase());
  }
  isStale(maxAgeMs: number, now = this.clock()): boolean {
    if (this.health.staleFlag) return true;
    if (!this.health.dumpDone) return false;
    return now - this.health.lastUpdate > maxAgeMs;
  }
  invalidateVars(): void {
    this.sortedVars = null;
  }
  invalidateCmds(): void {
    this.sortedCmds = null;
  }
}

/**
 * The UPS state store: per UPS, variables with their flags, enums and ranges,
 * instant commands, driver health and the FSD latch. Drivers write through a
 * UpsPublisher; readers get UpsView. Changes are announced on the bus once per
 * tick (batched), so a driver publishing 60 variables causes one event.
 */
export class UpsStore {
  private readonly records = new Map<string, UpsRecord>();
  private readonly pending = new Map<string, Set<string>>();
  private readonly statusBefore = new Map<string, string>();
  /** UPSes whose command list changed since the last flush. */
  private readonly commandsChanged = new Set<string>();
  private flushQueued = false;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Declares a UPS (configuration order is kept for LIST UPS). */
  addUps(name: string, desc = ''): UpsPublisher {
    const key = name.toLowerCase();
    if (this.records.has(key)) throw new Error(`UPS ${name} already exists`);
    this.records.set(key, new UpsRecord(name, desc, this.clock));
    return this.publisher(name);
  }

  removeUps(name: string): void {
    this.records.delete(name.toLowerCase());
  }

  /** A reload's new description (GET UPSDESC, LIST UPS); the data stays. */
  setDesc(name: string, desc: string): void {
    const r = this.records.get(name.toLowerCase());
    if (r && r.desc !== desc) {
      r.desc = desc;
      r.version++;
    }
  }

  /** UPS names in the order they were added. */
  names(): string[] {
    return [...this.records.values()].map((r) => r.name);
  }

  get(name: string): UpsView | undefined {
    return this.records.get(name.toLowerCase());
  }

  /** Latches forced shutdown for a UPS until the agent restarts, as upsd does. */
  latchFsd(name: string, by: string): boolean {
    const r = this.records.get(name.toLowerCase());
    if (!r) return false;
    if (!r.fsd) {
      r.fsd = true;
      r.version++;
      this.bus.emit('ups.fsd', { ups: r.name, by });
    }
    return true;
  }

  publisher(name: string): UpsPublisher {
    const rec = this.records.get(name.toLowerCase());
    if (!rec) throw new Error(`unknown UPS ${name}`);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    const entry = (varName: string): VarEntry => {
      const key = varName.toLowerCase();
      let e = rec.varMap.get(key);
      if (!e) {
        e = new VarEntry(varName);
        rec.varMap.set(key, e);
        rec.invalidateVars();
      }
      return e;
    };
    const touched = (varName: string): void => store.changed(rec, varName);
    return {
      ups: rec.name,
      setVar(varName, value) {
        const isNew = !rec.varMap.has(varName.toLowerCase());
        const e = entry(varName);
        if (!isNew && e.value === value) return;
        if (varName.toLowerCase() === 'ups.status' && !store.statusBefore.has(rec.name)) {
          store.statusBefore.set(rec.name, isNew ? '' : e.value);
        }
        e.value = value;
        touched(varName);
      },
      setFlags(varName, flags, maxLength) {
        const e = entry(varName);
        e.flags = { ...e.flags, ...flags };
        if (maxLength !== undefined) e.maxLength = maxLength;
        touched(varName);
      },
      setEnums(varName, values) {
        entry(varName).enums = [...values];
        touched(varName);
      },
      addEnum(varName, value) {
        const e = entry(varName);
        if (!e.enums.includes(value)) e.enums.push(value);
        touched(varName);
      },
      setRanges(varName, ranges) {
        entry(varName).ranges = ranges.map(([a, b]) => [a, b] as const);
        touched(varName);
      },
      deleteVar(varName) {
        if (rec.varMap.delete(varName.toLowerCase())) {
          rec.invalidateVars();
          touched(varName);
        }
      },
      setDesc(varName, text) {
        const e = rec.varMap.get(varName.toLowerCase());
        if (!e || e.desc === text) return;
        e.desc = text;
        rec.version++;
      },
      setCommandDesc(cmd, text) {
        if (text === undefined) rec.cmdDescs.delete(cmd.toLowerCase());
        else rec.cmdDescs.set(cmd.toLowerCase(), text);
        rec.version++;
      },
      addCommand(cmd) {
        if (rec.cmdMap.has(cmd.toLowerCase())) return;
        rec.cmdMap.set(cmd.toLowerCase(), cmd);
        rec.invalidateCmds();
        rec.version++;
        store.commandsTouched(rec);
      },
      deleteCommand(cmd) {
        rec.cmdDescs.delete(cmd.toLowerCase());
        if (rec.cmdMap.delete(cmd.toLowerCase())) {
          rec.invalidateCmds();
          rec.version++;
          store.commandsTouched(rec);
        }
      },
      dataOk() {
        rec.health.lastUpdate = store.clock();
        const wasStale = rec.health.staleFlag;
        if (!rec.health.dumpDone || wasStale) rec.version++;
        rec.health.dumpDone = true;
        rec.health.staleFlag = false;
        if (wasStale) store.bus.emit('ups.stale', { ups: rec.name, stale: false });
      },
      dataStale() {
        if (rec.health.staleFlag) return;
        rec.version++;
        rec.health.staleFlag = true;
        store.bus.emit('ups.stale', { ups: rec.name, stale: true });
      },
      setDriverState(state) {
        if (rec.health.driverState === state) return;
        rec.health.driverState = state;
        store.bus.emit('driver.state', { ups: rec.name, state });
      },
      setAttached(attached) {
        // Detaching clears even a driver that never attached: what it published while starting goes too.
        if (rec.health.attached === attached && (attached || (rec.varMap.size === 0 && rec.cmdMap.size === 0))) return;
        const was = rec.health.attached;
        rec.health.attached = attached;
        rec.version++;
        const hadCommands = rec.cmdMap.size > 0;
        if (!attached) {
          // A driver that goes away takes its data with it, as upsd drops a dead driver's tree.
          rec.varMap.clear();
          rec.cmdMap.clear();
          rec.cmdDescs.clear();
          rec.invalidateVars();
          rec.invalidateCmds();
          rec.health.dumpDone = false;
          rec.health.staleFlag = false;
          if (hadCommands) store.commandsTouched(rec);
        }
        if (was !== attached) store.bus.emit(attached ? 'driver.attached' : 'driver.detached', { ups: rec.name });
      },
    };
  }

  private commandsTouched(rec: UpsRecord): void {
    this.commandsChanged.add(rec.name);
    this.queueFlush();
  }

  private queueFlush(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private changed(rec: UpsRecord, varName: string): void {
    rec.version++;
    let set = this.pending.get(rec.name);
    if (!set) {
      set = new Set();
      this.pending.set(rec.name, set);
    }
    set.add(varName);
    this.queueFlush();
  }

  /** Announces batched changes; exposed so tests can flush synchronously. */
  flush(): void {
    this.flushQueued = false;
    const pending = [...this.pending];
    this.pending.clear();
    const before = new Map(this.statusBefore);
    this.statusBefore.clear();
    for (const [ups, changed] of pending) {
      this.bus.emit('ups.updated', { ups, changed: [...changed] });
      if (before.has(ups)) {
        const to = this.get(ups)?.getVar('ups.status')?.value ?? '';
        const from = before.get(ups) ?? '';
        if (from !== to) this.bus.emit('ups.status', { ups, from, to });
      }
    }
    const cmds = [...this.commandsChanged];
    this.commandsChanged.clear();
    for (const ups of cmds) {
      const view = this.get(ups);
      if (view) this.bus.emit('ups.commands', { ups: view.name, commands: [...view.commands()] });
    }
  }
}
