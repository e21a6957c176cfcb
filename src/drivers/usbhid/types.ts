/**
 * Contracts between the layers of the USB HID Power Device driver:
 *
 *   transport (hidraw | replay)  ->  HID layer (descriptor, report codec)
 *        ->  mapping (subdriver tables: paths -> NUT variables, status, commands)  ->  driver (store, bus)
 *
 * Each layer only sees these types, so each is tested alone: the HID layer on
 * descriptor bytes, the mapping on path/value tables, the driver on a replay
 * transport.
 */
import { UpsAgentError } from '../../core/errors';

// ---------------------------------------------------------------- HID layer

export type ReportKind = 'input' | 'output' | 'feature';

/** One data field of a report: a variable usage, or one slot of an array. */
export interface HidField {
  /**
   * The usage path as NUT names it: collection usages then the field's usage,
   * joined by dots, e.g. `UPS.PowerSummary.RemainingCapacity`; a usage missing
   * from the tables as 8 hex digits (`ff860060`); a repeated collection with
   * its index as NUT prints it (`UPS.Flow.[4].ConfigVoltage`).
   */
  path: string;
  /** 32-bit usages (page << 16 | id) of the collections and the field, outermost first. */
  usages: readonly number[];
  kind: ReportKind;
  /** 0 when the device declares no report IDs. */
  reportId: number;
  /** Bit offset of the field in the report's data (after the report ID byte, if any). */
  offset: number;
  /** Bits. */
  size: number;
  logicalMin: number;
  logicalMax: number;
  physicalMin: number;
  physicalMax: number;
  unit: number;
  unitExponent: number;
  /** The Main item's data bits (bit 0 constant, bit 1 variable, bit 2 relative...). */
  flags: number;
  /** The string index of a `String Index` local item, when present. */
  stringIndex?: number;
  /**
   * True when the descriptor's Logical Maximum read below its Logical Minimum
   * and was taken as unsigned instead (NUT: assumed_LogMax). Vendor fixups
   * (CyberPower) only trust such maximums so far.
   */
  assumedLogicalMax?: boolean;
}

export interface HidReportDescriptor {
  readonly fields: readonly HidField[];
  readonly usesReportIds: boolean;
  /** Length in bytes of a report as it travels (report ID byte included when IDs are used). */
  reportLength(kind: ReportKind, reportId: number): number;
  /** Report IDs that carry at least one field of this kind, ascending. */
  reportIds(kind: ReportKind): number[];
  /** First field with this path (and kind, when given). */
  find(path: string, kind?: ReportKind): HidField | undefined;
}

// ---------------------------------------------------------------- transport

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** BCD device release (bcdDevice), when known. */
  release?: number;
  /** Where it was found: /dev/hidrawN, or the dump file for a replay. */
  path?: string;
}

export interface HidTransportHandlers {
  /** An interrupt (Input) report arrived; data starts with the report ID when IDs are used. */
  onInput(data: Uint8Array): void;
  /** The device went away (unplugged, I/O error). The transport is closed after this. */
  onDisconnect(err: Error): void;
}

/**
 * What the usbhid driver needs from a device. Implemented by node-hid on
 * hidraw and by the replay of a recorded dump; tests give fakes.
 */
export interface HidTransport {
  /** Opens the device; throws HidTransportError (disconnected: true when absent). */
  open(handlers: HidTransportHandlers): Promise<HidDeviceInfo>;
  close(): Promise<void>;
  getReportDescriptor(): Promise<Uint8Array>;
  /** Reads a Feature report; the result starts with the report ID when IDs are used. */
  getFeatureReport(reportId: number, length: number): Promise<Uint8Array>;
  /** Writes a Feature report (report ID first, 0 when IDs are not used). */
  sendFeatureReport(data: Uint8Array): Promise<void>;
  /** A USB string descriptor by index, when the transport can read them. */
  getString?(index: number): Promise<string | undefined>;
}

export class HidTransportError extends UpsAgentError {
  constructor(
    message: string,
    /** True when the device is gone (retry by reconnecting), false for a failed request. */
    readonly disconnected: boolean,
  ) {
    super(disconnected ? 'HID-DISCONNECTED' : 'HID-IO', message);
  }
}

