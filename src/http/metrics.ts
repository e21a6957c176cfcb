/**
 * /metrics for Prometheus, with prom-client, under nut_exporter's names
 * (DRuggeri/nut_exporter) so existing Grafana dashboards keep working:
 *
 * - every numeric variable as `network_ups_tools_<name, . and - as _>{ups}`;
 *   on/off words (enabled, disabled...) as 1/0, as nut_exporter's default
 *   on_regex/off_regex read them;
 * - `network_ups_tools_ups_status{ups,flag}` 1 for each flag in ups.status,
 *   0 for nut_exporter's default list of the others;
 * - `network_ups_tools_device_info{ups,model,mfr,serial,...}` 1;
 *
 * plus the agent's own health under `upsagent_`. Values are read from the
 * store at scrape time (collect callbacks), not pushed on every update; a
 * UPS whose data cannot be read (driver gone, stale) exports no variables,
 * as nut_exporter gets none from upsd then.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { EventBus } from '../core/bus';
import type { UpsView } from '../core/state';
import { describeVar } from '../protocol/descriptions';
import type { MonitorReader, NutClients } from './deps';
import { numericValue, shownVars, unavailability } from './ups-json';

const NS = 'network_ups_tools';
/** nut_exporter's --nut.statuses default: flags always exported, 0 when absent. */
export const STATUS_FLAGS = ['OL', 'OB', 'LB', 'HB', 'RB', 'CHRG', 'DISCHRG', 'BYPASS', 'CAL', 'OFF', 'OVER', 'TRIM', 'BOOST', 'FSD', 'SD'];
/** nut_exporter's device_info labels (device.<label>). */
export const DEVICE_LABELS = ['model', 'mfr', 'serial', 'type', 'description', 'contact', 'location', 'part', 'macaddr'] as const;
const ON = /^(enable|enabled|on|true|active|activated)$/i;
const OFF = /^(disable|disabled|off|false|inactive|deactivated)$/i;
const DRIVER_STATES = ['starting', 'connected', 'disconnected'] as const;

