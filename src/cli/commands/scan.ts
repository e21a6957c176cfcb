import type { CliIO } from '../io';
import type { ListedHidDevice } from '../../drivers/usbhid/matcher';
import type { ListedSerialPort, ScanSources } from '../../drivers/usbhid/scan';

/** serialport's list (it asks udev), loaded only when scanning. */
async function listSerialPorts(): Promise<ListedSerialPort[]> {
  const { SerialPort } = await import('serialport');
  return (await SerialPort.list()).map((p) => {
    const out: ListedSerialPort = { path: p.path };
    if (p.manufacturer) out.manufacturer = p.manufacturer;
    if (p.serialNumber) out.serialNumber = p.serialNumber;
    if (p.vendorId) out.vendorId = p.vendorId;
    if (p.productId) out.productId = p.productId;
    if (p.pnpId) out.pnpId = p.pnpId;
    return out;
  });
}

async function listHid(): Promise<ListedHidDevice[]> {
  const { listHidDevices } = await import('../../drivers/usbhid/transport/device-list');
  return listHidDevices();
}

/**
 * `upsagent scan`: UPSes on USB HID and the serial ports, as a `ups:` section
 * to paste into the configuration. Finding nothing is not an error (exit 0);
 * a source that cannot be listed is said on stderr.
 */
export async function runScan(io: CliIO, sources: ScanSources = { hid: listHid, serial: listSerialPorts }): Promise<number> {
  const { scan, formatScanYaml } = await import('../../drivers/usbhid/scan');
  const result = await scan(sources);
  for (const p of result.problems) io.err(`upsagent scan: ${p}\n`);
  const yaml = formatScanYaml(result);
  if (yaml === undefined) {
    io.out('# No UPS found on USB HID, and no serial ports.\n');
    return 0;
  }
  if (result.ups.length === 0) io.out('# No UPS found on USB HID.\n');
  io.out(yaml);
  return 0;
}
