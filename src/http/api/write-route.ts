/** A route that changes something: needs a user, runs the action, answers 200 when done or 202 while the driver is still busy. */
import type { ActionResult } from '../actions';
import type { HttpContext, Principal } from '../context';
import type { RouteDoc } from '../router';
import type { HttpServer } from '../server';

export function writeRoute(
  http: Pick<HttpServer, 'route'>,
  method: 'POST' | 'PUT',
  pattern: string,
  run: (c: HttpContext, who: Principal) => Promise<ActionResult>,
  answer: (r: ActionResult) => unknown,
  doc: RouteDoc,
): void {
  http.route(
    method,
    pattern,
    async (c) => {
      const r = await run(c, c.requireUser());
      c.sendJson(r.result === 'OK' ? 200 : 202, answer(r));
    },
    { access: 'user', doc },
  );
}
