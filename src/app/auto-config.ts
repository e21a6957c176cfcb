/**
 * The automatic configuration: what `upsagent run` uses when there is no
 * configuration file at all, and what `upsagent init` writes as the start
 * of a real one. It is built as commented YAML text and read back through
 * the same parser as any file, so the file `init` writes and the agent the
 * automatic run starts cannot drift apart.
 *
 * The policy is NUT's (a UPS is critical on OB + LB, or FSD) plus a floor
 * of our own that does not trust the UPS's low-battery flag alone: on
 * battery, at 10 % charge or 3 minutes of runtime, whichever comes first
 * (the monitor confirms either over two polls, see src/monitor/supply.ts).
 * Only UPSes on USB HID are found: opening serial ports to probe them sends
 * bytes to whatever is attached there (a modem, a console), which a daemon
 * must not do by itself, again and again.
 */
import type { FoundUps } from '../drivers/usbhid/scan';
import type { UpsConfig } from '../core/config';
import { MONITOR_DEFAULTS } from '../monitor/config';
import { SERVER_DEFAULTS } from '../server/config';
import { parseConfig, type AgentConfig } from './config';

/** On battery, the host goes down at this charge (%) or below... */
export const AUTO_CHARGE_AT_MOST = 10;
/** ...or at this runtime (seconds) or below, whichever comes first. */
export const AUTO_RUNTIME_AT_MOST = 180;
/** The system's shutdown command, NUT's default SHUTDOWNCMD. */
export const AUTO_SHUTDOWN_COMMAND = MONITOR_DEFAULTS.shutdownCommand;

/** A UPS the automatic configuration serves, as scan found it. */
export type AutoUps = Pick<FoundUps, 'name' | 'port' | 'vendorid' | 'productid' | 'serial' | 'desc' | 'note'>;

export interface AutoConfigOptions {
  /** The monitor's state file (default: the monitor's own default). */
  stateFile?: string;
  /** The shutdown command (default the system's: /sbin/shutdown -h +0). Tests give a harmless one. */
  shutdownCommand?: string;
}

/** What will make the host shut down, in words (log, status, the file's comment). */
export function shutdownRuleText(): string {
  return `a watched UPS on battery reports low battery (OB LB) or forced shutdown (FSD), or on battery its charge is at most ${AUTO_CHARGE_AT_MOST} % or its runtime at most ${AUTO_RUNTIME_AT_MOST} s (two polls in a row); then \`${AUTO_SHUTDOWN_COMMAND}\` runs`;
}

const q = (s: string): string => JSON.stringify(s);
const comment = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/** Same UPS: the identity scan writes (IDs and serial), or the same node for one told apart by its node. */
export function sameUps(a: Pick<AutoUps, 'port' | 'vendorid' | 'productid' | 'serial'>, b: Pick<AutoUps, 'port' | 'vendorid' | 'productid' | 'serial'>): boolean {
  if (a.vendorid.toLowerCase() !== b.vendorid.toLowerCase() || a.productid.toLowerCase() !== b.productid.toLowerCase()) return false;
  if (a.port !== 'auto' && b.port !== 'auto') return a.port === b.port && (a.serial ?? '') === (b.serial ?? '');
  return (a.serial ?? '') === (b.serial ?? '');
}

/** The entries of a UPS section as AutoUps (a configuration the automatic run made). */
export function autoUpsOf(ups: Readonly<Record<string, UpsConfig>>): AutoUps[] {
  return Object.entries(ups).map(([name, u]) => ({
    name,
    port: u.port,
    vendorid: String(u.vendorid ?? ''),
    productid: String(u.productid ?? ''),
    ...(typeof u.serial === 'string' ? { serial: u.serial } : {}),
    desc: u.desc ?? name,
    note: u.port,
  }));
}

/**
 * `known` and the UPSes of a new scan that are not among them, with names
 * that do not clash. A UPS that went away stays (its driver reports it
 * stale): the automatic run forgets nothing it has seen.
 */
