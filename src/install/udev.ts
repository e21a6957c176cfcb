/**
 * udev rules that give the role account the UPS's device node, as NUT's
 * nut-usbups.rules gives them to its nut account: the hidraw node of a USB
 * HID UPS of a vendor the usbhid subdrivers know, the USB device node of a
 * qx USB-to-serial bridge (opened through libusb), and the serial ports the
 * configuration names. Only the group changes; the owner stays root.
 */
import { basename } from 'node:path';
import { APC_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/apc';
import { ARDUINO_SRL_VENDOR_ID, ARDUINO_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/arduino';
import { BELKIN_VENDOR_ID, LIEBERT_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/belkin';
import { CPS_VENDOR_ID, STMICRO_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/cps';
import { DELTA_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/delta-ups';
import { ECOFLOW_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/ecoflow';
import { EVER_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/ever';
import { IDOWELL_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/idowell';
import { LEGRAND_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/legrand';
import { PHOENIXTEC_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/liebert';
import { AEG_VENDOR_ID, DELL_VENDOR_ID, EATON_VENDOR_ID, HP_VENDOR_ID, IBM_VENDOR_ID, KSTAR_VENDOR_ID, POWERWARE_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/mge';
import { MINIBOX_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/openups';
import { POWERCOM_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/powercom';
import { POWERVAR_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/powervar';
import { SALICRU_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/salicru';
import { TRIPPLITE_VENDOR_ID } from '../drivers/usbhid/mapping/vendors/tripplite';
import { QX_USB_IDS } from '../drivers/qx/usb/table';

/** Every vendor a usbhid subdriver claims devices of, in no particular order. */
export const USBHID_VENDOR_IDS: readonly number[] = [
  ...new Set([
    APC_VENDOR_ID,
    ARDUINO_VENDOR_ID,
    ARDUINO_SRL_VENDOR_ID,
    BELKIN_VENDOR_ID,
    LIEBERT_VENDOR_ID,
    CPS_VENDOR_ID,
    STMICRO_VENDOR_ID,
    DELTA_VENDOR_ID,
    ECOFLOW_VENDOR_ID,
    EVER_VENDOR_ID,
    IDOWELL_VENDOR_ID,
    LEGRAND_VENDOR_ID,
    PHOENIXTEC_VENDOR_ID,
    EATON_VENDOR_ID,
    DELL_VENDOR_ID,
    POWERWARE_VENDOR_ID,
    HP_VENDOR_ID,
    AEG_VENDOR_ID,
    IBM_VENDOR_ID,
    KSTAR_VENDOR_ID,
    MINIBOX_VENDOR_ID,
    POWERCOM_VENDOR_ID,
    POWERVAR_VENDOR_ID,
    SALICRU_VENDOR_ID,
    TRIPPLITE_VENDOR_ID,
  ]),
].sort((a, b) => a - b);

/** nutdrv_qx's bridges: vendor and product (several share 0001:0000, told apart by their strings at open). */
export const QX_USB_PAIRS: ReadonlyArray<readonly [number, number, string]> = (() => {
  const seen = new Map<string, readonly [number, number, string]>();
  for (const e of QX_USB_IDS) {
    const key = `${e.vendorId}:${e.productId}`;
    const prev = seen.get(key);
    seen.set(key, [e.vendorId, e.productId, prev ? `${prev[2]}; ${e.device}` : e.device]);
  }
  return [...seen.values()];
})();

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** A udev KERNEL== match for a port path: ttyUSB0 for /dev/ttyUSB0 (a by-id link matches by its SYMLINK). */
function portMatch(port: string): string {
  if (port.startsWith('/dev/serial/') || !/^\/dev\/[A-Za-z0-9_]+$/.test(port)) return `SYMLINK=="${port.replace(/^\/dev\//, '')}"`;
  return `KERNEL=="${basename(port)}"`;
}

export function renderUdevRules(o: { group: string; serialPorts: string[] }): string {
  const give = `MODE="0660", GROUP="${o.group}"`;
  const lines = [
    '# Written by `upsagent install`; `upsagent uninstall` removes it.',
    `# Gives the ${o.group} group the UPS device nodes (owner stays root).`,
    '',
    '# usbhid driver: USB HID UPSes of the vendors its subdrivers know (the hidraw node).',
    ...USBHID_VENDOR_IDS.map((v) => `SUBSYSTEM=="hidraw", ATTRS{idVendor}=="${hex4(v)}", ${give}`),
    '',
    "# qx driver: the USB-to-serial bridges of nutdrv_qx's table (the USB device node, opened through libusb).",
    ...QX_USB_PAIRS.flatMap(([v, p, what]) => [`# ${what}`, `SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="${hex4(v)}", ATTR{idProduct}=="${hex4(p)}", ${give}`]),
    '',
    '# Serial ports the configuration names (qx, apcsmart, genericups).',
    ...(o.serialPorts.length ? o.serialPorts.map((p) => `SUBSYSTEM=="tty", ${portMatch(p)}, ${give}`) : ['# (none configured: add the user to the dialout group, or re-run upsagent install after adding one)']),
    '',
  ];
  return lines.join('\n');
}
