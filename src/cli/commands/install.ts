/**
 * `upsagent install` and `upsagent uninstall`: the agent as a systemd
 * service run by its own role account (see src/install for what is written,
 * docs/install.md for why). `--dry-run` prints every file and command;
 * `--root DIR` installs into a folder holding a system (packagers, tests).
 */
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../../app/config';
import { ConfigError, errorMessage } from '../../core/errors';
import { applySteps, describeStep, InstallStepError, startManifest, writeManifest } from '../../install/apply';
import { DEFAULT_LAYOUT, type Layout } from '../../install/layout';
import { parseManifest, type Manifest } from '../../install/manifest';
import { InstallPlanError, planInstall, planUninstall, type Step, type TargetFacts } from '../../install/plan';
import { isSingleExecutable } from '../../platform/native';
import { lookupAccount } from '../../privilege/account';
import type { CliIO } from '../io';

export interface InstallOptions {
  dryRun: boolean;
  root?: string;
  binary?: string;
  configFrom?: string;
  noEnable?: boolean;
  force?: boolean;
  /** Tests: runs the commands (default: execFileSync). */
  exec?(argv: string[]): void;
  layout?: Layout;
}

export interface UninstallOptions {
  dryRun: boolean;
  root?: string;
  purge?: boolean;
  exec?(argv: string[]): void;
  layout?: Layout;
}

/** Bad arguments or a system the plan refuses (exit 2); a step that failed exits 1. */
const EXIT_USAGE = 2;

const at = (root: string, path: string): string => (root === '/' ? path : join(root, path));

function accountIn(root: string, name: string): boolean {
  try {
    if (fs.readFileSync(at(root, '/etc/passwd'), 'utf8').split('\n').some((l) => l.split(':')[0] === name)) return true;
  } catch {
    // No passwd file: only the system's lookup can tell.
  }
  return root === '/' && lookupAccount(name) !== undefined;
}

async function gatherFacts(root: string, layout: Layout): Promise<TargetFacts> {
  const facts: TargetFacts = {
    root,
    exists: (p) => fs.existsSync(at(root, p)),
    accountExists: (n) => accountIn(root, n),
    systemdRunning: root === '/' && fs.existsSync('/run/systemd/system'),
  };
  const cfgFile = at(root, layout.config);
  if (fs.existsSync(cfgFile)) {
    const cfg = await loadConfig(cfgFile);
    facts.config = {
      serialPorts: [...new Set(Object.values(cfg.ups).map((u) => u.port).filter((p) => p.startsWith('/dev/') && !p.startsWith('/dev/hidraw')))],
      powerDownFlag: cfg.monitor?.powerDownFlag,
      stateDir: cfg.monitor ? dirname(cfg.monitor.stateFile) : undefined,
    };
  }
  const manifestFile = at(root, layout.manifest);
  if (fs.existsSync(manifestFile)) {
    const m = parseManifest(fs.readFileSync(manifestFile, 'utf8'));
    if (typeof m === 'string') throw new InstallPlanError(`${manifestFile}: ${m}`);
    facts.manifest = m;
  }
  return facts;
}

function checkRoot(opts: { root?: string }): string {
  const root = resolve(opts.root ?? '/');
  if (root !== '/' && !fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new InstallPlanError(`--root ${root}: not a folder`);
  return root;
}

function printPlan(io: CliIO, title: string, steps: readonly Step[], account: string): void {
  io.out(`${title}\n`);
  for (const s of steps) io.out(`${describeStep(s, account)}\n`);
}

async function prepare<T>(io: CliIO, fn: () => Promise<T>): Promise<T | number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConfigError) io.err(`${err.message}\nfix the configuration first: upsagent config check ${err.file}\n`);
    else io.err(`${errorMessage(err)}\n`);
    return EXIT_USAGE;
  }
}

function carryOut(io: CliIO, steps: readonly Step[], layout: Layout, root: string, exec: InstallOptions['exec'], prior: Manifest | undefined, uninstalling: boolean): number {
  const manifest = startManifest(prior);
  let code = 0;
  try {
    applySteps(steps, layout, { root, exec, say: (l) => io.out(`${l}\n`) }, manifest);
  } catch (err) {
    io.err(`${err instanceof InstallStepError ? err.message : errorMessage(err)}\n`);
    code = 1;
  }
  // After a failure too: what was created is on record, so uninstall can take it away. A finished
  // uninstall has removed the record with everything else.
  if (!uninstalling || (code !== 0 && fs.existsSync(at(root, dirname(layout.manifest))))) writeManifest(root, layout, manifest);
  return code;
}

/** What install and uninstall share: checks, the plan, then either printing it (--dry-run) or carrying it out. */
async function runPlanned(
  verb: 'install' | 'uninstall',
  opts: { dryRun: boolean; root?: string; exec?(argv: string[]): void },
  layout: Layout,
  io: CliIO,
  plan: (root: string) => Promise<{ facts: TargetFacts; steps: Step[] }>,
): Promise<number> {
  const ready = await prepare(io, async () => {
    const root = checkRoot(opts);
    if (!opts.dryRun && process.getuid?.() !== 0) {
      throw new InstallPlanError(`upsagent ${verb} needs root (it manages an account and writes to /etc): sudo upsagent ${verb}, or --dry-run to see what it would do`);
    }
    return { root, ...(await plan(root)) };
  });
  if (typeof ready === 'number') return ready;
  const { root, facts, steps } = ready;
  const where = root === '/' ? '' : ` ${verb === 'install' ? 'into' : 'from'} ${root}`;
  if (opts.dryRun) {
    printPlan(io, `upsagent ${verb}${where} would do this (nothing is changed: --dry-run):`, steps, layout.account);
    return 0;
  }
  const code = carryOut(io, steps, layout, root, opts.exec, facts.manifest, verb === 'uninstall');
  if (code === 0 && verb === 'install') {
    io.out(`installed${where}. Next: edit ${layout.config} (upsagent scan finds the UPS), upsagent config check ${layout.config}, then systemctl restart upsagent; logs: journalctl -u upsagent\n`);
  } else if (code === 0) {
    io.out(`uninstalled${where}\n`);
  }
  return code;
}

export function runInstall(opts: InstallOptions, io: CliIO): Promise<number> {
  const layout = opts.layout ?? DEFAULT_LAYOUT;
  return runPlanned('install', opts, layout, io, async (root) => {
    const binary = opts.binary ?? (isSingleExecutable() ? process.execPath : undefined);
    if (!binary) throw new InstallPlanError('this is not the single executable: give --binary PATH (e.g. dist/upsagent)');
    if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) throw new InstallPlanError(`--binary ${binary}: not a file`);
    const configFrom = opts.configFrom ? { path: opts.configFrom, content: fs.readFileSync(opts.configFrom, 'utf8') } : undefined;
    const facts = await gatherFacts(root, layout);
    return { facts, steps: planInstall({ layout, binary: resolve(binary), configFrom, noEnable: opts.noEnable, force: opts.force }, facts) };
  });
}

export function runUninstall(opts: UninstallOptions, io: CliIO): Promise<number> {
  const layout = opts.layout ?? DEFAULT_LAYOUT;
  return runPlanned('uninstall', opts, layout, io, async (root) => {
    // The configuration is not read: a broken one must not stop the removal.
    const facts = await gatherFacts(root, { ...layout, config: '/nonexistent/upsagent.yaml' });
    return { facts, steps: planUninstall({ layout, purge: opts.purge }, facts) };
  });
}
