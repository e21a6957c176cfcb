/**
 * BestUPS (NUT nutdrv_qx_bestups): Best Power Fortress/Patriot/Axxium and
 * Sola Australia units. Status `Q1` (no beeper bit; the bypass/boost/buck
 * bit ignored on battery, in a test or a shutdown, inverted on Patriot
 * Pro models), ratings and model from `ID`, runtime from `RT` (not on
 * Patriot Pro / Sola 320), battery packs from `BP?` (Axxium / Sola 620
 * only), transfer voltages from the `M` setting index. Claimed when Q1
 * and ID both answer. Commands are never acknowledged: any reply is a
 * refusal.
 */
import { QxParseError, checkShape, claimWith, column, numberColumn } from '../fields';
import type { QxContext, QxProtocol, QxQuery, QxSetting, QxStartupWrite } from '../protocol';
import { SHUTDOWN_RETURN, TEST_BATTERY_START, fixed, offdelaySetting, ondelaySetting, shutdownStayoff, statusQuery } from './blazer';

/** Model codes (first field of ID) and what NUT calls them. */
const MODELS: Readonly<Record<string, { mfr: string; model: string }>> = {
  AX1: { mfr: 'Best Power', model: 'Axxium Rackmount' },
  FOR: { mfr: 'Best Power', model: 'Fortress' },
  FTC: { mfr: 'Best Power', model: 'Fortress Telecom' },
  PR2: { mfr: 'Best Power', model: 'Patriot Pro II' },
  PRO: { mfr: 'Best Power', model: 'Patriot Pro' },
  '320': { mfr: 'Unknown', model: 'Sola 320' },
  '325': { mfr: 'Sola Australia', model: 'Sola 325' },
  '520': { mfr: 'Sola Australia', model: 'Sola 520' },
  '525': { mfr: 'Unknown', model: 'Sola 525' },
  '620': { mfr: 'Sola Australia', model: 'Sola 620' },
};

/** The model code ID gave, kept as a variable of our own so later parses can read it. */
function modelCode(ctx: QxContext): string | undefined {
  const model = ctx.vars.get('device.model');
  if (model === undefined) return undefined;
  const hit = Object.entries(MODELS).find(([, m]) => m.model === model);
  if (hit) return hit[0];
  const unknown = /^Unknown \((.*)\)$/.exec(model);
  return unknown ? unknown[1] : undefined;
}

const STATUS = statusQuery('Q1\r', {
  beeper: false,
  bbbBit(raw, status, ctx) {
    // Not reliable on battery, in a battery test or a shutdown: NUT always ignores it then.
    if (status.OL === false || status.CAL === true || status.FSD === true) return false;
    const code = modelCode(ctx);
    return code === 'PR2' || code === 'PRO' ? !raw : raw;
  },
});

/**
 * `ID\r` -> `FOR,750,120,120,20.0,27.6`: model, VA, input and output
 * nominal volts, battery low and full volts. NUT pads the VA field to 4
 * and the last to 5 characters so the columns always line up.
 */
export const ID_QUERY: QxQuery = {
  command: 'ID\r',
  kind: 'static',
  parse(reply) {
    // NUT documents 25 to 27 characters (3000 VA units with a 100.6 V battery) but refuses the longest; we take it.
    if (reply.length < 24 || reply.length > 27) throw new QxParseError('ID\r', reply, `${reply.length} characters, 24 to 27 expected`);
    const t = reply.split(',');
    if (t.length !== 6 || t.some((x) => x === '')) throw new QxParseError('ID\r', reply, 'not 6 comma-separated fields');
    const line = [t[0], t[1]!.padStart(4), t[2], t[3], t[4], t[5]!.padStart(5)].join(',');
    if (line.length !== 27) throw new QxParseError('ID\r', reply, 'fields of the wrong width');
    const code = column(line, 0, 2);
    const known = MODELS[code];
    const vars: Record<string, string> = {
      'device.mfr': known?.mfr ?? 'Unknown',
      'device.model': known?.model ?? `Unknown (${code})`,
    };
    const put = (name: string, v: string | undefined): void => {
      if (v !== undefined) vars[name] = v;
    };
    put('ups.power.nominal', numberColumn(line, 4, 7, 0));
    put('input.voltage.nominal', numberColumn(line, 9, 11, 0));
    put('output.voltage.nominal', numberColumn(line, 13, 15, 0));
    put('battery.voltage.low', numberColumn(line, 17, 20, 1));
    put('battery.voltage.high', numberColumn(line, 22, 26, 1));
    return { vars };
  },
};

/** `RT\r` -> `025`: runtime in minutes, published in seconds. */
const RT_QUERY: QxQuery = {
  command: 'RT\r',
  kind: 'poll',
  enabled: (ctx) => {
    const code = modelCode(ctx);
    return code !== undefined && code !== 'PRO' && code !== '320';
  },
  parse(reply) {
    checkShape('RT\r', reply, { minLength: 3 });
    const minutes = numberColumn(reply, 0, 2, 0);
    if (minutes === undefined) throw new QxParseError('RT\r', reply, 'not a number of minutes');
    return { vars: { 'battery.runtime': String(Number(minutes) * 60) } };
  },
};

