/**
 * The HID devices on this system, for `port: auto` and `upsagent scan`.
 */
import type { ListedHidDevice } from '../matcher';
import { POWER_DEVICE_PAGE, BATTERY_SYSTEM_PAGE } from '../matcher';
import { loadNodeHid, type NodeHidApi } from './node-hid';

function isPowerPage(page: number | undefined): boolean {
  return page === POWER_DEVICE_PAGE || page === BATTERY_SYSTEM_PAGE;
}

/**
 * One entry per hidraw node. hidapi lists a node once per top-level
 * collection; a UPS's Power Device collection is kept over the others so
 * the usage page tells what the device is.
 */
export async function listHidDevices(hid: () => Promise<NodeHidApi> = loadNodeHid): Promise<ListedHidDevice[]> {
  const api = await hid();
  const byPath = new Map<string, ListedHidDevice>();
  for (const d of await api.devicesAsync()) {
    if (!d.path) continue;
    const have = byPath.get(d.path);
    if (have && (isPowerPage(have.usagePage) || !isPowerPage(d.usagePage))) continue;
    const entry: ListedHidDevice = { vendorId: d.vendorId, productId: d.productId, path: d.path };
    if (d.manufacturer) entry.manufacturer = d.manufacturer;
    if (d.product) entry.product = d.product;
    if (d.serialNumber) entry.serialNumber = d.serialNumber;
    if (d.release !== undefined) entry.release = d.release;
    if (d.usagePage !== undefined) entry.usagePage = d.usagePage;
    if (d.usage !== undefined) entry.usage = d.usage;
    if (d.interface !== undefined) entry.interface = d.interface;
    byPath.set(d.path, entry);
  }
  return [...byPath.values()];
}
