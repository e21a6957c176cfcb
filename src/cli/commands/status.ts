/**
 * `upsagent status [ups[@host[:port]] | @host[:port]] [--json]`: a summary of
 * each UPS a NUT server knows (or of one), readable at a glance.
 * Exit 0 when the server answered and every UPS shown has data; 3
 * (EXIT_NO_DATA) when some UPS has none (stale, driver or device missing),
 * with the reason the agent's driver gives; 1 when the server could not be
 * reached, the UPS is unknown or the target cannot be parsed.
 */
import { DEFAULT_HOST, DEFAULT_PORT, NutClient, NutProtocolError, nutErrorText } from '../../client';
import type { CliIO } from '../io';
import { renderJson, renderReasons, renderTable, summarize, unavailable, type Health, type StatusDocument, type UpsSummary } from './status-format';
import { DRIVER_ERROR_VAR, DRIVER_STATE_VAR } from '../../core/health-vars';
import { splitAddr, splitName } from '../../client/target';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { errorMessage } from '../../core/errors';
import { processAlive } from '../../core/process-alive';
import { renderView, type MonitorView } from '../../monitor/view';

/** Exit status when the server answered but some UPS has no data. */
export const EXIT_NO_DATA = 3;

/** Where the embedded demo's monitor keeps its state (the demo must not need root). */
export const DEMO_STATE_FILE = join(tmpdir(), 'upsagent-demo', 'monitor.json');

export interface StatusOptions {
  /** `ups[@host[:port]]` for one UPS, `@host[:port]` for every UPS on a host; default: every UPS on localhost. */
  target?: string;
  json: boolean;
  timeoutMs?: number;
  /** Configuration whose monitor state file to read (default: the system one, if readable). */
  config?: string;
  /** Monitor state files to look at instead of the configuration's (tests). */
  stateFiles?: string[];
  /** The automatic run's status files to look at (tests; default src/app/auto-status.ts's places). */
  autoFiles?: string[];
}

/** A running monitor's view, as its state file holds it. */
interface MonitorBlock {
  file: string;
  pid: number;
  updatedAt: number;
  view: MonitorView;
}

/** The monitor's own view, from the state file of a monitor that is running now; null when there is none. */
async function monitorBlock(opts: StatusOptions): Promise<MonitorBlock | null> {
  const { readStateFile } = await import('../../monitor/history');
  const files = opts.stateFiles ?? (await stateFilesFor(opts.config));
  let best: MonitorBlock | null = null;
  for (const file of files) {
    const st = await readStateFile(file).catch(() => null);
    if (!st || !st.view || typeof st.view !== 'object' || !processAlive(st.pid)) continue;
    if (!best || st.updatedAt > best.updatedAt) best = { file, pid: st.pid, updatedAt: st.updatedAt, view: st.view as MonitorView };
  }
  return best;
}

async function stateFilesFor(config: string | undefined): Promise<string[]> {
  const { MONITOR_DEFAULTS } = await import('../../monitor/config');
  const files = [MONITOR_DEFAULTS.stateFile, DEMO_STATE_FILE];
  const { loadConfig } = await import('../../app/config');
  const { DEFAULT_CONFIG_PATH } = await import('../../core/config');
  try {
    const cfg = await loadConfig(config ?? DEFAULT_CONFIG_PATH);
    if (cfg.monitor) files.unshift(cfg.monitor.stateFile);
  } catch (err) {
    // No readable configuration: the default places are still worth a look.
    if (config !== undefined) throw new Error(`cannot read ${config}: ${errorMessage(err)}`);
  }
  return files;
}

/** What upsd says when ups.conf gives no description (LIST UPS, GET UPSDESC). */
const NO_DESC = new Set(['Description unavailable', 'Unavailable']);

interface Target {
  host: string;
  port: number;
  ups: string | null;
}

function parseTarget(text: string | undefined): Target | null {
  if (text === undefined || text === '') return { host: DEFAULT_HOST, port: DEFAULT_PORT, ups: null };
  if (text.startsWith('@')) {
    const r = splitAddr(text.slice(1));
    return r.ok ? { ...r.value, ups: null } : null;
  }
  const r = splitName(text);
  return r.ok ? r.value : null;
}

/**
 * Why a UPS has no data: upsagent serves its driver's reason and driver.state
 * even then; NUT's upsd answers these too with the error, so they stay null.
 */
