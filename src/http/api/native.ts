/**
 * The agent's own API beside the PeaNUT-shaped one: UPSes with their health,
 * variables with type/enum/range/description, commands with descriptions,
 * the NUT clients, the monitor's view and event history; INSTCMD, SET VAR and
 * FSD with JSON bodies and JSON answers.
 */
import { HttpError, type HttpContext } from '../context';
import type { ApiDeps } from '../deps';
import { availableUps, nutError, runCommand, setFsd, setVariable } from '../actions';
import type { HttpServer } from '../server';
import { commandDetail, shownVar, shownVars, upsSummary, varDetail } from '../ups-json';
import { readOptionalParam, readValue } from './values';
import { writeRoute } from './write-route';

type Routes = Pick<HttpServer, 'route'>;

const UPS = { name: 'ups', in: 'path' as const, description: 'UPS name, as in the ups: section', example: '{ups}' };
const VAR = { name: 'var', in: 'path' as const, description: 'NUT variable name', example: 'battery.charge' };
const CMD = { name: 'cmd', in: 'path' as const, description: 'instant command name', example: '{cmd}' };

const SUMMARY = {
  type: 'object',
  required: ['name', 'description', 'status', 'available', 'problem', 'driverState', 'fsd', 'dataAgeS', 'logins'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    status: { type: 'string', description: 'ups.status as upsd shows it (WAIT, FSD prefix)' },
    available: { type: 'boolean' },
    problem: { type: 'string', nullable: true, enum: ['DRIVER-NOT-CONNECTED', 'DATA-STALE', null] },
    driverState: { type: 'string', enum: ['starting', 'connected', 'disconnected'] },
    fsd: { type: 'boolean' },
    dataAgeS: { type: 'number', nullable: true },
    logins: { type: 'integer' },
  },
};
export const VAR_DETAIL = {
  type: 'object',
  required: ['name', 'value', 'nutType', 'type', 'writable', 'enum', 'range', 'description'],
  properties: {
    name: { type: 'string' },
    value: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    nutType: { type: 'string', description: 'what upsd GET TYPE answers after the names, e.g. "RW NUMBER"' },
    type: { type: 'string', enum: ['number', 'string'] },
    writable: { type: 'boolean' },
    maxLength: { type: 'integer' },
    enum: { type: 'array', items: { type: 'string' } },
    range: { type: 'array', items: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } } } },
    description: { type: 'string' },
  },
};
const COMMAND = { type: 'object', required: ['name', 'description'], properties: { name: { type: 'string' }, description: { type: 'string' } } };
const RESULT = { type: 'object', required: ['result', 'ups', 'message'], properties: { result: { type: 'string', enum: ['OK', 'PENDING'] }, ups: { type: 'string' }, message: { type: 'string' } } };
const WRITE_ERRORS = { 400: 'INVALID-VALUE, INVALID-ARGUMENT, TOO-LONG', 401: 'no login', 403: 'ACCESS-DENIED, CSRF, CROSS-ORIGIN', 404: 'UNKNOWN-UPS, VAR-NOT-SUPPORTED, CMD-NOT-SUPPORTED', 409: 'READONLY', 502: 'SET-FAILED, INSTCMD-FAILED', 503: 'DRIVER-NOT-CONNECTED, DATA-STALE' };
const TAG = 'UPSes';

