import type { HidField } from '../../src/drivers/usbhid/types';

/**
 * A HidField built by hand, for tests that must not depend on the descriptor
 * parser: an 8-bit unsigned Feature field in report 1 unless `over` says otherwise.
 */
export function hidField(over: Partial<HidField> = {}): HidField {
  return {
    path: 'UPS.Test',
    usages: [0x840004, 0x840058],
    kind: 'feature',
    reportId: 1,
    offset: 0,
    size: 8,
    logicalMin: 0,
    logicalMax: 255,
    physicalMin: 0,
    physicalMax: 0,
    unit: 0,
    unitExponent: 0,
    flags: 2,
    ...over,
  };
}
