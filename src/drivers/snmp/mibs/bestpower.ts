/**
 * bestpower: NUT's bestpower-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const bestpower_power_status: ReadonlyArray<readonly [number, string]> = [[1, 'OL'], [2, 'OB']];

const bestpower_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
  { name: 'device.type', string: true, len: 128, dfl: 'ups', flags: ['static', 'absent'] },
  { name: 'ups.mfr', string: true, len: 128, dfl: 'EATON', flags: ['static', 'absent'] },
  { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.2947.1.1.2.0', dfl: 'Best Ferrups', flags: ['static'] },
  { name: 'ups.serial', string: true, len: 128, oid: '1.3.6.1.4.1.2947.1.1.5.0', dfl: '', flags: ['static'] },
  { name: 'ups.firmware', string: true, len: 128, oid: '1.3.6.1.4.1.2947.1.1.7.0', dfl: '', flags: ['static'] },
  { name: 'ups.power', len: 1, oid: '1.3.6.1.4.1.2947.1.1.3.0', dfl: '' },
  { name: 'ups.mfr.date', string: true, len: 128, oid: '1.3.6.1.4.1.2947.1.1.8.0', dfl: '' },
  { name: 'ups.status', string: true, len: 128, oid: '1.3.6.1.4.1.2947.1.2.1.0', dfl: '', lookup: bestpower_power_status },
  { name: 'battery.runtime', len: 60, oid: '1.3.6.1.4.1.2947.1.2.3.0', dfl: '' },
  { name: 'battery.runtime.elapsed', len: 1, oid: '1.3.6.1.4.1.2947.1.2.2.0', dfl: '' },
  { name: 'battery.voltage', len: 0.1, oid: '1.3.6.1.4.1.2947.1.2.4.0', dfl: '' },
  { name: 'battery.current', len: 0.1, oid: '1.3.6.1.4.1.2947.1.2.5.0', dfl: '' },
];

export const BESTPOWER: MibMapping = { id: 'bestpower', name: 'bestpower', version: '0.40', autoCheckOid: '1.3.6.1.4.1.2947.1.1.2.0', sysOid: '1.3.6.1.4.1.2947.1.1.2.0', entries: bestpower_mib };
