/**
 * `upsagent notify test <type> [ups]`: sends one notification through the
 * configured routes (log, wall, commands) as the monitor would, waits for the
 * commands and says how each ended, then tries every channel of the
 * `notify:` section once (webhook, email, MQTT, whatever their events), so a
 * notification setup can be checked before a power cut does it. Exit 0 when
 * every command exited 0 and every channel delivered, 1 when one did not, 2
 * for a configuration problem or an unknown type.
 */
import type { AgentConfig } from '../../app/config';
import type { Logger } from '../../core/logger';
import type { ChannelTestResult } from '../../notify/channels';
import { Notifier, describeResult, type CommandResult, type SpawnCommand, type TestReport } from '../../monitor/notifier';
import { NOTIFY_TYPE_NAMES } from '../../monitor/notify-types';
import type { CliIO } from '../io';
import { EXIT_CONFIG, loadConfigOrSay } from './config-check';

export interface NotifyTestOptions {
  config: string;
  /** A notification type, any case. */
  type: string;
  /** Default: the first UPS the monitor watches. */
  ups?: string;
}

/** What a test replaces; the command itself uses the real ones. */
export interface NotifyTestDeps {
  wall?: (text: string) => void;
  spawnCommand?: SpawnCommand;
  /** How long the MQTT channel waits for the broker (default 10 s). */
  mqttWaitMs?: number;
}

export async function runNotifyTest(opts: NotifyTestOptions, io: CliIO, deps: NotifyTestDeps = {}): Promise<number> {
  const cfg = await loadConfigOrSay(opts.config, io);
  if (!cfg) return EXIT_CONFIG;
  if (cfg.monitor === undefined) {
    io.err(`${opts.config}: has no monitor: section; notifications are configured under monitor.notify\n`);
    return EXIT_CONFIG;
  }
  const type = NOTIFY_TYPE_NAMES.find((t) => t === opts.type.toUpperCase());
  if (type === undefined) {
    io.err(`Unknown notification type ${JSON.stringify(opts.type)}; one of: ${NOTIFY_TYPE_NAMES.join(', ')}\n`);
    return EXIT_CONFIG;
  }
  const ups = opts.ups ?? cfg.monitor.ups[0]!.name;
  const notifier = new Notifier({ config: cfg.monitor.notify, log: cliLogger(io), wall: deps.wall, spawnCommand: deps.spawnCommand });
  const report = await notifier.test(type, ups);
  io.out(render(report, cfg.monitor.notify.commandTimeout, cfg.monitor.notify.routes[type] !== undefined));
  const channels = cfg.notify ? await testChannels(cfg, { type, ups, message: report.message, at: Date.now() }, cliLogger(io), deps.mqttWaitMs ?? 10_000) : [];
  if (channels.length) io.out(renderChannels(channels));
  return report.commands.every((c) => succeeded(c.result)) && channels.every((c) => c.ok) ? 0 : 1;
}

/** One attempt on every channel; an mqtt channel gets its own short-lived connection. */
async function testChannels(cfg: AgentConfig, m: { type: string; ups: string; message: string; at: number }, log: Logger, mqttWaitMs: number): Promise<ChannelTestResult[]> {
  const { NotifyChannels } = await import('../../notify/channels');
  const needsMqtt = cfg.mqtt !== undefined && cfg.notify!.channels.some((c) => c.type === 'mqtt');
  const link = needsMqtt ? new (await import('../../mqtt/link')).MqttLink({ config: cfg.mqtt!, log, clientId: `upsagent-notify-test-${process.pid}` }) : undefined;
  link?.start();
  try {
    if (link && !(await link.connectedWithin(mqttWaitMs))) log.warn(`no connection to ${link.where} within ${mqttWaitMs / 1000} s`);
    const channels = new NotifyChannels({
      config: cfg.notify!,
      log,
      mqtt: link,
      mqttTopic: cfg.mqtt ? `${cfg.mqtt.topicPrefix}/notify` : undefined,
    });
    const results = await channels.test(m);
    await channels.stop();
    return results;
  } finally {
    await link?.stop();
  }
}

function renderChannels(results: ChannelTestResult[]): string {
  const lines = results.map((r) => `  ${r.kind} channel ${r.channel}: ${r.ok ? 'delivered' : `failed: ${r.error ?? 'unknown error'}`}`);
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) lines.push(`${failed} of ${results.length} channel(s) failed`);
  return `${lines.join('\n')}\n`;
}

function succeeded(r: CommandResult): boolean {
  return r.code === 0 && !r.timedOut && r.error === undefined;
}

function outcomeText(r: CommandResult, timeoutS: number): string {
  if (r.timedOut) return `killed after ${timeoutS}s`;
  return describeResult(r);
}

function render(report: TestReport, timeoutS: number, configured: boolean): string {
  const lines = [`${report.type} for ${report.ups || 'this host'}: ${report.message}`];
  const routeSource = configured ? '' : ' (the default)';
  if (report.routes.includes('log')) lines.push(`  log: sent${routeSource}`);
  if (report.routes.includes('wall')) lines.push(`  wall: sent to logged-in users${routeSource}`);
  for (const c of report.commands) {
    lines.push(`  command ${c.command}: ${outcomeText(c.result, timeoutS)}`);
    const tail = c.result.stderr.trim();
    if (tail) lines.push(...tail.split('\n').map((l) => `    stderr: ${l}`));
  }
  if (report.routes.length === 0 && report.commands.length === 0) lines.push(`  nothing sent: ${report.type} is routed to ignore and no command names it`);
  const failed = report.commands.filter((c) => !succeeded(c.result)).length;
  if (failed > 0) lines.push(`${failed} of ${report.commands.length} command(s) failed`);
  return `${lines.join('\n')}\n`;
}

/** The log route, and the notifier's own warnings, go to this command's stderr. */
function cliLogger(io: CliIO): Logger {
  const line = (level: string) => (msg: string) => io.err(`${level}: ${msg}\n`);
  const log: Logger = { error: line('error'), warn: line('warn'), info: line('info'), debug: () => undefined, child: () => log };
  return log;
}
