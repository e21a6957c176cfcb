/**
 * battery.charge and battery.runtime for Q1 units that report neither,
 * guessed from the battery voltage (and, with `runtimecal`, from the load
 * and time on battery), as nutdrv_qx's qx_initbattery / qx_battery and the
 * end of its full update do.
 *
 *  - charge = (V × packs − low) / (high − low), clamped to 0..100 %, where
 *    low/high are battery.voltage.low/high (device or default.* options) or,
 *    when either is missing, 104/120 and 130/120 of battery.voltage.nominal
 *    (both then published, as NUT does).
 *  - packs: battery.packs when known, else the largest of NUT's list that
 *    brings the reported voltage within 0.8..1.25 × nominal (a unit that
 *    reports 2.05 V per cell of a 24 V battery has 12).
 *  - runtimecal = runtime1,load1,runtime2,load2 (seconds, percent): the
 *    remaining full-load runtime grows on line by nominal/chargetime per
 *    second and falls on battery by the effective load per second, never
 *    above what the battery voltage allows; runtime = remaining / load_eff,
 *    load_eff = max((load/100)^exp, idleload).
 */
import { UpsAgentError } from '../../core/errors';
import { formatFixed } from './fields';

export class QxBatteryError extends UpsAgentError {
  constructor(message: string) {
    super('QX-BATTERY', message);
  }
}

/** runtimecal's four numbers. */
export interface RuntimeCal {
  runtimeHigh: number;
  loadHigh: number;
  runtimeLow: number;
  loadLow: number;
}

/** Parses and checks `runtimecal` as NUT does; throws with NUT's reason. */
export function parseRuntimeCal(text: string): RuntimeCal {
  const parts = text.split(',').map((p) => Number.parseFloat(p));
  if (parts.length < 4 || parts.slice(0, 4).some((n) => !Number.isFinite(n))) throw new QxBatteryError('runtimecal needs four numbers: runtime1,load1,runtime2,load2');
  const [rh, lh, rl, ll] = parts as [number, number, number, number];
  if (rl < rh || rh <= 0) throw new QxBatteryError('runtimecal: parameter out of range (runtime)');
  if (lh > 100 || ll > lh || ll <= 0) throw new QxBatteryError('runtimecal: parameter out of range (load)');
  return { runtimeHigh: rh, loadHigh: lh, runtimeLow: rl, loadLow: ll };
}

export interface BatteryOptions {
  runtimecal?: RuntimeCal;
  /** Seconds from empty to full (chargetime, default 43200). */
  chargetime?: number;
  /** Percent of load used at least when estimating runtime (idleload, default 10). */
  idleload?: number;
  /** The device reports one pack's voltage and the published battery.voltage is already multiplied. */
  voltageAlreadyTotal?: boolean;
}

/** NUT's candidate pack counts, largest first. */
const PACKS = [120, 100, 80, 60, 48, 36, 30, 24, 18, 12, 8, 6, 4, 3, 2, 1, 0.5];

const num = (vars: ReadonlyMap<string, string>, name: string): number | undefined => {
  const v = vars.get(name);
  if (v === undefined) return undefined;
  const n = Number.parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
};

export class BatteryEstimator {
  private low = -1;
  private high = -1;
  private packs = 1;
  private exp = 0;
  private nominalRuntime = -1;
  private estimate = 0;
  private lastMs = 0;
  private readonly chargetime: number;
  private readonly idle: number;
  /** Values this estimator publishes beside the device's (the guessed low/high). */
  readonly guessed: Record<string, string> = {};
  /** What NUT logs once at start (the guesses it makes). */
  readonly notes: string[] = [];

