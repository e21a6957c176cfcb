/**
 * GET and LIST: the read-only requests, with upsd 2.8.0's order of checks
 * (argument count, then UNKNOWN-UPS, then DRIVER-NOT-CONNECTED / DATA-STALE,
 * then VAR-NOT-SUPPORTED) and its reply formats. UPS and variable names are
 * echoed as the client wrote them; LIST VAR/RW/CMD come from the cache.
 */
import { HEALTH_VARS } from '../core/health-vars';
import type { UpsView } from '../core/state';
import { describeCmd, describeVar } from '../protocol/descriptions';
import { encode } from './format';
import { ERR, NUT_VERSION, unavailable } from './replies';
import type { Reply, ServerContext, Session } from './session';
import { findVar, shownValue } from './view';

/** GET VAR <any> server.*: answered by the server itself, whatever the UPS name. */
function getServerVar(ctx: ServerContext, ups: string, name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'server.info') return `VAR ${ups} server.info "${ctx.verText}"\n`;
  if (lower === 'server.version') return `VAR ${ups} server.version "${NUT_VERSION}"\n`;
  return ERR['VAR-NOT-SUPPORTED'];
}

interface VarReply {
  version: number;
  fsd: boolean;
  attached: boolean;
  dumpDone: boolean;
  /** Answered even when the UPS is unavailable (core/health-vars.ts). */
  health: boolean;
  text: string;
}

/** Spellings of a UPS name, and of variable names per spelling, kept before a map starts over: clients mostly ask a few. */
const MAX_UPS_SPELLINGS = 16;
const MAX_VAR_REPLIES = 512;

/**
 * GET VAR replies per UPS, formatted once and reused while the UPS is unchanged
 * (same test as ListCache: version, FSD, attached, first dump). GET VAR is the
 * request every client repeats; the availability check still runs each time.
 * Keyed by the UPS name as spelled, then the variable name as spelled (the
 * reply echoes both): two lookups on strings that already know their hash
 * (line-cache.ts hands out the same strings), nothing built per request.
 */
const varReplies = new WeakMap<UpsView, Map<string, Map<string, VarReply>>>();

function repliesFor(view: UpsView, ups: string): Map<string, VarReply> {
  let perView = varReplies.get(view);
  if (!perView) {
    perView = new Map();
    varReplies.set(view, perView);
  }
  let perSpelling = perView.get(ups);
  if (!perSpelling) {
    if (perView.size >= MAX_UPS_SPELLINGS) perView.clear();
    perSpelling = new Map();
    perView.set(ups, perSpelling);
  }
  return perSpelling;
}

function getVar(ctx: ServerContext, ups: string, name: string): string {
  if (name.length >= 7 && name[6] === '.' && name.slice(0, 7).toLowerCase() === 'server.') return getServerVar(ctx, ups, name);
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  const replies = repliesFor(view, ups);
  const hit = replies.get(name);
  const h = view.health;
  if (hit && hit.version === view.version && hit.fsd === view.fsd && hit.attached === h.attached && hit.dumpDone === h.dumpDone) {
    return bad && !hit.health ? bad : hit.text;
  }
  const v = findVar(view, name);
  const health = v !== undefined && HEALTH_VARS.has(v.name.toLowerCase());
  // Unlike upsd, what says why there is no data is answered anyway (see core/health-vars.ts).
  if (bad && !health) return bad;
  if (!v) return ERR['VAR-NOT-SUPPORTED'];
  const text = `VAR ${ups} ${name} "${encode(shownValue(view, v))}"\n`;
  if (!hit && replies.size >= MAX_VAR_REPLIES) replies.clear();
  replies.set(name, { version: view.version, fsd: view.fsd, attached: h.attached, dumpDone: h.dumpDone, health, text });
  return text;
}

function getType(ctx: ServerContext, ups: string, name: string): string {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  if (bad) return bad;
  const v = findVar(view, name);
  if (!v) return ERR['VAR-NOT-SUPPORTED'];
  // Word order as netget.c writes it; anything not STRING is reported NUMBER.
  let out = `TYPE ${ups} ${name}`;
  if (v.flags.rw) out += ' RW';
  if (v.enums.length) out += ' ENUM';
  if (v.ranges.length) out += ' RANGE';
  return out + (v.flags.string ? ` STRING:${v.maxLength}\n` : ' NUMBER\n');
}

