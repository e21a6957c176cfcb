/**
 * Q2 (NUT nutdrv_qx_q2, "Q2 0.01"): three-phase Megatec variant. `Q2` gives
 * the phase voltages, loads, battery and runtime (in minutes), `WA` the
 * output power, `Q1` the status bits.
 *
 *   Q2 -> (226.6 224.3 228.0 226.6 229.9 000.0 000.0 000 000 000 49.9 327.6 18.0 00000000 999.24 100 02 00 00 00 00 00000000 11
 *         0         1         2         3         4         5         6         7         8         9         10        11
 *         012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456
 */
import type { QxProtocol } from '../protocol';
import { phaseQuery, threePhaseProtocol } from './three-phase';

export const Q2_QUERY = phaseQuery(
  'Q2\r',
  117,
  [
    { name: 'input.L1-N.voltage', from: 1, to: 5, decimals: 1 },
    { name: 'input.L2-N.voltage', from: 7, to: 11, decimals: 1 },
    { name: 'input.L3-N.voltage', from: 13, to: 17, decimals: 1 },
    { name: 'input.voltage.fault', from: 19, to: 23, decimals: 1 },
    { name: 'input.frequency', from: 55, to: 58, decimals: 1 },
    { name: 'output.L1-N.voltage', from: 25, to: 29, decimals: 1 },
    { name: 'output.L2-N.voltage', from: 31, to: 35, decimals: 1 },
    { name: 'output.L3-N.voltage', from: 37, to: 41, decimals: 1 },
    { name: 'output.L1.load', from: 43, to: 45, decimals: 0 },
    { name: 'output.L2.load', from: 47, to: 49, decimals: 0 },
    { name: 'output.L3.load', from: 51, to: 53, decimals: 0 },
    { name: 'ups.temperature', from: 66, to: 69, decimals: 1 },
    { name: 'battery.voltage', from: 60, to: 64, decimals: 1, scale: 'battvolt' },
    { name: 'battery.runtime', from: 80, to: 85, decimals: 0, scale: 'm2s' },
    { name: 'battery.charge', from: 87, to: 89, decimals: 0 },
  ],
  [115, 116],
);

export const q2: QxProtocol = threePhaseProtocol('q2', 'Q2 0.01', Q2_QUERY);
