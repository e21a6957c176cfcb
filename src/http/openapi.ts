/**
 * The OpenAPI 3 description of the API, built from the route table itself:
 * a route is described exactly when it is registered with a doc, so the
 * description cannot drift from what answers.
 */
import type { Route } from './router';

export function openApiPath(pattern: string): string {
  return pattern.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApi(routes: readonly Route[], version: string, readRequiresLogin: boolean): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const anyLogin = [{ basicAuth: [] }, { bearerAuth: [] }, { sessionCookie: [] }];
  for (const r of routes) {
    if (!r.doc) continue;
    const doc = r.doc;
    const needsLogin = r.access === 'user' || (r.access === 'read' && readRequiresLogin);
    const responses: Record<string, unknown> = {};
    for (const [code, spec] of Object.entries(doc.responses)) {
      if (typeof spec === 'string') responses[code] = { description: spec };
      else responses[code] = { description: spec.description, ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } } : {}) };
    }
    if (needsLogin && !responses['401']) responses['401'] = { description: 'no login' };
    const op: Record<string, unknown> = {
      summary: doc.summary,
      tags: [doc.tag],
      operationId: `${r.method.toLowerCase()}${openApiPath(r.pattern).replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      parameters: (doc.params ?? []).map((p) => ({ name: p.name, in: p.in, required: p.in === 'path' ? true : (p.required ?? false), description: p.description, schema: { type: 'string' } })),
      responses,
      security: needsLogin ? anyLogin : [{}, ...anyLogin],
    };
    if (doc.body) op.requestBody = { description: doc.body.description, required: r.method === 'PUT', content: { [doc.body.contentType]: { schema: doc.body.schema, ...(doc.body.example !== undefined ? { example: doc.body.example } : {}) } } };
    const path = openApiPath(r.pattern);
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'upsagent HTTP API',
      version,
      description:
        'UPS state, variables, instant commands and the monitor of one upsagent. Errors are {"error": CODE, "message": text} with NUT\'s error codes. ' +
        'The /api/v1/devices endpoints answer as PeaNUT does. Changes made with the page session need its X-CSRF-Token header.',
    },
    paths,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic', description: 'a user of the users: section' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'a token of http.tokens, or one from POST /api/v1/auth/token' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'upsagent_session', description: 'the page session from POST /api/v1/auth/login' },
      },
    },
  };
}
