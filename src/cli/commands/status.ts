/**
 * `upsagent status [ups[@host[:port]] | @host[:port]] [--json]`: a summary of
 * each UPS a NUT server knows (or of one), readable at a glance.
 * Exit 0 when the server answered (even if some UPS has stale data: that is
 * shown, not an error of this command), 1 when it could not be reached, the
 * UPS is unknown or the target cannot be parsed.
 */
import { DEFAULT_HOST, DEFAULT_PORT, NutClient, NutProtocolError, nutErrorText } from '../../client';
import type { CliIO } from '../io';
import { renderJson, renderTable, summarize, unavailable, type StatusDocument, type UpsSummary } from './status-format';
import { splitAddr, splitName } from '../../client/target';

export interface StatusOptions {
  /** `ups[@host[:port]]` for one UPS, `@host[:port]` for every UPS on a host; default: every UPS on localhost. */
  target?: string;
  json: boolean;
  timeoutMs?: number;
}

/** What upsd says when ups.conf gives no description (LIST UPS, GET UPSDESC). */
const NO_DESC = new Set(['Description unavailable', 'Unavailable']);

interface Target {
  host: string;
  port: number;
  ups: string | null;
}

function parseTarget(text: string | undefined): Target | null {
  if (text === undefined || text === '') return { host: DEFAULT_HOST, port: DEFAULT_PORT, ups: null };
  if (text.startsWith('@')) {
    const r = splitAddr(text.slice(1));
    return r.ok ? { ...r.value, ups: null } : null;
  }
  const r = splitName(text);
  return r.ok ? r.value : null;
}

async function summarizeOne(client: NutClient, name: string, description: string | null): Promise<UpsSummary> {
  try {
    return summarize(name, description, await client.listVars(name));
  } catch (err) {
    if (err instanceof NutProtocolError) return unavailable(name, description, err.code, nutErrorText(err));
    throw err;
  }
}

export async function runStatus(opts: StatusOptions, io: CliIO): Promise<number> {
  const target = parseTarget(opts.target);
  if (!target) {
    io.err(`Error: cannot read ${JSON.stringify(opts.target)}; expected ups[@host[:port]] or @host[:port]\n`);
    return 1;
  }
  const doc: StatusDocument = { server: { host: target.host, port: target.port }, error: null, upses: [] };
  const failWith = (msg: string): number => {
    doc.error = msg;
    if (opts.json) io.out(renderJson(doc));
    io.err(`Error: ${msg}\n`);
    return 1;
  };

  let client: NutClient;
  try {
    client = await NutClient.connect({ host: target.host, port: target.port, timeoutMs: opts.timeoutMs });
  } catch (err) {
    return failWith(nutErrorText(err));
  }
  try {
    let upses: Array<[string, string | null]>;
    if (target.ups === null) {
      upses = await client.listUps();
    } else {
      let desc: string | null;
      try {
        desc = await client.getUpsDesc(target.ups);
      } catch (err) {
        // An unknown UPS is the user's mistake; say so as upsc does.
        if (err instanceof NutProtocolError && err.code === 'UNKNOWN-UPS') return failWith(nutErrorText(err));
        desc = null;
      }
      upses = [[target.ups, desc]];
    }
    // Ask about every UPS at once: the client pipelines the requests.
    doc.upses = await Promise.all(upses.map(([name, desc]) => summarizeOne(client, name, desc === null || NO_DESC.has(desc) ? null : desc)));
  } catch (err) {
    return failWith(nutErrorText(err));
  } finally {
    await client.close();
  }
  if (opts.json) io.out(renderJson(doc));
  else if (doc.upses.length === 0) io.out(`No UPS on ${target.host}:${target.port}\n`);
  else io.out(renderTable(doc.upses));
  return 0;
}
