/**
 * vertiv: NUT's vertiv-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const vertiv_power_source_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'OFF'], [3, 'OL'], [4, 'BYPASS'], [5, 'OB'], [6, 'BOOST'], [7, 'TRIM']];
const vertiv_beeper_status_info: ReadonlyArray<readonly [number, string]> = [[1, 'enabled'], [2, 'disabled']];

const vertiv_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0', flags: ['semistatic'] },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0', flags: ['semistatic'] },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0', flags: ['semistatic'] },
  { name: 'device.mfr', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.2.1.1.0', flags: ['static'] },
  { name: 'device.model', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.2.4.2.1.4.1', flags: ['static'] },
  { name: 'device.serial', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.2.4.2.1.7.1', flags: ['static'] },
  { name: 'ups.firmware', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.2.4.2.1.5.1', flags: ['static'] },
  { name: 'device.type', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.20.1.20.1.2.1.4553', flags: ['static'] },
  { name: 'ups.mfr', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.20.1.20.1.2.1.4333', flags: ['static'] },
  { name: 'ups.model', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.20.1.20.1.2.1.4240', flags: ['static'] },
  { name: 'ups.load', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.5861', dfl: '', flags: ['neginvalid'] },
  { name: 'ups.temperature', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.10.1.2.1.4291', flags: ['neginvalid'] },
  { name: 'ups.type', string: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.20.1.20.1.2.1.6199', flags: ['static'] },
  { name: 'battery.charge', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4153', dfl: '', flags: ['neginvalid'] },
  { name: 'battery.runtime', len: 60, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4150', dfl: '', flags: ['neginvalid'] },
  { name: 'battery.voltage', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4148', dfl: '', flags: ['neginvalid'] },
  { name: 'battery.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.6189', dfl: '', flags: ['static'] },
  { name: 'input.voltage', len: 0.1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4096', dfl: '', flags: ['neginvalid'] },
  { name: 'input.current', len: 0.1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4113', dfl: '', flags: ['neginvalid'] },
  { name: 'input.frequency', len: 0.1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4105', dfl: '', flags: ['neginvalid'] },
  { name: 'input.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4102', dfl: '', flags: ['static'] },
  { name: 'input.current.nominal', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4104', dfl: '', flags: ['static'] },
  { name: 'input.frequency.nominal', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4103', dfl: '', flags: ['static'] },
  { name: 'output.voltage', len: 0.1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4385', dfl: '', flags: ['neginvalid'] },
  { name: 'output.current', len: 0.1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4204', dfl: '', flags: ['neginvalid'] },
  { name: 'output.frequency', len: 0.1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4207', dfl: '', flags: ['neginvalid'] },
  { name: 'output.power', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4208', dfl: '', flags: ['neginvalid'] },
  { name: 'output.power.apparent', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4209', dfl: '', flags: ['neginvalid'] },
  { name: 'output.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4260', dfl: '', flags: ['static'] },
  { name: 'output.power.nominal', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4264', dfl: '', flags: ['static'] },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.4872', dfl: '', flags: ['pwr'], lookup: vertiv_power_source_info },
  { name: 'ups.beeper.status', string: true, len: 128, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.6188', dfl: '', flags: ['unique'], lookup: vertiv_beeper_status_info },
  { name: 'beeper.disable', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.6188', dfl: '2', flags: ['cmd'] },
  { name: 'beeper.enable', len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.6188', dfl: '1', flags: ['cmd'] },
  { name: 'ups.delay.shutdown', rw: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.5814', dfl: '', flags: ['time'] },
  { name: 'ups.delay.start', rw: true, len: 1, oid: '1.3.6.1.4.1.476.1.42.3.9.30.1.20.1.2.1.5816', dfl: '', flags: ['time'] },
];

export const VERTIV: MibMapping = { id: 'vertiv', name: 'vertiv', version: '0.01', powerStatusOid: '1.3.6.1.4.1.476.1.42.3.5.3', autoCheckOid: '1.3.6.1.4.1.476.1.42.2.4.2.1.4.1', sysOid: '1.3.6.1.4.1.476.1.42', entries: vertiv_mib };