export function mergeFound(known: readonly AutoUps[], found: readonly FoundUps[]): { all: AutoUps[]; added: AutoUps[] } {
  const taken = new Set(known.map((u) => u.name.toLowerCase()));
  const added: AutoUps[] = [];
  for (const f of found) {
    if ([...known, ...added].some((k) => sameUps(k, f))) continue;
    let name = f.name;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${f.name}-${i}`;
    taken.add(name.toLowerCase());
    added.push({ name, port: f.port, vendorid: f.vendorid, productid: f.productid, ...(f.serial !== undefined ? { serial: f.serial } : {}), desc: f.desc, note: f.note });
  }
  return { all: [...known, ...added], added };
}

/**
 * The automatic configuration for `upses` as commented YAML; `upses` must
 * not be empty (with no UPS there is nothing to serve nor to watch).
 */
export function autoConfigYaml(upses: readonly AutoUps[], opts: AutoConfigOptions = {}): string {
  if (upses.length === 0) throw new Error('the automatic configuration needs at least one UPS');
  const L: string[] = [
    '# upsagent configuration: the automatic one, written by `upsagent init`.',
    '# `upsagent run` uses exactly this when there is no configuration file. Edit it to taste,',
    '# check it with `upsagent config check FILE`, and put it at /etc/upsagent/upsagent.yaml',
    '# (or run with --config FILE); config.example.yaml explains every key.',
    '',
    '# The UPSes found on USB HID, as `upsagent scan` writes them.',
    'ups:',
  ];
  for (const u of upses) {
    L.push(`  # ${comment(u.note)}`);
    L.push(`  ${u.name}:`);
    L.push('    driver: usbhid');
    L.push(`    port: ${q(u.port)}`);
    L.push(`    vendorid: ${q(u.vendorid)}`);
    L.push(`    productid: ${q(u.productid)}`);
    if (u.serial !== undefined) L.push(`    serial: ${q(u.serial)}`);
    L.push(`    desc: ${q(u.desc.slice(0, 255))}`);
  }
  L.push(
    '',
    '# The NUT server (upsd): on this host only, no users, so clients can read but not change',
    '# anything. Add addresses and users: to let other hosts watch these UPSes.',
    'server:',
    `  listen: [${SERVER_DEFAULTS.listen.map(q).join(', ')}]`,
    '',
    '# The monitor (upsmon): this host is the primary of each UPS it found.',
    `# It shuts the host down when ${shutdownRuleText()}.`,
    '# A UPS it cannot reach only counts as lost power when it was last seen on battery (NUT\'s rule):',
    '# one that was never seen on battery never shuts the host down.',
    '# With several UPSes, the host goes down once none of them can still feed it (minSupplies 1);',
    '# raise minSupplies if it needs them all.',
    'monitor:',
    '  ups:',
  );
  for (const u of upses) L.push(`    - name: ${u.name}`, '      role: primary');
  L.push(
    '  minSupplies: 1',
    `  shutdownCommand: ${q(opts.shutdownCommand ?? AUTO_SHUTDOWN_COMMAND)}`,
    ...(opts.stateFile !== undefined ? [`  stateFile: ${q(opts.stateFile)}`] : []),
    '  # Beside NUT\'s OB LB: on battery, the first of these reached counts as critical.',
    '  policy:',
    `    chargeAtMost: ${AUTO_CHARGE_AT_MOST}`,
    `    runtimeAtMost: ${AUTO_RUNTIME_AT_MOST}`,
    '',
  );
  return L.join('\n');
}

/** The automatic configuration as the agent runs it: autoConfigYaml read back by the file parser. */
export async function autoConfig(upses: readonly AutoUps[], opts: AutoConfigOptions = {}): Promise<AgentConfig> {
  return parseConfig(autoConfigYaml(upses, opts), '<automatic configuration>');
}

/** What the automatic run says about itself (log at start, `upsagent status`). */
export interface AutoStatus {
  mode: 'automatic';
  pid: number;
  /** The configuration file there was none of. */
  noFileAt: string;
  /** ISO time of the last look for UPSes. */
  lastScan: string | null;
  /** Seconds between looks. */
  scanEvery: number;
  upses: Array<{ name: string; desc: string; found: string }>;
  /** What shuts the host down, in words. */
  shutdownRule: string;
  /** The monitor's state file (its view is shown beside this). */
  stateFile?: string;
  /** Why the last look could not list a source, if so. */
  problems: string[];
}

/** `upsagent status`'s lines for an automatic run. */
export function renderAutoStatus(s: AutoStatus): string {
  const lines = [`Automatic configuration (no file at ${s.noFileAt}; \`upsagent init\` writes it out), pid ${s.pid}.`];
  if (s.upses.length === 0) {
    lines.push(`No UPS found on USB yet; looking again every ${s.scanEvery} s${s.lastScan ? ` (last look ${s.lastScan})` : ''}. Nothing will shut this host down until one is found.`);
  } else {
    lines.push(`UPS found (served on this host only, watched as primary):`);
    for (const u of s.upses) lines.push(`  ${u.name}: ${u.desc} (${u.found})`);
    lines.push(`Shuts the host down when ${s.shutdownRule}.`);
  }
  for (const p of s.problems) lines.push(`Last look: ${p}`);
  return `${lines.join('\n')}\n`;
}
