/**
 * Sends the monitor's notifications where upsmon's NOTIFYFLAG / NOTIFYCMD /
 * NOTIFYMSG would (clients/upsmon.c notify()): the log, a console broadcast
 * (wall), and commands. Unlike upsmon there may be several commands, each
 * for every type routed to `exec` or for the types it names.
 *
 * notify() never waits: upsmon forks before it runs wall or NOTIFYCMD "so
 * upsmon doesn't get wedged if the notifier is slow", and a notification
 * command that hangs must not hold up the monitor's decisions or timers
 * (nut#3115). Each command gets its own process and its own deadline.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { systemClock, type Clock } from '../core/clock';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { NotifyConfig } from './config';
import { DEFAULT_ROUTES, NOTIFY_TYPES, formatMessage, type Notification, type NotifyRoute, type NotifyType } from './notify-types';

/** How a command ended. */
export interface CommandResult {
  /** Exit status; null when a signal ended it or it never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It outlived its deadline and was killed. */
  timedOut: boolean;
  /** Why it could not be started (no shell, spawn failure). */
  error?: string;
  /** The last bytes it wrote to stderr, for the log. */
  stderr: string;
}

/** A command that was started; `done` always resolves, never rejects. */
export interface RunningCommand {
  pid?: number;
  done: Promise<CommandResult>;
}

export type SpawnCommand = (cmd: string, env: Record<string, string>, timeoutMs: number) => RunningCommand;

/** One command started for a notification; `result` is filled in once it has ended. */
export interface StartedCommand {
  command: string;
  pid?: number;
  done: Promise<CommandResult>;
  result?: CommandResult;
}

export interface NotifyOutcome {
  /** The routes applied: log and/or wall, and exec when commands without `events` ran. */
  routes: NotifyRoute[];
  commands: StartedCommand[];
}

export interface TestReport {
  type: NotifyType;
  ups: string;
  message: string;
  routes: NotifyRoute[];
  commands: Array<{ command: string; result: CommandResult }>;
}

export interface NotifierOptions {
  config: NotifyConfig;
  log: Logger;
  clock?: Clock;
  spawnCommand?: SpawnCommand;
  wall?: (text: string) => void;
}

/** Types that mean power or protection is at risk: logged at warn, the rest at info. */
const ALARMING: ReadonlySet<NotifyType> = new Set<NotifyType>([
  'ONBATT', 'LOWBATT', 'FSD', 'COMMBAD', 'SHUTDOWN', 'SHUTDOWN_HOSTSYNC', 'NOCOMM', 'NOPARENT',
  'REPLBATT', 'OVER', 'BYPASS', 'OFF', 'ALARM', 'POLICY',
]);

/** Past this many copies of one command still running, something downstream is stuck: say so. */
const MANY_RUNNING = 8;
/** Bytes of a command's stderr kept for the log. */
const STDERR_TAIL = 1024;
/** After SIGTERM, how long a command gets before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** wall only writes to terminals; one that takes longer than this is stuck. */
const WALL_TIMEOUT_MS = 10_000;

export class Notifier {
  private readonly config: NotifyConfig;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly spawnCommand: SpawnCommand;
  private readonly wall: (text: string) => void;
  /** Per command line, how many of its processes are still running. */
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<CommandResult>>();
  private stopped = false;

  constructor(opts: NotifierOptions) {
    this.config = opts.config;
    this.log = opts.log;
    this.clock = opts.clock ?? systemClock;
    this.spawnCommand = opts.spawnCommand ?? defaultSpawnCommand(this.log);
    this.wall = opts.wall ?? defaultWall(this.log);
  }

  /** The text for a notification: the configured message (NOTIFYMSG) or NUT's stock one. */
  message(type: NotifyType, ups: string, extra?: string): string {
    return formatMessage(this.config.messages[type] ?? NOTIFY_TYPES[type], ups, extra);
  }

