/**
 * What a Q1-family protocol is, for the qx driver (NUT's nutdrv_qx and its
 * "subdrivers": megatec, mustek, voltronic, q2, q6...).
 *
 * A protocol is plain data plus pure functions: which commands to send,
 * how each reply turns into NUT variables and status, which instant
 * commands exist with their exact bytes, and which variables clients may
 * set. It never touches the device itself, never keeps state between
 * calls and never publishes: the driver core (driver.ts) sends, times out,
 * decides what a failed reply costs, merges status, estimates the battery
 * and publishes. So a protocol is tested with strings alone.
 *
 * ADDING A PROTOCOL (voltronic, voltronic-qs, q2, q6, ...):
 *  1. Write src/drivers/qx/protocols/<name>.ts exporting one `QxProtocol`.
 *     Read NUT's drivers/nutdrv_qx_<name>.c for the facts (commands, reply
 *     columns, lengths, leading characters, formats, commands' bytes),
 *     write our own code. Build replies' values with the helpers of
 *     ./fields.ts (columns, numbers formatted as NUT prints them, bit
 *     fields, the blazer claim) so every protocol fails the same way.
 *  2. Add it to QX_PROTOCOLS in ./protocols/index.ts at NUT's position in
 *     nutdrv_qx.c's subdriver_list (autodetection tries them in order).
 *  3. Unit-test its parsing (good, malformed, truncated, echoed replies)
 *     and its commands' bytes; the driver core needs no change.
 *
 * RULES every protocol keeps:
 *  - A reply that is not what the protocol expects (wrong leading char,
 *    too short, a non-number where a number belongs, a status bit that is
 *    not 0/1) throws QxParseError (./fields.ts): the driver counts a missed
 *    poll. Never return a value guessed from a bad reply.
 *  - A field the device marks unsupported (all `@`, `-` or blanks, as NUT
 *    documents for each protocol) is left out of `vars`, not published as
 *    garbage; leaving a variable out withdraws it.
 *  - Values are formatted as NUT publishes them (`%.1f` -> "230.0"), so
 *    upsc shows the same text as with NUT.
 *  - Echoed commands are handled by the driver core before `parse` is
 *    called (a reply equal to the command sent, without `\r`, is the
 *    device refusing it); `rejected` below covers a fixed refusal reply.
 */
import type { QxTransport } from './transport';

/**
 * Status flags a protocol may set or clear, NUT's nutdrv_qx set (its
 * status_info[]). OL false means on battery (OB): the core publishes OB.
 */
export type QxStatusFlag = 'OL' | 'LB' | 'RB' | 'CHRG' | 'DISCHRG' | 'BYPASS' | 'CAL' | 'OFF' | 'OVER' | 'TRIM' | 'BOOST' | 'FSD';

/**
 * Changes to the status: true sets a flag, false clears it, absent leaves
 * it as it was (NUT's update_status with and without `!`). The core starts
 * every full poll from no flags and every quick poll from the last status,
 * as nutdrv_qx does.
 */
export type QxStatusUpdate = Partial<Record<QxStatusFlag, boolean>>;

/** What one reply says. */
export interface QxReading {
  /** NUT variables with their published text (`input.voltage: "230.0"`). */
  vars?: Record<string, string>;
  /** Status flags set or cleared. */
  status?: QxStatusUpdate;
  /** ups.alarm texts raised by this reply (the core joins them with a space, as NUT's alarm_set). */
  alarms?: string[];
}

/**
 * When a query is sent:
 *  - `status`: every poll, quick and full (NUT: QX_FLAG_QUICK_POLL items).
 *    Its failure fails the whole poll (missed; stale as the runtime says).
 *  - `poll`: every full poll (every `pollfreq` seconds and right after a
 *    command or a SET). Its failure withdraws the variables it gave last
 *    time; the poll still succeeds.
 *  - `static`: once, when the device is opened (rating `F`, vendor `I`).
 *    Its failure drops the query for this connection (NUT: QX_FLAG_SKIP).
 */
export type QxQueryKind = 'status' | 'poll' | 'static';

