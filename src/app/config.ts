/**
 * The whole configuration schema, composed from the schemas each module
 * declares beside its code: drivers (src/drivers/registry.ts), the NUT
 * server (src/server/config.ts), users and logging (core). This is the only
 * place that knows which sections exist.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  logSchema,
  hostProblem,
  placeholderPassword,
  userWarnings,
  type HostUse,
  loadWith,
  parseWith,
  upsEntrySchema,
  upsSectionSchema,
  usersSchema,
  validateWith,
  type LogConfig,
  type UpsConfig,
  type UserConfig,
} from '../core/config';
import type { ConfigIssue } from '../core/errors';
import { obj, optional, refine } from '../core/schema';
import { monitorHosts, monitorSectionSchema, watchTarget, type MonitorConfig } from '../monitor/config';
import { COMMON_DRIVER_OPTIONS, DRIVERS } from '../drivers/registry';
import { parseListen, serverSectionSchema, type ServerConfig } from '../server/config';
import { runSectionSchema, type RunConfig } from '../privilege/config';
import { mqttSectionSchema, type MqttConfig } from '../mqtt/config';
import { notifySectionSchema, type NotifySectionConfig } from '../notify/config';
import { httpSectionSchema, HTTP_PORT, type HttpConfig } from '../http/config';
import { parseListenAddress } from '../core/listen';

export interface AgentConfig {
  /** Empty on a host that only watches UPSes on other servers. */
  ups: Record<string, UpsConfig>;
  monitor?: MonitorConfig;
  server?: ServerConfig;
  users?: Record<string, UserConfig>;
  log?: LogConfig;
  /** The account to run as once ports and devices are open. */
  run?: RunConfig;
  /** Publish to an MQTT broker (Home Assistant discovery, commands). */
  mqtt?: MqttConfig;
  /** Notification channels (webhook, email, MQTT) beside monitor.notify. */
  notify?: NotifySectionConfig;
  /** The web listener: JSON API, /metrics, event stream and the page. */
  http?: HttpConfig;
}

const sections = obj({
  ups: optional(
    upsSectionSchema(
      upsEntrySchema(
        COMMON_DRIVER_OPTIONS,
        DRIVERS.map((d) => d.schema),
      ),
    ),
  ),
  server: serverSectionSchema,
  users: usersSchema,
  log: logSchema,
  monitor: monitorSectionSchema,
  run: runSectionSchema,
  mqtt: mqttSectionSchema,
  notify: notifySectionSchema,
  http: httpSectionSchema,
});

/** The hosts the server binds (`*` is every address, no name). */
function listenHosts(server: { listen?: readonly string[] } | undefined): HostUse[] {
  return (server?.listen ?? []).flatMap((item, i) => {
    const r = parseListen(item);
    return typeof r === 'string' ? [] : [{ path: `server.listen[${i}]`, host: r.host }];
  });
}

/** Checks between sections: something to do, the monitor's local UPSes exist, and addresses are addresses. */
function checkSections(
  cfg: { ups?: Record<string, UpsConfig>; server?: { listen?: readonly string[] }; monitor?: { ups: Array<{ name: string; user?: string }> } },
  issues: ConfigIssue[],
): void {
  // "300.1.1.1" must stop `config check`, not the server's bind at `run`.
  for (const { path, host } of listenHosts(cfg.server)) {
    const bad = hostProblem(host);
    if (bad) issues.push({ path, message: bad });
  }
  if (cfg.ups === undefined && cfg.monitor === undefined) {
    issues.push({ path: 'ups', message: 'is required (a ups: section with at least one UPS, or a monitor: section watching UPSes on other servers)' });
    return;
  }
  const local = Object.keys(cfg.ups ?? {});
  cfg.monitor?.ups.forEach((u, i) => {
    const path = `monitor.ups[${i}]`;
    const t = watchTarget(u.name, local);
    if (t.kind === 'remote' && !u.name.includes('@')) {
      issues.push({ path: `${path}.name`, message: `${u.name} is not a UPS of the ups: section (${local.join(', ') || 'none'}); for a UPS on a NUT server write ups@host[:port]` });
    } else if (t.kind === 'remote' && u.user === undefined) {
      issues.push({ path, message: `user and password are required for ${u.name}: the monitor logs in to the server so a primary can count it` });
    }
  });
}

