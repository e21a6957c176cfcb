/**
 * The few USB calls the qx USB-to-serial bridges make, as an interface
 * over the `usb` package (./node-usb.ts adapts the real library), so tests
 * hand in a fake device that records every transfer and answers like the
 * bridge chip does.
 *
 * Setups are given as the raw bytes of the USB setup packet
 * (bmRequestType, bRequest, wValue, wIndex), exactly as NUT's
 * usb_control_msg() calls write them, so a test compares numbers with
 * nutdrv_qx.c and nothing is lost in translation.
 */
import type { UsbIdentity } from '../../types';

/** A control transfer's setup packet (wLength is the data's length). */
export interface UsbSetup {
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
}

/** An endpoint of the device's active configuration (armac looks at them). */
export interface UsbEndpointInfo {
  /** bEndpointAddress: 0x81 = IN 1, 0x02 = OUT 2. */
  address: number;
  type: 'interrupt' | 'bulk' | 'isochronous' | 'control';
  packetSize: number;
}

/**
 * Why a transfer failed, in the categories nutdrv_qx's qx_command acts on
 * (libusb's error codes): `timeout` (LIBUSB_ERROR_TIMEOUT: a missed
 * answer), `stall` (LIBUSB_ERROR_PIPE: clear the halt), `overflow`
 * (LIBUSB_ERROR_OVERFLOW: an oversized interrupt frame), `gone`
 * (LIBUSB_ERROR_NO_DEVICE / NOT_FOUND: unplugged), `io` (any other
 * failure: LIBUSB_ERROR_IO, ACCESS... NUT reconnects).
 */
export type UsbFailureKind = 'timeout' | 'stall' | 'overflow' | 'gone' | 'io';

export class UsbTransferError extends Error {
  /** Bytes of the reply gathered before the failure (a bridge fills it in), to tell a cut reply from silence. */
  partial: Uint8Array = new Uint8Array(0);
  constructor(
    readonly kind: UsbFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'UsbTransferError';
  }
}

/** An opened device. Every call takes NUT's per-transfer timeout; the caller also enforces its own deadline. */
export interface UsbDeviceHandle {
  /** Host-to-device control transfer; resolves with the bytes written. */
  controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<number>;
  /** Device-to-host control transfer of up to `length` bytes; resolves with what came (a stall rejects `stall`). */
  controlIn(setup: UsbSetup, length: number, timeoutMs: number): Promise<Uint8Array>;
  /** Interrupt IN on `endpoint` (0x81); resolves with what came, at most `length` bytes. */
  interruptIn(endpoint: number, length: number, timeoutMs: number): Promise<Uint8Array>;
  /** Interrupt OUT on `endpoint` (0x02); resolves with the bytes written. */
  interruptOut(endpoint: number, data: Uint8Array, timeoutMs: number): Promise<number>;
  /** Clears a halted endpoint (usb_clear_halt). */
  clearHalt(endpoint: number): Promise<void>;
  /** Resets the device (usb_reset); it re-enumerates, so the handle is useless afterwards. */
  reset(): Promise<void>;
  /** The endpoints of interface 0, when known. */
  endpoints(): readonly UsbEndpointInfo[];
  /** Releases the interface and closes; never throws for a device already gone. */
  close(): Promise<void>;
}

/** A device as listed, before opening: what NUT's matchers look at. */
export interface UsbListedDevice extends UsbIdentity {
  /** Opens it and claims interface 0 (detaching a kernel driver holding it). */
  open(): Promise<UsbDeviceHandle>;
}

/** What openQxUsb needs of the `usb` library. */
export interface UsbLike {
  /** The USB devices on the system. */
  list(): Promise<UsbListedDevice[]>;
}

// The setup-packet numbers nutdrv_qx.c spells with libusb's macros.
/** USB_ENDPOINT_OUT | USB_TYPE_CLASS | USB_RECIP_INTERFACE: a HID class request to the interface. */
export const CLASS_INTERFACE_OUT = 0x21;
/** USB_ENDPOINT_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE. */
export const CLASS_INTERFACE_IN = 0xa1;
/** USB_ENDPOINT_OUT | USB_TYPE_VENDOR | USB_RECIP_ENDPOINT (phoenixtec). */
export const VENDOR_ENDPOINT_OUT = 0x42;
/** USB_ENDPOINT_IN | USB_TYPE_STANDARD | USB_RECIP_DEVICE (GET_DESCRIPTOR). */
export const STANDARD_DEVICE_IN = 0x80;
/** HID SET_REPORT / GET_REPORT. */
export const HID_SET_REPORT = 0x09;
export const HID_GET_REPORT = 0x01;
export const GET_DESCRIPTOR = 0x06;
export const STRING_DESCRIPTOR = 0x03;
/** The interrupt endpoints the bridges use. */
export const EP_IN_1 = 0x81;
export const EP_OUT_2 = 0x02;
