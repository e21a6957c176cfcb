/**
 * `upsagent upsc`: NUT's upsc, with the same arguments, output and exit
 * codes (NUT 2.8.0), plus `-j` JSON output and `-W` as in NUT 2.8.5.
 */
import { nutErrorText, type NutClient } from '../../client';
import type { CliIO } from '../io';
import { getopt } from './getopt';
import { connectTool, fatal, isUnknownCommand, versionLine } from './nut-tool';
import { splitAddr, splitName } from '../../client/target';

const PROG = 'upsc';

/** NUT's three forms; options come first, as in NUT's upsc (its getopt stops at the first operand). */
const SYNOPSIS = [
  'usage: upsagent upsc [-j] [-W <secs>] -l | -L [<host>[:<port>]]',
  '       upsagent upsc [-j] [-W <secs>] <ups>[@<host>[:<port>]] [<variable>]',
  '       upsagent upsc [-j] [-W <secs>] -c <ups>[@<host>[:<port>]]',
];

function usage(io: CliIO): void {
  io.out(
    [
      'upsagent upsc: show the UPSes on a NUT server and their variables',
      '(the same arguments and output as Network UPS Tools upsc)',
      '',
      ...SYNOPSIS,
      '',
      'Options go before <ups> or <host>, as in NUT 2.8.5: "upsc -j myups", not "upsc myups -j".',
      '',
      '  -l          print the name of each UPS on the server, one per line',
      '  -L          the same, each name followed by the UPS description',
      '  <ups>       print every variable of this UPS as "name: value" lines',
      '  <variable>  print the value of this one variable only',
      '  -c          print the address of each client logged in to <ups>',
      '  -j          print JSON instead of text',
      '  -W <secs>   give up connecting after this many seconds (default: 10)',
      '  -V          print the version',
      '  -h          print this help',
      '',
      'The host defaults to localhost and the port to 3493.',
      '',
    ].join('\n'),
  );
}

/** NUT's json_print_esc: backslash escapes for quotes and control characters. */
export function jsonEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

interface Ctx {
  io: CliIO;
  json: boolean;
}

/** upsc's fatal path: with -j also `{"error": "..."}` on stdout, then "Error: ..." on stderr. */
function fail(ctx: Ctx, msg: string): number {
  if (ctx.json) ctx.io.out(`{"error": "${jsonEscape(msg)}"}\n`);
  return fatal(ctx.io, `Error: ${msg}`);
}

/** The text upsc prints when a query fails; an upsd without LIST says it is too old. */
function queryError(err: unknown, tooOld: string): string {
  return isUnknownCommand(err) ? tooOld : nutErrorText(err);
}

const TOO_OLD = 'upsd is too old to support this query';

async function listUpses(ctx: Ctx, client: NutClient, verbose: boolean): Promise<number> {
  let upses: Array<[string, string]>;
  try {
    upses = await client.listUps();
  } catch (err) {
    return fail(ctx, queryError(err, TOO_OLD));
  }
  const { io } = ctx;
  if (!ctx.json) {
    for (const [name, desc] of upses) io.out(verbose ? `${name}: ${desc}\n` : `${name}\n`);
    return 0;
  }
  const items = upses.map(([name, desc]) => (verbose ? `  "${jsonEscape(name)}": "${jsonEscape(desc)}"` : `  "${jsonEscape(name)}"`));
  // NUT prints an empty line between the brackets when the list is empty; so do we.
  io.out(verbose ? `{\n${items.join(',\n')}\n}\n` : `[\n${items.join(',\n')}\n]\n`);
  return 0;
}

async function listClients(ctx: Ctx, client: NutClient, ups: string): Promise<number> {
  let clients: string[];
  try {
    clients = await client.listClients(ups);
  } catch (err) {
    return fail(ctx, queryError(err, TOO_OLD));
  }
  if (ctx.json) ctx.io.out(`[\n${clients.map((c) => `  "${jsonEscape(c)}"`).join(',\n')}\n]\n`);
  else for (const c of clients) ctx.io.out(`${c}\n`);
  return 0;
}