/** Notification channels need notifications (the monitor) and an mqtt channel needs the broker. */
function checkChannels(cfg: { monitor?: object; mqtt?: object; notify?: { channels: Array<{ type: string }> } }, issues: ConfigIssue[]): void {
  if (!cfg.notify) return;
  if (!cfg.monitor) issues.push({ path: 'notify', message: 'needs a monitor: section: the channels carry the monitor\'s notifications' });
  cfg.notify.channels.forEach((c, i) => {
    if (c.type === 'mqtt' && !cfg.mqtt) issues.push({ path: `notify.channels[${i}]`, message: 'an mqtt channel publishes through the mqtt: section, which is missing' });
  });
}

/** The HTTP listener's addresses are addresses, and its tokens belong to configured users. */
function checkHttp(cfg: { users?: Record<string, unknown>; http?: { listen?: readonly string[]; tokens?: ReadonlyArray<{ user: string }> } }, issues: ConfigIssue[]): void {
  if (!cfg.http) return;
  (cfg.http.listen ?? []).forEach((item, i) => {
    const r = parseListenAddress(item, HTTP_PORT);
    const bad = typeof r === 'string' ? null : hostProblem(r.host);
    if (bad) issues.push({ path: `http.listen[${i}]`, message: bad });
  });
  (cfg.http.tokens ?? []).forEach((t, i) => {
    if (!Object.hasOwn(cfg.users ?? {}, t.user)) issues.push({ path: `http.tokens[${i}].user`, message: `${t.user} is not a user of the users: section` });
  });
}

export const configSchema = refine(sections, (cfg, _path, issues) => {
  checkSections(cfg, issues);
  checkChannels(cfg, issues);
  checkHttp(cfg, issues);
});

/** Validates a parsed document; throws ConfigError listing every problem. */
export function validateConfig(doc: unknown, file = '<config>'): AgentConfig {
  return filled(validateWith(configSchema, doc, file));
}

/** The schema fills every default in; this only tells the compiler so. */
function filled(cfg: ReturnType<typeof sections.check> & object): AgentConfig {
  return { ...cfg, ups: cfg.ups ?? {}, monitor: cfg.monitor as MonitorConfig | undefined, mqtt: cfg.mqtt as MqttConfig | undefined, notify: cfg.notify as NotifySectionConfig | undefined };
}

/** Parses YAML text and validates it. */
export async function parseConfig(text: string, file = '<config>'): Promise<AgentConfig> {
  return filled(await parseWith(configSchema, text, file));
}

/**
 * Reads and validates a file. A device file named relatively (a dummy
 * .dev/.seq, a usbhid recording) is found beside the configuration, as
 * dummy-ups finds its file in NUT's configuration folder; not relative to
 * wherever the agent was started.
 */
export async function loadConfig(file: string): Promise<AgentConfig> {
  const cfg = filled(await loadWith(configSchema, file));
  for (const ups of Object.values(cfg.ups)) {
    const spec = DRIVERS.find((d) => d.schema.name === ups.driver);
    if (spec?.schema.portIsFile?.(ups) && !isAbsolute(ups.port)) ups.port = resolve(dirname(resolve(file)), ups.port);
  }
  return cfg;
}

/**
 * Every host the configuration names, by kind: `listen` (the server binds
 * them: a name that does not resolve stops the start) and `connect` (the
 * monitor reaches them, and retries while they do not resolve).
 */
export function configHosts(cfg: AgentConfig): { listen: HostUse[]; connect: HostUse[] } {
  return { listen: listenHosts(cfg.server), connect: monitorHosts(cfg.monitor) };
}

/** What is valid but unwise: the example's placeholder passwords. */
export function configWarnings(cfg: AgentConfig): ConfigIssue[] {
  return [...userWarnings(cfg.users), ...(cfg.monitor?.ups ?? []).flatMap((u, i) => placeholderPassword(`monitor.ups[${i}].password`, u.password) ?? [])];
}

export type { UpsConfig, UserConfig, ServerConfig, MonitorConfig };
