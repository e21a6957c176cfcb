/**
 * Every kind of line usbhid-ups debug dumps hold, read and replayed: short
 * and over-long replies (Report[err]) answered exactly as recorded, NUT's
 * buffer (Report[buf]) matched byte for byte by ReportBuffer, interrupts,
 * wrong report IDs, damaged lines that cost only themselves.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ParseError } from '../../src/core/errors';
import { parseReportDescriptor } from '../../src/drivers/usbhid/hid/descriptor';
import { parseHidDump, type HidDump } from '../../src/drivers/usbhid/hid/dump';
import { ReportBuffer } from '../../src/drivers/usbhid/hid/report-buffer';
import { ReplayTransport, checkDump } from '../../src/drivers/usbhid/transport/replay';
import { HidTransportError, type HidField, type HidTransportHandlers } from '../../src/drivers/usbhid/types';
import { FIXTURES, NUT_DDL, fixtureDump, fixtureText, hex } from './usbhid-helpers';

const handlers = (log: string[] = []): HidTransportHandlers => ({ onInput: (d) => log.push(hex(d)), onDisconnect: (e) => log.push(`gone ${e.message}`) });

interface NutRun {
  /** Path lines whose value (or Report[buf] lines whose bytes) differ from what ReportBuffer gives. */
  mismatches: string[];
  /** Path lines compared, and how many of them ReportBuffer marks not fresh. */
  compared: number;
  notFresh: Array<{ line: number; path: string; source: string; stale: boolean }>;
  /** Path lines of replies our rule refuses (wrong report ID): NUT's value, which we do not decode. */
  refused: Array<{ line: number; path: string; nut: number | undefined }>;
}

/**
 * Plays a dump through ReportBuffer in NUT's order: each Report[get] /
 * Report[err] / Report[int] line files a reply, each Report[buf] line must be
 * our buffer byte for byte, each Path line's value must be what we decode
 * (as NUT prints it, %g: 6 significant digits).
 */
function runAsNut(dump: HidDump): NutRun {
  assert.ok(dump.descriptor);
  const d = parseReportDescriptor(dump.descriptor);
  assert.ok(d.usesReportIds, 'NUT reads devices without report IDs differently; these checks need IDs');
  const rb = new ReportBuffer(d);
  const run: NutRun = { mismatches: [], compared: 0, notFresh: [], refused: [] };
  const refusedIds = new Set<number>();
  const steps = [...dump.reports.map((r) => ({ line: r.line, r })), ...dump.paths.map((p) => ({ line: p.line, p }))].sort((a, b) => a.line - b.line);
  for (const s of steps) {
    if ('r' in s) {
      const r = s.r;
      const id = r.requestedId ?? (r.bytes[0] as number);
      if (r.source === 'get' || (r.source === 'err' && r.origin === 'get')) {
        const out = rb.storeFeature(id, r.bytes);
        if (out.accepted) refusedIds.delete(id);
        else refusedIds.add(id);
      } else if (r.source === 'int' || (r.source === 'err' && r.origin === 'int')) {
        rb.storeInput(r.bytes);
      } else if (r.source === 'buf' && !refusedIds.has(id)) {
        if (hex(rb.bytes(id)) !== hex(r.bytes)) run.mismatches.push(`line ${r.line}: buffer ${hex(rb.bytes(id))}, NUT ${hex(r.bytes)}`);
      }
      continue;
    }
    const p = s.p;
    const field = d.fields.find((f: HidField) => f.path === p.path && f.kind === p.kind && f.reportId === p.reportId && f.offset === p.offset);
    if (!field) {
      run.mismatches.push(`line ${p.line}: no field ${p.path}`);
      continue;
    }
    if (refusedIds.has(p.reportId)) {
      run.refused.push({ line: p.line, path: p.path, nut: p.value });
      continue;
    }
    const reading = rb.read(field);
    if (p.value === undefined) continue;
    run.compared++;
    if (!reading) run.mismatches.push(`line ${p.line}: ${p.path} not readable, NUT ${p.value}`);
    else if (Number(reading.value.toPrecision(6)) !== p.value) run.mismatches.push(`line ${p.line}: ${p.path} = ${reading.value}, NUT ${p.value}`);
    if (reading && !reading.fresh) run.notFresh.push({ line: p.line, path: `${p.kind} ${p.path}`, source: reading.source, stale: reading.stale });
  }
  return run;
}

