/**
 * huawei: NUT's huawei-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibEntry, MibMapping } from '../mib';

const huawei_supplymethod_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, 'OL BYPASS'], [3, 'OL'], [4, 'OB'], [5, ''], [6, 'OL ECO'], [7, 'OB ECO']];
const huawei_battstate_info: ReadonlyArray<readonly [number, string]> = [[1, ''], [2, ''], [3, ''], [4, ''], [5, 'CHRG'], [6, 'DISCHRG']];
const huawei_test_result_info: ReadonlyArray<readonly [number, string]> = [[1, 'done and passed'], [2, 'done and warning'], [3, 'done and error'], [4, 'aborted'], [5, 'in progress'], [6, 'no test initiated']];
const huawei_phase_info: ReadonlyArray<readonly [number, string]> = [[1, '1'], [2, '3']];
const huawei_voltrating_info: ReadonlyArray<readonly [number, string]> = [[1, '200'], [2, '208'], [3, '220'], [4, '380'], [5, '400'], [6, '415'], [7, '480'], [8, '600'], [9, '690']];
const huawei_freqrating_info: ReadonlyArray<readonly [number, string]> = [[1, '50'], [2, '60']];
const huawei_pwrrating_info: ReadonlyArray<readonly [number, string]> = [[1, '80000'], [2, '100000'], [3, '120000'], [4, '160000'], [5, '200000'], [6, '30000'], [7, '40000'], [8, '60000'], [9, '2400000'], [10, '2500000'], [11, '2800000'], [12, '3000000']];

const huawei_mib: readonly MibEntry[] = [
  { name: 'device.description', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.1.0' },
  { name: 'device.contact', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.4.0' },
  { name: 'device.location', string: true, rw: true, len: 128, oid: '1.3.6.1.2.1.1.6.0' },
  { name: 'ups.mfr', string: true, len: 128, dfl: 'Huawei', flags: ['absent'] },
  { name: 'ups.model', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.2.100.1.2.1', dfl: 'Generic SNMP UPS', flags: ['static'] },
  { name: 'ups.id', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.1.1.2.0', flags: ['static'] },
  { name: 'ups.time', len: 1, oid: '1.3.6.1.4.1.2011.6.174.1.11.1.0' },
  { name: 'ups.firmware', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.2.100.1.3.1', flags: ['static'] },
  { name: 'ups.serial', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.2.100.1.5.1', flags: ['static'] },
  { name: 'ups.status', len: 1, oid: '1.3.6.1.4.1.2011.6.174.1.2.101.1.1.1', lookup: huawei_supplymethod_info },
  { name: 'ups.status', len: 1, oid: '1.3.6.1.4.1.2011.6.174.1.2.101.1.3.1', flags: ['batt'], lookup: huawei_battstate_info },
  { name: 'ups.test.result', string: true, len: 128, oid: '1.3.6.1.2.1.33.1.7.3.0', dfl: '', lookup: huawei_test_result_info },
  { name: 'input.phases', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.102.100.1.8', dfl: '3', flags: ['absent'], lookup: huawei_phase_info },
  { name: 'input.L1-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.1.1' },
  { name: 'input.L2-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.2.1' },
  { name: 'input.L3-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.3.1' },
  { name: 'input.frequency', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.4.1' },
  { name: 'input.L1.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.5.1' },
  { name: 'input.L2.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.6.1' },
  { name: 'input.L3.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.7.1' },
  { name: 'input.L1.powerfactor', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.8.1' },
  { name: 'input.L2.powerfactor', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.9.1' },
  { name: 'input.L3.powerfactor', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.3.100.1.10.1' },
  { name: 'input.bypass.L1-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.5.100.1.1.1' },
  { name: 'input.bypass.L2-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.5.100.1.2.1' },
  { name: 'input.bypass.L3-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.5.100.1.3.1' },
  { name: 'input.bypass.frequency', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.5.100.1.4.1' },
  { name: 'output.phases', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.102.100.1.9', dfl: '3', flags: ['absent'], lookup: huawei_phase_info },
  { name: 'output.L1-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.1.1' },
  { name: 'output.L2-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.2.1' },
  { name: 'output.L3-N.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.3.1' },
  { name: 'output.L1.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.4.1' },
  { name: 'output.L2.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.5.1' },
  { name: 'output.L3.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.6.1' },
  { name: 'output.frequency', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.7.1' },
  { name: 'output.L1.realpower', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.8.1' },
  { name: 'output.L1.realpower', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.9.1' },
  { name: 'output.L1.realpower', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.10.1' },
  { name: 'output.L1.power', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.11.1' },
  { name: 'output.L2.power', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.12.1' },
  { name: 'output.L3.power', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.13.1' },
  { name: 'output.L1.power.percent', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.14.1' },
  { name: 'output.L2.power.percent', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.15.1' },
  { name: 'output.L3.power.percent', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.16.1' },
  { name: 'output.voltage.nominal', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.17.1', flags: ['static'], lookup: huawei_voltrating_info },
  { name: 'output.frequency.nominal', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.18.1', flags: ['static'], lookup: huawei_freqrating_info },
  { name: 'output.power.nominal', string: true, len: 128, oid: '1.3.6.1.4.1.2011.6.174.1.2.100.1.6.1', flags: ['static'], lookup: huawei_pwrrating_info },
  { name: 'output.L1.powerfactor', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.19.1' },
  { name: 'output.L2.powerfactor', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.20.1' },
  { name: 'output.L2.powerfactor', len: 0.01, oid: '1.3.6.1.4.1.2011.6.174.1.4.100.1.21.1' },
  { name: 'battery.voltage', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.6.100.1.1.1' },
  { name: 'battery.current', len: 0.1, oid: '1.3.6.1.4.1.2011.6.174.1.6.100.1.2.1' },
  { name: 'battery.charge', len: 1, oid: '1.3.6.1.4.1.2011.6.174.1.6.100.1.3.1' },
  { name: 'battery.runtime', len: 1, oid: '1.3.6.1.4.1.2011.6.174.1.6.100.1.4.1' },
];

export const HUAWEI: MibMapping = { id: 'huawei', name: 'huawei', version: '0.40', autoCheckOid: '1.3.6.1.4.1.2011.6.174.1.2.100.1.2.1', sysOid: '1.3.6.1.4.1.8072.3.2.10', entries: huawei_mib };
