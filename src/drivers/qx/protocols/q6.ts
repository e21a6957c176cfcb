/**
 * Q6 (NUT nutdrv_qx_q6, "Q6 0.01"): three-phase Megatec variant. `Q6` gives
 * phase voltages, frequencies, loads, positive and negative battery
 * voltages and runtime in seconds; `WA` and `Q1` as for Q2.
 *
 *   Q6 -> (227.0 225.6 230.0 50.0 229.9 000.0 000.0 49.9 007 000 000 327.8 000.0 23.0 06932 100 32 00000000 00000000 11
 *         0         1         2         3         4         5         6         7         8         9         10
 *         012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890
 */
import type { QxProtocol } from '../protocol';
import { phaseQuery, threePhaseProtocol } from './three-phase';

export const Q6_QUERY = phaseQuery(
  'Q6\r',
  109,
  [
    { name: 'input.L1-N.voltage', from: 1, to: 5, decimals: 1 },
    { name: 'input.L2-N.voltage', from: 7, to: 11, decimals: 1 },
    { name: 'input.L3-N.voltage', from: 13, to: 17, decimals: 1 },
    { name: 'input.frequency', from: 19, to: 22, decimals: 1 },
    { name: 'output.L1-N.voltage', from: 24, to: 28, decimals: 1 },
    { name: 'output.L2-N.voltage', from: 30, to: 34, decimals: 1 },
    { name: 'output.L3-N.voltage', from: 36, to: 40, decimals: 1 },
    { name: 'output.frequency', from: 42, to: 45, decimals: 1 },
    { name: 'output.L1.load', from: 47, to: 49, decimals: 0 },
    { name: 'output.L2.load', from: 51, to: 53, decimals: 0 },
    { name: 'output.L3.load', from: 55, to: 57, decimals: 0 },
    { name: 'ups.temperature', from: 71, to: 74, decimals: 1 },
    { name: 'battery.voltage', from: 59, to: 63, decimals: 1, scale: 'battvolt' },
    { name: 'battery.runtime', from: 76, to: 80, decimals: 0 },
    { name: 'battery.charge', from: 82, to: 84, decimals: 0 },
    { name: 'experimental.battery.voltage.negative', from: 65, to: 69, decimals: 1, scale: 'battvolt' },
  ],
  [107, 108],
);

export const q6: QxProtocol = threePhaseProtocol('q6', 'Q6 0.01', Q6_QUERY);
