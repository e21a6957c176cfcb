/**
 * cyberpower: NUT's cyberpower-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const cyberpower_power_status: ReadonlyArray<readonly [number, string]> = [[2, 'OL'], [3, 'OB'], [4, 'OL BOOST'], [5, 'OFF'], [6, 'OFF'], [7, 'OL'], [8, 'OL'], [9, 'OL BYPASS'], [10, 'OL TRIM'], [11, 'OL OVER'], [1, 'NULL']];
const cyberpower_battery_status: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, ''], [3, 'LB']];
const cyberpower_cal_status: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, ''], [3, 'CAL']];
const cyberpower_battrepl_status: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'RB']];
const cyberpower_ups_alarm_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'Temperature too high!'], [3, 'Internal UPS fault!']];
const cyberpower_transfer_reasons: ReadonlyArray<readonly [number, string]> = [[1, 'noTransfer'], [2, 'highLineVoltage'], [3, 'brownout'], [4, 'selfTest']];
const cyberpower_testdiag_results: ReadonlyArray<readonly [number, string]> = [[1, 'Ok'], [2, 'Failed'], [3, 'InvalidTest'], [4, 'TestInProgress']];

const cyberpower_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
  { name: 'device.type', string: true, len: 128, dfl: 'ups', flags: ['static', 'absent'] },
  { name: 'ups.mfr', string: true, len: 128, dfl: 'CYBERPOWER', flags: ['static', 'absent'] },
  { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.1.1.1.0', dfl: 'CyberPower', flags: ['static'] },
  { name: 'ups.id', string: true, rw: true, len: 8, oid: '1.3.6.1.4.1.3808.1.1.1.1.1.2.0', dfl: '', flags: ['static'] },
  { name: 'ups.serial', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.1.2.3.0', dfl: '', flags: ['static'] },
  { name: 'ups.firmware', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.1.2.1.0', dfl: '', flags: ['static'] },
  { name: 'ups.mfr.date', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.1.2.2.0', dfl: '' },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.4.1.1.0', dfl: '', flags: ['pwr'], lookup: cyberpower_power_status },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.2.1.1.0', dfl: '', flags: ['batt'], lookup: cyberpower_battery_status },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.7.0', dfl: '', flags: ['cal'], lookup: cyberpower_cal_status },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.5.0', dfl: '', flags: ['rb'], lookup: cyberpower_battrepl_status },
  { name: 'ups.load', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.4.2.3.0', dfl: '' },
  { name: 'ups.realpower', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.4.2.5.0', dfl: '' },
  { name: 'ups.temperature', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.10.2.0', dfl: '' },
  { name: 'ups.alarm', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.10.1.0', dfl: '', lookup: cyberpower_ups_alarm_info },
  { name: 'battery.runtime', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.4.0', dfl: '' },
  { name: 'battery.runtime.elapsed', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.2.1.2.0', dfl: '' },
  { name: 'battery.voltage', len: 0.1, oid: '1.3.6.1.2.1.33.1.2.5.0', dfl: '' },
  { name: 'battery.voltage', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.2.0', dfl: '' },
  { name: 'battery.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.8.0', dfl: '' },
  { name: 'battery.current', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.4.2.4.0', dfl: '' },
  { name: 'battery.current', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.7.0', dfl: '' },
  { name: 'battery.charge', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.1.0', dfl: '' },
  { name: 'battery.temperature', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.2.2.3.0', dfl: '' },
  { name: 'battery.date', string: true, len: 8, oid: '1.3.6.1.4.1.3808.1.1.1.2.1.3.0', dfl: '', flags: ['semistatic'] },
  { name: 'input.voltage', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.3.2.1.0', dfl: '' },
  { name: 'input.frequency', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.3.2.4.0', dfl: '' },
  { name: 'input.transfer.reason', string: true, len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.3.2.5.0', dfl: '', flags: ['int'], lookup: cyberpower_transfer_reasons },
  { name: 'output.voltage', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.4.2.1.0', dfl: '' },
  { name: 'output.frequency', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.4.2.2.0', dfl: '' },
  { name: 'output.current', len: 0.1, oid: '1.3.6.1.4.1.3808.1.1.1.4.2.4.0', dfl: '' },
  { name: 'ups.delay.start', rw: true, len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.5.2.9.0', dfl: '0', flags: ['time'] },
  { name: 'ups.delay.reboot', len: 1, dfl: '0', flags: ['absent'] },
  { name: 'ups.delay.shutdown', rw: true, len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.5.2.11.0', dfl: '60', flags: ['time'] },
  { name: 'load.off', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.6.2.1.0', dfl: '2', flags: ['cmd'] },
  { name: 'load.on', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.6.2.6.0', dfl: '2', flags: ['cmd'] },
  { name: 'shutdown.stayoff', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.6.2.6.0', dfl: '3', flags: ['cmd'] },
  { name: 'shutdown.return', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.6.2.3.0', dfl: '3', flags: ['cmd'] },
  { name: 'test.failure.start', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.6.2.4.0', dfl: '2', flags: ['cmd'] },
  { name: 'test.panel.start', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.5.0', dfl: '2', flags: ['cmd'] },
  { name: 'test.battery.start', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.2.0', dfl: '2', flags: ['cmd'] },
  { name: 'calibrate.start', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.6.0', dfl: '2', flags: ['cmd'] },
  { name: 'calibrate.stop', len: 1, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.6.0', dfl: '3', flags: ['cmd'] },
  { name: 'ups.test.date', string: true, len: 8, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.4.0', dfl: '', flags: ['semistatic'] },
  { name: 'ups.test.result', string: true, len: 128, oid: '1.3.6.1.4.1.3808.1.1.1.7.2.3.0', dfl: '', lookup: cyberpower_testdiag_results },
];

export const CYBERPOWER: MibMapping = { id: 'cyberpower', name: 'cyberpower', version: '0.56', autoCheckOid: '1.3.6.1.4.1.3808.1.1.1.1.1.1.0', sysOid: '1.3.6.1.4.1.3808.1.1.1', entries: cyberpower_mib };
export const CYBERPOWER2: MibMapping = { id: 'cyberpower2', name: 'cyberpower', version: '0.56', autoCheckOid: '1.3.6.1.4.1.3808.1.1.1.1.1.1.0', sysOid: '1.3.6.1.4.1.3808', entries: cyberpower_mib };
