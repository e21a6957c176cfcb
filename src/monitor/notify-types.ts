/**
 * upsmon's notification types with their stock messages (NUT 2.8.5
 * clients/upsmon.h). `%s` is the UPS name; a second `%s` carries the extra
 * text some types have (ALARM: the ups.alarm value, OTHER: the unknown
 * status words). Our own types (POLICY, TIMER, BATTERY_TEST) follow NUT's
 * naming so one routing table covers them all.
 */
export const NOTIFY_TYPES = {
  ONLINE: 'UPS %s on line power',
  ONBATT: 'UPS %s on battery',
  LOWBATT: 'UPS %s battery is low',
  FSD: 'UPS %s: forced shutdown in progress',
  COMMOK: 'Communications with UPS %s established',
  COMMBAD: 'Communications with UPS %s lost',
  SHUTDOWN: 'Auto logout and shutdown proceeding',
  SHUTDOWN_HOSTSYNC: 'Shutdown initiated; primary system is waiting for secondaries to log out or time out',
  REPLBATT: 'UPS %s battery needs to be replaced',
  NOCOMM: 'UPS %s is unavailable',
  NOPARENT: 'upsmon parent process died - shutdown impossible',
  CAL: 'UPS %s: calibration in progress',
  NOTCAL: 'UPS %s: calibration finished',
  OFF: 'UPS %s: administratively OFF or asleep',
  NOTOFF: 'UPS %s: no longer administratively OFF or asleep',
  BYPASS: 'UPS %s: on bypass (powered, not protecting)',
  NOTBYPASS: 'UPS %s: no longer on bypass',
  ECO: 'UPS %s: in ECO mode (as defined by vendor)',
  NOTECO: 'UPS %s: no longer in ECO mode',
  ALARM: 'UPS %s: one or more active alarms: [%s]',
  NOTALARM: 'UPS %s is no longer in an alarm state (no active alarms)',
  OVER: 'UPS %s: overloaded',
  NOTOVER: 'UPS %s: no longer overloaded',
  TRIM: 'UPS %s: trimming incoming voltage',
  NOTTRIM: 'UPS %s: no longer trimming incoming voltage',
  BOOST: 'UPS %s: boosting incoming voltage',
  NOTBOOST: 'UPS %s: no longer boosting incoming voltage',
  OTHER: 'UPS %s: has at least one unclassified status token: [%s]',
  NOTOTHER: 'UPS %s has no unclassified status tokens anymore',
  SUSPEND_STARTING: 'OS is entering sleep/suspend/hibernate mode',
  SUSPEND_FINISHED: 'OS just finished sleep/suspend/hibernate mode, de-activating obsolete UPS readings to avoid an unfortunate shutdown',
  // Ours: a built-in shutdown policy fired (extra: which one), and a battery test result.
  POLICY: 'UPS %s: shutdown policy reached: %s',
  BATTERY_TEST: 'UPS %s: battery test result: %s',
} as const;

export type NotifyType = keyof typeof NOTIFY_TYPES;
export const NOTIFY_TYPE_NAMES = Object.keys(NOTIFY_TYPES) as NotifyType[];

/** Where a notification goes (NUT's NOTIFYFLAG: SYSLOG, WALL, EXEC, IGNORE). */
export const NOTIFY_ROUTES = ['log', 'wall', 'exec', 'ignore'] as const;
export type NotifyRoute = (typeof NOTIFY_ROUTES)[number];
/** NUT's default on Unix: SYSLOG+WALL. */
export const DEFAULT_ROUTES: readonly NotifyRoute[] = ['log', 'wall'];

/** One notification as it goes out on the bus and to the routes. */
export interface Notification {
  type: NotifyType;
  /** The UPS as the monitor names it (`ups@host` for a remote one); empty for host-wide types (SHUTDOWN). */
  ups: string;
  message: string;
  /** ms since the epoch. */
  at: number;
}

/**
 * Fills a message template as upsmon does: the first `%s` takes the UPS
 * name, a second one the extra text; a template without `%s` is used as is.
 */
export function formatMessage(template: string, ups: string, extra?: string): string {
  let n = 0;
  return template.replace(/%s/g, () => (n++ === 0 ? ups : (extra ?? '')));
}
