/**
 * What upsc, upsrw and upscmd share: connecting the way NUT's tools do and
 * printing their failures in their words, asking for credentials, reading
 * `-t` like NUT's str_to_uint.
 */
import { userInfo } from 'node:os';
import { NutClient, NutProtocolError, nutErrorText } from '../../client';
import type { CliIO } from '../io';
import { VERSION } from '../version';

/** The NUT release whose tools' behaviour these commands reproduce. */
export const NUT_COMPAT = '2.8.0';

/** `-V` text: ours, saying what it is compatible with. */
export function versionLine(tool: string): string {
  return `upsagent ${tool} ${VERSION} (compatible with Network UPS Tools ${tool} ${NUT_COMPAT})\n`;
}

/** The default for `-t`: seconds to wait for a tracked SET/INSTCMD result. */
export const DEFAULT_TRACKING_TIMEOUT = 10;

/** Prints `message` on stderr and gives the failure exit code, as NUT's fatalx does. */
export function fatal(io: CliIO, message: string): number {
  io.err(`${message}\n`);
  return 1;
}

/**
 * Connects as NUT's tools do. `tryTls` sends STARTTLS first (upsc does; upsrw
 * and upscmd do not) and carries on in plain text when the server declines.
 * On failure prints "Error: <upsclient text>" and returns null.
 */
export async function connectTool(
  io: CliIO,
  host: string,
  port: number,
  opts: { tryTls: boolean; timeoutMs?: number; onError?: (text: string) => void },
): Promise<NutClient | null> {
  try {
    const client = await NutClient.connect({ host, port, timeoutMs: opts.timeoutMs });
    if (opts.tryTls) {
      try {
        await client.startTls();
      } catch (err) {
        client.destroy();
        throw err;
      }
    }
    return client;
  } catch (err) {
    const text = nutErrorText(err);
    if (opts.onError) opts.onError(text);
    else fatal(io, `Error: ${text}`);
    return null;
  }
}

/**
 * NUT's str_to_uint for `-t`: optional leading blanks, then digits only.
 * Returns seconds, or the message NUT's tools exit with.
 */
export function parseTimeout(text: string): number | string {
  const prefix = "Could not convert the provided value for timeout ('-t' option) to unsigned int";
  if (!/^[ \t\n\v\f\r]*\d+$/.test(text)) return `${prefix}: Invalid argument`;
  const n = Number(text.trim());
  if (n > 0xffffffff) return `${prefix}: Numerical result out of range`;
  return n;
}

/** The login name NUT's tools offer as the default user name. */
function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/**
 * Asks for whatever was not given on the command line: the user name (an
 * empty answer takes the login name, as NUT's tools do), then the password
 * with echo off. Returns null after printing the error when no user name can
 * be had.
 */
export async function askCredentials(io: CliIO, user: string | undefined, password: string | undefined): Promise<{ user: string; password: string } | null> {
  if (user === undefined) {
    const me = loginName();
    const answer = await io.prompt(me ? `Username (${me}): ` : 'Username: ');
    user = answer !== '' ? answer : me;
    if (user === '') {
      fatal(io, 'No username available - even tried getpwuid');
      return null;
    }
  }
  if (password === undefined) password = await io.prompt('Password: ', { hidden: true });
  return { user, password };
}

/**
 * Sends USERNAME and PASSWORD the way upsrw/upscmd 2.8.0 do: an ERR answer is
 * not checked here (the SET or INSTCMD that follows reports it), only a lost
 * connection stops them. An empty password is sent as a bare `PASSWORD`, as
 * the C tools do, so upsd answers PASSWORD-REQUIRED as it does for them.
 * Returns an exit code on failure, null to carry on.
 */
export async function sendCredentials(io: CliIO, client: NutClient, user: string, password: string): Promise<number | null> {
  const steps: Array<[string | string[], string]> = [
    [['USERNAME', user], 'Set username failed'],
    [password === '' ? 'PASSWORD' : ['PASSWORD', password], 'Set password failed'],
  ];
  for (const [request, failText] of steps) {
    try {
      await client.request(request, { rawErr: true });
    } catch (err) {
      return fatal(io, `${failText}: ${nutErrorText(err)}`);
    }
  }
  return null;
}

/**
 * Turns on status tracking (`-w`). Returns an exit code on failure, null on
 * success; `what` is "set variable" or "command" as in NUT's messages.
 */
export async function enableTracking(io: CliIO, client: NutClient, what: string): Promise<number | null> {
  let line: string;
  try {
    line = await client.request(['SET', 'TRACKING', 'ON'], { rawErr: true });
  } catch (err) {
    return fatal(io, `Enabling ${what} status tracking failed: ${nutErrorText(err)}`);
  }
  if (!line.startsWith('OK')) return fatal(io, `Enabling ${what} status tracking failed. upsd answered: ${line}`);
  return null;
}

/** "OK TRACKING <uuid>": the exact shape NUT's tools accept as a tracking id. */
const TRACKING_REPLY = /^OK TRACKING (.{36})$/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sends SET VAR or INSTCMD and reports the outcome as upsrw/upscmd do: the
 * `OK` line (or, with tracking, the final result line) on stderr with exit 0;
 * any other answer is "Unexpected response from upsd: ..." with exit 1.
 */
export async function runAction(
  io: CliIO,
  client: NutClient,
  request: string[],
  opts: { failText: string; tracking: boolean; timeoutSec: number },
): Promise<number> {
  let line: string;
  try {
    line = await client.request(request, { rawErr: true });
  } catch (err) {
    return fatal(io, `${opts.failText}: ${nutErrorText(err)}`);
  }
  if (!line.startsWith('OK')) return fatal(io, `Unexpected response from upsd: ${line}`);
  const m = TRACKING_REPLY.exec(line);
  if (!opts.tracking || !m) {
    io.err(`${line}\n`);
    return 0;
  }
  const id = m[1]!;
  const start = Date.now();
  for (;;) {
    if ((Date.now() - start) / 1000 >= opts.timeoutSec) return fatal(io, "Can't receive status tracking information: timeout");
    let result: string;
    try {
      result = await client.getTracking(id);
    } catch (err) {
      return fatal(io, `Can't receive status tracking information: ${nutErrorText(err)}`);
    }
    if (!result.startsWith('PENDING')) {
      io.err(`${result}\n`);
      return 0;
    }
    // The driver has not answered yet; NUT's tools ask again every second.
    await sleep(1000);
  }
}

/** True for the answer of an upsd too old to know a command. */
export function isUnknownCommand(err: unknown): boolean {
  return err instanceof NutProtocolError && err.code === 'UNKNOWN-COMMAND';
}