export function metricName(varName: string): string {
  return `${NS}_${varName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The number a variable exports, or null when it has none. */
export function metricValue(value: string, numeric: number | null): number | null {
  if (numeric !== null) return numeric;
  if (ON.test(value)) return 1;
  if (OFF.test(value)) return 0;
  return null;
}

export interface MetricsDeps {
  store: { names(): string[]; get(name: string): UpsView | undefined };
  bus: EventBus;
  clients: NutClients;
  monitor: MonitorReader | null;
  maxAgeMs: number;
  clock: () => number;
  /** Open event streams (the SSE hub's size). */
  streams: () => number;
}

export class Metrics {
  private readonly prom = new Registry();
  private readonly open = openMetricsRegistry();
  /** Metric name -> its gauge and the variable name it came from. */
  private readonly vars = new Map<string, { gauge: Gauge; varName: string }>();
  private readonly notifications: Counter<'type'>;
  /** The one UPS this scrape is about (nut_exporter's ?ups=), or null for all. */
  private only: string | null = null;
  /** Scrapes run one at a time: `only` must hold for the whole of one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: MetricsDeps) {
    const registers = [this.prom, this.open];
    const names = (): string[] => this.names();
    const only = (): string | null => this.only;
    const each = (fn: (view: UpsView) => void): void => {
      for (const n of names()) {
        const view = d.store.get(n);
        if (view) fn(view);
      }
    };
    const readable = (view: UpsView): boolean => unavailability(view, d.maxAgeMs, d.clock()) === null;

    new Gauge({
      name: `${NS}_ups_status`,
      help: 'UPS status flags (ups.status): 1 when the flag is set',
      labelNames: ['ups', 'flag'],
      registers,
      collect() {
        this.reset();
        each((view) => {
          if (!readable(view)) return;
          const status = shownVars(view).find((v) => v.name.toLowerCase() === 'ups.status')?.value ?? '';
          const set = status.split(/\s+/).filter(Boolean);
          for (const flag of set) this.set({ ups: view.name, flag }, 1);
          for (const flag of STATUS_FLAGS) if (!set.includes(flag)) this.set({ ups: view.name, flag }, 0);
        });
      },
    });
    new Gauge({
      name: `${NS}_device_info`,
      help: 'UPS Device information',
      labelNames: ['ups', ...DEVICE_LABELS],
      registers,
      collect() {
        this.reset();
        each((view) => {
          if (!readable(view)) return;
          const labels: Record<string, string> = { ups: view.name };
          for (const l of DEVICE_LABELS) labels[l] = view.getVar(`device.${l}`)?.value ?? '';
          this.set(labels, 1);
        });
      },
    });

    const perUps = (name: string, help: string, value: (view: UpsView) => number | null): void => {
      new Gauge({
        name,
        help,
        labelNames: ['ups'],
        registers,
        collect() {
          this.reset();
          each((view) => {
            const v = value(view);
            if (v !== null) this.set({ ups: view.name }, v);
          });
        },
      });
    };
    new Gauge({
      name: 'upsagent_driver_state',
      help: "The driver's link to its device: 1 for the current state",
      labelNames: ['ups', 'state'],
      registers,
      collect() {
        this.reset();
        each((view) => {
          for (const s of DRIVER_STATES) this.set({ ups: view.name, state: s }, view.health.driverState === s ? 1 : 0);
        });
      },
    });
    perUps('upsagent_ups_available', 'The UPS can be read (driver attached, data fresh)', (v) => (readable(v) ? 1 : 0));
    perUps('upsagent_ups_stale', 'The data is stale (the driver said so, or said nothing for longer than server.maxAge)', (v) => (v.isStale(d.maxAgeMs, d.clock()) ? 1 : 0));
    perUps('upsagent_data_age_seconds', 'Seconds since the driver last said its data is fresh', (v) => (v.health.lastUpdate ? Math.max(0, (d.clock() - v.health.lastUpdate) / 1000) : null));
    perUps('upsagent_ups_fsd', 'Forced shutdown is latched', (v) => (v.fsd ? 1 : 0));
    perUps('upsagent_nut_clients', 'NUT clients logged in to the UPS (NUMLOGINS)', (v) => d.clients.count(v.name));
    new Gauge({
      name: 'upsagent_http_event_streams',
      help: 'Open server-sent event streams',
      registers,
      collect() {
        this.set(d.streams());
      },
    });
    const monitorGauge = (name: string, help: string, value: (m: MonitorReader) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.reset();
          if (d.monitor) this.set(value(d.monitor));
        },
      });
    };
    new Gauge({
      name: 'upsagent_monitor_enabled',
      help: 'The agent runs a monitor (a monitor: section)',
      registers,
      collect() {
        this.set(d.monitor ? 1 : 0);
      },
    });
    monitorGauge('upsagent_monitor_supplies_healthy', 'Power value of the supplies that are not critical (upsmon)', (m) => m.view().healthy);
    monitorGauge('upsagent_monitor_supplies_minimum', 'MINSUPPLIES: below this the host shuts down', (m) => m.view().minSupplies);
    monitorGauge('upsagent_monitor_shutdown', 'The shutdown sequence has started', (m) => (m.view().shutdown ? 1 : 0));
    new Gauge({
      name: 'upsagent_monitor_supply_critical',
      help: 'The watched UPS is critical for the monitor (on battery and low, FSD, or lost while on battery)',
      labelNames: ['ups', 'comm'],
      registers,
      collect() {
        this.reset();
        const one = only();
        for (const s of d.monitor?.view().supplies ?? []) {
          if (one !== null && s.name.toLowerCase() !== one.toLowerCase()) continue;
          this.set({ ups: s.name, comm: s.comm }, s.critical ? 1 : 0);
        }
      },
    });
    this.notifications = new Counter({ name: 'upsagent_notifications', help: 'Monitor notifications sent, by type', labelNames: ['type'], registers });
  }

  start(): void {
    this.d.bus.on('monitor.notify', this, (e) => this.notifications.inc({ type: e.type }));
  }

  stop(): void {
    this.d.bus.removeAll(this);
  }

  /**
   * The scrape: OpenMetrics text when the Accept header asks for it, else
   * Prometheus text 0.0.4. `ups` limits it to one UPS, as nut_exporter's
   * ?ups= does (its dashboards tell UPSes apart by scrape target); null when
   * there is no such UPS.
   */
  scrape(accept: string | undefined, ups?: string): Promise<{ contentType: string; body: string } | null> {
    const run = async (): Promise<{ contentType: string; body: string } | null> => {
      const view = ups === undefined ? undefined : this.d.store.get(ups);
      if (ups !== undefined && !view) return null;
      this.only = view?.name ?? null;
      try {
        this.syncVarGauges();
        const reg = accept?.includes('application/openmetrics-text') ? this.open : this.prom;
        return { contentType: reg.contentType, body: await reg.metrics() };
      } finally {
        this.only = null;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private names(): string[] {
    return this.only === null ? this.d.store.names() : [this.only];
  }

  /** One gauge per numeric variable name seen on any readable UPS; gauges of names gone are dropped. */
  private syncVarGauges(): void {
    const { d } = this;
    const names = (): string[] => this.names();
    const seen = new Map<string, string>();
    for (const n of this.names()) {
      const view = d.store.get(n);
      if (!view || unavailability(view, d.maxAgeMs, d.clock()) !== null) continue;
      for (const v of shownVars(view)) {
        const lower = v.name.toLowerCase();
        if (lower === 'ups.status') continue;
        const name = metricName(v.name);
        if (!seen.has(name) && metricValue(v.value, numericValue(v)) !== null) seen.set(name, lower);
      }
    }
    for (const [name, entry] of this.vars) {
      if (seen.get(name) === entry.varName) continue;
      this.prom.removeSingleMetric(name);
      this.open.removeSingleMetric(name);
      this.vars.delete(name);
    }
    for (const [name, varName] of seen) {
      // A variable whose name reads like one of the fixed metrics (device.info) stays out rather than clash.
      if (this.vars.has(name) || this.prom.getSingleMetric(name)) continue;
      const gauge = new Gauge({
        name,
        help: `${describeVar(varName)} (${varName})`,
        labelNames: ['ups'],
        registers: [this.prom, this.open],
        collect() {
          this.reset();
          for (const n of names()) {
            const view = d.store.get(n);
            if (!view || unavailability(view, d.maxAgeMs, d.clock()) !== null) continue;
            const v = view.getVar(varName);
            const value = v ? metricValue(v.value, numericValue(v)) : null;
            if (value !== null) this.set({ ups: view.name }, value);
          }
        },
      });
      this.vars.set(name, { gauge, varName });
    }
  }
}

/** prom-client's types omit the constructor's content type argument; the class takes it. */
function openMetricsRegistry(): Registry {
  const R = Registry as unknown as new (contentType: string) => Registry;
  return new R(Registry.OPENMETRICS_CONTENT_TYPE);
}