void describe('parseHidDump: every line kind of a usbhid-ups debug dump', () => {
  const text = [
    '   0.000100\t[D2] Report Descriptor size = 4',
    '   0.000200\t[D3] Report Descriptor: (4 bytes) => 05 84 09 04',
    '   0.000300\t[D1] HIDParse: LogMax is less than LogMin. Vendor HID report descriptor may be incorrect; interpreting LogMax -1 as 255 in ReportID: 0x22',
    '   0.000400\t[D1] 35 HID objects found',
    '   0.010000\t[D3] Report[get]: (3 bytes) => 09 4e 05',
    '   0.010100\t[D1] Path: UPS.PowerSummary.Voltage, Type: Feature, ReportID: 0x09, Offset: 0, Size: 16, Value: 13.58',
    '   0.010200\t[D2] refresh_report_buffer: expected 5 bytes, but got 2 instead',
    '   0.010300\t[D3] Report[err]: (2 bytes) => 7a 0c',
    '   0.010400\t[D1] Path: UPS.PresentStatus.Charging, Type: Feature, ReportID: 0x7a, Offset: 0, Size: 1, Value: 0',
    '   0.010500\t[D3] Report[buf]: (5 bytes) => 7a 0c 00 00 00',
    'Apr 21 10:52:45 localhost usbhid-ups[1387007]: [D2] file_report_buffer: expected 5 bytes, but got 3 instead',
    'Apr 21 10:52:45 localhost usbhid-ups[1387007]: [D3] Report[err]: (3 bytes) => 16 0c 00',
    'Apr 21 10:52:45 localhost usbhid-ups[1387007]: [D1] Got 9 HID objects...',
    '2025-11-15T23:42:11.283948+03:00 nut usbhid-ups[1364]: [D3] Report[int]: (2 bytes) => 0e 64',
    'Jan 17 15:41:24 pve nut-driver@eco650[483779]: 2159.181989        [D3:483779] Report[set]: (3 bytes) => 11 14 00',
    '# [D3] Report[get]: (3 bytes) => 0d 64 00',
    '# [D1] Path: UPS.PowerSummary.RemainingCapacity, Type: Feature, ReportID: 0x0c, Offset: 0, Size: 8, Value: 100',
    '   1.000000\t[D3] Report[err]: (2 bytes) => 0f 00',
    '   1.000100\t[D2] Path: UPS.PowerSummary.DelayBeforeShutdown, Type: Feature, ReportID: 0x0f, Offset: 0, Size: 16, Value: 0',
    '   1.100000\t[D3] Report[err]: (2 bytes) => 13 01',
    '   1.100100\t[D1] Got 1 HID objects...',
    '   2.000000\t[D1] Got 0 HID objects (2 times in a row, tolerance is 3)...',
    "   2.000100\t[D1] Can't retrieve Report 06: Broken pipe",
  ].join('\n');
  const dump = parseHidDump(text, 'kinds.dev');

  void test('reports of each source, with what the messages around them tell', () => {
    assert.deepEqual(dump.warnings, []);
    assert.deepEqual([...(dump.descriptor ?? [])], [0x05, 0x84, 0x09, 0x04]);
    const rows = dump.reports.map((r) => [r.source, hex(r.bytes), r.origin, r.expected, r.requestedId, r.line]);
    assert.deepEqual(rows, [
      ['get', '09 4e 05', undefined, undefined, undefined, 5],
      ['err', '7a 0c', 'get', 5, undefined, 8],
      ['buf', '7a 0c 00 00 00', undefined, undefined, undefined, 10],
      ['err', '16 0c 00', 'int', 5, undefined, 12],
      ['int', '0e 64', undefined, undefined, undefined, 14],
      ['set', '11 14 00', undefined, undefined, undefined, 15],
      // The Path line after it names report 0c: a reply with the wrong ID.
      ['get', '0d 64 00', undefined, undefined, 0x0c, 16],
      // No message: a GET when no "Got N HID objects" follows, an interrupt when one does.
      ['err', '0f 00', 'get', undefined, undefined, 18],
      ['err', '13 01', 'int', undefined, undefined, 20],
    ]);
    assert.equal(dump.paths.length, 4);
    assert.deepEqual(dump.paths[1], { path: 'UPS.PresentStatus.Charging', kind: 'feature', reportId: 0x7a, offset: 0, size: 1, value: 0, line: 9 });
  });

  void test("NUT's HID-layer messages, in order", () => {
    assert.deepEqual(dump.events, [
      { type: 'descriptor-size', size: 4, line: 1 },
      { type: 'hidparse', message: 'LogMax is less than LogMin. Vendor HID report descriptor may be incorrect; interpreting LogMax -1 as 255 in ReportID: 0x22', line: 3 },
      { type: 'objects', count: 35, line: 4 },
      { type: 'length', fn: 'refresh_report_buffer', expected: 5, got: 2, line: 7 },
      { type: 'length', fn: 'file_report_buffer', expected: 5, got: 3, line: 11 },
      { type: 'interrupt', objects: 9, line: 13 },
      { type: 'interrupt', objects: 1, line: 21 },
      { type: 'interrupt', objects: 0, line: 22 },
      { type: 'read-failed', reportId: 6, line: 23 },
    ]);
  });

  void test('long reports wrapped as NUT wraps them (first line to 72 characters, then 25 bytes a line)', () => {
    const bytes = Array.from({ length: 66 }, (_, i) => i);
    const lines = ['Oct 12 21:05:39 box usbhid-ups[9578]: [D2] file_report_buffer: expected 4 bytes, but got 66 instead'];
    lines.push(`Oct 12 21:05:39 box usbhid-ups[9578]: [D3] Report[err]: (66 bytes) => ${hex(Uint8Array.from(bytes.slice(0, 16)))}`);
    for (let i = 16; i < 66; i += 25) lines.push(`Oct 12 21:05:39 box usbhid-ups[9578]: [D3]  ${hex(Uint8Array.from(bytes.slice(i, i + 25)))}`);
    const d = parseHidDump(lines.join('\n'));
    assert.deepEqual(d.warnings, []);
    assert.equal(d.reports.length, 1);
    assert.deepEqual([...(d.reports[0]?.bytes ?? [])], bytes);
    assert.deepEqual([d.reports[0]?.origin, d.reports[0]?.expected], ['int', 4]);
  });
});

