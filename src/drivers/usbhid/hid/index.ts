/** The HID layer of the usbhid driver: descriptor parsing, report codec, usage names, dump readers. */
export { parseReportDescriptor, type ParseOptions } from './descriptor';
export {
  readLogical,
  toPhysical,
  toLogical,
  readField,
  writeLogical,
  writeField,
  decodeReport,
  buildReport,
  valueExponent,
} from './codec';
export { HidReportError, HidReplyError } from './errors';
export { ReportBuffer, type FieldReading, type ReplyOutcome, type ReplyStatus } from './report-buffer';
export {
  usageName,
  usageByName,
  nodeName,
  usagesToPath,
  pathToUsages,
  GENERIC_USAGES,
  INDEX_NODE,
  POWER_DEVICE_PAGE,
  BATTERY_SYSTEM_PAGE,
  type UsageNames,
} from './usages';
export { parseHidDump, parseLsusbDescriptor, type HidDump, type HidDumpPath, type HidDumpReport, type HidDumpWarning } from './dump';
