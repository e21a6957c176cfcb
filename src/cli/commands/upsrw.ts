/**
 * `upsagent upsrw`: NUT's upsrw (2.8.0) — list the writable variables of a
 * UPS with their type and value, or set one — with the same arguments,
 * output and exit codes.
 */
import { nutErrorText, type NutClient } from '../../client';
import type { CliIO } from '../io';
import { getopt } from './getopt';
import {
  askCredentials,
  connectTool,
  DEFAULT_TRACKING_TIMEOUT,
  enableTracking,
  fatal,
  isUnknownCommand,
  parseTimeout,
  runAction,
  sendCredentials,
  versionLine,
} from './nut-tool';
import { splitName } from '../../client/target';

const PROG = 'upsrw';

function usage(io: CliIO): void {
  io.out(
    [
      'upsagent upsrw: list or change the writable variables of a UPS',
      '(the same arguments and output as Network UPS Tools upsrw)',
      '',
      'usage: upsagent upsrw [-h]',
      '       upsagent upsrw [-s <variable>[=<value>]] [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups>',
      '',
      '  -s <var>=<value>  set this variable (without "=<value>" the value is asked for)',
      '  -l                list the writable variables (what happens without -s)',
      '  -u <username>     user name from upsd.users (asked for when missing)',
      '  -p <password>     password (asked for, without echo, when missing)',
      '  -w                wait until the driver has applied the value and print its result',
      `  -t <timeout>      how long -w waits, in seconds (default: ${DEFAULT_TRACKING_TIMEOUT})`,
      '  -V                print the version',
      '  -h                print this help',
      '',
      '  <ups>             <upsname>[@<host>[:<port>]]; host localhost and port 3493 by default',
      '',
    ].join('\n'),
  );
}

/** C atoi: leading blanks, optional sign, digits; anything else reads 0. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Math.trunc(Number(m[1])) : 0;
}

/** GET of a value; upsrw treats any failure the same way. */
async function tryGet<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch {
    return null;
  }
}

class ValueUnavailable extends Error {}

/** Prints one variable's block: name, description, type and value. */
async function printRw(io: CliIO, client: NutClient, ups: string, name: string): Promise<void> {
  io.out(`[${name}]\n`);
  io.out(`${(await tryGet(() => client.getDesc(ups, name))) ?? 'Description unavailable'}\n`);
  await printType(io, client, ups, name);
  io.out('\n');
}

async function currentValue(client: NutClient, ups: string, name: string, who: string): Promise<string> {
  const v = await tryGet(() => client.getVar(ups, name));
  if (v === null) throw new ValueUnavailable(`${who}: can't get current value of ${name}`);
  return v;
}

async function printEnum(io: CliIO, client: NutClient, ups: string, name: string, kind: 'STRING' | 'NUMBER' | null, maxLength: number): Promise<void> {
  const value = await currentValue(client, ups, name, 'do_enum');
  const options = await client.listEnum(ups, name);
  io.out(kind ? `Type: ENUM ${kind}\n` : 'Type: ENUM\n');
  if (kind === 'STRING') io.out(`Maximum length: ${maxLength}\n`);
  for (const o of options) io.out(`Option: "${o}"${o === value ? ' SELECTED' : ''}\n`);
}

async function printRange(io: CliIO, client: NutClient, ups: string, name: string): Promise<void> {
  const value = atoi(await currentValue(client, ups, name, 'do_range'));
  const ranges = await client.listRange(ups, name);
  io.out('Type: RANGE NUMBER\n');
  for (const [lo, hi] of ranges) {
    const min = atoi(lo);
    const max = atoi(hi);
    io.out(`Option: "${min}-${max}"${value >= min && value <= max ? ' SELECTED' : ''}\n`);
  }
}