void describe('parseHidDump: a damaged line costs that line only', () => {
  const good = ['# [D3] Report Descriptor: (4 bytes) => 05 84 09 04', '# [D3] Report[get]: (2 bytes) => 01 64', '# [D1] Path: UPS.X, Type: Feature, ReportID: 0x01, Offset: 0, Size: 8, Value: 100'];

  const cases: Array<[string, string, string]> = [
    ['hex cut short', '# [D3] Report[get]: (3 bytes) => 02 5f', 'Report[get]: 3 bytes announced, 2 found'],
    ['too many bytes', '# [D3] Report[get]: (1 bytes) => 02 5f', 'Report[get]: 1 bytes announced, 2 found'],
    ['not hex', '# [D3] Report[get]: (2 bytes) => 02 zz', 'Report[get]: not hex bytes'],
    ['a count no report has', '# [D3] Report[int]: (99999 bytes) => 02', 'Report[int]: 99999 bytes announced, more than any report'],
    ['no count', '# [D3] Report[get]: => 02 5f', 'unreadable report line: Report[get]: => 02 5f'],
    ['a Path line cut in the middle', '# [D1] Path: UPS.PowerSummary.RemainingCap', 'unreadable Path line: Path: UPS.PowerSummary.RemainingCap'],
    ['an unknown report type', '# [D1] Path: UPS.X, Type: Bogus, ReportID: 0x01, Offset: 0, Size: 8, Value: 1', 'unknown report type Bogus'],
  ];
  for (const [what, bad, message] of cases) {
    void test(`${what}: left out with a warning, every other line read`, () => {
      const dump = parseHidDump([good[0], bad, good[1], good[2]].join('\n'), 'd.dev');
      assert.deepEqual(dump.warnings, [{ line: 2, message }]);
      assert.equal(dump.descriptor?.length, 4);
      assert.deepEqual(
        dump.reports.map((r) => [r.source, hex(r.bytes), r.line]),
        [['get', '01 64', 3]],
      );
      assert.deepEqual(dump.paths.map((p) => [p.path, p.value, p.line]), [['UPS.X', 100, 4]]);
      assert.throws(() => parseHidDump([good[0], bad].join('\n'), 'd.dev', { strict: true }), (e: unknown) => e instanceof ParseError && e.line === 2 && e.message.includes(message));
    });
  }

  void test('a damaged descriptor is left out; a later good one is used; without one the replay names the damage', () => {
    const twice = parseHidDump(['# [D3] Report Descriptor: (4 bytes) => 05 84 0', good[0], good[1]].join('\n'), 'd.dev');
    assert.deepEqual(twice.warnings, [{ line: 1, message: 'report descriptor: not hex bytes' }]);
    assert.equal(twice.descriptor?.length, 4);
    const none = parseHidDump(['# [D3] Report Descriptor: (5 bytes) => 05 84 09 04', good[1]].join('\n'), 'd.dev');
    assert.throws(() => checkDump(none, 'd.dev'), (e: unknown) => e instanceof ParseError && e.message === 'd.dev:1: report descriptor: 5 bytes announced, 4 found');
  });
});

