/**
 * The native addons upsagent carries, and where each one's prebuilt binary
 * lives inside node_modules for every target we build for.
 *
 * One table serves two readers: build/build.mjs (which `.node` files to embed
 * as SEA assets) and src/platform/native.ts (which file to load outside the
 * SEA). Keeping both on the same table means an asset can never be embedded
 * under one name and looked up under another.
 *
 * All of them are N-API builds, so one binary loads in any newer Node — the
 * base binary of the executable (Node 24) as well as the Node that runs the
 * tests.
 */

export type AddonName = 'serialport' | 'hid_hidraw' | 'hid_libusb' | 'usb';

export interface AddonFile {
  /** The npm package that ships the binary. */
  pkg: string;
  /** Path of the `.node` file inside that package. */
  file: string;
}

/** `${process.platform}-${process.arch}`; only glibc Linux is listed (musl would need its own column). */
export type AddonTarget = 'linux-x64' | 'linux-arm64' | 'linux-arm';

export const ADDONS: Record<AddonName, Partial<Record<AddonTarget, AddonFile>>> = {
  // serialport's binding; @serialport/bindings-cpp normally finds it through node-gyp-build.
  serialport: {
    'linux-x64': { pkg: '@serialport/bindings-cpp', file: 'prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node' },
    'linux-arm64': { pkg: '@serialport/bindings-cpp', file: 'prebuilds/linux-arm64/@serialport+bindings-cpp.armv8.glibc.node' },
    'linux-arm': { pkg: '@serialport/bindings-cpp', file: 'prebuilds/linux-arm/@serialport+bindings-cpp.armv7.glibc.node' },
  },
  // node-hid on Linux defaults to the hidraw backend; setDriverType('libusb') picks the other one.
  hid_hidraw: {
    'linux-x64': { pkg: 'node-hid', file: 'prebuilds/HID_hidraw-linux-x64/node-napi-v4.node' },
    'linux-arm64': { pkg: 'node-hid', file: 'prebuilds/HID_hidraw-linux-arm64/node-napi-v4.node' },
    'linux-arm': { pkg: 'node-hid', file: 'prebuilds/HID_hidraw-linux-arm/node-napi-v4.node' },
  },
  hid_libusb: {
    'linux-x64': { pkg: 'node-hid', file: 'prebuilds/HID-linux-x64/node-napi-v4.node' },
    'linux-arm64': { pkg: 'node-hid', file: 'prebuilds/HID-linux-arm64/node-napi-v4.node' },
    'linux-arm': { pkg: 'node-hid', file: 'prebuilds/HID-linux-arm/node-napi-v4.node' },
  },
  // usb 3.x is a napi-rs build shipped as one optional package per target.
  usb: {
    'linux-x64': { pkg: '@node-usb/usb-linux-x64-gnu', file: 'usb.linux-x64-gnu.node' },
    'linux-arm64': { pkg: '@node-usb/usb-linux-arm64-gnu', file: 'usb.linux-arm64-gnu.node' },
    'linux-arm': { pkg: '@node-usb/usb-linux-arm-gnueabihf', file: 'usb.linux-arm-gnueabihf.node' },
  },
};

export const ADDON_NAMES = Object.keys(ADDONS) as AddonName[];

/** The SEA asset key an addon is stored under. */
export function assetKey(name: AddonName): string {
  return `${name}.node`;
}

export function currentTarget(): string {
  return `${process.platform}-${process.arch}`;
}

/** The addon's file for a target, or undefined when we ship none for it. */
export function addonFile(name: AddonName, target: string = currentTarget()): AddonFile | undefined {
  return (ADDONS[name] as Partial<Record<string, AddonFile>>)[target];
}
