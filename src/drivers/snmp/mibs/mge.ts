/**
 * mge: NUT's mge-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const mge_beeper_status_info: ReadonlyArray<readonly [number, string]> = [[1, 'disabled'], [2, 'enabled'], [3, 'muted']];
const mge_test_result_info: ReadonlyArray<readonly [number, string]> = [[1, 'done and passed'], [2, 'done and warning'], [3, 'done and error'], [4, 'aborted'], [5, 'in progress'], [6, 'no test initiated']];
const mge_yes_no_info: ReadonlyArray<readonly [number, string]> = [[1, 'yes'], [2, 'no']];
const mge_replacebatt_info: ReadonlyArray<readonly [number, string]> = [[1, 'RB'], [2, '']];
const mge_lowbatt_info: ReadonlyArray<readonly [number, string]> = [[1, 'LB'], [2, '']];
const mge_onbatt_info: ReadonlyArray<readonly [number, string]> = [[1, 'OB'], [2, 'OL']];
const mge_bypass_info: ReadonlyArray<readonly [number, string]> = [[1, 'BYPASS'], [2, '']];
const mge_output_util_off_info: ReadonlyArray<readonly [number, string]> = [[1, 'OFF'], [2, '']];
const mge_boost_info: ReadonlyArray<readonly [number, string]> = [[1, 'BOOST'], [2, '']];
const mge_overload_info: ReadonlyArray<readonly [number, string]> = [[1, 'OVER'], [2, '']];
const mge_trim_info: ReadonlyArray<readonly [number, string]> = [[1, 'TRIM'], [2, '']];
const mge_power_source_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'OFF'], [4, 'BYPASS'], [5, 'OB'], [6, 'BOOST'], [7, 'TRIM']];
const mge_transfer_reason_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'input voltage out of range'], [3, 'input frequency out of range'], [4, 'utility off']];
const mge_ambient_drycontacts_info: ReadonlyArray<readonly [number, string]> = [[-1, 'unknown'], [1, 'closed'], [2, 'opened']];

const mge_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
  { name: 'ups.mfr', string: true, len: 128, dfl: 'EATON', flags: ['static', 'absent'] },
  { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.1.1.0', dfl: 'Generic SNMP UPS', flags: ['static'] },
  { name: 'ups.serial', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.1.7.0', dfl: '', flags: ['static'] },
  { name: 'ups.firmware', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.1.4.0', dfl: '', flags: ['static'] },
  { name: 'ups.firmware.aux', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.12.12.0', dfl: '', flags: ['static'] },
  { name: 'ups.load', len: 1, oid: '1.3.6.1.4.1.705.1.7.2.1.4.1', dfl: '', flags: ['out1'] },
  { name: 'ups.beeper.status', string: true, len: 128, oid: '1.3.6.1.2.1.33.1.9.8.0', dfl: '', lookup: mge_beeper_status_info },
  { name: 'ups.L1.load', len: 1, oid: '1.3.6.1.4.1.705.1.7.2.1.4.1', dfl: '', flags: ['out3'] },
  { name: 'ups.L2.load', len: 1, oid: '1.3.6.1.4.1.705.1.7.2.1.4.2', dfl: '', flags: ['out3'] },
  { name: 'ups.L3.load', len: 1, oid: '1.3.6.1.4.1.705.1.7.2.1.4.3', dfl: '', flags: ['out3'] },
  { name: 'ups.test.result', string: true, len: 128, oid: '1.3.6.1.2.1.33.1.7.3.0', dfl: '', lookup: mge_test_result_info },
  { name: 'ups.delay.shutdown', string: true, rw: true, len: 6, oid: '1.3.6.1.2.1.33.1.8.2.0', dfl: '20', flags: ['absent'] },
  { name: 'ups.delay.start', string: true, rw: true, len: 6, oid: '1.3.6.1.2.1.33.1.8.3.0', dfl: '30', flags: ['absent'] },
  { name: 'ups.timer.shutdown', len: 1, oid: '1.3.6.1.2.1.33.1.8.2.0', dfl: '' },
  { name: 'ups.timer.start', len: 1, oid: '1.3.6.1.2.1.33.1.8.3.0', dfl: '' },
  { name: 'ups.timer.reboot', len: 1, oid: '1.3.6.1.2.1.33.1.8.4.0', dfl: '' },
  { name: 'ups.start.auto', rw: true, len: 1, oid: '1.3.6.1.2.1.33.1.8.5.0', dfl: '', lookup: mge_yes_no_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.5.11.0', dfl: '', flags: ['batt'], lookup: mge_replacebatt_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.5.14.0', dfl: '', flags: ['batt'], lookup: mge_lowbatt_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.5.16.0', dfl: '', flags: ['batt'], lookup: mge_lowbatt_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.7.3.0', dfl: '', flags: ['batt'], lookup: mge_onbatt_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.7.4.0', dfl: '', flags: ['batt'], lookup: mge_bypass_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.7.7.0', dfl: '', flags: ['batt'], lookup: mge_output_util_off_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.7.8.0', dfl: '', flags: ['batt'], lookup: mge_boost_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.7.10.0', dfl: '', flags: ['batt'], lookup: mge_overload_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.7.12.0', dfl: '', flags: ['batt'], lookup: mge_trim_info },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.2.1.33.1.4.1.0', dfl: '', flags: ['pwr'], lookup: mge_power_source_info },
  { name: 'input.phases', len: 1, oid: '1.3.6.1.4.1.705.1.6.1.0', dfl: '' },
  { name: 'input.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.2.1', dfl: '', flags: ['in1'] },
  { name: 'input.L1-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.2.1', dfl: '', flags: ['in3'] },
  { name: 'input.L2-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.2.2', dfl: '', flags: ['in3'] },
  { name: 'input.L3-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.2.3', dfl: '', flags: ['in3'] },
  { name: 'input.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.3.1', dfl: '', flags: ['in1'] },
  { name: 'input.L1.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.3.1', dfl: '', flags: ['in3'] },
  { name: 'input.L2.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.3.2', dfl: '', flags: ['in3'] },
  { name: 'input.L3.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.3.3', dfl: '', flags: ['in3'] },
  { name: 'input.voltage.minimum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.4.1', dfl: '', flags: ['in1'] },
  { name: 'input.L1-N.voltage.minimum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.4.1', dfl: '', flags: ['in3'] },
  { name: 'input.L2-N.voltage.minimum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.4.2', dfl: '', flags: ['in3'] },
  { name: 'input.L3-N.voltage.minimum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.4.3', dfl: '', flags: ['in3'] },
  { name: 'input.voltage.maximum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.5.1', dfl: '', flags: ['in1'] },
  { name: 'input.L1-N.voltage.maximum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.5.1', dfl: '', flags: ['in3'] },
  { name: 'input.L2-N.voltage.maximum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.5.2', dfl: '', flags: ['in3'] },
  { name: 'input.L3-N.voltage.maximum', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.5.3', dfl: '', flags: ['in3'] },
  { name: 'input.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.6.1', dfl: '', flags: ['in1'] },
  { name: 'input.L1.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.6.1', dfl: '', flags: ['in3'] },
  { name: 'input.L2.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.6.2', dfl: '', flags: ['in3'] },
  { name: 'input.L3.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.6.2.1.6.3', dfl: '', flags: ['in3'] },
  { name: 'input.transfer.reason', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.6.4.0', dfl: '', lookup: mge_transfer_reason_info },
  { name: 'output.phases', len: 1, oid: '1.3.6.1.4.1.705.1.7.1.0', dfl: '' },
  { name: 'output.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.2.1', dfl: '', flags: ['out1'] },
  { name: 'output.L1-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.2.1', dfl: '', flags: ['out3'] },
  { name: 'output.L2-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.2.2', dfl: '', flags: ['out3'] },
  { name: 'output.L3-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.2.3', dfl: '', flags: ['out3'] },
  { name: 'output.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.3.1', dfl: '', flags: ['out1'] },
  { name: 'output.L1.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.3.1', dfl: '', flags: ['out3'] },
  { name: 'output.L2.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.3.2', dfl: '', flags: ['out3'] },
  { name: 'output.L3.frequency', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.3.3', dfl: '', flags: ['out3'] },
  { name: 'output.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.5.1', dfl: '', flags: ['out1'] },
  { name: 'output.L1.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.5.1', dfl: '', flags: ['out3'] },
  { name: 'output.L2.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.5.2', dfl: '', flags: ['out3'] },
  { name: 'output.L3.current', len: 0.1, oid: '1.3.6.1.4.1.705.1.7.2.1.5.3', dfl: '', flags: ['out3'] },
  { name: 'battery.charge', len: 1, oid: '1.3.6.1.4.1.705.1.5.2.0', dfl: '' },
  { name: 'battery.runtime', len: 1, oid: '1.3.6.1.4.1.705.1.5.1.0', dfl: '' },
  { name: 'battery.runtime.low', len: 1, oid: '1.3.6.1.4.1.705.1.4.7.0', dfl: '' },
  { name: 'battery.charge.low', string: true, rw: true, len: 2, oid: '1.3.6.1.4.1.705.1.4.8.0', dfl: '', flags: ['int'] },
  { name: 'battery.voltage', len: 0.1, oid: '1.3.6.1.4.1.705.1.5.5.0', dfl: '' },
  { name: 'ambient.temperature', len: 0.1, oid: '1.3.6.1.4.1.705.1.8.1.0', dfl: '', flags: ['int'] },
  { name: 'ambient.humidity', len: 0.1, oid: '1.3.6.1.4.1.705.1.8.2.0', dfl: '', flags: ['int'] },
  { name: 'ambient.contacts.1.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.8.7.1.9.1', dfl: '', flags: ['int'], lookup: mge_ambient_drycontacts_info },
  { name: 'ambient.contacts.2.status', string: true, len: 128, oid: '1.3.6.1.4.1.705.1.8.7.1.10.1', dfl: '', flags: ['int'], lookup: mge_ambient_drycontacts_info },
  { name: 'outlet.id', len: 1, dfl: '0', flags: ['static', 'absent'] },
  { name: 'outlet.desc', string: true, rw: true, len: 20, dfl: 'Main Outlet', flags: ['static', 'absent'] },
  { name: 'test.battery.start', len: 1, oid: '1.3.6.1.4.1.705.1.10.4.0', dfl: '2', flags: ['cmd'] },
  { name: 'beeper.disable', len: 1, oid: '1.3.6.1.2.1.33.1.9.8.0', dfl: '1', flags: ['cmd'] },
  { name: 'beeper.enable', len: 1, oid: '1.3.6.1.2.1.33.1.9.8.0', dfl: '2', flags: ['cmd'] },
  { name: 'beeper.mute', len: 1, oid: '1.3.6.1.2.1.33.1.9.8.0', dfl: '3', flags: ['cmd'] },
  { name: 'load.off.delay', len: 1, oid: '1.3.6.1.2.1.33.1.8.2.0', flags: ['cmd'] },
  { name: 'load.on.delay', len: 1, oid: '1.3.6.1.2.1.33.1.8.3.0', flags: ['cmd'] },
];

export const MGE: MibMapping = { id: 'mge', name: 'mge', version: '0.55', autoCheckOid: '1.3.6.1.4.1.705.1.1.1.0', sysOid: '1.3.6.1.4.1.705.1', entries: mge_mib };
