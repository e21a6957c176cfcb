/**
 * /api/v1/events/stream: live updates as server-sent events, from the bus.
 * The first event is a `snapshot` of every UPS (and the monitor's view), so
 * a client never misses what happened between a GET and the subscription.
 * Then, as they happen:
 *
 * - `vars`     {ups, vars: {name: value | null}}  changed variables (null: gone)
 * - `status`   {ups, from, to}                     ups.status changed
 * - `ups`      UpsSummary                          health changed (driver, stale, FSD, attached)
 * - `commands` {ups, commands}
 * - `clients`  {ups, count, clients}               NUT logins changed
 * - `notify`   {ups, type, message, at}            a monitor notification
 * - `monitor`  the monitor's view, after each notification
 *
 * Other parts of the web surface publish their own events on the same hub.
 */
import type { DriverState } from '../../core/bus';
import type { ApiDeps } from '../deps';
import type { HttpServer } from '../server';
import type { EventStreamHub } from '../sse';
import { numericValue, shownVar, upsSummary, varMap } from '../ups-json';

type Routes = Pick<HttpServer, 'route'>;

export class StreamFeed {
  constructor(
    private readonly d: ApiDeps,
    private readonly hub: EventStreamHub,
  ) {}

  snapshot(): unknown {
    const { d } = this;
    return {
      devices: d.store.names().map((n) => {
        const view = d.store.get(n)!;
        return { ...upsSummary(view, d.maxAgeMs, d.clock(), d.clients.count(n)), vars: varMap(view), commands: [...view.commands()] };
      }),
      monitor: d.monitor ? d.monitor.view() : null,
    };
  }

  start(): void {
    const { bus } = this.d;
    bus.on('ups.updated', this, (e) => {
      const view = this.d.store.get(e.ups);
      if (!view) return;
      const vars: Record<string, string | number | null> = {};
      for (const name of e.changed) {
        const v = shownVar(view, name);
        vars[v?.name ?? name] = v ? (numericValue(v) ?? v.value) : null;
      }
      this.hub.publish('vars', { ups: view.name, vars }, view.name);
    });
    bus.on('ups.status', this, (e) => {
      this.hub.publish('status', e, e.ups);
      this.health(e.ups);
    });
    const health = (e: { ups: string; state?: DriverState }) => this.health(e.ups);
    bus.on('driver.state', this, health);
    bus.on('ups.stale', this, health);
    bus.on('ups.fsd', this, health);
    bus.on('driver.attached', this, health);
    bus.on('driver.detached', this, health);
    bus.on('ups.commands', this, (e) => this.hub.publish('commands', e, e.ups));
    bus.on('ups.logins', this, (e) => this.hub.publish('clients', e, e.ups));
    bus.on('monitor.notify', this, (e) => {
      this.hub.publish('notify', e, e.ups || undefined);
      if (this.d.monitor) this.hub.publish('monitor', this.d.monitor.view());
    });
  }

  stop(): void {
    this.d.bus.removeAll(this);
  }

  private health(ups: string): void {
    const view = this.d.store.get(ups);
    if (view) this.hub.publish('ups', upsSummary(view, this.d.maxAgeMs, this.d.clock(), this.d.clients.count(view.name)), view.name);
  }
}

export function registerStreamRoute(http: Routes, hub: EventStreamHub, feed: StreamFeed): void {
  http.route('GET', '/api/v1/events/stream', (c) => hub.open(c, { event: 'snapshot', data: feed.snapshot() }), {
    doc: {
      tag: 'Live',
      summary: 'Server-sent events: snapshot first, then vars, status, ups, commands, clients, notify, monitor (and the page\'s own events)',
      params: [{ name: 'ups', in: 'query', description: 'comma-separated UPS names: only their events (host-wide ones still come)' }],
      responses: { 200: { description: 'an event stream', contentType: 'text/event-stream', schema: { type: 'string' } }, 503: 'too many streams' },
    },
  });
}