async function listVars(ctx: Ctx, client: NutClient, ups: string): Promise<number> {
  const { io } = ctx;
  // upsc -j opens the object before asking, and puts an error inside it.
  if (ctx.json) io.out('{\n');
  let vars: Array<[string, string]>;
  try {
    vars = await client.listVars(ups);
  } catch (err) {
    const msg = queryError(err, TOO_OLD);
    if (ctx.json) io.out(`  "error": "${jsonEscape(msg)}"\n}\n`);
    return fatal(io, `Error: ${msg}`);
  }
  if (ctx.json) io.out(`${vars.map(([n, v]) => `  "${jsonEscape(n)}": "${jsonEscape(v)}"`).join(',\n')}\n}\n`);
  else for (const [n, v] of vars) io.out(`${n}: ${v}\n`);
  return 0;
}

async function printVar(ctx: Ctx, client: NutClient, ups: string, name: string): Promise<number> {
  // Names without a dot are NUT 1.x names, which upsd no longer knows.
  if (!name.includes('.')) return fail(ctx, 'old-style variable names are not supported');
  let value: string;
  try {
    value = await client.getVar(ups, name);
  } catch (err) {
    return fail(ctx, isUnknownCommand(err) ? 'variable unknown (old upsd detected)' : nutErrorText(err));
  }
  ctx.io.out(ctx.json ? `"${jsonEscape(value)}"\n` : `${value}\n`);
  return 0;
}

export async function runUpsc(args: string[], io: CliIO): Promise<number> {
  const parsed = getopt(args, '+hlLcVW:j', PROG);
  if (!parsed.ok) {
    io.err(`${parsed.message}\n`);
    usage(io);
    return 0;
  }
  let varlist = false;
  let verbose = false;
  let clientlist = false;
  let json = false;
  let connectTimeout: string | undefined;
  for (const { opt, arg } of parsed.options) {
    switch (opt) {
      case 'L':
        verbose = true;
        varlist = true;
        break;
      case 'l':
        varlist = true;
        break;
      case 'c':
        clientlist = true;
        break;
      case 'j':
        json = true;
        break;
      case 'W':
        connectTimeout = arg;
        break;
      case 'V':
        io.err(versionLine(PROG));
        return 0;
      default:
        usage(io);
        return 0;
    }
  }
  const ctx: Ctx = { io, json };
  let timeoutMs: number | undefined;
  if (connectTimeout !== undefined) {
    const secs = Number(connectTimeout);
    if (connectTimeout.trim() === '' || !Number.isFinite(secs) || secs < 0) return fail(ctx, `invalid network timeout: ${connectTimeout}`);
    timeoutMs = secs * 1000;
  }

  // NUT's upsc stops reading options at the first operand, so `upsc ups -j` asks for a variable
  // named "-j" and answers "old-style variable names are not supported"; for -j, the option people
  // add last when they want JSON, say what is wrong instead. The others keep NUT's exact answer,
  // which scripts may look for.
  const late = parsed.operands.slice(1).find((w) => /^-j/.test(w));
  if (late !== undefined) {
    io.err(`Error: ${late} is an option; options go before the UPS or host, e.g. upsagent upsc ${late} ${parsed.operands[0]}\n${SYNOPSIS.join('\n')}\n`);
    return 1;
  }

  const first = parsed.operands[0];
  let host: string;
  let port: number;
  let ups = '';
  if (varlist) {
    const r = splitAddr(first ?? 'localhost');
    if (!r.ok) {
      if (r.diagnostic) io.err(`${r.diagnostic}\n`);
      return fail(ctx, 'invalid hostname.\nRequired format: [hostname[:port]]');
    }
    ({ host, port } = r.value);
  } else {
    const r = splitName(first);
    if (!r.ok) {
      if (r.diagnostic) io.err(`${r.diagnostic}\n`);
      return fail(ctx, 'invalid UPS definition.\nRequired format: upsname[@hostname[:port]]');
    }
    ({ ups, host, port } = r.value);
  }

  const client = await connectTool(io, host, port, { tryTls: true, timeoutMs, onError: (text) => fail(ctx, text) });
  if (!client) return 1;
  try {
    if (varlist) return await listUpses(ctx, client, verbose);
    if (clientlist) return await listClients(ctx, client, ups);
    const name = parsed.operands[1];
    return name !== undefined ? await printVar(ctx, client, ups, name) : await listVars(ctx, client, ups);
  } finally {
    await client.close();
  }
}
