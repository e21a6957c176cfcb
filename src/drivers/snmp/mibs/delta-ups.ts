/**
 * delta_ups: NUT's delta_ups-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const delta_ups_upstype_info: ReadonlyArray<readonly [number, string]> = [[1, 'on-line'], [2, 'off-line'], [3, 'line-interactive'], [4, '3phase'], [5, 'split-phase']];
const delta_ups_pwr_info: ReadonlyArray<readonly [number, string]> = [[0, 'OL'], [1, 'OB'], [2, 'BYPASS'], [3, 'TRIM'], [4, 'BOOST'], [5, 'BYPASS'], [7, 'OFF']];

const delta_ups_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
  { name: 'ups.mfr', string: true, len: 128, oid: '1.3.6.1.4.1.2254.2.4.1.1.0' },
  { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.2254.2.4.1.2.0' },
  { name: 'ups.firmware', string: true, len: 128, oid: '1.3.6.1.4.1.2254.2.4.1.4.0' },
  { name: 'ups.firmware.aux', string: true, len: 128, oid: '1.3.6.1.4.1.2254.2.4.1.3.0' },
  { name: 'ups.type', len: 1, oid: '1.3.6.1.4.1.2254.2.4.1.19.0', lookup: delta_ups_upstype_info },
  { name: 'ups.load', len: 1, oid: '1.3.6.1.4.1.2254.2.4.5.7.0' },
  { name: 'ups.power', len: 1, oid: '1.3.6.1.4.1.2254.2.4.1.7.0' },
  { name: 'output.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.2254.2.4.1.8.0' },
  { name: 'output.voltage', len: 0.1, oid: '1.3.6.1.4.1.2254.2.4.5.4.0' },
  { name: 'output.frequency.nominal', len: 1, oid: '1.3.6.1.4.1.2254.2.4.1.9.0' },
  { name: 'output.current', len: 0.1, oid: '1.3.6.1.4.1.2254.2.4.5.5.0' },
  { name: 'input.voltage.nominal', len: 1, oid: '1.3.6.1.4.1.2254.2.4.1.10.0' },
  { name: 'input.voltage', len: 0.1, oid: '1.3.6.1.4.1.2254.2.4.4.3.0' },
  { name: 'input.frequency.nominal', len: 1, oid: '1.3.6.1.4.1.2254.2.4.1.11.0' },
  { name: 'input.frequency', len: 0.1, oid: '1.3.6.1.4.1.2254.2.4.4.2.0' },
  { name: 'ups.status', len: 1, oid: '1.3.6.1.4.1.2254.2.4.5.1.0', lookup: delta_ups_pwr_info },
];

export const DELTA_UPS: MibMapping = { id: 'delta_ups', name: 'delta_ups', version: '0.51', sysOid: '1.3.6.1.4.1.2254.2.4', entries: delta_ups_mib };
