/**
 * `upsagent upscmd`: NUT's upscmd (2.8.0) — list a UPS's instant commands or
 * run one — with the same arguments, output and exit codes.
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

const PROG = 'upscmd';

function usage(io: CliIO): void {
  io.out(
    [
      'upsagent upscmd: list or run the instant commands of a UPS',
      '(the same arguments and output as Network UPS Tools upscmd)',
      '',
      'usage: upsagent upscmd [-h]',
      '       upsagent upscmd [-l <ups>]',
      '       upsagent upscmd [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups> <command> [<value>]',
      '',
      '  -l <ups>       list the instant commands of <ups> with their descriptions',
      '  -u <username>  user name from upsd.users (asked for when missing)',
      '  -p <password>  password (asked for, without echo, when missing)',
      '  -w             wait until the driver has run the command and print its result',
      `  -t <timeout>   how long -w waits, in seconds (default: ${DEFAULT_TRACKING_TIMEOUT})`,
      '  -V             print the version',
      '  -h             print this help',
      '',
      '  <ups>          <upsname>[@<host>[:<port>]]; host localhost and port 3493 by default',
      '  <command>      an instant command, e.g. test.battery.start or load.off',
      '  <value>        a value some commands take, e.g. a delay in seconds',
      '',
    ].join('\n'),
  );
}

async function listCmds(io: CliIO, client: NutClient, ups: string): Promise<number> {
  let cmds: string[];
  try {
    cmds = await client.listCmd(ups);
  } catch (err) {
    return fatal(io, `Error: ${isUnknownCommand(err) ? 'upsd is too old to support this query' : nutErrorText(err)}`);
  }
  io.out(`Instant commands supported on UPS [${ups}]:\n\n`);
  for (const cmd of cmds) {
    let desc: string | null;
    try {
      desc = await client.getCmdDesc(ups, cmd);
    } catch {
      desc = null;
    }
    io.out(desc === null ? `${cmd}\n` : `${cmd} - ${desc}\n`);
  }
  return 0;
}

export async function runUpscmd(args: string[], io: CliIO): Promise<number> {
  const parsed = getopt(args, '+lhu:p:t:wV', PROG);
  if (!parsed.ok) {
    io.err(`${parsed.message}\n`);
    usage(io);
    return 0;
  }
  let list = false;
  let user: string | undefined;
  let password: string | undefined;
  let tracking = false;
  let timeoutSec = DEFAULT_TRACKING_TIMEOUT;
  for (const { opt, arg } of parsed.options) {
    switch (opt) {
      case 'l':
        list = true;
        break;
      case 'u':
        user = arg;
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
      case 'w':
        tracking = true;
        break;
      case 'V':
        io.err(versionLine(PROG));
        return 0;
      default:
        usage(io);
        return 0;
    }
  }
  const operands = parsed.operands;
  if (operands.length < 1) {
    usage(io);
    return 0;
  }
  const target = splitName(operands[0]);
  if (!target.ok) {
    if (target.diagnostic) io.err(`${target.diagnostic}\n`);
    return fatal(io, 'Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]');
  }
  const { ups, host, port } = target.value;
  const client = await connectTool(io, host, port, { tryTls: false });
  if (!client) return 1;
  try {
    if (list) return await listCmds(io, client, ups);
    const cmd = operands[1];
    if (cmd === undefined) {
      usage(io);
      return 0;
    }
    // Names without a dot are NUT 1.x command names, which upsd no longer knows.
    if (!cmd.includes('.')) return fatal(io, 'Error: old command names are not supported');
    const creds = await askCredentials(io, user, password);
    if (!creds) return 1;
    const failed = await sendCredentials(io, client, creds.user, creds.password);
    if (failed !== null) return failed;
    if (tracking) {
      const t = await enableTracking(io, client, 'command');
      if (t !== null) return t;
    }
    const param = operands[2];
    const request = param === undefined ? ['INSTCMD', ups, cmd] : ['INSTCMD', ups, cmd, param];
    return await runAction(io, client, request, { failText: 'Instant command failed', tracking, timeoutSec });
  } finally {
    await client.close();
  }
}
