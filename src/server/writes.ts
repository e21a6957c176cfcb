/**
 * SET VAR, SET TRACKING and INSTCMD. The server checks what upsd checks, in
 * upsd's order, then hands the request to the UPS's driver over the bus.
 *
 * upsd answers OK as soon as the request is queued to the driver. We wait a
 * little (ServerContext.requestWaitMs) for the driver's verdict so a failure
 * can be told to the client as the matching ERR code; a driver still busy
 * after that gets OK, which means "queued" exactly as in upsd. With tracking
 * on, the reply is `OK TRACKING <id>` at once and the verdict goes to the
 * tracking table for GET TRACKING.
 */
import { errorMessage, RequestError } from '../core/errors';
import { setValueProblem } from '../core/var-check';
import type { UpsView, VarInfo } from '../core/state';
import { encode } from './format';
import { ERR, OK, unavailable } from './replies';
import type { ServerContext, Session } from './session';
import { trackingStatusOf } from './tracking';
import { findVar } from './view';

/** upsd's set_var_check_val(): is this value acceptable for this variable? */
function checkValue(v: VarInfo | undefined, value: string): string | null {
  // upsd keeps enum values escaped and compares the raw new value with them; we do the same.
  const problem = setValueProblem(v, value, (e, x) => encode(e) === x);
  return problem ? ERR[problem] : null;
}

type Outcome = { ok: true } | { ok: false; err: unknown } | { ok: 'pending' };

/** Waits up to `ms` for the driver; never rejects. */
function settleWithin(p: Promise<void>, ms: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: 'pending' }), ms);
    // A driver that never answers must not keep a stopping process alive.
    timer.unref();
    p.then(
      () => {
        clearTimeout(timer);
        resolve({ ok: true });
      },
      (err: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, err });
      },
    );
  });
}

/** Runs a driver request: tracked (reply now, verdict later) or waited for (briefly). */
function dispatch(ctx: ServerContext, s: Session, what: string, failCode: 'SET-FAILED' | 'INSTCMD-FAILED', run: () => Promise<void>): string | Promise<string> {
  // Start the request on the next turn of the call; a driver throwing synchronously still lands in .catch.
  const p = Promise.resolve().then(run);
  if (s.tracking) {
    const id = ctx.tracking.add();
    void p.then(
      () => ctx.tracking.settle(id, 'SUCCESS'),
      (err: unknown) => {
        ctx.log.warn(`${what} failed: ${errorMessage(err)}`);
        ctx.tracking.settle(id, trackingStatusOf(err));
      },
    );
    return `OK TRACKING ${id}\n`;
  }
  return settleWithin(p, ctx.requestWaitMs).then((o) => {
    if (o.ok === true) return OK;
    if (o.ok === 'pending') {
      // Too slow to wait for: answer as upsd does (queued) and log a late failure.
      void p.catch((err: unknown) => ctx.log.warn(`${what} failed: ${errorMessage(err)}`));
      return OK;
    }
    ctx.log.warn(`${what} failed: ${errorMessage(o.err)}`);
    return o.err instanceof RequestError ? ERR[o.err.failure] : ERR[failCode];
  });
}

function setVar(ctx: ServerContext, s: Session, ups: string, name: string, value: string): string | Promise<string> {
  const view = ctx.store.get(ups);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  if (bad) return bad;
  if (!ctx.users.mayDo(s.username, s.password, 'SET')) return ERR['ACCESS-DENIED'];
  const v = findVar(view, name);
  const wrong = checkValue(v, value);
  if (wrong || !v) return wrong ?? ERR['VAR-NOT-SUPPORTED'];
  ctx.log.info(`set variable: ${s.username}@${s.addr} set ${v.name} on ${view.name} to ${value}`);
  const req = { ups: view.name, name: v.name, value };
  return dispatch(ctx, s, `SET ${v.name} on ${view.name}`, 'SET-FAILED', () => ctx.bus.request('ups.setvar', req));
}

export function handleSet(ctx: ServerContext, s: Session, args: readonly string[]): string | Promise<string> {
  if (args.length < 2) return ERR['INVALID-ARGUMENT'];
  const sub = args[0]!.toUpperCase();
  if (sub === 'VAR') {
    if (args.length < 4) return ERR['INVALID-ARGUMENT'];
    return setVar(ctx, s, args[1]!, args[2]!, args[3]!);
  }
  if (sub === 'TRACKING') {
    const mode = args[1]!.toUpperCase();
    if (mode === 'ON') s.tracking = true;
    else if (mode === 'OFF') s.tracking = false;
    else return ERR['INVALID-ARGUMENT'];
    return OK;
  }
  return ERR['INVALID-ARGUMENT'];
}

/** The command's own spelling (as the driver declared it), found case-insensitively. */
function canonicalCommand(view: UpsView, cmd: string): string {
  const lower = cmd.toLowerCase();
  return view.commands().find((c) => c.toLowerCase() === lower) ?? cmd;
}

export function handleInstcmd(ctx: ServerContext, s: Session, args: readonly string[]): string | Promise<string> {
  if (args.length < 2) return ERR['INVALID-ARGUMENT'];
  const view = ctx.store.get(args[0]!);
  if (!view) return ERR['UNKNOWN-UPS'];
  const bad = unavailable(ctx, view);
  if (bad) return bad;
  if (!view.hasCommand(args[1]!)) return ERR['CMD-NOT-SUPPORTED'];
  if (!ctx.users.mayRun(s.username, s.password, args[1]!)) return ERR['ACCESS-DENIED'];
  const name = canonicalCommand(view, args[1]!);
  // upsd passes a parameter only when there is exactly one; more words are ignored.
  const param = args.length === 3 ? args[2] : undefined;
  ctx.log.info(`instant command: ${s.username}@${s.addr} did ${name}${param !== undefined ? ` with value "${param}"` : ''} on ${view.name}`);
  const req = param !== undefined ? { ups: view.name, name, param } : { ups: view.name, name };
  return dispatch(ctx, s, `INSTCMD ${name} on ${view.name}`, 'INSTCMD-FAILED', () => ctx.bus.request('ups.instcmd', req));
}
