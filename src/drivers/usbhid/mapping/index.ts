/**
 * The usbhid mapping layer: subdriver tables and the engine that applies one
 * to a device. Typical use by the driver:
 *
 *   const subdriver = selectSubdriver(info);            // by USB IDs
 *   const mapper = new HidMapper(subdriver, descriptor, info, options);
 *   // (the constructor applies the vendor's descriptor fixes: build it before decoding reports)
 *   read mapper.pollPaths('init') and the USB strings of mapper.stringPaths() values
 *   const { vars, status, commands } = mapper.compute(values, strings);
 *   mapper.setVar(name, value) / mapper.instCmd(name, param) -> HID writes
 */
export { HidMapper, type HidMapperOptions, type HidWrite, type MappedVar, type MappingResult, type PollMode } from './engine';
export { formatValue, formatFixed, formatG } from './format';
export * as lookups from './lookups';
export { isStringIndexLookup, stringIndex } from './lookups';
export * as rows from './rows';
export {
  buildStatus,
  isStatusFlag,
  STATUS_FLAGS,
  StatusFlags,
  type StatusFlag,
  type StatusInputs,
  type StatusOptions,
  type StatusResult,
} from './status';
export { allSubdrivers, deviceQuirks, findSubdriverByName, selectSubdriver, SUBDRIVERS, type DeviceQuirks } from './select';
export { usageNameMap } from './engine';
export { apcSubdriver } from './vendors/apc';
export { arduinoSubdriver } from './vendors/arduino';
export { belkinSubdriver } from './vendors/belkin';
export { cpsSubdriver } from './vendors/cps';
export { deltaUpsSubdriver } from './vendors/delta-ups';
export { ecoflowSubdriver } from './vendors/ecoflow';
export { everSubdriver } from './vendors/ever';
export { genericSubdriver } from './vendors/generic';
export { idowellSubdriver } from './vendors/idowell';
export { legrandSubdriver } from './vendors/legrand';
export { liebertSubdriver } from './vendors/liebert';
export { mgeSubdriver } from './vendors/mge';
export { openupsSubdriver } from './vendors/openups';
export { powercomSubdriver } from './vendors/powercom';
export { powervarSubdriver } from './vendors/powervar';
export { salicruSubdriver } from './vendors/salicru';
export { trippliteSubdriver } from './vendors/tripplite';
