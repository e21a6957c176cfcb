/**
 * The agent's side of the privileged helper: starts it (while the agent is
 * still root), hands it the shutdown command and flag file, and then asks it
 * for the two things only root may do. It implements ShutdownActions, so the
 * monitor does not know whether it talks to the helper or runs them itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import { isSingleExecutable } from '../platform/native';
import type { ShutdownActions } from './actions';
import { LineSplitter, MAX_SETUP_LINE, PrivilegedHelperError, REQUESTS, encodeSetup, type HelperRequest, type HelperSetup } from './protocol';

/** The hidden subcommand that runs the helper. */
export const HELPER_COMMAND = 'privileged-helper';

export interface HelperCommand {
  file: string;
  args: string[];
}

/** This very program, started again as the helper: the executable itself, or node with the same loader and script. */
export function selfHelperCommand(): HelperCommand {
  if (isSingleExecutable()) return { file: process.execPath, args: [HELPER_COMMAND] };
  return { file: process.execPath, args: [...process.execArgv, process.argv[1] ?? '', HELPER_COMMAND] };
}

export interface StartHelperOptions {
  setup: HelperSetup;
  log: Logger;
  command?: HelperCommand;
  /** How long the helper may take to start and clear the flag. */
  readyTimeoutMs?: number;
}

interface Pending {
  resolve(line: string): void;
  reject(err: Error): void;
}

export class PrivilegedHelper implements ShutdownActions {
  private readonly pending: Pending[] = [];
  private gone: Error | undefined;
  private stopping = false;
  private readonly lostListeners: Array<(why: string) => void> = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly setup: HelperSetup,
    /** What the helper did with a flag left from an earlier shutdown: removed, absent, foreign, none, error. */
    readonly clearedFlag: string,
    private readonly log: Logger,
    exited: Promise<void>,
  ) {
    this.exited = exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Spawns the helper and waits until it has cleared the old flag and is ready. */
  static async start(opts: StartHelperOptions): Promise<PrivilegedHelper> {
    const cmd = opts.command ?? selfHelperCommand();
    const child = spawn(cmd.file, cmd.args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let onLine: ((line: string) => void) | undefined;
    let onGone: ((err: Error) => void) | undefined;
    const splitter = new LineSplitter(
      MAX_SETUP_LINE,
      (l) => (onLine ? onLine(l) : lines.push(l)),
      () => child.kill('SIGKILL'),
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => splitter.push(c));
    const exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        onGone?.(new PrivilegedHelperError(`the privileged helper could not start: ${err.message}`));
        resolve();
      });
      child.once('exit', (code, signal) => {
        onGone?.(new PrivilegedHelperError(`the privileged helper exited (${signal ?? `code ${code}`})`));
        resolve();
      });
    });
    // A helper that died before the agent asks anything must not take the agent down with an EPIPE.
    child.stdin!.on('error', () => undefined);
    child.stdin!.write(encodeSetup(opts.setup));

    const ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new PrivilegedHelperError('the privileged helper did not answer in time'));
      }, opts.readyTimeoutMs ?? 15_000);
      onGone = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      onLine = (l) => {
        clearTimeout(timer);
        if (l.startsWith('READY ')) resolve(l.slice('READY '.length));
        else {
          child.kill('SIGKILL');
          reject(new PrivilegedHelperError(`the privileged helper did not start: ${l}`));
        }
      };
      for (const l of lines.splice(0)) onLine(l);
    });
    const helper = new PrivilegedHelper(child, opts.setup, ready, opts.log, exited);
    onLine = (l) => helper.answer(l);
    onGone = (err) => helper.lost(err);
    if (child.exitCode !== null || child.signalCode !== null) helper.lost(new PrivilegedHelperError('the privileged helper exited'));
    return helper;
  }

  async runShutdown(command: string): Promise<number | null> {
    // The helper runs the command it was given at start, never one sent later.
    if (command !== this.setup.shutdownCommand) throw new PrivilegedHelperError(`the privileged helper runs only ${JSON.stringify(this.setup.shutdownCommand)}`);
    const line = await this.ask(REQUESTS.shutdown);
    const m = /^DONE (\d+|null)$/.exec(line);
    if (!m) throw new PrivilegedHelperError(`the privileged helper could not run the shutdown command: ${line.replace(/^ERR /, '')}`);
    return m[1] === 'null' ? null : Number(m[1]);
  }

  async writeFlag(file: string): Promise<void> {
    if (file !== this.setup.powerDownFlag) throw new PrivilegedHelperError(`the privileged helper writes only ${this.setup.powerDownFlag ?? 'no flag'}`);
    const line = await this.ask(REQUESTS.flag);
    if (line !== 'OK') throw new PrivilegedHelperError(line.replace(/^ERR /, ''));
  }

  /** Done by the helper when it started, as root (as upsmon clears it before it splits). */
  clearFlag(file: string): Promise<unknown> {
    if (file !== this.setup.powerDownFlag) return Promise.reject(new PrivilegedHelperError(`the privileged helper clears only ${this.setup.powerDownFlag ?? 'no flag'}`));
    return Promise.resolve(this.clearedFlag);
  }

  /** Closes the pipe: the helper exits, as upsmon's parent does when its child is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.child.stdin?.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
  }

  private ask(request: HelperRequest): Promise<string> {
    if (this.gone) return Promise.reject(this.gone);
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      try {
        this.child.stdin!.write(`${request}\n`);
      } catch (err) {
        this.lost(new PrivilegedHelperError(`cannot reach the privileged helper: ${errorMessage(err)}`));
      }
    });
  }

  private answer(line: string): void {
    const p = this.pending.shift();
    if (p) p.resolve(line);
    else this.log.warn(`privileged helper said, unasked: ${line}`);
  }

  onLost(listener: (why: string) => void): void {
    this.lostListeners.push(listener);
  }

  private lost(err: Error): void {
    const first = !this.gone;
    this.gone = err;
    for (const p of this.pending.splice(0)) p.reject(err);
    if (!first || this.stopping) return;
    this.log.error(`${errorMessage(err)}: the shutdown command can no longer be run`);
    for (const l of this.lostListeners) {
      try {
        l(errorMessage(err));
      } catch (e) {
        this.log.error(`after the helper was lost: ${errorMessage(e)}`);
      }
    }
  }
}
