/**
 * What `upsagent install` and `upsagent uninstall` do, as a list of steps
 * decided before anything is touched: --dry-run prints the list, the
 * executor (apply.ts) carries it out. Paths in steps are the target
 * system's; the executor prefixes --root.
 */
import { renderConfig } from './config-template';
import type { Layout } from './layout';
import type { Manifest } from './manifest';
import { renderUdevRules } from './udev';
import { flagFolder, renderUnit } from './unit';

export type Owner = 'root' | 'account';

export type Step =
  | { kind: 'dir'; path: string; mode: number; owner: Owner; group: Owner }
  | { kind: 'file'; path: string; mode: number; owner: Owner; group: Owner; content: string; what: string }
  | { kind: 'binary'; from: string; path: string }
  /** `account`: the command creates (install) or removes (uninstall) it; `enables`: it enables the service. */
  | { kind: 'command'; argv: string[]; why: string; mayFail?: boolean; account?: string; enables?: boolean }
  | { kind: 'note'; text: string }
  | { kind: 'remove'; path: string; recursive?: boolean; onlyIfEmpty?: boolean }
  | { kind: 'chown-root'; path: string };

/** What the target system looks like, as far as the plan depends on it. */
export interface TargetFacts {
  /** `/` for this system, else a folder holding one (--root). */
  root: string;
  exists(path: string): boolean;
  accountExists(name: string): boolean;
  /** PID 1 is systemd (else there is nothing to reload or start now). */
  systemdRunning: boolean;
  /** The existing configuration's facts, when there is one. */
  config?: { serialPorts: string[]; powerDownFlag?: string; stateDir?: string };
  /** What an earlier install created. */
  manifest?: Manifest;
}

export interface InstallRequest {
  layout: Layout;
  /** The executable to copy onto the PATH. */
  binary: string;
  /** A file to copy as the configuration when there is none (default: a minimal commented one). */
  configFrom?: { path: string; content: string };
  /** Do not enable and start the service. */
  noEnable?: boolean;
  /** Replace files install did not create. */
  force?: boolean;
}

/** A problem that stops the install before any step runs. */
export class InstallPlanError extends Error {}

const isLive = (f: TargetFacts): boolean => f.root === '/';

export function planInstall(req: InstallRequest, facts: TargetFacts): Step[] {
  const l = req.layout;
  const steps: Step[] = [];
  const ours = new Set(facts.manifest?.files ?? []);
  for (const path of [l.unit, l.udevRules, l.binary]) {
    if (facts.exists(path) && !ours.has(path) && !req.force) {
      throw new InstallPlanError(`${path} is there already and was not written by upsagent install: move it away, or use --force to replace it`);
    }
  }
  const rootFlag = isLive(facts) ? [] : ['--root', facts.root];

  if (!facts.accountExists(l.account)) {
    steps.push({
      kind: 'command',
      argv: ['useradd', ...rootFlag, '--system', '--user-group', '--home-dir', l.stateDir, '--no-create-home', '--shell', '/usr/sbin/nologin', '--comment', 'upsagent UPS agent', l.account],
      why: 'the role account the agent runs as',
      account: l.account,
    });
  } else {
    steps.push({ kind: 'note', text: `the account ${l.account} exists already: kept as it is` });
  }

  steps.push({ kind: 'binary', from: req.binary, path: l.binary });

  steps.push({ kind: 'dir', path: l.configDir, mode: 0o755, owner: 'root', group: 'root' });
  if (facts.exists(l.config)) {
    steps.push({ kind: 'note', text: `${l.config} exists already: kept as it is` });
  } else {
    steps.push({
      kind: 'file',
      path: l.config,
      // Readable by the agent after the drop (the dummy driver re-reads its files); passwords: not by others.
      mode: 0o640,
      owner: 'root',
      group: 'account',
      content: req.configFrom?.content ?? renderConfig(l),
      what: req.configFrom ? `the configuration, from ${req.configFrom.path}` : 'the configuration (a minimal one; config.example.yaml has every key)',
    });
  }
  // The history, written by the agent as the role account.
  steps.push({ kind: 'dir', path: l.stateDir, mode: 0o750, owner: 'account', group: 'account' });

  const cfg = facts.config;
  const flag = cfg ? cfg.powerDownFlag : l.powerDownFlag;
  const writable = [...(flag ? [flagFolder(flag)] : []), ...(cfg?.stateDir && cfg.stateDir !== l.stateDir ? [cfg.stateDir] : [])];
  const serialPorts = cfg?.serialPorts ?? [];
  steps.push({
    kind: 'file',
    path: l.unit,
    mode: 0o644,
    owner: 'root',
    group: 'root',
    content: renderUnit({ binary: l.binary, config: l.config, account: l.account, stateDir: l.stateDir, writablePaths: writable, serialPorts }),
    what: 'the systemd unit',
  });
  steps.push({ kind: 'file', path: l.udevRules, mode: 0o644, owner: 'root', group: 'root', content: renderUdevRules({ group: l.account, serialPorts }), what: 'udev rules for the UPS device nodes' });

  if (isLive(facts)) {
    steps.push({ kind: 'command', argv: ['udevadm', 'control', '--reload-rules'], why: 'udev reads the new rules', mayFail: true });
    steps.push({
      kind: 'command',
      argv: ['udevadm', 'trigger', '--action=add', '--subsystem-match=hidraw', '--subsystem-match=usb', '--subsystem-match=tty'],
      why: 'devices plugged in already get the new group',
      mayFail: true,
    });
    if (facts.systemdRunning) {
      steps.push({ kind: 'command', argv: ['systemctl', 'daemon-reload'], why: 'systemd reads the new unit' });
      if (!req.noEnable) steps.push({ kind: 'command', argv: ['systemctl', 'enable', '--now', l.service], why: 'start it now and at every boot', enables: true });
    } else {
      steps.push({ kind: 'note', text: `systemd is not running here: start the agent another way (docs/install.md): ${l.binary} run --config ${l.config}` });
    }
  } else if (!req.noEnable) {
    steps.push({ kind: 'command', argv: ['systemctl', `--root=${facts.root}`, 'enable', l.service], why: 'started at every boot of that system', enables: true });
  }
  return steps;
}

