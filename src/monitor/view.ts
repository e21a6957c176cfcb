/**
 * The monitor's view in words, for `upsagent status` and the state file:
 * what is watched, how it stands and what happens next. Plain data so it
 * survives JSON; rendering lives beside it so the CLI and (later) the web
 * page say the same thing.
 */
import type { SupplySnapshot } from './supply';

export interface MonitorView {
  /** Sum of the power values of the supplies that are not critical, and the minimum (upsmon recalc). */
  healthy: number;
  minSupplies: number;
  supplies: Array<SupplySnapshot & { critical: string | null; next: string }>;
  /** Set once the shutdown sequence started: why and when (ms since the epoch). */
  shutdown: { reason: string; at: number; step: string } | null;
  dryRun: boolean;
}

/** Seconds as people read them: `75 s`, `2 min 5 s`, `1 h 3 min`. */
export function duration(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min${t % 60 ? ` ${t % 60} s` : ''}`;
  return `${Math.floor(t / 3600)} h${Math.floor((t % 3600) / 60) ? ` ${Math.floor((t % 3600) / 60)} min` : ''}`;
}

/** What ends this supply's time on battery, e.g. "shutdown at 30 % charge or in 75 s, whichever comes first". */
export function nextStep(s: SupplySnapshot, critical: string | null, shutdownStarted: boolean): string {
  if (shutdownStarted) return 'shutdown in progress';
  if (critical) return `critical: ${critical}`;
  if (s.powerValue === 0) return 'watched only (power value 0)';
  const onBattery = s.status.split(' ').includes('OB');
  if (!onBattery) {
    if (s.comm === 'lost') return 'no decision while silent; last seen on line power';
    return 'nothing to do';
  }
  const triggers: string[] = [];
  if (s.policy.chargeAtMost !== null) triggers.push(`at ${s.policy.chargeAtMost} % charge`);
  if (s.policy.runtimeAtMost !== null) triggers.push(`at ${duration(s.policy.runtimeAtMost)} runtime`);
  if (s.policy.onBatteryForS !== null && s.onBatteryForS !== null) triggers.push(`in ${duration(s.policy.onBatteryForS - s.onBatteryForS)}`);
  triggers.push('on low battery');
  const when = triggers.length === 1 ? triggers[0]! : `${triggers.slice(0, -1).join(', ')} or ${triggers[triggers.length - 1]!}, whichever comes first`;
  return `shutdown ${when}`;
}

/** One supply's state in words: "on battery for 2 min 5 s, charge 64 %". */
export function stateWords(s: SupplySnapshot): string {
  const parts: string[] = [];
  const flags = s.status.split(' ').filter(Boolean);
  if (s.comm === 'lost') parts.push(`not answering for ${duration(s.lastPollAgoS)}${s.lastError ? ` (${s.lastError})` : ''}`);
  else if (s.comm === 'unknown') parts.push(`not reached yet${s.lastError ? ` (${s.lastError})` : ''}`);
  if (flags.includes('OB')) parts.push(`on battery${s.onBatteryForS !== null ? ` for ${duration(s.onBatteryForS)}` : ''}`);
  else if (flags.includes('OL')) parts.push('on line power');
  if (flags.includes('LB')) parts.push('low battery');
  if (flags.includes('FSD')) parts.push('forced shutdown set');
  for (const f of ['CAL', 'OFF', 'BYPASS', 'OVER', 'TRIM', 'BOOST', 'ALARM', 'ECO']) if (flags.includes(f)) parts.push(f);
  if (s.charge !== null) parts.push(`charge ${s.charge} %`);
  if (s.runtime !== null) parts.push(`runtime ${duration(s.runtime)}`);
  return parts.join(', ') || 'no status yet';
}

/** The monitor block of `upsagent status`. */
export function renderView(v: MonitorView, ageS: number | null): string {
  const lines: string[] = [];
  const head = `Monitor: ${v.healthy} of at least ${v.minSupplies} power supplies healthy${v.dryRun ? ' (dry run: the shutdown command is only logged)' : ''}`;
  lines.push(ageS !== null && ageS > 60 ? `${head}; view last updated ${duration(ageS)} ago` : head);
  if (v.shutdown) lines.push(`  SHUTDOWN since ${new Date(v.shutdown.at).toISOString()}: ${v.shutdown.reason} (${v.shutdown.step})`);
  for (const s of v.supplies) {
    lines.push(`  ${s.name} (${s.role}, power value ${s.powerValue}): ${stateWords(s)}`);
    lines.push(`    next: ${s.next}`);
  }
  return `${lines.join('\n')}\n`;
}
