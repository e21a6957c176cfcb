/**
 * The part of node-hid the hidraw transport uses, as an interface: tests
 * hand in a fake, the agent the real library.
 *
 * The real one is imported lazily, only when a usbhid UPS is configured.
 * Its native binding is never required by path here: node-hid's JavaScript
 * asks its loader for `HID_hidraw`, and inside the single executable the
 * build (build/build.mjs) has replaced that loader with
 * src/platform/native's loadNativeAddon, which extracts the embedded
 * binary. Outside the executable node-hid loads its prebuilt file itself.
 */

/** One entry of node-hid's devicesAsync(). */
export interface NodeHidDeviceEntry {
  vendorId: number;
  productId: number;
  path?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  release?: number;
  interface?: number;
  usagePage?: number;
  usage?: number;
}

/** An open device: node-hid's HIDAsync, the calls we make on it. */
export interface NodeHidDevice {
  on(event: 'data', fn: (data: Buffer) => void): unknown;
  on(event: 'error', fn: (err: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
  close(): Promise<void>;
  /**
   * GET_REPORT of a Feature report into a buffer of `length` bytes (byte 0
   * the report number, 0 without IDs); resolves with as many bytes as the
   * kernel returned, the report number included: fewer when the device
   * answers short. A reply longer than `length` is an error (EOVERFLOW).
   */
  getFeatureReport(reportId: number, length: number): Promise<Buffer | number[]>;
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  getDeviceInfo(): Promise<NodeHidDeviceEntry>;
}

export interface NodeHidApi {
  devicesAsync(): Promise<NodeHidDeviceEntry[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<NodeHidDevice> };
}

/** node-hid itself, loaded on first use. */
export async function loadNodeHid(): Promise<NodeHidApi> {
  const mod = await import('node-hid');
  // The CommonJS module may arrive as the namespace or under `default`, depending on the loader.
  const api = ((mod as { default?: unknown }).default ?? mod) as unknown as NodeHidApi;
  return api;
}
