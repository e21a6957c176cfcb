/**
 * xppc: NUT's xppc-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const xpcc_onbatt_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, ''], [3, 'LB']];
const xpcc_power_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'OL'], [3, 'OB'], [4, 'OL BOOST'], [5, 'OFF'], [6, 'BYPASS'], [7, ''], [8, 'OFF'], [9, 'OL TRIM']];

const xppc_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
  { name: 'ups.mfr', string: true, len: 128, dfl: 'Tripp Lite / Phoenixtec', flags: ['static', 'absent'] },
  { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.935.1.1.1.1.1.1.0', dfl: 'Generic Phoenixtec SNMP device' },
  { name: 'ups.firmware.aux', string: true, len: 128, oid: '1.3.6.1.4.1.935.1.1.1.1.2.4.0' },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.935.1.1.1.2.1.1.0', dfl: '', flags: ['batt', 'int'], lookup: xpcc_onbatt_info },
  { name: 'battery.charge', len: 1, oid: '1.3.6.1.4.1.935.1.1.1.2.2.1.0', flags: ['int'] },
  { name: 'battery.voltage', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.2.2.2.0', flags: ['int'] },
  { name: 'ups.temperature', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.2.2.3.0', flags: ['int'] },
  { name: 'battery.runtime', len: 1, oid: '1.3.6.1.4.1.935.1.1.1.2.2.4.0', flags: ['int'] },
  { name: 'input.voltage', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.3.2.1.0', flags: ['int'] },
  { name: 'input.frequency', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.3.2.4.0', flags: ['int'] },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.935.1.1.1.4.1.1.0', dfl: '', flags: ['int', 'pwr'], lookup: xpcc_power_info },
  { name: 'output.voltage', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.4.2.1.0', flags: ['int'] },
  { name: 'output.frequency', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.4.2.2.0', flags: ['int'] },
  { name: 'ups.load', len: 1, oid: '1.3.6.1.4.1.935.1.1.1.4.2.3.0', flags: ['int'] },
  { name: 'output.voltage.nominal', len: 0.1, oid: '1.3.6.1.4.1.935.1.1.1.5.2.1.0', flags: ['int'] },
];

export const XPPC: MibMapping = { id: 'xppc', name: 'xppc', version: '0.41', sysOid: '1.3.6.1.4.1.935', entries: xppc_mib };
