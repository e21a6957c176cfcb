/**
 * Loads the native addons (serialport, node-hid, usb) the same way whether
 * upsagent runs as the single executable or as plain JavaScript.
 *
 * esbuild cannot bundle `.node` files, so build/build.mjs replaces each
 * package's own loader (node-gyp-build, pkg-prebuilds, the napi-rs loader)
 * with a call to `loadNativeAddon(name)` and embeds the binaries as SEA
 * assets. A shared object can only be dlopen()ed from a file, so inside the
 * executable the asset is written once to a private cache folder, keyed by
 * its sha256, and loaded from there on every later start.
 */
import { nodeCrypto } from '../core/lazy-builtins';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as sea from 'node:sea';
import { type AddonName, addonFile, assetKey, currentTarget } from './addons';

export { ADDON_NAMES, type AddonName } from './addons';

/** Where each addon loaded in this process came from; `upsagent doctor` reports it. */
const loaded = new Map<AddonName, { exports: unknown; file: string }>();

export function isSingleExecutable(): boolean {
  return sea.isSea();
}

/** The addon's exports, loading it on first use. Throws with every place it tried. */
export function loadNativeAddon(name: AddonName): unknown {
  const have = loaded.get(name);
  if (have) return have.exports;
  const entry = isSingleExecutable() ? loadFromSea(name) : loadFromNodeModules(name);
  loaded.set(name, entry);
  return entry.exports;
}

/** The file an addon was loaded from, once loaded. */
export function nativeAddonFile(name: AddonName): string | undefined {
  return loaded.get(name)?.file;
}

function dlopen(file: string): unknown {
  const mod = { exports: {} as unknown };
  process.dlopen(mod, file, os.constants.dlopen.RTLD_NOW);
  return mod.exports;
}

function loadFromNodeModules(name: AddonName): { exports: unknown; file: string } {
  const spec = addonFile(name);
  if (!spec) throw new Error(`no ${name} native addon for ${currentTarget()}`);
  // Resolve from this file: node_modules next to src/ (tsx) or dist/ (the bundle).
  const pkgJson = createRequire(__filename).resolve(`${spec.pkg}/package.json`);
  const file = path.join(path.dirname(pkgJson), spec.file);
  return { exports: dlopen(file), file };
}

function loadFromSea(name: AddonName): { exports: unknown; file: string } {
  let raw: ArrayBuffer;
  try {
    raw = sea.getRawAsset(assetKey(name)) as ArrayBuffer;
  } catch (err) {
    throw new Error(`the ${name} native addon is not inside this executable (${errText(err)}); it was built for another platform`);
  }
  // A view, not a copy: the asset is already in memory as part of the executable.
  const bytes = Buffer.from(raw);
  const digest = nodeCrypto().createHash('sha256').update(bytes).digest('hex');
  const fileName = `${name}-${digest}.node`;
  const errors: string[] = [];

  for (const dir of cacheDirs()) {
    try {
      if (!ensurePrivateDir(dir)) {
        errors.push(`${dir}: not a private folder owned by uid ${uid()}`);
        continue;
      }
      const file = path.join(dir, fileName);
      if (!isOurFile(file, bytes.length)) writeAtomically(file, bytes);
      return { exports: dlopen(file), file };
    } catch (err) {
      errors.push(`${dir}: ${errText(err)}`);
    }
  }

  // Last resort: a fresh folder only this process knows (mkdtemp makes it 0700
  // under a random name). The file is removed as soon as it is mapped: Linux
  // keeps a loaded library alive without its directory entry.
  let tmp: string | undefined;
  try {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upsagent-'));
    const file = path.join(tmp, fileName);
    writeAtomically(file, bytes);
    return { exports: dlopen(file), file: `${file} (removed after loading)` };
  } catch (err) {
    errors.push(`${tmp ?? os.tmpdir()}: ${errText(err)}`);
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
  throw new Error(`cannot load the ${name} native addon:\n  ${errors.join('\n  ')}`);
}

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

/**
 * Where extracted addons are kept. Root (the daemon) uses a root-owned system
 * folder rather than a shared /tmp, where another user could plant a library
 * root would then load; everyone else uses their own XDG cache.
 */
function cacheDirs(): string[] {
  if (uid() === 0) return ['/var/cache/upsagent'];
  const xdg = process.env.XDG_CACHE_HOME;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return [path.join(base, 'upsagent')];
}

/**
 * Creates `dir` (0700) or checks an existing one: a real directory, owned by
 * us, that nobody else can write. A folder that was group/world-writable at
 * any point may hold a planted file, so it is refused rather than repaired.
 */
function ensurePrivateDir(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid() || (st.mode & 0o022) !== 0) return false;
  // Readable by others is harmless for integrity but needless; tighten it.
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return true;
}

/** An earlier extraction we can reuse: a regular file of ours, of the right size. */
function isOurFile(file: string, size: number): boolean {
  try {
    const st = fs.lstatSync(file);
    return st.isFile() && st.uid === uid() && st.size === size;
  } catch {
    return false;
  }
}

/**
 * Temp file + fsync + rename: two upsagent processes starting together never
 * see each other's half-written file, and a power cut (the very moment a UPS
 * agent is busiest) cannot leave a right-sized file full of zeros behind.
 */
function writeAtomically(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface NativeCheck {
  name: string;
  /** The addon loaded. */
  ok: boolean;
  /** It loaded but its harmless listing call failed (e.g. no USB bus in a container): worth a look, not a failure. */
  listingFailed?: boolean;
  detail: string;
}

/**
 * Loads each addon through its library's public API and makes one harmless
 * listing call, so a failure here means a driver using that library would
 * fail too. No hardware is needed: an empty list is a success, and so is a
 * listing that the addon itself rejects (e.g. no USB bus in a container) —
 * the addon answered, which is what this checks.
 */
export async function checkNativeModules(): Promise<NativeCheck[]> {
  return Promise.all([
    // Importing serialport loads its binding; list() then asks udevadm.
    check('serialport', 'serialport', async () => (await import('serialport')).SerialPort.list(), 'serial port(s)'),
    check('node-hid', 'hid_hidraw', async () => (await import('node-hid')).devicesAsync(), 'HID device(s)'),
    check('usb', 'usb', async () => {
      const { WebUSB } = await import('usb');
      return new WebUSB({ allowAllDevices: true }).getDevices();
    }, 'USB device(s)'),
  ]);
}

async function check(label: string, addon: AddonName, list: () => Promise<readonly unknown[]>, what: string): Promise<NativeCheck> {
  let listing: string;
  let listingFailed = false;
  try {
    listing = `${(await list()).length} ${what}`;
  } catch (err) {
    // A library that failed to load throws before listing anything; tell the two apart.
    if (!isLoaded(addon)) return { name: label, ok: false, detail: errText(err) };
    listing = `loaded, but listing failed: ${errText(err)}`;
    listingFailed = true;
  }
  const file = nativeAddonFile(addon);
  return { name: label, ok: true, ...(listingFailed ? { listingFailed } : {}), detail: file ? `${listing}; loaded from ${file}` : listing };
}

/**
 * Whether the addon is in this process: loaded by us, or (running from source
 * under tsx) by the library's own loader, which leaves the file in the
 * module cache.
 */
function isLoaded(addon: AddonName): boolean {
  if (loaded.has(addon)) return true;
  const spec = addonFile(addon);
  if (!spec) return false;
  const suffix = path.join(spec.pkg, spec.file);
  return Object.keys(require.cache ?? {}).some((k) => k.endsWith(suffix));
}
