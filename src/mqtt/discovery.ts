/**
 * Home Assistant MQTT discovery: one retained config document per entity
 * under `<discoveryPrefix>/<component>/<node>/<object>/config`, each with
 * the device block (so HA groups them as one device), both availability
 * topics (the agent's will and the UPS's own) and the state topic it reads.
 * Units and device classes are HA's names for what NUT's variables measure.
 */
import type { UpsView } from '../core/state';
import { topicSafe } from './config';
import type { Topics } from './topics';

export interface SensorSpec {
  name: string;
  deviceClass?: string;
  unit?: string;
  /** Omitted for settings and text (they are not measurements). */
  stateClass?: 'measurement';
  diagnostic?: boolean;
  icon?: string;
}

/** NUT variables shown as HA sensors. Others are still published on their topics. */
export const SENSORS: Readonly<Record<string, SensorSpec>> = {
  'battery.charge': { name: 'Battery charge', deviceClass: 'battery', unit: '%', stateClass: 'measurement' },
  'battery.runtime': { name: 'Battery runtime', deviceClass: 'duration', unit: 's', stateClass: 'measurement' },
  'battery.voltage': { name: 'Battery voltage', deviceClass: 'voltage', unit: 'V', stateClass: 'measurement' },
  'battery.temperature': { name: 'Battery temperature', deviceClass: 'temperature', unit: '°C', stateClass: 'measurement' },
  'ups.load': { name: 'Load', unit: '%', stateClass: 'measurement', icon: 'mdi:gauge' },
  'ups.realpower': { name: 'Real power', deviceClass: 'power', unit: 'W', stateClass: 'measurement' },
  'ups.power': { name: 'Apparent power', deviceClass: 'apparent_power', unit: 'VA', stateClass: 'measurement' },
  'ups.realpower.nominal': { name: 'Nominal real power', deviceClass: 'power', unit: 'W', diagnostic: true },
  'ups.power.nominal': { name: 'Nominal apparent power', deviceClass: 'apparent_power', unit: 'VA', diagnostic: true },
  'ups.temperature': { name: 'Temperature', deviceClass: 'temperature', unit: '°C', stateClass: 'measurement' },
  'input.voltage': { name: 'Input voltage', deviceClass: 'voltage', unit: 'V', stateClass: 'measurement' },
  'input.voltage.nominal': { name: 'Nominal input voltage', deviceClass: 'voltage', unit: 'V', diagnostic: true },
  'output.voltage': { name: 'Output voltage', deviceClass: 'voltage', unit: 'V', stateClass: 'measurement' },
  'input.frequency': { name: 'Input frequency', deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement' },
  'output.frequency': { name: 'Output frequency', deviceClass: 'frequency', unit: 'Hz', stateClass: 'measurement' },
  'input.current': { name: 'Input current', deviceClass: 'current', unit: 'A', stateClass: 'measurement' },
  'output.current': { name: 'Output current', deviceClass: 'current', unit: 'A', stateClass: 'measurement' },
  'ups.status': { name: 'Status', icon: 'mdi:power-plug-battery' },
  'ups.test.result': { name: 'Self-test result', diagnostic: true },
  'ups.beeper.status': { name: 'Beeper', diagnostic: true },
};

/** Status words shown as HA binary sensors (on while the word is in ups.status). */
export const BINARY_SENSORS: ReadonlyArray<{ key: string; word: string; name: string; deviceClass?: string; icon?: string }> = [
  { key: 'on_battery', word: 'OB', name: 'On battery', icon: 'mdi:battery-arrow-down' },
  // HA's `battery` class: on means low.
  { key: 'low_battery', word: 'LB', name: 'Low battery', deviceClass: 'battery' },
  { key: 'replace_battery', word: 'RB', name: 'Replace battery', deviceClass: 'problem' },
  { key: 'overload', word: 'OVER', name: 'Overload', deviceClass: 'problem' },
];

export interface DiscoveryContext {
  topics: Topics;
  discoveryPrefix: string;
  nodeId: string;
  version: string;
  /** Commands that may come in from MQTT; `*` = all. */
  allowed: readonly string[];
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** The first of these variables that is there. */
function first(view: UpsView, names: string[]): string | undefined {
  for (const n of names) {
    const v = view.getVar(n)?.value;
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

export function deviceBlock(view: UpsView, ctx: DiscoveryContext): Record<string, unknown> {
  const device: Record<string, unknown> = {
    identifiers: [`upsagent_${ctx.nodeId}_${topicSafe(view.name)}`],
    name: view.desc || view.name,
  };
  const add = (key: string, names: string[]): void => {
    const v = first(view, names);
    if (v !== undefined) device[key] = v;
  };
  add('manufacturer', ['device.mfr', 'ups.mfr']);
  add('model', ['device.model', 'ups.model']);
  add('serial_number', ['device.serial', 'ups.serial']);
  add('sw_version', ['ups.firmware', 'ups.firmware.aux']);
  return device;
}

export function commandAllowed(allowed: readonly string[], cmd: string): boolean {
  const c = cmd.toLowerCase();
  return allowed.some((a) => a === '*' || a.toLowerCase() === c);
}

function commandName(cmd: string): string {
  const words = cmd.split('.');
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Every discovery document for one UPS as it is now. */
export function discoveryMessages(view: UpsView, ctx: DiscoveryContext): DiscoveryMessage[] {
  const ups = topicSafe(view.name);
  const node = `${ctx.nodeId}_${ups}`;
  const common = {
    availability: [{ topic: ctx.topics.status }, { topic: ctx.topics.availability(view.name) }],
    availability_mode: 'all',
    device: deviceBlock(view, ctx),
    origin: { name: 'upsagent', sw_version: ctx.version },
  };
  const out: DiscoveryMessage[] = [];
  const entity = (component: string, object: string, fields: Record<string, unknown>): void => {
    out.push({
      topic: `${ctx.discoveryPrefix}/${component}/${node}/${object}/config`,
      payload: { ...fields, unique_id: `${node}_${object}`, ...common },
    });
  };
  for (const [name, spec] of Object.entries(SENSORS)) {
    if (!view.getVar(name)) continue;
    entity('sensor', name.replace(/\./g, '_'), {
      name: spec.name,
      state_topic: ctx.topics.variable(view.name, name),
      ...(spec.deviceClass ? { device_class: spec.deviceClass } : {}),
      ...(spec.unit ? { unit_of_measurement: spec.unit } : {}),
      ...(spec.stateClass ? { state_class: spec.stateClass } : {}),
      ...(spec.diagnostic ? { entity_category: 'diagnostic' } : {}),
      ...(spec.icon ? { icon: spec.icon } : {}),
    });
  }
  if (view.getVar('ups.status')) {
    for (const b of BINARY_SENSORS) {
      entity('binary_sensor', b.key, {
        name: b.name,
        state_topic: ctx.topics.variable(view.name, 'ups.status'),
        value_template: `{{ 'ON' if '${b.word}' in value.split() else 'OFF' }}`,
        payload_on: 'ON',
        payload_off: 'OFF',
        ...(b.deviceClass ? { device_class: b.deviceClass } : {}),
        ...(b.icon ? { icon: b.icon } : {}),
      });
    }
  }
  for (const cmd of view.commands()) {
    if (!commandAllowed(ctx.allowed, cmd)) continue;
    entity('button', `cmd_${cmd.replace(/[^A-Za-z0-9]/g, '_')}`, {
      name: commandName(cmd),
      command_topic: ctx.topics.command(view.name),
      payload_press: cmd,
      entity_category: 'config',
    });
  }
  return out;
}
