/**
 * The PeaNUT-shaped endpoints (Brandawg93/PeaNUT's /api/v1/devices...), so a
 * dashboard widget made for PeaNUT (Homepage's `peanut` widget reads
 * battery.charge, ups.load and ups.status of /api/v1/devices/{ups}) works
 * against the agent unchanged. Shapes as PeaNUT answers: a device is a flat
 * name -> value object (numbers as numbers), a variable is its value as a
 * JSON string, lists are arrays of strings, and a command or SET answers a
 * sentence. Failures are `{error, message}` with NUT's error code.
 */
import { describeCmd, describeVar } from '../../protocol/descriptions';
import type { HttpContext } from '../context';
import type { ApiDeps } from '../deps';
import { availableUps, nutError, runCommand, setVariable } from '../actions';
import type { HttpServer } from '../server';
import { shownVar, typeWords, varMap } from '../ups-json';
import { readOptionalParam, readValue } from './values';
import { writeRoute } from './write-route';

type Routes = Pick<HttpServer, 'route'>;

const UPS = { name: 'ups', in: 'path' as const, description: 'UPS name, as in the ups: section', example: '{ups}' };
const VAR = { name: 'var', in: 'path' as const, description: 'NUT variable name', example: 'battery.charge' };
const CMD = { name: 'cmd', in: 'path' as const, description: 'instant command name', example: '{cmd}' };
const VARMAP = { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] } };
const STRINGS = { type: 'array', items: { type: 'string' } };
const TAG = 'Devices (PeaNUT-compatible)';

function variable(d: ApiDeps, c: HttpContext): { ups: string; name: string; v: NonNullable<ReturnType<typeof shownVar>> } {
  const view = availableUps(d, c.params.ups!);
  const v = shownVar(view, c.params.var!);
  if (!v) throw nutError('VAR-NOT-SUPPORTED', `Parameter ${c.params.var!} on device ${view.name} not found`);
  return { ups: view.name, name: v.name, v };
}

