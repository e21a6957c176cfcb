/**
 * eaton-ups-pxg: NUT's eaton-ups-pxg-mib.c mapping as data (OIDs, multipliers, flags and
 * lookups transcribed from NUT 2.8's table). Field meanings: ../mib.ts.
 */
import type { MibMapping } from '../mib';
import { xupsEntries } from './eaton-pw';

// NUT's eaton-ups-pxg-mib.c differs from eaton-ups-pwnm2-mib.c only in this lookup (PXG cards
// report xupsOutputSource with their own codes), so the entries are the pw table's.
const eaton_pxg_pwr_info: ReadonlyArray<readonly [number, string]> = [[0, 'OFF'], [1, 'OL'], [2, 'OL'], [3, 'OL'], [4, 'OB'], [5, 'OB LB'], [6, 'OL'], [7, 'OL'], [8, 'OL'], [9, 'OL'], [10, 'OL'], [13, 'OL OVER'], [14, 'OL TRIM'], [15, 'OL BOOST'], [16, 'BYPASS'], [17, 'BYPASS'], [18, 'BYPASS'], [32, 'BYPASS'], [33, 'OL BYPASS'], [34, 'BYPASS'], [35, 'OFF BYPASS'], [36, 'OB BYPASS'], [37, 'OL'], [38, 'OL'], [39, 'OL'], [40, 'OL'], [41, 'OL'], [48, 'OFF'], [49, 'OFF'], [50, 'OFF'], [64, 'OL'], [80, 'OL'], [81, 'OL'], [96, 'BYPASS'], [100, 'BYPASS'], [224, 'OL OVER'], [240, 'OB'], [241, 'OFF']];

const eaton_pxg_mib = xupsEntries(eaton_pxg_pwr_info);

export const EATON_PXG_UPS: MibMapping = { id: 'eaton_pxg_ups', name: 'eaton_pxg_ups', version: '0.105', autoCheckOid: '1.3.6.1.4.1.534.1.1.2.0', sysOid: '1.3.6.1.4.1.534.2.12', entries: eaton_pxg_mib };