/** Walks the words of GET TYPE as upsrw does: ENUM is a modifier, RANGE/STRING/NUMBER decide. */
async function printType(io: CliIO, client: NutClient, ups: string, name: string): Promise<void> {
  const types = await tryGet(() => client.getType(ups, name));
  if (types === null) {
    io.out('Unknown type\n');
    return;
  }
  let isEnum = false;
  for (const t of types) {
    const u = t.toUpperCase();
    if (u === 'ENUM') {
      isEnum = true;
      continue;
    }
    if (u === 'RANGE') return printRange(io, client, ups, name);
    if (u.startsWith('STRING:')) {
      const len = atoi(t.slice(7));
      if (isEnum) return printEnum(io, client, ups, name, 'STRING', len);
      const v = await currentValue(client, ups, name, 'do_string');
      io.out(`Type: STRING\nMaximum length: ${len}\nValue: ${v}\n`);
      return;
    }
    if (u === 'NUMBER') {
      if (isEnum) return printEnum(io, client, ups, name, 'NUMBER', 0);
      const v = await currentValue(client, ups, name, 'do_number');
      io.out(`Type: NUMBER\nValue: ${v}\n`);
      return;
    }
    if (u === 'RW') continue;
    io.out(`Type: ${t} (unrecognized)\n`);
  }
  // upsd before 2.7 says ENUM without STRING or NUMBER.
  if (isEnum) await printEnum(io, client, ups, name, null, 0);
}

async function listRw(io: CliIO, client: NutClient, ups: string): Promise<number> {
  let names: string[];
  try {
    names = (await client.listRw(ups)).map(([n]) => n);
  } catch (err) {
    return fatal(io, `Error: ${isUnknownCommand(err) ? 'upsd is too old to support this query' : nutErrorText(err)}`);
  }
  try {
    for (const name of names) await printRw(io, client, ups, name);
  } catch (err) {
    if (err instanceof ValueUnavailable) return fatal(io, err.message);
    return fatal(io, `Error: ${nutErrorText(err)}`);
  }
  return 0;
}

async function setVar(
  io: CliIO,
  client: NutClient,
  ups: string,
  spec: string,
  opts: { user?: string; password?: string; tracking: boolean; timeoutSec: number },
): Promise<number> {
  const creds = await askCredentials(io, opts.user, opts.password);
  if (!creds) return 1;
  const eq = spec.indexOf('=');
  const name = eq >= 0 ? spec.slice(0, eq) : spec;
  const value = eq >= 0 ? spec.slice(eq + 1) : await io.prompt(`Enter new value for ${name}: `);
  const failed = await sendCredentials(io, client, creds.user, creds.password);
  if (failed !== null) return failed;
  if (!name.includes('.')) return fatal(io, 'Error: old variable names are not supported');
  if (opts.tracking) {
    const t = await enableTracking(io, client, 'set variable');
    if (t !== null) return t;
  }
  return runAction(io, client, ['SET', 'VAR', ups, name, value], { failText: 'Set variable failed', tracking: opts.tracking, timeoutSec: opts.timeoutSec });
}

export async function runUpsrw(args: string[], io: CliIO): Promise<number> {
  const parsed = getopt(args, '+hls:p:t:u:wV', PROG);
  if (!parsed.ok) {
    io.err(`${parsed.message}\n`);
    usage(io);
    return 0;
  }
  let setvar: string | undefined;
  let user: string | undefined;
  let password: string | undefined;
  let tracking = false;
  let timeoutSec = DEFAULT_TRACKING_TIMEOUT;
  for (const { opt, arg } of parsed.options) {
    switch (opt) {
      case 's':
        setvar = arg;
        break;
      case 'l':
        if (setvar !== undefined) {
          io.err('Listing mode requested, overriding setvar specified earlier!\n');
          setvar = undefined;
        }
        break;
      case 'p':
        password = arg;
        break;
      case 't': {
        const t = parseTimeout(arg ?? '');
        if (typeof t === 'string') return fatal(io, t);
        timeoutSec = t;
        break;
      }
      case 'u':
        user = arg;
        break;
      case 'w':
        tracking = true;
        break;
      case 'V':
        io.out(versionLine(PROG));
        return 0;
      default:
        usage(io);
        return 0;
    }
  }
  if (parsed.operands.length < 1) {
    usage(io);
    return 0;
  }
  const target = splitName(parsed.operands[0]);
  if (!target.ok) {
    if (target.diagnostic) io.err(`${target.diagnostic}\n`);
    return fatal(io, 'Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]');
  }
  const { ups, host, port } = target.value;
  const client = await connectTool(io, host, port, { tryTls: false });
  if (!client) return 1;
  try {
    if (setvar !== undefined) return await setVar(io, client, ups, setvar, { user, password, tracking, timeoutSec });
    return await listRw(io, client, ups);
  } finally {
    await client.close();
  }
}