/** `BP?\r` -> `02`: external battery packs (Axxium / Sola 620 only). */
const BP_QUERY: QxQuery = {
  command: 'BP?\r',
  kind: 'poll',
  enabled: (ctx) => {
    const code = modelCode(ctx);
    return code === 'AX1' || code === '620';
  },
  parse(reply) {
    checkShape('BP?\r', reply, { minLength: 2 });
    const raw = column(reply, 0, 1);
    if (!/^[0-9 ]+$/.test(raw) || !/[0-9]/.test(raw)) throw new QxParseError('BP?\r', reply, 'not a number of packs');
    return { vars: { 'battery.packs': String(Number.parseInt(raw.trim(), 10)) } };
  },
};

/** Transfer voltages of each `M` setting index: U (120 V) models, then E (230 V) models. */
const M_TABLE: ReadonlyArray<readonly [low: number, boost: number, nominal: number, buck: number, high: number]> = [
  [96, 109, 120, 130, 146], [96, 109, 120, 138, 156], [90, 104, 120, 130, 146], [90, 104, 120, 138, 156], [90, 104, 110, 120, 130],
  [90, 104, 110, 130, 146], [90, 96, 110, 120, 130], [90, 96, 110, 130, 146], [96, 109, 128, 146, 156], [90, 104, 128, 146, 156],
  [200, 222, 240, 250, 284], [200, 222, 240, 264, 290], [188, 210, 240, 250, 284], [188, 210, 240, 264, 290], [188, 210, 230, 244, 270],
  [188, 210, 230, 250, 284], [180, 200, 230, 244, 270], [180, 200, 230, 250, 284], [165, 188, 208, 222, 244], [165, 188, 208, 244, 270],
];

/** `M\r` -> `0`: the voltage setting index, turned into NUT's transfer points. */
const M_QUERY: QxQuery = {
  command: 'M\r',
  kind: 'poll',
  parse(reply, ctx) {
    checkShape('M\r', reply, { minLength: 1 });
    if (!/^\d+$/.test(reply)) throw new QxParseError('M\r', reply, 'not a setting index');
    const index = Number.parseInt(reply, 10);
    if (index > 9) throw new QxParseError('M\r', reply, 'setting index out of range [0..9]');
    const nominal = ctx.vars.get('input.voltage.nominal') ?? ctx.vars.get('output.voltage.nominal');
    if (nominal === undefined) throw new QxParseError('M\r', reply, 'no nominal voltage to pick U or E models');
    const row = M_TABLE[index + (Number.parseInt(nominal, 10) > 160 ? 10 : 0)]!;
    const [low, boost, nom, buck, high] = row.map(String) as [string, string, string, string, string];
    return {
      vars: {
        'input.transfer.low': low,
        'input.transfer.boost.low': low,
        'input.transfer.boost.high': boost,
        'input.voltage.nominal': nom,
        'output.voltage.nominal': nom,
        'input.transfer.trim.low': buck,
        'input.transfer.trim.high': high,
        'input.transfer.high': high,
      },
    };
  },
};

/** battery.packs is writable (`BP<n>`) on units that report it. */
const PACKS_SETTING: QxSetting = {
  name: 'battery.packs',
  range: [0, 5],
  enabled: (ctx) => ctx.vars.has('battery.packs'),
  normalize: (value) => String(Math.round(Number(value))),
  write: (value) => `BP${value}\r`,
};

/**
 * pins_shutdown_mode (ups.conf only): `SS?\r` asks the mode, its first
 * character a digit; `SS<n>\r` sets it once per connection when the
 * option is given and differs (nutdrv_qx_bestups.c: a reply that is not
 * a number, or the same value, sends nothing).
 */
export const PINS_SHUTDOWN_MODE: QxStartupWrite = {
  name: 'pins_shutdown_mode',
  query: 'SS?\r',
  writes(reply, ctx) {
    const want = ctx.options.raw.pins_shutdown_mode;
    if (typeof want !== 'number' || reply === null || !/^[0-9]/.test(reply)) return [];
    return Number(reply[0]) === want ? [] : [`SS${want.toFixed(0)}\r`];
  },
};

async function claim(probe: Parameters<QxProtocol['claim']>[0]): Promise<boolean> {
  if (!(await claimWith(probe, STATUS))) return false;
  const reply = await probe.query(ID_QUERY.command);
  if (reply === null) return false;
  try {
    return ID_QUERY.parse(reply, { options: probe.options, vars: new Map() }).vars?.['device.model'] !== undefined;
  } catch (err) {
    if (err instanceof QxParseError) return false;
    throw err;
  }
}

export const bestups: QxProtocol = {
  name: 'bestups',
  version: 'BestUPS 0.08',
  claim,
  queries: [STATUS, ID_QUERY, RT_QUERY, BP_QUERY, M_QUERY],
  startup: [PINS_SHUTDOWN_MODE],
  commands: [
    SHUTDOWN_RETURN,
    shutdownStayoff(''),
    fixed('shutdown.stop', 'C\r'),
    fixed('load.on', 'C\r'),
    fixed('load.off', 'S00R0000\r'),
    TEST_BATTERY_START,
    fixed('test.battery.start.deep', 'TL\r'),
    fixed('test.battery.start.quick', 'T\r'),
    fixed('test.battery.stop', 'CT\r'),
  ],
  settings: [ondelaySetting([60, 599940]), offdelaySetting([12, 5940]), PACKS_SETTING],
};