void describe('replay of short, over-long and buffered reports (test/fixtures/usbhid)', () => {
  void test('apc-short-reports.dev: each GET answered with exactly the bytes recorded', async () => {
    const t = new ReplayTransport(fixtureDump('apc-short-reports.dev'), { source: 'apc.dev' });
    const info = await t.open(handlers());
    assert.equal(info.product, 'Back-UPS ES 525 (upsagent test recording)');
    assert.deepEqual(t.warnings, []);
    const rb = new ReportBuffer(parseReportDescriptor(await t.getReportDescriptor()), { maxReportSize: true });
    // Short replies stay short whatever is asked; the over-long one comes whole when enough is asked (maxreport).
    assert.equal(hex(await t.getFeatureReport(0x16, rb.requestLength(0x16))), '16 0c');
    assert.equal(hex(await t.getFeatureReport(0x17, rb.requestLength(0x17))), '17 ff');
    assert.equal(rb.requestLength(0x0c), 8);
    assert.equal(hex(await t.getFeatureReport(0x0c, rb.requestLength(0x0c))), '0c 64 58 02 14 0a');
    // Without maxreport the declared length is asked, and a device sends no more than asked.
    assert.equal(hex(await t.getFeatureReport(0x0c, 4)), '0c 64 58 02');
    // NUT's buffer lines are not device answers.
    assert.equal(hex(t.report(0x16)), '16 0c');
  });

  void test('apc-short-reports.dev through ReportBuffer: every value and buffer NUT printed; which ones are not fresh', () => {
    const run = runAsNut(fixtureDump('apc-short-reports.dev'));
    assert.deepEqual(run.mismatches, []);
    assert.equal(run.compared, 16);
    assert.deepEqual(run.refused, []);
    // First short reads: Overload (bit 8 of 0x16) is zero fill; the delay's high byte too.
    assert.deepEqual(
      run.notFresh.map((n) => [n.path, n.source, n.stale]),
      [
        ['feature UPS.PowerSummary.PresentStatus.Overload', 'buffer', false],
        ['feature UPS.PowerSummary.DelayBeforeShutdown', 'partial', false],
      ],
    );
  });

  void test('buffer-reuse.dev through ReportBuffer: interrupt data reused for Feature items, later short reads from stale bytes', () => {
    const run = runAsNut(fixtureDump('buffer-reuse.dev'));
    assert.deepEqual(run.mismatches, []);
    // 20 at init, 7 from the interrupt, 5 and 5 in the two later polls.
    assert.equal(run.compared, 37);
    assert.deepEqual(
      run.notFresh.map((n) => [n.path, n.source, n.stale]),
      [
        // The 2-byte interrupt left byte 2 (Overload, NeedReplacement) from the init read.
        ['input UPS.PowerSummary.PresentStatus.Overload', 'buffer', true],
        ['input UPS.PowerSummary.PresentStatus.NeedReplacement', 'buffer', true],
        // The short GET of report 02: runtime is the init read's; the Feature status bits reuse the interrupt's buffer.
        ['feature UPS.PowerSummary.RunTimeToEmpty', 'buffer', true],
        ['feature UPS.PowerSummary.PresentStatus.NeedReplacement', 'buffer', true],
        // The 1-byte reply: nothing in it but the ID.
        ['feature UPS.PowerSummary.RemainingCapacity', 'buffer', true],
        ['feature UPS.PowerSummary.RunTimeToEmpty', 'buffer', true],
      ],
    );
    // In time order: the interrupt's, then the two polls'.
    assert.deepEqual(run.notFresh.map((n) => n.line), [...run.notFresh.map((n) => n.line)].sort((a, b) => a - b));
  });

  void test('buffer-reuse.dev, sequence replay: the GETs answered in the recorded order, decoded as NUT did', async () => {
    const dump = fixtureDump('buffer-reuse.dev');
    const t = new ReplayTransport(dump, { sequence: true });
    const log: string[] = [];
    await t.open(handlers(log));
    const d = parseReportDescriptor(await t.getReportDescriptor());
    const rb = new ReportBuffer(d);
    const charge = d.find('UPS.PowerSummary.RemainingCapacity', 'feature') as HidField;
    const runtime = d.find('UPS.PowerSummary.RunTimeToEmpty', 'feature') as HidField;
    const seen: string[] = [];
    for (let poll = 0; poll < 4; poll++) {
      const out = rb.storeFeature(2, await t.getFeatureReport(2, rb.requestLength(2)));
      const c = rb.read(charge);
      const r = rb.read(runtime);
      seen.push(`${out.status} ${c?.value}${c?.fresh ? '' : '*'} ${r?.value}${r?.fresh ? '' : '*'}`);
    }
    // NUT printed 95/1800, then 94/1800 and 94/1800 (* = not sent in that reply); the last recording repeats.
    assert.deepEqual(seen, ['full 95 1800', 'short 94 1800*', 'short 94* 1800*', 'short 94* 1800*']);
    assert.equal(t.playInterrupts(), 1);
    assert.deepEqual(log, ['05 04']);
    // Without sequence: the last recording.
    const last = new ReplayTransport(dump);
    await last.open(handlers());
    assert.equal(hex(await last.getFeatureReport(2, 4)), '02');
    assert.equal(hex(await last.getFeatureReport(5, 3)), '05 04 00');
  });
});