  /**
   * NUT's qx_initbattery, given the variables after the first full read.
   * Throws QxBatteryError where NUT stops the driver (runtimecal with no
   * way to know the initial charge).
   */
  constructor(
    vars: ReadonlyMap<string, string>,
    private readonly opts: BatteryOptions,
    nowMs: number,
  ) {
    this.chargetime = opts.chargetime ?? 43200;
    this.idle = (opts.idleload ?? 10) / 100;
    if (vars.has('battery.charge') && vars.has('battery.runtime')) return;

    this.high = num(vars, 'battery.voltage.high') ?? -1;
    this.low = num(vars, 'battery.voltage.low') ?? -1;
    const nom = num(vars, 'battery.voltage.nominal');
    if (nom !== undefined && (this.low === -1 || this.high === -1)) {
      this.low = (104 * nom) / 120;
      this.high = (130 * nom) / 120;
      this.guessed['battery.voltage.low'] = formatFixed(this.low, 2);
      this.guessed['battery.voltage.high'] = formatFixed(this.high, 2);
      this.notes.push(`no battery high/low voltages: guessing low ${this.guessed['battery.voltage.low']}, high ${this.guessed['battery.voltage.high']} from nominal ${nom}`);
    }

    const packs = vars.get('battery.packs');
    const volts = num(vars, 'battery.voltage');
    if (packs !== undefined && /^[0-9 .]+$/.test(packs)) {
      this.packs = Number.parseFloat(packs);
    } else if (volts !== undefined && nom !== undefined && !opts.voltageAlreadyTotal) {
      const fit = PACKS.find((p) => p * volts <= 1.25 * nom);
      if (fit !== undefined && fit * volts >= 0.8 * nom) {
        this.packs = fit;
        this.notes.push(`autodetected ${fit} as number of battery packs [${nom}/${volts}]`);
      } else {
        this.notes.push(`cannot autodetect number of battery packs [${nom}/${volts}]`);
      }
    }

    const cal = opts.runtimecal;
    if (!cal) return;
    this.exp = Math.log(cal.runtimeLow / cal.runtimeHigh) / Math.log(cal.loadHigh / cal.loadLow);
    this.nominalRuntime = cal.runtimeHigh * Math.pow(cal.loadHigh / 100, this.exp);
    let charge = num(vars, 'battery.charge') ?? this.chargeFromVoltage(volts);
    if (charge === undefined && nom !== undefined) {
      // NUT's last resort: the battery is empty at its nominal voltage and full 15 % above it.
      this.low = nom;
      this.high = 1.15 * nom;
      charge = this.chargeFromVoltage(volts);
    }
    if (charge === undefined) throw new QxBatteryError('initial battery charge undetermined (runtimecal needs battery.voltage with its nominal or high/low values)');
    this.estimate = (this.nominalRuntime * charge) / 100;
    this.lastMs = nowMs;
  }

  /**
   * The estimates after a read (NUT: the end of a full update), for what
   * the device did not report itself. `online` is the OL flag.
   */
  update(vars: ReadonlyMap<string, string>, online: boolean, nowMs: number): Record<string, string> {
    const out: Record<string, string> = {};
    const hasCharge = vars.has('battery.charge');
    const hasRuntime = vars.has('battery.runtime');
    if (hasCharge && hasRuntime) return out;
    const volts = num(vars, 'battery.voltage');
    if (!this.opts.runtimecal) {
      const c = hasCharge ? undefined : this.chargeFromVoltage(volts);
      if (c !== undefined) out['battery.charge'] = formatFixed(c, 0);
      return out;
    }
    const dt = Math.max(0, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    const load = num(vars, 'ups.load');
    const eff = load === undefined ? undefined : Math.max(Math.pow(load / 100, this.exp), this.idle);
    if (online) {
      this.estimate = Math.min(this.nominalRuntime, this.estimate + (this.nominalRuntime * dt) / this.chargetime);
    } else {
      // NUT discharges by the effective load of the previous read (1, full load, before any).
      this.estimate = Math.max(0, this.estimate - this.lastEff * dt);
    }
    if (eff !== undefined) this.lastEff = eff;
    const fraction = this.voltageFraction(volts);
    // An old battery holds less than the load-based estimate says: believe its voltage then.
    if (fraction !== undefined && fraction < this.estimate / this.nominalRuntime) this.estimate = fraction * this.nominalRuntime;
    if (!hasCharge) out['battery.charge'] = formatFixed((100 * this.estimate) / this.nominalRuntime, 0);
    if (!hasRuntime && eff !== undefined) out['battery.runtime'] = formatFixed(this.estimate / eff, 0);
    return out;
  }

  private lastEff = 1;

  private voltageFraction(volts: number | undefined): number | undefined {
    if (volts === undefined) return undefined;
    const act = this.opts.voltageAlreadyTotal ? volts : volts * this.packs;
    if (!(act > 0 && this.low > 0 && this.high > this.low)) return undefined;
    return Math.min(1, Math.max(0, (act - this.low) / (this.high - this.low)));
  }

  private chargeFromVoltage(volts: number | undefined): number | undefined {
    const f = this.voltageFraction(volts);
    return f === undefined ? undefined : 100 * f;
  }
}