export function registerNativeRoutes(http: Routes, d: ApiDeps): void {
  const summary = (name: string) => upsSummary(d.store.get(name)!, d.maxAgeMs, d.clock(), d.clients.count(name));
  const known = (c: HttpContext) => {
    const view = d.store.get(c.params.ups!);
    if (!view) throw nutError('UNKNOWN-UPS', `no UPS named ${c.params.ups!}`);
    return view;
  };

  http.route('GET', '/api/v1/ups', () => d.store.names().map(summary), {
    doc: { tag: TAG, summary: 'Every UPS with its state and health', responses: { 200: { description: 'in configuration order', schema: { type: 'array', items: SUMMARY } } } },
  });
  http.route(
    'GET',
    '/api/v1/ups/:ups',
    (c) => {
      const view = known(c);
      const base = summary(view.name);
      // A UPS that cannot be read still answers with its health, so a page can say why.
      const readable = base.available;
      return { ...base, vars: readable ? shownVars(view).map(varDetail) : [], commands: readable ? view.commands().map(commandDetail) : [] };
    },
    {
      doc: {
        tag: TAG,
        summary: 'One UPS: state, health, every variable (with type, enum, range, description) and its commands',
        params: [UPS],
        responses: {
          200: { description: 'the UPS', schema: { allOf: [SUMMARY, { type: 'object', properties: { vars: { type: 'array', items: VAR_DETAIL }, commands: { type: 'array', items: COMMAND } } }] } },
          404: 'UNKNOWN-UPS',
        },
      },
    },
  );
  http.route(
    'GET',
    '/api/v1/ups/:ups/vars/:var',
    (c) => {
      const view = availableUps(d, c.params.ups!);
      const v = shownVar(view, c.params.var!);
      if (!v) throw nutError('VAR-NOT-SUPPORTED', `${view.name} has no variable ${c.params.var!}`);
      return varDetail(v);
    },
    { doc: { tag: TAG, summary: 'One variable: value, type, enum, range, description', params: [UPS, VAR], responses: { 200: { description: 'the variable', schema: VAR_DETAIL }, 404: 'UNKNOWN-UPS, VAR-NOT-SUPPORTED', 503: 'DRIVER-NOT-CONNECTED, DATA-STALE' } } },
  );
  writeRoute(http, 'PUT', '/api/v1/ups/:ups/vars/:var', async (c, who) => setVariable(d, who, c.remote, c.params.ups!, c.params.var!, await readValue(c)), (r) => r, {
    tag: TAG,
    summary: 'SET VAR; needs the set action',
    params: [UPS, VAR],
    body: { description: 'the new value', contentType: 'application/json', schema: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } }, example: { value: '20' } },
    responses: { 200: { description: 'set', schema: RESULT }, 202: { description: 'queued: the driver has not answered yet', schema: RESULT }, ...WRITE_ERRORS },
  });
  http.route('GET', '/api/v1/ups/:ups/commands', (c) => availableUps(d, c.params.ups!).commands().map(commandDetail), {
    doc: { tag: TAG, summary: 'Instant commands with their descriptions', params: [UPS], responses: { 200: { description: 'commands', schema: { type: 'array', items: COMMAND } }, 404: 'UNKNOWN-UPS' } },
  });
  writeRoute(http, 'POST', '/api/v1/ups/:ups/commands/:cmd', async (c, who) => runCommand(d, who, c.remote, c.params.ups!, c.params.cmd!, await readOptionalParam(c)), (r) => r, {
    tag: TAG,
    summary: "INSTCMD; needs the command (or all) in the user's instcmds",
    params: [UPS, CMD],
    body: { description: 'optional parameter', contentType: 'application/json', schema: { type: 'object', properties: { param: { type: 'string' } } }, example: {} },
    responses: { 200: { description: 'run', schema: RESULT }, 202: { description: 'queued', schema: RESULT }, ...WRITE_ERRORS },
  });
  http.route(
    'POST',
    '/api/v1/ups/:ups/fsd',
    (c) => setFsd(d, c.requireUser(), c.remote, c.params.ups!),
    { access: 'user', doc: { tag: TAG, summary: 'FSD: latches forced shutdown until the agent restarts (upsmon -c fsd); needs the fsd action or upsmon primary', params: [UPS], responses: { 200: { description: 'set', schema: { type: 'object', properties: { result: { type: 'string' }, ups: { type: 'string' } } } }, 401: 'no login', 403: 'ACCESS-DENIED', 404: 'UNKNOWN-UPS' } } },
  );
  http.route(
    'GET',
    '/api/v1/ups/:ups/clients',
    (c) => {
      const view = known(c);
      return { ups: view.name, count: d.clients.count(view.name), clients: [...d.clients.addresses(view.name)] };
    },
    { doc: { tag: TAG, summary: 'NUT clients logged in to the UPS (NUMLOGINS, LIST CLIENT)', params: [UPS], responses: { 200: { description: 'clients', schema: { type: 'object', properties: { ups: { type: 'string' }, count: { type: 'integer' }, clients: { type: 'array', items: { type: 'string' } } } } }, 404: 'UNKNOWN-UPS' } } },
  );

  http.route(
    'GET',
    '/api/v1/events',
    (c) => {
      if (!d.monitor) return [];
      const ups = c.url.searchParams.get('ups')?.toLowerCase();
      const limitText = c.url.searchParams.get('limit');
      const limit = limitText === null ? Infinity : Number(limitText);
      if (!(limit >= 0)) throw new HttpError(400, 'INVALID-ARGUMENT', 'limit must be a whole number of at least 0');
      const all = d.monitor.events().filter((e) => ups === undefined || e.ups.toLowerCase() === ups);
      return limit === Infinity ? [...all] : all.slice(Math.max(0, all.length - Math.floor(limit)));
    },
    {
      doc: {
        tag: 'Monitor',
        summary: "The monitor's event history, oldest first (empty without a monitor: section)",
        params: [
          { name: 'ups', in: 'query', description: 'only this UPS' },
          { name: 'limit', in: 'query', description: 'only the last N events' },
        ],
        responses: { 200: { description: 'events', schema: { type: 'array', items: { type: 'object', properties: { at: { type: 'number' }, ups: { type: 'string' }, type: { type: 'string' }, message: { type: 'string' } } } } }, 400: 'bad limit' },
      },
    },
  );
  http.route('GET', '/api/v1/monitor', () => (d.monitor ? { enabled: true, ...d.monitor.view() } : { enabled: false }), {
    doc: { tag: 'Monitor', summary: "The monitor's view: supplies, their state and what happens next, the shutdown if started", responses: { 200: { description: '{enabled: false} without a monitor: section', schema: { type: 'object', properties: { enabled: { type: 'boolean' } } } } } },
  });
  http.route('GET', '/api/v1/info', () => ({ name: 'upsagent', version: d.version, upses: d.store.names() }), {
    doc: { tag: 'Agent', summary: 'The agent and its UPSes', responses: { 200: { description: 'name, version, UPS names', schema: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, upses: { type: 'array', items: { type: 'string' } } } } } } },
  });
}
