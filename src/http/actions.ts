/**
 * INSTCMD, SET VAR and FSD over HTTP: the checks upsd makes, in upsd's
 * order, then the same bus requests the NUT server sends (`ups.instcmd`,
 * `ups.setvar`). Failures carry NUT's error codes; the driver's verdict is
 * awaited for requestWaitMs, after which the answer is 202 (queued), as upsd
 * answers OK once a request is queued.
 */
import { errorMessage, RequestError } from '../core/errors';
import type { UpsView } from '../core/state';
import { setValueProblem } from '../core/var-check';
import { HttpError, type Principal } from './context';
import type { ApiDeps } from './deps';
import { shownVar, unavailability } from './ups-json';

/** The HTTP status for each NUT error code an action can end with. */
export function statusOf(code: string): number {
  switch (code) {
    case 'ACCESS-DENIED':
      return 403;
    case 'UNKNOWN-UPS':
    case 'VAR-NOT-SUPPORTED':
    case 'CMD-NOT-SUPPORTED':
      return 404;
    case 'READONLY':
      return 409;
    case 'INVALID-VALUE':
    case 'INVALID-ARGUMENT':
    case 'TOO-LONG':
      return 400;
    case 'DRIVER-NOT-CONNECTED':
    case 'DATA-STALE':
      return 503;
    default:
      // SET-FAILED, INSTCMD-FAILED: the driver tried and failed.
      return 502;
  }
}

export function nutError(code: string, message: string): HttpError {
  return new HttpError(statusOf(code), code, message);
}

export interface ActionResult {
  /** OK: the driver did it; PENDING: still busy after the wait (queued, as upsd's OK). */
  result: 'OK' | 'PENDING';
  ups: string;
  message: string;
}

/** The UPS, when it exists and can be acted on. */
export function availableUps(d: ApiDeps, name: string): UpsView {
  const view = d.store.get(name);
  if (!view) throw nutError('UNKNOWN-UPS', `no UPS named ${name}`);
  const problem = unavailability(view, d.maxAgeMs, d.clock());
  if (problem) throw nutError(problem, problem === 'DATA-STALE' ? `the data of ${view.name} is stale` : `the driver of ${view.name} is not connected`);
  return view;
}

async function settle(d: ApiDeps, what: string, fail: 'SET-FAILED' | 'INSTCMD-FAILED', run: () => Promise<void>): Promise<'OK' | 'PENDING'> {
  const p = Promise.resolve().then(run);
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'PENDING'>((resolve) => {
    timer = setTimeout(() => resolve('PENDING'), d.requestWaitMs);
    timer.unref();
  });
  try {
    const r = await Promise.race([p.then(() => 'OK' as const), waited]);
    if (r === 'PENDING') void p.catch((err: unknown) => d.log.warn(`${what} failed: ${errorMessage(err)}`));
    return r;
  } catch (err) {
    d.log.warn(`${what} failed: ${errorMessage(err)}`);
    if (err instanceof RequestError) throw nutError(err.failure, `${what}: ${err.message}`);
    throw nutError(fail, `${what}: the driver failed`);
  } finally {
    clearTimeout(timer);
  }
}

export async function runCommand(d: ApiDeps, who: Principal, remote: string, upsName: string, cmd: string, param?: string): Promise<ActionResult> {
  const view = availableUps(d, upsName);
  if (!view.hasCommand(cmd)) throw nutError('CMD-NOT-SUPPORTED', `${view.name} has no instant command ${cmd}`);
  if (!d.auth.users.mayRunAs(who.user, cmd)) throw nutError('ACCESS-DENIED', `user ${who.user} may not run ${cmd}`);
  const name = view.commands().find((c) => c.toLowerCase() === cmd.toLowerCase()) ?? cmd;
  d.log.info(`instant command: ${who.user}@${remote} (http) did ${name}${param !== undefined ? ` with value "${param}"` : ''} on ${view.name}`);
  const req = param !== undefined ? { ups: view.name, name, param } : { ups: view.name, name };
  const result = await settle(d, `INSTCMD ${name} on ${view.name}`, 'INSTCMD-FAILED', () => d.bus.request('ups.instcmd', req));
  return { result, ups: view.name, message: `Command ${name} on device ${view.name} ${result === 'OK' ? 'run successfully' : 'queued'}` };
}

export async function setVariable(d: ApiDeps, who: Principal, remote: string, upsName: string, varName: string, value: string): Promise<ActionResult> {
  const view = availableUps(d, upsName);
  if (!d.auth.users.mayDoAs(who.user, 'SET')) throw nutError('ACCESS-DENIED', `user ${who.user} may not set variables`);
  const v = shownVar(view, varName);
  const problem = setValueProblem(v, value);
  if (problem || !v) throw nutError(problem ?? 'VAR-NOT-SUPPORTED', setProblemText(problem ?? 'VAR-NOT-SUPPORTED', view.name, varName));
  d.log.info(`set variable: ${who.user}@${remote} (http) set ${v.name} on ${view.name} to ${value}`);
  const result = await settle(d, `SET ${v.name} on ${view.name}`, 'SET-FAILED', () => d.bus.request('ups.setvar', { ups: view.name, name: v.name, value }));
  return { result, ups: view.name, message: `Variable ${v.name} on device ${view.name} ${result === 'OK' ? 'saved successfully' : 'queued'}` };
}

function setProblemText(code: string, ups: string, name: string): string {
  switch (code) {
    case 'VAR-NOT-SUPPORTED':
      return `${ups} has no variable ${name}`;
    case 'READONLY':
      return `${name} on ${ups} is read-only`;
    case 'TOO-LONG':
      return `the value is too long for ${name}`;
    case 'INVALID-VALUE':
      return `the value is not one ${name} accepts (see its enum and range)`;
    default:
      return `${name} on ${ups} cannot be set`;
  }
}

export function setFsd(d: ApiDeps, who: Principal, remote: string, upsName: string): { result: 'OK'; ups: string } {
  const view = d.store.get(upsName);
  if (!view) throw nutError('UNKNOWN-UPS', `no UPS named ${upsName}`);
  if (!d.auth.users.mayDoAs(who.user, 'FSD')) throw nutError('ACCESS-DENIED', `user ${who.user} may not set forced shutdown`);
  d.log.info(`client ${who.user}@${remote} (http) set FSD on UPS [${view.name}]`);
  d.store.latchFsd(view.name, who.user);
  return { result: 'OK', ups: view.name };
}
