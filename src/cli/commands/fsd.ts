/**
 * `upsagent fsd ups[@host[:port]]`: raises forced shutdown (FSD) on a UPS of a
 * NUT server by hand, as `upsmon -c fsd` has the running primary upsmon do:
 * every monitor of that UPS then shuts its host down as if the battery were
 * exhausted. Works against this agent's server and against NUT's upsd.
 *
 * upsd only lets a upsmon primary set FSD (our server also lets a user with
 * the `fsd` action), so PRIMARY is asked for first, as upsmon holds it; its
 * refusal is not fatal by itself, FSD's answer decides.
 */
import { loadConfig } from '../../app/config';
import { NutClient, NutProtocolError, nutErrorText } from '../../client';
import { splitName, type UpsTarget } from '../../client/target';
import { errorMessage } from '../../core/errors';
import type { CliIO } from '../io';
import { askCredentials, connectTool } from './nut-tool';

export interface FsdOptions {
  /** ups[@host[:port]]; host localhost and port 3493 by default. */
  target: string;
  user?: string;
  password?: string;
  /** Where to look for the credentials of the monitor.ups entry that watches this UPS. */
  config?: string;
}

/** Exit code when FSD could not be set (bad target, no connection, refused). */
export const EXIT_FSD_FAILED = 1;

export async function runFsd(opts: FsdOptions, io: CliIO): Promise<number> {
  const parsed = splitName(opts.target);
  if (!parsed.ok) {
    if (parsed.diagnostic) io.err(`${parsed.diagnostic}\n`);
    io.err('Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n');
    return EXIT_FSD_FAILED;
  }
  const target = parsed.value;
  let { user, password } = opts;
  if ((user === undefined || password === undefined) && opts.config !== undefined) {
    const found = await configCredentials(opts.config, target, io);
    // The command line wins; the configuration fills in only what it left out, and only as a pair from one entry.
    if (found && (user === undefined || user === found.user)) {
      user = found.user;
      password ??= found.password;
    }
  }
  const creds = await askCredentials(io, user, password);
  if (!creds) return EXIT_FSD_FAILED;

  const client = await connectTool(io, target.host, target.port, { tryTls: false });
  if (!client) return EXIT_FSD_FAILED;
  try {
    return await raiseFsd(client, target, creds, io);
  } finally {
    await client.close();
  }
}

async function raiseFsd(client: NutClient, target: UpsTarget, creds: { user: string; password: string }, io: CliIO): Promise<number> {
  const where = `${target.ups}@${target.host}:${target.port}`;
  try {
    await client.username(creds.user);
    // A bare PASSWORD for an empty one, as NUT's tools send it, so the server answers PASSWORD-REQUIRED as to them.
    if (creds.password === '') await client.request('PASSWORD');
    else await client.password(creds.password);
  } catch (err) {
    io.err(`Error: logging in as ${creds.user} on ${target.host}:${target.port} failed: ${describe(err)}\n`);
    return EXIT_FSD_FAILED;
  }
  let primaryRefused: string | undefined;
  try {
    await client.primary(target.ups);
  } catch (err) {
    if (!(err instanceof NutProtocolError)) {
      io.err(`Error: ${where}: ${describe(err)}\n`);
      return EXIT_FSD_FAILED;
    }
    primaryRefused = describe(err);
  }
  try {
    await client.fsd(target.ups);
  } catch (err) {
    const hint = primaryRefused !== undefined ? ` (PRIMARY was refused too: ${primaryRefused}; the user needs upsmon primary, or on upsagent the fsd action)` : '';
    io.err(`Error: setting FSD on ${where} failed: ${describe(err)}${hint}\n`);
    return EXIT_FSD_FAILED;
  }
  io.out(`FSD set on ${where}: every monitor of this UPS will now shut its host down\n`);
  return 0;
}

/** upsclient's words for the failure, with the server's own line when it sent one. */
function describe(err: unknown): string {
  return err instanceof NutProtocolError ? `${nutErrorText(err)} (${err.line})` : nutErrorText(err);
}

/**
 * The user and password of the monitor.ups entry watching this UPS: its name
 * as written, or the same UPS, host and port once parsed (a local name is
 * `ups@localhost:3493`). A configuration that cannot be read is reported and
 * otherwise ignored: the credentials can still be typed.
 */
async function configCredentials(file: string, target: UpsTarget, io: CliIO): Promise<{ user: string; password: string } | undefined> {
  let entries;
  try {
    entries = (await loadConfig(file)).monitor?.ups ?? [];
  } catch (err) {
    io.err(`note: not using ${file} for the credentials: ${errorMessage(err).split('\n')[0]}\n`);
    return undefined;
  }
  for (const e of entries) {
    if (e.user === undefined || e.password === undefined) continue;
    const p = splitName(e.name);
    if (!p.ok) continue;
    if (sameTarget(p.value, target)) return { user: e.user, password: e.password };
  }
  return undefined;
}

function sameTarget(a: UpsTarget, b: UpsTarget): boolean {
  return a.ups.toLowerCase() === b.ups.toLowerCase() && a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port;
}