async function healthOf(client: NutClient, name: string): Promise<Health> {
  const get = (v: string): Promise<string | null> =>
    client.getVar(name, v).catch((err: unknown) => {
      if (err instanceof NutProtocolError) return null;
      throw err;
    });
  const [reason, driverState] = await Promise.all([get(DRIVER_ERROR_VAR), get(DRIVER_STATE_VAR)]);
  return { reason, driverState };
}

async function summarizeOne(client: NutClient, name: string, description: string | null): Promise<UpsSummary> {
  try {
    return summarize(name, description, await client.listVars(name));
  } catch (err) {
    if (err instanceof NutProtocolError) return unavailable(name, description, err.code, nutErrorText(err), await healthOf(client, name));
    throw err;
  }
}

export async function runStatus(opts: StatusOptions, io: CliIO): Promise<number> {
  const target = parseTarget(opts.target);
  if (!target) {
    io.err(`Error: cannot read ${JSON.stringify(opts.target)}; expected ups[@host[:port]] or @host[:port]\n`);
    return 1;
  }
  // The monitor's view is this host's: shown for the default target, or when asked for with --config.
  let monitor: MonitorBlock | null = null;
  // An agent running on the automatic configuration (no file): said first, its monitor's state file looked at.
  const local = opts.target === undefined || opts.target === '';
  const auto = (local && opts.config === undefined && opts.stateFiles === undefined) || opts.autoFiles !== undefined ? (await import('../../app/auto-status')).readAutoStatus(opts.autoFiles) : null;
  if (local || opts.config !== undefined || opts.stateFiles !== undefined) {
    try {
      monitor = await monitorBlock(auto?.stateFile && !opts.stateFiles ? { ...opts, stateFiles: [auto.stateFile, ...(await stateFilesFor(undefined))] } : opts);
    } catch (err) {
      io.err(`Error: ${errorMessage(err)}\n`);
      return 1;
    }
  }
  const doc: StatusDocument & { monitor?: unknown } = { server: { host: target.host, port: target.port }, error: null, upses: [] };
  if (monitor) doc.monitor = { pid: monitor.pid, updatedAt: new Date(monitor.updatedAt).toISOString(), ...monitor.view };
  if (auto) (doc as { automatic?: unknown }).automatic = auto;
  if (auto && !opts.json) io.out((await import('../../app/auto-config')).renderAutoStatus(auto));
  const printMonitor = (): void => {
    if (monitor && !opts.json) {
      io.out(`\n${renderView(monitor.view, (Date.now() - monitor.updatedAt) / 1000)}`);
    }
  };
  const failWith = (msg: string): number => {
    doc.error = msg;
    if (opts.json) io.out(renderJson(doc));
    io.err(`Error: ${msg}\n`);
    // A host that only watches other servers has no server of its own: its monitor is the status.
    // An automatic run that has found no UPS yet has no server either: it is looking, as it says.
    if (monitor || (auto && auto.upses.length === 0)) {
      printMonitor();
      return 0;
    }
    return 1;
  };

  let client: NutClient;
  try {
    client = await NutClient.connect({ host: target.host, port: target.port, timeoutMs: opts.timeoutMs });
  } catch (err) {
    return failWith(nutErrorText(err));
  }
  try {
    let upses: Array<[string, string | null]>;
    if (target.ups === null) {
      upses = await client.listUps();
    } else {
      let desc: string | null;
      try {
        desc = await client.getUpsDesc(target.ups);
      } catch (err) {
        // An unknown UPS is the user's mistake; say so as upsc does.
        if (err instanceof NutProtocolError && err.code === 'UNKNOWN-UPS') return failWith(nutErrorText(err));
        desc = null;
      }
      upses = [[target.ups, desc]];
    }
    // Ask about every UPS at once: the client pipelines the requests.
    doc.upses = await Promise.all(upses.map(([name, desc]) => summarizeOne(client, name, desc === null || NO_DESC.has(desc) ? null : desc)));
  } catch (err) {
    return failWith(nutErrorText(err));
  } finally {
    await client.close();
  }
  if (opts.json) io.out(renderJson(doc));
  else if (doc.upses.length === 0) io.out(`No UPS on ${target.host}:${target.port}\n`);
  else {
    io.out(renderTable(doc.upses));
    const reasons = renderReasons(doc.upses);
    if (reasons) io.out(`\n${reasons}`);
  }
  printMonitor();
  return doc.upses.every((u) => u.available) ? 0 : EXIT_NO_DATA;
}
