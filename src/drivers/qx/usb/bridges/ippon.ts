/**
 * ippon (nutdrv_qx ippon_command; also blazer_usb's): SET_REPORT writes of
 * 8 bytes with wValue 0x0002 (1 s each); the whole reply in ONE interrupt
 * read of 64 bytes. The reply runs to its first `\r` (an empty one is
 * `0x00 0x0d`, an empty reply here), else to the first NUL; a missing
 * `\r` is added.
 *
 * omron (omron_command, the BN150T): the same with 16-byte Output reports
 * (a short write is an error), and without `\r` the reply runs to a NUL
 * among the bytes that came, else is all of them.
 */
import { CR, QX_BUFLEN, checkWritten, ensureCr, padded, untilNul, type QxUsbBridge } from '../bridge';
import { CLASS_INTERFACE_OUT, EP_IN_1, HID_SET_REPORT, UsbTransferError } from '../usb-like';

const TMP_SIZE = 64;

function toCr(data: Uint8Array): number {
  const cr = data.indexOf(CR);
  return cr < 0 ? 0 : cr + 1;
}

export const ippon: QxUsbBridge = {
  name: 'ippon',
  async exchange(io, command) {
    const tmp = padded(command, TMP_SIZE);
    const tmplen = Math.min(command.length, TMP_SIZE);
    for (let i = 0; i < tmplen; ) {
      const n = await io.controlOut({ bmRequestType: CLASS_INTERFACE_OUT, bRequest: HID_SET_REPORT, wValue: 0x0002, wIndex: 0 }, tmp.subarray(i, i + 8), 1000);
      checkWritten(n, 'send');
      i += n;
    }
    const data = await io.interruptIn(EP_IN_1, TMP_SIZE, 1000);
    if (data.length === 0) throw new UsbTransferError('timeout', 'read: nothing came');
    // NUT reads into the buffer that held the command: without a `\r`, strlen runs over what is left of it.
    tmp.set(data.subarray(0, TMP_SIZE));
    // `0x00 0x0d` is the unit's empty reply: NUT's string handling sees "" (a command done).
    if (data[0] === 0 && data[1] === CR) return new Uint8Array(0);
    let len = toCr(data);
    if (!len) len = untilNul(tmp).length;
    return ensureCr(tmp.slice(0, Math.min(len, QX_BUFLEN - 1)));
  },
};

const OMRON_REPORT = 16;

export const omron: QxUsbBridge = {
  name: 'omron',
  async exchange(io, command) {
    const tmp = padded(command, TMP_SIZE);
    const tmplen = Math.min(command.length, TMP_SIZE);
    for (let i = 0; i < tmplen; i += OMRON_REPORT) {
      const n = await io.controlOut(
        { bmRequestType: CLASS_INTERFACE_OUT, bRequest: HID_SET_REPORT, wValue: 0x0002, wIndex: 0 },
        tmp.subarray(i, i + OMRON_REPORT),
        1000,
      );
      checkWritten(n, 'send');
      if (n !== OMRON_REPORT) throw new UsbTransferError('io', `send: short transfer (${n} of ${OMRON_REPORT} bytes)`);
    }
    const data = await io.interruptIn(EP_IN_1, TMP_SIZE, 1000);
    if (data.length === 0) throw new UsbTransferError('timeout', 'read: nothing came');
    let len = toCr(data);
    if (!len) len = untilNul(data).length;
    return ensureCr(data.slice(0, Math.min(len, QX_BUFLEN - 1)));
  },
};