export class HidDescriptorError extends UpsAgentError {
  constructor(
    message: string,
    /** Byte offset in the descriptor where the problem is. */
    readonly offset: number,
  ) {
    super('HID-DESCRIPTOR', `report descriptor byte ${offset}: ${message}`);
  }
}

// ---------------------------------------------------------------- mapping

/**
 * Values read from the device by path: the number NUT's usbhid-ups would use
 * (the logical value converted to physical units, unit exponent applied).
 */
export type HidValues = ReadonlyMap<string, number>;

/**
 * What a lookup may consult besides the value: some vendor conversions depend
 * on another variable or decide something once per device (CyberPower's
 * battery voltage scale).
 */
export interface HidLookupContext {
  readonly info: HidDeviceInfo;
  /** NUT variables computed so far in this pass, in table order. */
  readonly vars: ReadonlyMap<string, string>;
  /** Per-device memory kept between passes (cleared when the mapper is rebuilt). */
  readonly memo: Map<string, unknown>;
}

/** Turns a HID value into NUT text and back (NUT's info_lkp_t tables and conversion functions). */
export interface HidLookup {
  /** undefined: this value publishes nothing (NUT: lookup found no match). */
  toNut(value: number, ctx?: HidLookupContext): string | undefined;
  /** For writable variables: NUT text -> HID value; undefined = not allowed. */
  fromNut?(text: string): number | undefined;
  /** Allowed NUT values, published as an ENUM for writable variables. */
  enumValues?: readonly string[];
}

/** One row of a subdriver's table (NUT's hid_info_t). */
export interface HidInfoEntry {
  /**
   * What the row feeds: a NUT variable (`battery.charge`), a ups.status bit
   * (`kind: 'status'`, nut = the internal flag such as `online`, `discharging`,
   * `lowbatt`...), or an instant command (`kind: 'cmd'`).
   */
  nut: string;
  kind: 'var' | 'status' | 'cmd';
  /** HID path, as HidField.path. */
  path: string;
  /** Writable with SET VAR. */
  rw?: boolean;
  /** A string variable of at most this many characters. */
  stringLength?: number;
  /** printf-style format for numbers (`%.0f`, `%.1f`, `%s`...); default `%.0f`. */
  format?: string;
  lookup?: HidLookup;
  /**
   * cmd: the value written to `path`. var: makes it a server-side variable
   * (NUT: HU_FLAG_ABSENT): published with this default when the device has
   * `path`, and SET VAR only changes the published value, writing nothing.
   */
  value?: number | string;
  /** Read only once at start (NUT: HU_FLAG_STATIC). */
  static?: boolean;
  /** Read at every poll, fast-changing (NUT: HU_FLAG_QUICK_POLL). */
  quickPoll?: boolean;
  /** Writable variable whose allowed range comes from the field's logical min/max (NUT: HU_FLAG_RANGE). */
  range?: boolean;
}

/** Vendor knowledge for a family of devices (NUT's subdriver_t). */
export interface Subdriver {
  /** e.g. `APC HID 0.100`: published as driver.version.data. */
  readonly name: string;
  /** True when this subdriver handles the device (by vendor ID, sometimes product ID or strings). */
  matches(info: HidDeviceInfo): boolean;
  readonly table: readonly HidInfoEntry[];
  /** Repairs known descriptor bugs before use (e.g. CyberPower's wrong LogMax). */
  fixDescriptor?(descriptor: HidReportDescriptor, info: HidDeviceInfo): void;
  /**
   * ups.mfr / device.mfr / device.model / device.serial from the USB strings, as the vendor's format functions do;
   * `vars` carries what a vendor also reads from them (APC: ups.firmware from the product string).
   */
  formatStrings?(
    info: HidDeviceInfo,
    strings: { mfr?: string; model?: string; serial?: string },
  ): { mfr?: string; model?: string; serial?: string; vars?: Readonly<Record<string, string>> };
  /**
   * Names of vendor usages (NUT: the subdriver's usage table), e.g.
   * `APCStatusFlag: 0xff860060`. The HID layer prints these usages in hex
   * (`ff860060`); table paths may use the names.
   */
  readonly usageNames?: Readonly<Record<string, number>>;
}
