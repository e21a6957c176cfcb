/**
 * eaton_pw: NUT's eaton-ups-pwnm2-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

type Lookup = ReadonlyArray<readonly [number, string]>;

// Named "pw" as NUT 2.8.0 names this table (powerware-mib.c) and ups.conf files say mibs=pw;
// newer NUT calls it eaton_pw_nm2, which mibs= accepts too (../detect.ts).

const pw_pwr_info: Lookup = [[1, ''], [2, 'OFF'], [3, 'OL'], [4, 'BYPASS'], [5, 'OB'], [6, 'OL BOOST'], [7, 'OL TRIM'], [8, 'OL'], [9, 'OL'], [10, 'OL'], [11, 'BYPASS'], [11, 'OL']];
const pw_alarm_ob: Lookup = [[1, 'OB'], [2, '']];
const pw_alarm_lb: Lookup = [[1, 'LB'], [2, '']];
const pw_battery_abm_status: Lookup = [[1, 'CHRG'], [2, 'DISCHRG']];
const pw_mode_info: Lookup = [[1, ''], [2, ''], [3, 'normal'], [4, ''], [5, ''], [6, ''], [7, ''], [8, 'parallel capacity'], [9, 'parallel redundancy'], [10, 'high efficiency'], [240, ''], [100, ''], [96, ''], [81, 'high efficiency'], [80, 'normal'], [64, ''], [16, '']];
const pw_topology_info: Lookup = [[0, ''], [16, 'Off-line switcher, Single Phase'], [32, 'Line-Interactive UPS, Single Phase'], [33, 'Line-Interactive UPS, Two Phase'], [34, 'Line-Interactive UPS, Three Phase'], [48, 'Dual AC Input, On-Line UPS, Single Phase'], [49, 'Dual AC Input, On-Line UPS, Two Phase'], [50, 'Dual AC Input, On-Line UPS, Three Phase'], [64, 'On-Line UPS, Single Phase'], [65, 'On-Line UPS, Two Phase'], [66, 'On-Line UPS, Three Phase'], [80, 'Parallel Redundant On-Line UPS, Single Phase'], [81, 'Parallel Redundant On-Line UPS, Two Phase'], [82, 'Parallel Redundant On-Line UPS, Three Phase'], [96, 'Parallel for Capacity On-Line UPS, Single Phase'], [97, 'Parallel for Capacity On-Line UPS, Two Phase'], [98, 'Parallel for Capacity On-Line UPS, Three Phase'], [258, 'System Bypass Module, Three Phase'], [290, 'Hot-Tie Cabinet, Three Phase'], [512, 'Outlet Controller, Single Phase'], [546, 'Dual AC Input Static Switch Module, 3 Phase']];
const pw_batt_test_info: Lookup = [[1, 'Unknown'], [2, 'Done and passed'], [3, 'Done and error'], [4, 'In progress'], [5, 'Not supported'], [6, 'Inhibited'], [7, 'Scheduled']];
const pw_yes_no_info: Lookup = [[1, 'yes'], [2, 'no']];
const pw_abm_status_info: Lookup = [[1, 'charging'], [2, 'discharging'], [3, 'floating'], [4, 'resting'], [5, 'unknown'], [6, 'disabled']];
const pw_outlet_status_info: Lookup = [[1, 'on'], [2, 'off'], [3, 'on'], [4, 'off'], [7, 'off'], [8, 'on']];
const pw_ambient_drycontacts_info: Lookup = [[-1, 'unknown'], [1, 'opened'], [2, 'closed'], [3, 'opened'], [4, 'closed']];
const pw_emp002_ambient_presence_info: Lookup = [[0, 'unknown'], [2, 'yes'], [3, 'no']];
const pw_sensor_temperature_unit_info: Lookup = [[0, 'kelvin'], [1, 'celsius'], [2, 'fahrenheit']];
const pw_threshold_status_info: Lookup = [[0, 'good'], [1, 'warning-low'], [2, 'critical-low'], [3, 'warning-high'], [4, 'critical-high']];
const pw_threshold_temperature_alarms_info: Lookup = [[0, ''], [1, 'low temperature warning!'], [2, 'low temperature critical!'], [3, 'high temperature warning!'], [4, 'high temperature critical!']];
const pw_threshold_humidity_alarms_info: Lookup = [[0, ''], [1, 'low humidity warning!'], [2, 'low humidity critical!'], [3, 'high humidity warning!'], [4, 'high humidity critical!']];
const pw_ambient_drycontacts_polarity_info: Lookup = [[0, 'normal-opened'], [1, 'normal-closed']];
const pw_ambient_drycontacts_state_info: Lookup = [[0, 'inactive'], [1, 'active']];

/**
 * The XUPS-MIB table both Eaton/Powerware cards speak: NUT's eaton-ups-pxg-mib.c is
 * eaton-ups-pwnm2-mib.c with only the ups.status (xupsOutputSource) lookup changed, so the
 * PXG table (./eaton-pxg.ts) is built from this one with its own lookup.
 */