void describe('replay of a wrong report ID, damaged lines and a journal (wrong-id-damaged.dev)', () => {
  const dump = fixtureDump('wrong-id-damaged.dev');

  void test('the dump: two damaged lines left out, the rest read through the journal prefixes', () => {
    const text = fixtureText('wrong-id-damaged.dev').split('\n');
    const lineOf = (s: string): number => text.findIndex((l) => l.includes(s)) + 1;
    assert.deepEqual(dump.warnings, [
      { line: lineOf('Report[get]: (2 bytes) => 03'), message: 'Report[get]: 2 bytes announced, 1 found' },
      { line: lineOf('=> 04 q1'), message: 'Report[get]: not hex bytes' },
    ]);
    assert.equal(dump.descriptor?.length, 90);
    assert.deepEqual(dump.device, { vendorId: 0xf055, productId: 3, manufacturer: 'Upsagent Test Works', product: 'Wrong ID UPS 400', serialNumber: 'WI400-0001', release: 0x100 });
    assert.equal(dump.paths.length, 7);
    assert.deepEqual(
      dump.events?.map((e) => e.type),
      ['descriptor-size', 'hidparse', 'objects', 'read-failed', 'interrupt'],
    );
    // The reply to report 02 begins with 01: the Path line after it says what NUT asked for.
    assert.deepEqual(dump.reports.filter((r) => r.requestedId !== undefined).map((r) => [hex(r.bytes), r.requestedId]), [['01 5a 00', 2]]);
  });

  void test('the replay answers each report as recorded; ReportBuffer refuses the wrong-ID reply NUT decoded', async () => {
    const t = new ReplayTransport(dump, { source: 'w.dev' });
    await t.open(handlers());
    assert.equal(t.warnings.length, 2);
    const d = parseReportDescriptor(await t.getReportDescriptor());
    const rb = new ReportBuffer(d);
    const get = async (id: number): Promise<string> => {
      const out = rb.storeFeature(id, await t.getFeatureReport(id, rb.requestLength(id)));
      return out.accepted ? `${out.status} ${[...(rb.readReport('feature', id) ?? [])].map(([p, r]) => `${p.slice(17)}=${r.value}`).join(' ')}` : `${out.status}: ${out.message}`;
    };
    assert.equal(await get(1), 'full RemainingCapacity=89');
    assert.equal(await get(2), 'wrong-id: feature report 02: the reply is for report 01 (3 bytes), ignored');
    // The damaged GET line is gone; the SET and the later GET remain.
    assert.equal(await get(3), 'full RemainingCapacityLimit=20');
    // The garbage GET line is gone; NUT's buffer line after it stands in.
    assert.equal(await get(4), 'full ACPresent=1 Discharging=0');
    await assert.rejects(t.getFeatureReport(6, 2), (e: unknown) => e instanceof HidTransportError && !e.disconnected && /report 6 was not recorded/.test(e.message));

    // In sequence: report 01 as read at init, then at the poll; the SET is no GET answer of its own.
    const seq = new ReplayTransport(dump, { sequence: true });
    await seq.open(handlers());
    const answers: string[] = [];
    for (const id of [1, 1, 1, 3, 3]) answers.push(hex(await seq.getFeatureReport(id, 3)));
    assert.deepEqual(answers, ['01 5a', '01 59', '01 59', '03 14', '03 14']);
  });

  void test('what NUT printed for the wrong-ID reply is the value we refuse; the rest matches', () => {
    const run = runAsNut(dump);
    assert.deepEqual(run.refused, [{ line: dump.paths[1]?.line, path: 'UPS.PowerSummary.RunTimeToEmpty', nut: 90 }]);
    // The two damaged lines lost their replies: NUT's values after them cannot be matched, and nothing else differs.
    assert.deepEqual(
      run.mismatches.map((m) => m.replace(/^line \d+: /, '')),
      ['UPS.PowerSummary.RemainingCapacityLimit not readable, NUT 10', 'UPS.PowerSummary.ACPresent not readable, NUT 1', 'buffer 04 00, NUT 04 01', 'UPS.PowerSummary.Discharging not readable, NUT 0'],
    );
  });

  void test('SET lines and live writes: a device answering short keeps answering as many bytes', async () => {
    const short = parseHidDump(fixtureText('apc-short-reports.dev') + '   9.0\t[D3] Report[set]: (5 bytes) => 16 08 00 00 00\n');
    const t = new ReplayTransport(short);
    await t.open(handlers());
    assert.equal(hex(await t.getFeatureReport(0x16, 5)), '16 08');
    await t.sendFeatureReport(Uint8Array.from([0x17, 0x1e, 0x00]));
    assert.equal(hex(await t.getFeatureReport(0x17, 3)), '17 1e');
  });
});

