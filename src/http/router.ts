/**
 * The route table: `METHOD /path/:param/*rest` patterns, matched segment by
 * segment. A route says who may call it (public, read, user) and may carry
 * its OpenAPI description, so /api/v1/openapi.json is built from the very
 * table that answers the requests.
 */
import type { HttpContext } from './context';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * - `public`: anyone, always (the login endpoint, the page's assets);
 * - `read`: anyone unless `http.readRequiresLogin`, then a logged-in user;
 * - `user`: a logged-in user (the handler checks the user's rights).
 */
export type Access = 'public' | 'read' | 'user';

export interface ParamDoc {
  name: string;
  in: 'path' | 'query';
  description: string;
  required?: boolean;
  /** A value the OpenAPI consistency test calls the route with. */
  example?: string;
}

/** What OpenAPI tells about a route; routes without one (the page's assets) stay out of the description. */
export interface RouteDoc {
  summary: string;
  tag: string;
  params?: ParamDoc[];
  /** The request body, when there is one. */
  body?: { description: string; contentType: string; schema: Record<string, unknown>; example?: unknown };
  /** Status code -> what it means; the 200/201/202 entry may carry a JSON schema. */
  responses: Record<string, string | { description: string; schema?: Record<string, unknown>; contentType?: string }>;
}

export type Handler = (c: HttpContext) => unknown;

export interface RouteOptions {
  access?: Access;
  doc?: RouteDoc;
}

export interface Route {
  readonly method: Method;
  readonly pattern: string;
  readonly access: Access;
  readonly doc?: RouteDoc;
  readonly handler: Handler;
  readonly segments: readonly string[];
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: Method[] } | null;

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

export class RouteTable {
  private readonly routes: Route[] = [];

  add(method: Method, pattern: string, handler: Handler, opts: RouteOptions = {}): void {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
    const segments = split(pattern);
    segments.forEach((s, i) => {
      if (s.startsWith('*') && i !== segments.length - 1) throw new Error(`"*" must be the last segment: ${pattern}`);
    });
    if (this.routes.some((r) => r.method === method && r.pattern === pattern)) throw new Error(`route ${method} ${pattern} registered twice`);
    this.routes.push({ method, pattern, access: opts.access ?? 'read', doc: opts.doc, handler, segments });
    // More specific first: a literal segment beats a parameter, which beats a wildcard.
    this.routes.sort((a, b) => specificity(b) - specificity(a));
  }

  list(): readonly Route[] {
    return this.routes;
  }

  /**
   * The route for a request, its decoded parameters; `{allowed}` when the path
   * exists for other methods (405); null when no route has the path (404).
   * HEAD is answered by the GET route.
   */
  match(method: string, path: string): Match {
    const want = method === 'HEAD' ? 'GET' : method;
    let parts: string[];
    try {
      parts = split(path).map((p) => decodeURIComponent(p));
    } catch {
      return null;
    }
    const allowed: Method[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === want) return { route, params };
      if (!allowed.includes(route.method)) allowed.push(route.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

function specificity(r: Route): number {
  let score = 0;
  for (const s of r.segments) score = score * 4 + (s.startsWith('*') ? 1 : s.startsWith(':') ? 2 : 3);
  // Longer patterns of equal prefix rank higher, so /a/:b/c is tried before /a/*rest.
  return score * 16 + r.segments.length;
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith('*')) {
      params[p.slice(1)] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (p.startsWith(':')) {
      if (part === '' || part.includes('/')) return null;
      params[p.slice(1)] = part;
    } else if (p !== part) return null;
  }
  return parts.length === pattern.length ? params : null;
}