/** The driver options a protocol may read (ups.conf names in comments). */
export interface QxOptions {
  /** Skip the rating query (norating). */
  readonly norating: boolean;
  /** Skip the vendor query, and the vendor part of the claim (novendor). */
  readonly novendor: boolean;
  /** Ignore the 'shutdown active' status bit (ignoresab). */
  readonly ignoresab: boolean;
  /** The device reports one battery pack's voltage: multiply by battery.packs (battery_voltage_reports_one_pack). */
  readonly batteryVoltageReportsOnePack: boolean;
  /** Everything in the UPS entry, for a protocol's own keys (already validated by the driver's schema). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** What a parse or a command may look at. */
export interface QxContext {
  readonly options: QxOptions;
  /**
   * The variables as they stand: those published so far plus those read
   * earlier in this pass (queries run in the order given), including the
   * writable ups.delay.* values. E.g. battery.packs for a per-cell voltage.
   */
  readonly vars: ReadonlyMap<string, string>;
  /**
   * The last reply each query's command gave that parsed, by command
   * (`QFLAG\r` -> `(EpaDb`), for what a unit says that is no NUT variable
   * (voltronic: alarm control, ECO mode); a command whose reply failed
   * since is absent. Absent in a claim and outside the core.
   */
  readonly replies?: ReadonlyMap<string, string>;
}

export interface QxQuery {
  /** The exact bytes sent, terminator included: `Q1\r`. Several queries may share one command: it is sent once per pass. */
  readonly command: string;
  readonly kind: QxQueryKind;
  /** Left out when this option is on (`norating` for F, `novendor` for I), as NUT's blazer_initups does. */
  readonly skipWhen?: 'norating' | 'novendor';
  /**
   * Asked before each pass: false leaves the query out this time. For
   * queries only some models answer, judged from what was read at open
   * (BestUPS: RT unless device.model is a Patriot Pro). Default: always.
   */
  enabled?(ctx: QxContext): boolean;
  /** Turns the reply line (without its `\r`) into values; throws QxParseError for a reply it cannot use. */
  parse(reply: string, ctx: QxContext): QxReading;
}

/** An instant command (NUT: QX_FLAG_CMD item). */
export interface QxInstantCommand {
  /** NUT's name: beeper.toggle, shutdown.return, test.battery.start... */
  readonly name: string;
  /**
   * Asked once the device is open and read, and again after each full
   * poll: false leaves the command out (not listed, refused with
   * CMD-NOT-SUPPORTED), judged from what the device said (voltronic: its
   * capabilities, protocol number; NUT's QX_FLAG_SKIP set by a
   * preprocess function). Default: always.
   */
  enabled?(ctx: QxContext): boolean;
  /**
   * The exact bytes to send, terminator included; several strings are
   * sent in order, each of which must be accepted (NUT's fallbacks such
   * as shutdown.return = load.on.delay then load.off.delay). `value` is
   * the INSTCMD argument when the client gave one. Throws QxValueError for
   * an argument or a delay NUT would refuse.
   */
  build(value: string | undefined, ctx: QxContext): string | readonly string[];
}

/** A variable clients may SET (NUT: QX_FLAG_SETVAR item). */
export interface QxSetting {
  /** ups.delay.shutdown, ups.delay.start, ... */
  readonly name: string;
  /**
   * A variable kept in the driver (NUT's server-side QX_FLAG_ABSENT vars):
   * its value before any SET is the driver option named `option` when the
   * entry sets it (checked with range and `normalize`; a bad one stops
   * the driver as NUT's fatalx does), else `fallback` (NUT's default).
   * Without `fallback` the value is the device's, published by a query;
   * the setting only makes it writable.
   */
  readonly option?: string;
  readonly fallback?: string;
  /** Asked once the device is open and read: false leaves the setting out (a model without it). Default: always. */
  enabled?(ctx: QxContext): boolean;
  /** Published as the variable's range (upsrw shows it; the core refuses values outside). */
  readonly range?: readonly [number, number];
  /**
   * Or a range computed from what the device said (NUT's run-time
   * QX_FLAG_RANGE items: voltronic battery low, ECO limits), published
   * once the device is open and read and again after each full poll;
   * undefined: none known yet.
   */
  ranges?(ctx: QxContext): ReadonlyArray<readonly [number, number]> | undefined;
  /** Or published as its enumeration. */
  readonly enumValues?: readonly string[];
  /** Checks and rounds a value the way NUT does (e.g. offdelay to 6 s steps); throws QxValueError. */
  normalize(value: string, ctx: QxContext): string;
  /** Bytes that set it on the device. Absent: the value lives in the driver only (NUT's server-side vars). */
  write?(value: string, ctx: QxContext): string;
}

/** What a protocol may use to find out whether the device speaks it. */
export interface QxProbe {
  readonly options: QxOptions;
  /**
   * Sends `command`; resolves with the reply line, or null when nothing
   * usable came back: silence, a truncated reply, or the command echoed.
   * A fixed refusal (`(NAK`) comes back as text: mecer's claim tells a
   * NAK unit from a silent one. Never rejects for device content; a port
   * that vanished rejects DeviceGoneError.
   */
  query(command: string): Promise<string | null>;
}

export interface QxProtocol {
  /** The `protocol:` value that selects it, lower case: megatec, megatec/old, voltronic-qs... (NUT's subdriver name up to the first space). */
  readonly name: string;
  /** NUT's full subdriver name with version, published as driver.version.data: "Megatec 0.10". */
  readonly version: string;
  /**
   * Does the device speak this protocol? Tried in QX_PROTOCOLS order when
   * `protocol` is not set (NUT tries each claim up to 3 times; the core
   * does that). Usually ./fields.ts claimWith(): the status query parses
   * with input.voltage, then the vendor query unless `novendor`.
   */
  claim(probe: QxProbe): Promise<boolean>;
  /** In order: what each pass sends (see QxQueryKind). */
  readonly queries: readonly QxQuery[];
  readonly commands: readonly QxInstantCommand[];
  readonly settings: readonly QxSetting[];
  /**
   * The reply meaning "done" to a command (NUT subdriver->accepted, e.g.
   * "ACK"), compared with commandReplyValue(reply). No reply at all is
   * success too, as in NUT; any other reply (the command echoed, NAK) is
   * a refusal: INSTCMD-FAILED.
   */
  readonly accepted?: string;
  /**
   * The part of a command's reply compared with `accepted`, or null when
   * the reply has the wrong shape (NUT: the command item's leading/from/to,
   * e.g. mecer's `(ACK` -> `ACK`). Default: the whole reply.
   */
  commandReplyValue?(reply: string): string | null;
  /** The whole reply meaning "refused" (NUT subdriver->rejected, e.g. "NAK"); compared before parsing. */
  readonly rejected?: string;
  /** Deadline of one reply; default 1000 ms (NUT SER_WAIT_SEC). */
  readonly replyTimeoutMs?: number;
  /** One-time writes from ups.conf options at open (see QxStartupWrite), in order. */
  readonly startup?: readonly QxStartupWrite[];
}

/**
 * A ups.conf-only option written to the device once per connection (NUT's
 * QX_FLAG_NONUT setvars, e.g. BestUPS pins_shutdown_mode, voltronic's
 * bypass_alarm...): at open, after the opening pass, the core sends `query`
 * when there is one, then the bytes `writes` gives (none: nothing to do,
 * e.g. the option unset or the device already so), each judged as a
 * command; a refusal is logged and the driver goes on. `writes` may also
 * throw to say why the option cannot be applied now (logged, nothing sent).
 */
export interface QxStartupWrite {
  /** The option's name, for the log. */
  readonly name: string;
  /**
   * The exact bytes asking the device's value (`SS?\r`), or a function of
   * what the device said so far giving them (undefined: nothing to ask, e.g.
   * the option unset or the protocol without that query); absent when the
   * opening pass's replies (ctx.replies) tell.
   */
  readonly query?: string | ((ctx: QxContext) => string | undefined);
  /** From the reply (null: none asked, silence, echo or refusal) and what the device said so far, the bytes to send. */
  writes(reply: string | null, ctx: QxContext): readonly string[];
}

/*
 * A protocol's own ups.conf options (voltronic's `fault_1`...) go into the
 * driver's schema, QX_OPTIONS of ../config.ts (one additive entry each,
 * with its NUT name and doc); the protocol reads them from `options.raw`.
 */

/** Everything a session of the driver core needs from a transport (re-exported for protocol tests). */
export type { QxTransport };