/** Dumps in nut-ddl with raw reports: what NUT read and printed, to be matched by ReportBuffer. */
function ddlDumpsWithReports(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(dev|nut|seq|txt|log)$/.test(e) && /Report\[(?:get|err|buf)\]/.test(readFileSync(p, 'latin1'))) out.push(p);
    }
  };
  walk(NUT_DDL);
  return out.sort();
}

// Runs where NUT's device library is checked out beside the project (../shared).
if (existsSync(NUT_DDL)) {
  void describe('nut-ddl dumps with raw reports, replayed through ReportBuffer', () => {
    const files = ddlDumpsWithReports();

    void test('every dump with Report lines: each Path value and Report[buf] buffer NUT printed', () => {
      assert.ok(files.length > 0, 'nut-ddl holds at least the APC Back-UPS CS 500 dump');
      const withErr: string[] = [];
      for (const file of files) {
        const dump = parseHidDump(readFileSync(file, 'latin1'), file);
        if (!dump.descriptor || !parseReportDescriptor(dump.descriptor).usesReportIds) continue;
        if (dump.reports.some((r) => r.source === 'err')) withErr.push(file);
        const run = runAsNut(dump);
        assert.deepEqual(run.mismatches, [], file);
        assert.deepEqual(run.refused, [], file);
        assert.ok(run.compared > 0, file);
      }
      // Dumps with short or over-long replies (Report[err]) are checked the same way when the library has them.
      assert.ok(withErr.every((f) => files.includes(f)));
    });

    void test('APC Back-UPS CS 500: 35 values, all fresh; replayed GETs answer the recorded bytes', async () => {
      const cs500 = files.find((f) => f.endsWith('APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev'));
      assert.ok(cs500);
      const dump = parseHidDump(readFileSync(cs500, 'latin1'), cs500);
      const run = runAsNut(dump);
      assert.equal(run.compared, 35);
      assert.deepEqual(run.notFresh, []);
      const t = new ReplayTransport(dump);
      await t.open(handlers());
      // The product string turns on maxreport: 8 bytes asked, the device's 6 come back.
      const rb = new ReportBuffer(parseReportDescriptor(dump.descriptor as Uint8Array), { maxReportSize: true });
      const out = rb.storeFeature(0x0c, await t.getFeatureReport(0x0c, rb.requestLength(0x0c)));
      assert.deepEqual([out.status, out.got], ['full', 6]);
    });
  });
}

// The fixtures directory exists in every clone; this keeps the import used when nut-ddl is absent.
assert.ok(existsSync(resolve(FIXTURES, 'apc-short-reports.dev')));
