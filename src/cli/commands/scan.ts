import type { CliIO } from '../io';
import type { ListedHidDevice } from '../../drivers/usbhid/matcher';
import type { ListedSerialPort, OtherUsbUps, ScanSources } from '../../drivers/usbhid/scan';

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
 * The qx USB-to-serial bridges among the USB devices (by nutdrv_qx's ID
 * table; nothing is opened or sent), loaded only when scanning.
 */
async function listQxUsb(): Promise<OtherUsbUps[]> {
  const { qxUsbCandidates, QX_USB_IDS, QX_USB_SUBDRIVERS } = await import('../../drivers/qx/usb/index');
  const usb = await (await import('../../drivers/qx/usb/node-usb')).loadNodeUsb();
  return qxUsbCandidates(await usb.list()).map((c) => {
    const known = QX_USB_IDS.filter((e) => e.vendorId === c.vendorId && e.productId === c.productId).map((e) => e.device);
    const out: OtherUsbUps = { ...c, suggested: { ...c.suggested }, known: known.join('; ') || 'a vendor nutdrv_qx knows' };
    if (c.subdriver !== null) out.suggested.subdriver = c.subdriver;
    else out.subdriverChoices = QX_USB_SUBDRIVERS;
    return out;
  });
}

/** The serial probe (qx and APC Smart, read-only queries), loaded only when scanning. */
async function probeSerial(path: string) {
  const { probeSerialPort } = await import('../../drivers/serial/probe');
  return probeSerialPort(path);
}

export interface ScanOptions {
  /** Open the serial ports and ask them what they are (default true); false: `--no-probe`, list them only. */
  probe?: boolean;
}

/**
 * `upsagent scan`: UPSes on USB HID and on the serial ports (qx/Q1 family
 * and APC Smart, found with read-only queries), as a `ups:` section to
 * paste into the configuration. Finding nothing is not an error (exit 0);
 * a source that cannot be listed, and a serial port where nothing was
 * found, are said on stderr.
 */
export async function runScan(io: CliIO, sources?: ScanSources, opts: ScanOptions = {}): Promise<number> {
  const { scan, formatScanYaml } = await import('../../drivers/usbhid/scan');
  const src: ScanSources = { ...(sources ?? { hid: listHid, otherUsb: listQxUsb, serial: listSerialPorts, probeSerial }) };
  if (opts.probe === false) delete src.probeSerial;
  const result = await scan(src);
  for (const p of result.problems) io.err(`upsagent scan: ${p}\n`);
  const yaml = formatScanYaml(result);
  if (yaml === undefined) {
    io.out('# No UPS found on USB, and no serial ports.\n');
    return 0;
  }
  if (result.ups.length === 0 && !result.otherUsb?.length) io.out('# No UPS found on USB.\n');
  io.out(yaml);
  return 0;
}