function getDesc(ctx: ServerContext, kind: 'DESC' | 'CMDDESC', ups: string, name: string): string {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  if (bad) return bad;
  // A driver's own text first (a relay carries its upstream's over), then NUT's table.
  const own = kind === 'DESC' ? view.getVar(name)?.desc : view.commandDesc(name);
  const text = own !== undefined ? encode(own) : kind === 'DESC' ? describeVar(name) : describeCmd(name);
  return `${kind} ${ups} ${name} "${text}"\n`;
}

function getNumLogins(ctx: ServerContext, ups: string): string {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  if (bad) return bad;
  return `NUMLOGINS ${ups} ${ctx.sessions.count(view.name)}\n`;
}

/** GET UPSDESC works even when the driver is down or stale, as in upsd. */
function getUpsDesc(ctx: ServerContext, ups: string): string {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  return `UPSDESC ${ups} "${view.desc ? encode(view.desc) : 'Unavailable'}"\n`;
}

export function handleGet(ctx: ServerContext, s: Session, args: readonly string[]): string {
  if (args.length < 1) return ERR['INVALID-ARGUMENT'];
  const sub = args[0]!.toUpperCase();
  if (sub === 'TRACKING') {
    if (args.length < 2) return s.tracking ? 'ON\n' : 'OFF\n';
    return s.tracking ? `${ctx.tracking.get(args[1]!)}\n` : ERR['FEATURE-NOT-CONFIGURED'];
  }
  if (args.length < 2) return ERR['INVALID-ARGUMENT'];
  const ups = args[1]!;
  if (sub === 'NUMLOGINS') return getNumLogins(ctx, ups);
  if (sub === 'UPSDESC') return getUpsDesc(ctx, ups);
  if (args.length < 3) return ERR['INVALID-ARGUMENT'];
  const name = args[2]!;
  switch (sub) {
    case 'VAR':
      return getVar(ctx, ups, name);
    case 'TYPE':
      return getType(ctx, ups, name);
    case 'DESC':
      return getDesc(ctx, 'DESC', ups, name);
    case 'CMDDESC':
      return getDesc(ctx, 'CMDDESC', ups, name);
    default:
      return ERR['INVALID-ARGUMENT'];
  }
}

function listUps(ctx: ServerContext): string {
  let out = 'BEGIN LIST UPS\n';
  for (const name of ctx.store.names()) {
    const view = ctx.store.get(name);
    const desc = view?.desc ? encode(view.desc) : 'Description unavailable';
    out += `UPS ${name} "${desc}"\n`;
  }
  return out + 'END LIST UPS\n';
}

function listCached(ctx: ServerContext, kind: 'VAR' | 'RW' | 'CMD', ups: string): Reply {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  return unavailable(ctx, view) ?? ctx.lists.get(kind, view, ups);
}

/** LIST CLIENT works even when the driver is down or stale, as in upsd. */
function listClients(ctx: ServerContext, ups: string): string {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  let out = `BEGIN LIST CLIENT ${ups}\n`;
  for (const c of ctx.sessions.loggedIn(view.name)) out += `CLIENT ${c.loginUps} ${c.addr}\n`;
  return out + `END LIST CLIENT ${ups}\n`;
}

function listEnumOrRange(ctx: ServerContext, kind: 'ENUM' | 'RANGE', ups: string, name: string): string {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  if (bad) return bad;
  const v = findVar(view, name);
  if (!v) return ERR['VAR-NOT-SUPPORTED'];
  let out = `BEGIN LIST ${kind} ${ups} ${name}\n`;
  if (kind === 'ENUM') {
    for (const e of v.enums) out += `ENUM ${ups} ${name} "${encode(e)}"\n`;
  } else {
    // upsd keeps ranges as C ints and prints them with %i.
    for (const [lo, hi] of v.ranges) out += `RANGE ${ups} ${name} "${Math.trunc(lo)}" "${Math.trunc(hi)}"\n`;
  }
  return out + `END LIST ${kind} ${ups} ${name}\n`;
}

export function handleList(ctx: ServerContext, _s: Session, args: readonly string[]): Reply {
  if (args.length < 1) return ERR['INVALID-ARGUMENT'];
  const sub = args[0]!.toUpperCase();
  if (sub === 'UPS') return listUps(ctx);
  if (args.length < 2) return ERR['INVALID-ARGUMENT'];
  const ups = args[1]!;
  switch (sub) {
    case 'VAR':
    case 'RW':
    case 'CMD':
      return listCached(ctx, sub, ups);
    case 'CLIENT':
      return listClients(ctx, ups);
  }
  if (args.length < 3) return ERR['INVALID-ARGUMENT'];
  if (sub === 'ENUM' || sub === 'RANGE') return listEnumOrRange(ctx, sub, ups, args[2]!);
  return ERR['INVALID-ARGUMENT'];
}