export function registerDeviceRoutes(http: Routes, d: ApiDeps): void {
  http.route('GET', '/api/v1/devices', () => d.store.names().map((n) => varMap(d.store.get(n)!)), {
    doc: { tag: TAG, summary: 'Every UPS as a name -> value object (PeaNUT: devices)', responses: { 200: { description: 'one object per UPS, in configuration order', schema: { type: 'array', items: VARMAP } } } },
  });
  const device = (c: HttpContext): unknown => varMap(availableUps(d, c.params.ups!));
  const deviceDoc = (summary: string) => ({
    tag: TAG,
    summary,
    params: [UPS],
    responses: { 200: { description: 'variable name -> value', schema: VARMAP }, 404: 'no such UPS (UNKNOWN-UPS)', 503: 'driver not connected or data stale' },
  });
  http.route('GET', '/api/v1/devices/:ups', device, { doc: deviceDoc('One UPS: every variable and its value') });
  http.route('GET', '/api/v1/devices/:ups/vars', device, { doc: deviceDoc('The variables of one UPS') });
  http.route('GET', '/api/v1/devices/:ups/description', (c) => availableUps(d, c.params.ups!).desc, {
    doc: { tag: TAG, summary: "The UPS's description (desc: in its ups: entry)", params: [UPS], responses: { 200: { description: 'a string', schema: { type: 'string' } }, 404: 'no such UPS' } },
  });
  http.route('GET', '/api/v1/devices/:ups/rwvars', (c) => [...availableUps(d, c.params.ups!).vars()].filter((v) => v.flags.rw).map((v) => v.name), {
    doc: { tag: TAG, summary: 'Names of the writable variables', params: [UPS], responses: { 200: { description: 'names', schema: STRINGS }, 404: 'no such UPS' } },
  });
  http.route('GET', '/api/v1/devices/:ups/commands', (c) => [...availableUps(d, c.params.ups!).commands()], {
    doc: { tag: TAG, summary: 'Names of the instant commands', params: [UPS], responses: { 200: { description: 'names', schema: STRINGS }, 404: 'no such UPS' } },
  });
  http.route('GET', '/api/v1/devices/:ups/clients', (c) => [...d.clients.addresses(availableUps(d, c.params.ups!).name)], {
    doc: { tag: TAG, summary: 'Addresses of the NUT clients logged in to the UPS (LIST CLIENT)', params: [UPS], responses: { 200: { description: 'addresses', schema: STRINGS }, 404: 'no such UPS' } },
  });

  http.route('GET', '/api/v1/devices/:ups/var/:var', (c) => variable(d, c).v.value, {
    doc: { tag: TAG, summary: "A variable's value, as a string", params: [UPS, VAR], responses: { 200: { description: 'the value', schema: { type: 'string' } }, 404: 'no such UPS or variable' } },
  });
  writeRoute(http, 'POST', '/api/v1/devices/:ups/var/:var', async (c, who) => setVariable(d, who, c.remote, c.params.ups!, c.params.var!, await readValue(c)), (r) => r.message, {
    tag: TAG,
    summary: 'SET VAR: the body is the new value (text/plain, or JSON: a string or {"value": ...}); needs the set action',
    params: [UPS, VAR],
    body: { description: 'the new value', contentType: 'text/plain', schema: { type: 'string' }, example: '20' },
    responses: { 200: 'saved', 202: 'queued: the driver has not answered yet', 400: 'INVALID-VALUE, TOO-LONG', 401: 'no login', 403: 'ACCESS-DENIED', 404: 'UNKNOWN-UPS, VAR-NOT-SUPPORTED', 409: 'READONLY', 502: 'SET-FAILED' },
  });
  const varPart = (summary: string, pick: (v: NonNullable<ReturnType<typeof shownVar>>) => unknown, schema: Record<string, unknown>): void => {
    const part = summary.split(' ')[0]!.toLowerCase();
    http.route('GET', `/api/v1/devices/:ups/var/:var/${part}`, (c) => pick(variable(d, c).v), {
      doc: { tag: TAG, summary, params: [UPS, VAR], responses: { 200: { description: summary, schema }, 404: 'no such UPS or variable' } },
    });
  };
  varPart('Type of the variable as upsd words it (e.g. "RW NUMBER")', typeWords, { type: 'string' });
  varPart('Description of the variable', (v) => describeVar(v.name), { type: 'string' });
  varPart('Enum values the variable accepts', (v) => [...v.enums], STRINGS);
  varPart('Range of values the variable accepts, as "min max" strings', (v) => v.ranges.map(([a, b]) => `${Math.trunc(a)} ${Math.trunc(b)}`), STRINGS);

  writeRoute(http, 'POST', '/api/v1/devices/:ups/command/:cmd', async (c, who) => runCommand(d, who, c.remote, c.params.ups!, c.params.cmd!, await readOptionalParam(c)), (r) => r.message, {
    tag: TAG,
    summary: 'INSTCMD: runs an instant command; needs the command (or all) in the user\'s instcmds. An optional body (text or {"param": ...}) is its parameter',
    params: [UPS, CMD],
    responses: { 200: 'run', 202: 'queued: the driver has not answered yet', 401: 'no login', 403: 'ACCESS-DENIED', 404: 'UNKNOWN-UPS, CMD-NOT-SUPPORTED', 502: 'INSTCMD-FAILED', 503: 'DRIVER-NOT-CONNECTED, DATA-STALE' },
  });
  http.route(
    'GET',
    '/api/v1/devices/:ups/command/:cmd/description',
    (c) => {
      const view = availableUps(d, c.params.ups!);
      if (!view.hasCommand(c.params.cmd!)) throw nutError('CMD-NOT-SUPPORTED', `${view.name} has no instant command ${c.params.cmd!}`);
      return describeCmd(c.params.cmd!);
    },
    { doc: { tag: TAG, summary: 'Description of an instant command', params: [UPS, CMD], responses: { 200: { description: 'a string', schema: { type: 'string' } }, 404: 'no such UPS or command' } } },
  );
}