export function xupsEntries(pwrInfo: Lookup): readonly MibEntry[] {
  return [
    { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
    { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
    { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
    { name: 'ups.mfr', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.1.1.0', dfl: '', flags: ['static'] },
    { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.1.2.0', dfl: '', flags: ['static'] },
    { name: 'ups.firmware', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.1.3.0', dfl: '' },
    { name: 'ups.firmware.aux', string: true, len: 128, oid: '1.3.6.1.2.1.33.1.1.4.0', dfl: '' },
    { name: 'ups.serial', string: true, len: 128, oid: '1.3.6.1.2.1.33.1.1.5.0', dfl: '', flags: ['static'] },
    { name: 'ups.load', len: 1, oid: '1.3.6.1.4.1.534.1.4.1.0', dfl: '' },
    { name: 'ups.power', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.1', dfl: '' },
    { name: 'ups.power', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.1.0', dfl: '' },
    { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.4.5.0', dfl: 'OFF', flags: ['pwr'], lookup: pwrInfo },
    { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.7.3', dfl: '', flags: ['batt'], lookup: pw_alarm_ob },
    { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.7.4', dfl: '', flags: ['batt'], lookup: pw_alarm_lb },
    { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.2.5.0', dfl: '', flags: ['batt'], lookup: pw_battery_abm_status },
    { name: 'experimental.ups.type', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.4.5.0', dfl: '', flags: ['static'], lookup: pw_mode_info },
    { name: 'ups.type', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.13.1.0', dfl: '', flags: ['static'], lookup: pw_topology_info },
    { name: 'ups.realpower.nominal', len: 1, oid: '1.3.6.1.4.1.534.1.10.3.0', dfl: '' },
    { name: 'ups.power.nominal', len: 1, oid: '1.3.6.1.2.1.33.1.9.5.0', dfl: '' },
    { name: 'ups.temperature', len: 1, oid: '1.3.6.1.4.1.534.1.6.1.0', dfl: '' },
    { name: 'ups.temperature.low', rw: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.2.0', dfl: '' },
    { name: 'ups.temperature.high', rw: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.3.0', dfl: '' },
    { name: 'ups.test.result', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.8.2.0', dfl: '', lookup: pw_batt_test_info },
    { name: 'ups.start.auto', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.33.1.8.5.0', dfl: '', lookup: pw_yes_no_info },
    { name: 'battery.charger.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.1.2.5.0', dfl: '', flags: ['batt'], lookup: pw_abm_status_info },
    { name: 'battery.charge', len: 1, oid: '1.3.6.1.4.1.534.1.2.4.0', dfl: '' },
    { name: 'battery.runtime', len: 1, oid: '1.3.6.1.4.1.534.1.2.1.0', dfl: '' },
    { name: 'battery.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.2.2.0', dfl: '' },
    { name: 'battery.current', len: 0.1, oid: '1.3.6.1.4.1.534.1.2.3.0', dfl: '' },
    { name: 'battery.runtime.low', len: 60, oid: '1.3.6.1.2.1.33.1.9.7.0', dfl: '' },
    { name: 'battery.date', string: true, rw: true, len: 128, oid: '1.3.6.1.4.1.534.1.2.6.0', convert: 'usdate-to-isodate' },
    { name: 'output.phases', len: 1, oid: '1.3.6.1.4.1.534.1.4.3.0', dfl: '' },
    { name: 'output.frequency', len: 0.1, oid: '1.3.6.1.4.1.534.1.4.2.0', dfl: '' },
    { name: 'output.frequency.nominal', len: 0.1, oid: '1.3.6.1.4.1.534.1.10.4.0', dfl: '' },
    { name: 'output.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.2.1', dfl: '', flags: ['out1'] },
    { name: 'output.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.2.1.0', dfl: '', flags: ['out1'] },
    { name: 'output.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.534.1.10.1.0', dfl: '' },
    { name: 'output.voltage.low', len: 1, oid: '1.3.6.1.4.1.534.1.10.6.0', dfl: '' },
    { name: 'output.voltage.high', len: 1, oid: '1.3.6.1.4.1.534.1.10.7.0', dfl: '' },
    { name: 'output.current', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.3.1', dfl: '', flags: ['out1'] },
    { name: 'output.current', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.3.1.0', dfl: '', flags: ['out1'] },
    { name: 'output.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.1', dfl: '', flags: ['out1'] },
    { name: 'output.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.1.0', dfl: '' },
    { name: 'output.realpower.nominal', len: 1, oid: '1.3.6.1.4.1.534.1.10.3.0', dfl: '' },
    { name: 'output.L1-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.2.1', dfl: '', flags: ['out3'] },
    { name: 'output.L2-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.2.2', dfl: '', flags: ['out3'] },
    { name: 'output.L3-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.2.3', dfl: '', flags: ['out3'] },
    { name: 'output.L1.current', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.3.1', dfl: '', flags: ['out3'] },
    { name: 'output.L2.current', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.3.2', dfl: '', flags: ['out3'] },
    { name: 'output.L3.current', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.3.3', dfl: '', flags: ['out3'] },
    { name: 'output.L1.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.1', dfl: '', flags: ['out3'] },
    { name: 'output.L2.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.2', dfl: '', flags: ['out3'] },
    { name: 'output.L3.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.4.4.1.4.3', dfl: '', flags: ['out3'] },
    { name: 'output.L1.power.percent', len: 1, oid: '1.3.6.1.2.1.33.1.4.4.1.5.1', dfl: '', flags: ['out3'] },
    { name: 'output.L2.power.percent', len: 1, oid: '1.3.6.1.2.1.33.1.4.4.1.5.2', dfl: '', flags: ['out3'] },
    { name: 'output.L3.power.percent', len: 1, oid: '1.3.6.1.2.1.33.1.4.4.1.5.3', dfl: '', flags: ['out3'] },
    { name: 'output.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.534.1.10.1.0', dfl: '' },
    { name: 'input.phases', len: 1, oid: '1.3.6.1.4.1.534.1.3.3.0', dfl: '' },
    { name: 'input.frequency', len: 0.1, oid: '1.3.6.1.4.1.534.1.3.1.0', dfl: '' },
    { name: 'input.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.2.0', dfl: '', flags: ['in1'] },
    { name: 'input.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.2.1', dfl: '', flags: ['in1'] },
    { name: 'input.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.534.1.10.2.0', dfl: '' },
    { name: 'input.current', len: 0.1, oid: '1.3.6.1.4.1.534.1.3.4.1.3.0', dfl: '', flags: ['in1'] },
    { name: 'input.L1-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.2.1', dfl: '', flags: ['in3'] },
    { name: 'input.L2-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.2.2', dfl: '', flags: ['in3'] },
    { name: 'input.L3-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.2.3', dfl: '', flags: ['in3'] },
    { name: 'input.L1.current', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.3.1', dfl: '', flags: ['in3'] },
    { name: 'input.L2.current', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.3.2', dfl: '', flags: ['in3'] },
    { name: 'input.L3.current', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.3.3', dfl: '', flags: ['in3'] },
    { name: 'input.L1.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.4.1', dfl: '', flags: ['in3'] },
    { name: 'input.L2.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.4.2', dfl: '', flags: ['in3'] },
    { name: 'input.L3.realpower', len: 1, oid: '1.3.6.1.4.1.534.1.3.4.1.4.3', dfl: '', flags: ['in3'] },
    { name: 'input.quality', len: 1, oid: '1.3.6.1.4.1.534.1.3.2.0', dfl: '' },
    { name: 'input.bypass.frequency', len: 0.1, oid: '1.3.6.1.4.1.534.1.5.1.0', dfl: '' },
    { name: 'input.bypass.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.5.3.1.2.0', dfl: '', flags: ['in1'] },
    { name: 'input.bypass.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.5.3.1.2.1.0', dfl: '', flags: ['in1'] },
    { name: 'input.bypass.L1-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.5.3.1.2.1', dfl: '', flags: ['in3'] },
    { name: 'input.bypass.L2-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.5.3.1.2.2', dfl: '', flags: ['in3'] },
    { name: 'input.bypass.L3-N.voltage', len: 1, oid: '1.3.6.1.4.1.534.1.5.3.1.2.3', dfl: '', flags: ['in3'] },
    { name: 'outlet.id', len: 1, dfl: '0', flags: ['static'] },
    { name: 'outlet.switchable', len: 1, oid: '1.3.6.1.4.1.534.1.9.7.0', flags: ['static'], lookup: pw_yes_no_info },
    { name: 'outlet.count', len: 1, oid: '1.3.6.1.4.1.534.1.12.1.0', flags: ['static'] },
    { name: 'outlet.%i.id', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.1.%i', flags: ['static', 'outlet'] },
    { name: 'outlet.%i.switchable', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.1.%i', flags: ['static', 'outlet'] },
    { name: 'outlet.%i.status', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.2.%i', flags: ['outlet'], lookup: pw_outlet_status_info },
    { name: 'ambient.temperature', len: 1, oid: '1.3.6.1.4.1.534.1.6.5.0', dfl: '' },
    { name: 'ambient.temperature.low', rw: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.9.0', dfl: '' },
    { name: 'ambient.temperature.high', rw: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.10.0', dfl: '' },
    { name: 'ambient.humidity', len: 1, oid: '1.3.6.1.4.1.534.1.6.6.0', dfl: '' },
    { name: 'ambient.humidity.low', rw: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.11.0', dfl: '' },
    { name: 'ambient.humidity.high', rw: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.12.0', dfl: '' },
    { name: 'ambient.contacts.1.name', string: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.8.1.4.1', dfl: '' },
    { name: 'ambient.contacts.2.name', string: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.8.1.4.2', dfl: '' },
    { name: 'ambient.contacts.1.status', string: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.8.1.3.1', dfl: '', lookup: pw_ambient_drycontacts_info },
    { name: 'ambient.contacts.2.status', string: true, len: 1, oid: '1.3.6.1.4.1.534.1.6.8.1.3.2', dfl: '', lookup: pw_ambient_drycontacts_info },
    { name: 'ambient.count', rw: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.1.0', dfl: '' },
    { name: 'ambient.%i.present', string: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.1.4.1.1.%i', flags: ['ambient'], lookup: pw_emp002_ambient_presence_info },
    { name: 'ambient.%i.name', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.3.1.1.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.mfr', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.2.1.6.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.model', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.2.1.7.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.serial', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.2.1.9.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.id', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.2.1.2.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.address', len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.2.1.4.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.firmware', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.1.2.1.10.%i', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.temperature.unit', len: 1, oid: '1.3.6.1.4.1.534.6.8.1.2.5.0', dfl: '', flags: ['ambient'], lookup: pw_sensor_temperature_unit_info },
    { name: 'ambient.%i.temperature', len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.2.3.1.3.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.temperature.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.2.3.1.1.%i.1', flags: ['ambient'], lookup: pw_threshold_status_info },
    { name: 'ups.alarm', string: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.2.3.1.1.%i.1', flags: ['ambient'], lookup: pw_threshold_temperature_alarms_info },
    { name: 'ambient.%i.temperature.low.critical', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.2.2.1.6.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.temperature.low.warning', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.2.2.1.5.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.temperature.high.warning', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.2.2.1.7.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.temperature.high.critical', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.2.2.1.8.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.humidity', len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.3.3.1.3.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.humidity.status', string: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.3.3.1.1.%i.1', flags: ['ambient'], lookup: pw_threshold_status_info },
    { name: 'ups.alarm', string: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.3.3.1.1.%i.1', flags: ['ambient'], lookup: pw_threshold_humidity_alarms_info },
    { name: 'ambient.%i.humidity.low.critical', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.3.2.1.6.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.humidity.low.warning', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.3.2.1.5.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.humidity.high.warning', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.3.2.1.7.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.humidity.high.critical', rw: true, len: 0.1, oid: '1.3.6.1.4.1.534.6.8.1.3.2.1.8.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.contacts.1.name', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.4.2.1.1.%i.1', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.contacts.2.name', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.4.2.1.1.%i.2', dfl: '', flags: ['ambient'] },
    { name: 'ambient.%i.contacts.1.config', string: true, rw: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.4.2.1.3.%i.1', dfl: '', flags: ['ambient'], lookup: pw_ambient_drycontacts_polarity_info },
    { name: 'ambient.%i.contacts.2.config', string: true, rw: true, len: 128, oid: '1.3.6.1.4.1.534.6.8.1.4.2.1.3.%i.2', dfl: '', flags: ['ambient'], lookup: pw_ambient_drycontacts_polarity_info },
    { name: 'ambient.%i.contacts.1.status', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.4.3.1.3.%i.1', dfl: '', flags: ['ambient'], lookup: pw_ambient_drycontacts_state_info },
    { name: 'ambient.%i.contacts.2.status', string: true, len: 1, oid: '1.3.6.1.4.1.534.6.8.1.4.3.1.3.%i.2', dfl: '', flags: ['ambient'], lookup: pw_ambient_drycontacts_state_info },
    { name: 'test.battery.start.quick', len: 1, oid: '1.3.6.1.4.1.534.1.8.1', dfl: '', flags: ['cmd'] },
    { name: 'shutdown.return', len: 0, oid: '1.3.6.1.4.1.534.1.9.6', dfl: '', flags: ['cmd'] },
    { name: 'shutdown.stop', len: 0, oid: '1.3.6.1.4.1.534.1.9.1.0', dfl: '', flags: ['cmd'] },
    { name: 'load.off', len: 1, oid: '1.3.6.1.4.1.534.1.9.1.0', dfl: '1', flags: ['cmd'] },
    { name: 'load.off.delay', len: 1, oid: '1.3.6.1.4.1.534.1.9.1.0', flags: ['cmd'] },
    { name: 'load.on', len: 1, oid: '1.3.6.1.4.1.534.1.9.2.0', dfl: '1', flags: ['cmd'] },
    { name: 'load.on.delay', len: 1, oid: '1.3.6.1.4.1.534.1.9.2.0', flags: ['cmd'] },
    { name: 'outlet.%i.load.off', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.3.%i', dfl: '0', flags: ['cmd', 'outlet'] },
    { name: 'outlet.%i.load.on', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.4.%i', dfl: '0', flags: ['cmd', 'outlet'] },
    { name: 'outlet.%i.load.off.delay', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.3.%i', flags: ['cmd', 'outlet'] },
    { name: 'outlet.%i.load.on.delay', len: 1, oid: '1.3.6.1.4.1.534.1.12.2.1.4.%i', flags: ['cmd', 'outlet'] },
    { name: 'ups.alarms', len: 1, oid: '1.3.6.1.4.1.534.1.7.1.0', dfl: '' },
  ];
}

const pw_mib = xupsEntries(pw_pwr_info);

export const EATON_PW_NM2: MibMapping = { id: 'eaton_pw_nm2', name: 'pw', version: '0.106', autoCheckOid: '1.3.6.1.4.1.534.1.1.2.0', sysOid: '1.3.6.1.4.1.534.1', entries: pw_mib };