export interface UninstallRequest {
  layout: Layout;
  /** Also the configuration, the state folder (the monitor's history) and the flag. */
  purge?: boolean;
}

export function planUninstall(req: UninstallRequest, facts: TargetFacts): Step[] {
  const l = req.layout;
  const m = facts.manifest;
  if (!m) throw new InstallPlanError(`nothing to uninstall: ${l.manifest} is missing (upsagent install writes it)`);
  const steps: Step[] = [];
  const created = new Set(m.files);
  if (m.enabled || created.has(l.unit)) {
    if (isLive(facts)) {
      if (facts.systemdRunning) steps.push({ kind: 'command', argv: ['systemctl', 'disable', '--now', l.service], why: 'stop it and leave boot', mayFail: true });
    } else {
      steps.push({ kind: 'command', argv: ['systemctl', `--root=${facts.root}`, 'disable', l.service], why: 'leave boot of that system', mayFail: true });
    }
  }
  for (const path of [l.unit, l.udevRules, l.binary]) if (created.has(path)) steps.push({ kind: 'remove', path });
  if (isLive(facts)) {
    if (created.has(l.udevRules)) steps.push({ kind: 'command', argv: ['udevadm', 'control', '--reload-rules'], why: 'udev forgets the rules', mayFail: true });
    if (facts.systemdRunning && created.has(l.unit)) steps.push({ kind: 'command', argv: ['systemctl', 'daemon-reload'], why: 'systemd forgets the unit', mayFail: true });
  }
  if (req.purge) {
    if (created.has(l.config)) steps.push({ kind: 'remove', path: l.config });
    steps.push({ kind: 'remove', path: l.powerDownFlag });
    if (m.dirs.includes(l.stateDir)) steps.push({ kind: 'remove', path: l.stateDir, recursive: true });
  } else {
    steps.push({ kind: 'note', text: `${l.config} is kept (--purge removes it, and the monitor's history in ${l.stateDir})` });
    steps.push({ kind: 'remove', path: l.manifest });
    if (created.has(l.config)) steps.push({ kind: 'chown-root', path: l.config });
    if (m.dirs.includes(l.stateDir)) {
      // What stays must not belong to an account that is gone.
      steps.push({ kind: 'chown-root', path: l.stateDir });
    }
  }
  if (m.account) {
    steps.push({ kind: 'command', argv: ['userdel', ...(isLive(facts) ? [] : ['--root', facts.root]), m.account], why: 'the role account install created', account: m.account });
  }
  // Last, deepest first: the folders install created, when nothing is left in them.
  for (const dir of [...m.dirs].reverse()) steps.push({ kind: 'remove', path: dir, onlyIfEmpty: true });
  return steps;
}