  /**
   * Routes one notification and returns at once; commands keep running on
   * their own. As in upsmon, `ignore` among a type's routes wins over the
   * others; a command that names the type in its `events` still runs, since
   * it asked for that type explicitly.
   */
  notify(n: Notification): NotifyOutcome {
    const outcome: NotifyOutcome = { routes: [], commands: [] };
    if (this.stopped) {
      this.log.debug(`stopped: ${n.type} for ${n.ups || 'this host'} not sent`);
      return outcome;
    }
    const configured = this.config.routes[n.type] ?? DEFAULT_ROUTES;
    const routes = configured.includes('ignore') ? [] : configured;
    if (routes.includes('log')) {
      if (ALARMING.has(n.type)) this.log.warn(n.message);
      else this.log.info(n.message);
      outcome.routes.push('log');
    }
    if (routes.includes('wall')) {
      this.broadcast(n.message);
      outcome.routes.push('wall');
    }
    const exec = routes.includes('exec');
    for (const c of this.config.commands) {
      const wanted = c.events !== undefined ? c.events.includes(n.type) : exec;
      if (wanted) outcome.commands.push(this.start(c.command, n));
    }
    if (exec && outcome.commands.length > 0) outcome.routes.push('exec');
    else if (exec) this.log.debug(`${n.type} is routed to exec but no command takes it`);
    return outcome;
  }

  /**
   * `upsagent notify test`: one notification through the routes, then waits
   * for its commands. Each is killed at commandTimeout by the spawner, so
   * this ends within about that time.
   */
  async test(type: NotifyType, ups: string): Promise<TestReport> {
    const message = this.message(type, ups, 'test');
    const outcome = this.notify({ type, ups, message, at: this.clock.now() });
    const commands = await Promise.all(outcome.commands.map(async (c) => ({ command: c.command, result: await c.done })));
    return { type, ups, message, routes: outcome.routes, commands };
  }

  /**
   * Stops accepting notifications. Commands already running are left to
   * finish (each still has its deadline), as upsmon's notify children are
   * not killed when upsmon exits; settled() waits for them.
   */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once every command started so far has ended. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private broadcast(text: string): void {
    try {
      this.wall(text);
    } catch (err) {
      this.log.warn(`console broadcast failed: ${errorMessage(err)}`);
    }
  }

  private start(command: string, n: Notification): StartedCommand {
    const env = { UPSNAME: n.ups, NOTIFYTYPE: n.type, NOTIFYMSG: n.message };
    const count = (this.running.get(command) ?? 0) + 1;
    this.running.set(command, count);
    if (count > MANY_RUNNING) this.log.warn(`${count} copies of notification command "${command}" are running; is it stuck?`);
    let proc: RunningCommand;
    try {
      proc = this.spawnCommand(command, env, this.config.commandTimeout * 1000);
    } catch (err) {
      // A spawner must not throw; if one does, the notification still must not.
      proc = { done: Promise.resolve({ code: null, signal: null, timedOut: false, error: errorMessage(err), stderr: '' }) };
    }
    const started: StartedCommand = { command, pid: proc.pid, done: proc.done };
    const done = proc.done.then((result) => {
      started.result = result;
      this.finished(command, n, result);
      return result;
    });
    started.done = done;
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return started;
  }

  private finished(command: string, n: Notification, r: CommandResult): void {
    const left = (this.running.get(command) ?? 1) - 1;
    if (left > 0) this.running.set(command, left);
    else this.running.delete(command);
    const what = `notification command "${command}" (${n.type} ${n.ups || 'this host'})`;
    const tail = r.stderr.trim() ? `: ${r.stderr.trim()}` : '';
    if (r.error !== undefined) this.log.error(`${what} could not run: ${r.error}`);
    else if (r.timedOut) this.log.warn(`${what} killed after ${this.config.commandTimeout}s${tail}`);
    else if (r.code !== 0) this.log.warn(`${what} ${describeResult(r)}${tail}`);
    else this.log.debug(`${what} exited 0`);
  }
}

