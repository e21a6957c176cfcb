/**
 * The monitor's view on the page's stream. The API's stream sends the view
 * with each notification, but the monitor finishes its cycle (the supply's
 * new state, what happens next) after notifying; so this looks again
 * shortly after a notification and once a second, and sends the view when
 * it changed, leaving out the figures that change every second by
 * themselves (the page counts the time on battery on from the last view).
 */
import type { EventBus } from '../../core/bus';
import type { Clock } from '../../core/clock';
import type { MonitorView } from '../../monitor/view';
import type { MonitorReader } from '../deps';

/** The view without the figures that change every second by themselves (poll age, time on battery). */
export function viewSignature(v: MonitorView): string {
  return JSON.stringify({ ...v, supplies: v.supplies.map((s) => ({ ...s, lastPollAgoS: undefined, onBatteryForS: s.onBatteryForS !== null })) });
}

export class MonitorWatch {
  private timer: unknown;
  private soon: unknown;
  private last = '';

  constructor(
    private readonly monitor: MonitorReader,
    private readonly bus: Pick<EventBus, 'on' | 'removeAll'>,
    private readonly clock: Clock,
    private readonly publish: (view: MonitorView) => void,
  ) {}

  start(): void {
    this.last = viewSignature(this.monitor.view());
    this.bus.on('monitor.notify', this, () => {
      this.last = '';
      this.checkSoon();
    });
    this.schedule();
  }

  stop(): void {
    this.bus.removeAll(this);
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.soon);
    this.timer = undefined;
  }

  private checkSoon(): void {
    this.clock.clearTimeout(this.soon);
    this.soon = this.clock.setTimeout(() => this.check(), 100);
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.check();
      this.schedule();
    }, 1000);
  }

  private check(): void {
    const view = this.monitor.view();
    const sig = viewSignature(view);
    if (sig === this.last) return;
    this.last = sig;
    this.publish(view);
  }
}
