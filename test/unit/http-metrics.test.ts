/**
 * /metrics scraped over HTTP from a running agent and parsed with a
 * Prometheus text parser: nut_exporter's names (network_ups_tools_<var>,
 * ups_status{flag}, device_info), the agent's health, values read at scrape
 * time, and OpenMetrics text when asked for.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { devWith, MONITOR, startRig, until, type Rig } from './http-rig';

let rig: Rig;
before(async () => {
  rig = await startRig({
    upses: ['u', 'b'],
    monitor: MONITOR,
  });
});
after(async () => {
  await rig.stop();
});

async function scrape(accept?: string): Promise<{ contentType: string; text: string; families: ReturnType<typeof parsePrometheusTextFormat> }> {
  const r = await rig.get('/metrics', accept ? { accept } : {});
  assert.equal(r.status, 200);
  return { contentType: r.headers.get('content-type') ?? '', text: r.text, families: parsePrometheusTextFormat(r.text) };
}

function sample(families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string>): number | undefined {
  const f = families.find((x) => x.name === name);
  const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m?.value === undefined ? undefined : Number(m.value);
}

test('numeric variables as network_ups_tools_<var> with a ups label; strings left out; on/off words as 1/0', async () => {
  const { contentType, families } = await scrape();
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  assert.equal(sample(families, 'network_ups_tools_battery_charge', { ups: 'u' }), 100);
  assert.equal(sample(families, 'network_ups_tools_battery_charge', { ups: 'b' }), 100);
  assert.equal(sample(families, 'network_ups_tools_battery_voltage', { ups: 'u' }), 13.6);
  assert.equal(sample(families, 'network_ups_tools_input_voltage_nominal', { ups: 'u' }), 230);
  assert.equal(sample(families, 'network_ups_tools_ups_load', { ups: 'u' }), 12);
  assert.equal(sample(families, 'network_ups_tools_ups_beeper_status', { ups: 'u' }), 1, 'enabled reads 1, as nut_exporter\'s on_regex');
  assert.equal(families.find((f) => f.name === 'network_ups_tools_battery_type'), undefined, 'PbAc is no number');
  assert.equal(families.find((f) => f.name === 'network_ups_tools_battery_charge')?.type, 'GAUGE');
  assert.match(families.find((f) => f.name === 'network_ups_tools_battery_charge')!.help, /\(battery\.charge\)$/);
});

test('ups_status: 1 for each flag set, 0 for nut_exporter\'s other known flags; device_info carries model, mfr, serial', async () => {
  const { families } = await scrape();
  assert.equal(sample(families, 'network_ups_tools_ups_status', { ups: 'u', flag: 'OL' }), 1);
  assert.equal(sample(families, 'network_ups_tools_ups_status', { ups: 'u', flag: 'CHRG' }), 1);
  assert.equal(sample(families, 'network_ups_tools_ups_status', { ups: 'u', flag: 'OB' }), 0);
  assert.equal(sample(families, 'network_ups_tools_ups_status', { ups: 'u', flag: 'LB' }), 0);
  const info = families.find((f) => f.name === 'network_ups_tools_device_info')!.metrics.find((m) => m.labels?.ups === 'u')!;
  assert.equal(Number(info.value), 1);
  assert.deepEqual(
    { model: info.labels!.model, mfr: info.labels!.mfr, serial: info.labels!.serial, type: info.labels!.type },
    { model: 'TC-650', mfr: 'Testing Corp', serial: 'TC0001', type: 'ups' },
  );
});

test("the agent's health: driver state, data age, availability, NUT clients, monitor, event streams", async () => {
  const { families } = await scrape();
  assert.equal(sample(families, 'upsagent_driver_state', { ups: 'u', state: 'connected' }), 1);
  assert.equal(sample(families, 'upsagent_driver_state', { ups: 'u', state: 'disconnected' }), 0);
  const age = sample(families, 'upsagent_data_age_seconds', { ups: 'u' })!;
  assert.ok(age >= 0 && age < 15, String(age));
  assert.equal(sample(families, 'upsagent_ups_available', { ups: 'b' }), 1);
  assert.equal(sample(families, 'upsagent_nut_clients', { ups: 'u' }), 0);
  assert.equal(sample(families, 'upsagent_monitor_enabled', {}), 1);
  assert.equal(sample(families, 'upsagent_monitor_supplies_minimum', {}), 1);
  assert.equal(sample(families, 'upsagent_monitor_supply_critical', { ups: 'u' }), 0);
  assert.equal(sample(families, 'upsagent_http_event_streams', {}), 0);
});

test('a scrape reads the store as it is now: on battery shows OB 1, and the notification is counted', async () => {
  writeFileSync(rig.devFile('u'), devWith('OB DISCHRG').replace('battery.charge: 100', 'battery.charge: 80'));
  await until('OB in the store', () => rig.agent.store.get('u')?.getVar('ups.status')?.value === 'OB DISCHRG');
  const { families } = await scrape();
  assert.equal(sample(families, 'network_ups_tools_ups_status', { ups: 'u', flag: 'OB' }), 1);
  assert.equal(sample(families, 'network_ups_tools_ups_status', { ups: 'u', flag: 'OL' }), 0);
  assert.equal(sample(families, 'network_ups_tools_battery_charge', { ups: 'u' }), 80);
  await until('ONBATT counted', async () => sample((await scrape()).families, 'upsagent_notifications', { type: 'ONBATT' }) === 1);
});

test('a UPS whose driver is gone exports no variables, only its health', async () => {
  const { rmSync } = await import('node:fs');
  rmSync(rig.devFile('b'));
  await until('b stale', () => rig.agent.store.get('b')!.isStale(15_000));
  const { families } = await scrape();
  assert.equal(sample(families, 'network_ups_tools_battery_charge', { ups: 'b' }), undefined);
  assert.equal(sample(families, 'network_ups_tools_battery_charge', { ups: 'u' }), 80);
  assert.equal(sample(families, 'upsagent_ups_available', { ups: 'b' }), 0);
  assert.equal(sample(families, 'upsagent_ups_stale', { ups: 'b' }), 1);
  writeFileSync(rig.devFile('b'), devWith('OL'));
});

test('OpenMetrics text when the Accept header asks for it', async () => {
  const { contentType, text } = await scrape('application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5');
  assert.match(contentType, /^application\/openmetrics-text; version=1\.0\.0/);
  assert.ok(text.trimEnd().endsWith('# EOF'));
  assert.match(text, /^network_ups_tools_battery_charge\{ups="u"\} 80$/m);
  assert.match(text, /^# TYPE upsagent_notifications counter$/m);
  assert.match(text, /^upsagent_notifications_total\{type="ONBATT"\} 1$/m);
});

test("?ups= scrapes one UPS, as nut_exporter's ?ups= (also at its /ups_metrics path); an unknown one is 404", async () => {
  const b = await rig.get('/metrics?ups=b');
  assert.equal(b.status, 200);
  const only = parsePrometheusTextFormat(b.text);
  assert.equal(sample(only, 'upsagent_ups_available', { ups: 'b' }) !== undefined, true);
  const upsLabels = new Set(only.flatMap((f) => f.metrics.map((m) => m.labels?.ups)).filter((u) => u !== undefined));
  assert.deepEqual([...upsLabels], ['b']);
  const u = await rig.get('/ups_metrics?ups=U');
  assert.equal(u.status, 200);
  assert.equal(sample(parsePrometheusTextFormat(u.text), 'network_ups_tools_battery_charge', { ups: 'u' }), 80);
  assert.equal(sample(parsePrometheusTextFormat(u.text), 'network_ups_tools_battery_charge', { ups: 'b' }), undefined);
  const none = await rig.get('/metrics?ups=nope');
  assert.deepEqual([none.status, (none.body as { error: string }).error], [404, 'UNKNOWN-UPS']);
  // The filter ends with its scrape: the next plain one has every UPS again.
  const all = parsePrometheusTextFormat((await rig.get('/metrics')).text);
  assert.equal(sample(all, 'upsagent_ups_available', { ups: 'u' }), 1);
  assert.equal(sample(all, 'upsagent_ups_available', { ups: 'b' }) !== undefined, true);
});