/** "exited 3", "killed by SIGTERM", "could not run: ..." */
export function describeResult(r: CommandResult): string {
  if (r.error !== undefined) return `could not run: ${r.error}`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exited ${r.code}`;
}

/**
 * A command line that is only a program (no spaces or shell syntax) gets the
 * message as its one argument, as NOTIFYCMD does, so NUT notify scripts keep
 * working; a full shell command line runs as written (an appended argument
 * would change what it does) and finds the message in $1 and $NOTIFYMSG.
 */
export function notifyScript(cmd: string): string {
  return /^[\w@%+=:,./-]+$/.test(cmd) ? `${cmd} "$@"` : cmd;
}

function defaultSpawnCommand(log: Logger): SpawnCommand {
  return (cmd, env, timeoutMs) => spawnShell({ script: notifyScript(cmd), args: [env.NOTIFYMSG ?? ''], env, timeoutMs, log });
}

export interface ShellOptions {
  /** Run as `sh -c script name args...`: the arguments are $1... and are never parsed by the shell. */
  script: string;
  args?: string[];
  /** Added to this process's environment. */
  env: Record<string, string>;
  timeoutMs: number;
  log?: Logger;
  shell?: string;
}

/**
 * Runs a shell command without waiting for it. It gets its own process
 * group, so the deadline kills what it started too (SIGTERM, then SIGKILL),
 * not only the shell. Never throws: a missing shell or failed spawn comes
 * back as `error` in the result.
 */
export function spawnShell(opts: ShellOptions): RunningCommand {
  const shell = opts.shell ?? '/bin/sh';
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(shell, ['-c', opts.script, 'upsagent', ...(opts.args ?? [])], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
  } catch (err) {
    return { done: Promise.resolve({ code: null, signal: null, timedOut: false, error: errorMessage(err), stderr: '' }) };
  }
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const done = new Promise<CommandResult>((resolve) => {
    let timedOut = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // Already gone.
      }
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    }, opts.timeoutMs);
    deadline.unref();
    const end = (r: Omit<CommandResult, 'stderr' | 'timedOut'>): void => {
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      resolve({ ...r, timedOut, stderr });
    };
    child.once('error', (err) => {
      opts.log?.debug(`${shell}: ${err.message}`);
      end({ code: null, signal: null, error: err.message });
    });
    child.once('exit', (code, signal) => {
      // Something it left in the background may hold stderr open: take what came, do not wait for it.
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        child.stderr?.destroy();
        end({ code, signal });
      };
      if (child.stderr === null || child.stderr.closed || child.stderr.destroyed) finish();
      else {
        const t = setTimeout(finish, 100);
        child.stderr.once('close', () => {
          clearTimeout(t);
          finish();
        });
      }
    });
  });
  return { pid: child.pid, done };
}

/** Finds a program on PATH, as the shell would. */
function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const full = join(dir || '.', program);
    try {
      accessSync(full, fsConstants.X_OK);
      return full;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * upsmon's wall(): the message on wall's stdin. Looked up once; without wall
 * (a container, a minimal system) there is no console to broadcast to, which
 * is not worth more than a debug line.
 */
export function defaultWall(log: Logger, find: (p: string) => string | undefined = onPath): (text: string) => void {
  let path: string | null | undefined;
  return (text) => {
    if (path === undefined) path = find('wall') ?? null;
    if (path === null) {
      log.debug(`no wall program: console broadcast not possible for "${text}"`);
      return;
    }
    const child = spawn(path, [], { stdio: ['pipe', 'ignore', 'ignore'] });
    const t = setTimeout(() => child.kill('SIGKILL'), WALL_TIMEOUT_MS);
    t.unref();
    child.once('error', (err) => {
      clearTimeout(t);
      log.debug(`wall: ${err.message}`);
    });
    child.once('exit', () => clearTimeout(t));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${text}\n`);
  };
}
