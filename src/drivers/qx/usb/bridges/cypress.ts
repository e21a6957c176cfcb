/**
 * cypress (nutdrv_qx cypress_command; also blazer_usb's): the command as
 * HID SET_REPORT control transfers of 8 bytes (bmRequestType 0x21,
 * bRequest 0x09, wValue 0x0200 = Output report 0, wIndex 0), zero-padded,
 * 5 s each; the reply from interrupt IN 0x81 in 8-byte reads (1 s each)
 * until a `\r` has come or the buffer is full.
 *
 * gtec (gtec_command) is cypress with wValue 0x0002, only the command's
 * own bytes chunked (strlen), and 128-byte reads.
 */
import {
  CR,
  QX_BUFLEN,
  checkWritten,
  padded,
  withPartial,
  type BridgeIo,
  type QxUsbBridge,
} from '../bridge';
import { CLASS_INTERFACE_OUT, EP_IN_1, HID_SET_REPORT, UsbTransferError } from '../usb-like';

/** SMALLBUF: the size of the zeroed buffer the command is copied into. */
const TMP_SIZE = 512;

/** The 8-byte SET_REPORT writes of cypress/phoenix: chunk after chunk while bytes of `tmplen` remain. */
export async function writeReports(io: BridgeIo, tmp: Uint8Array, tmplen: number, wValue: number, timeoutMs: number): Promise<void> {
  for (let i = 0; i < tmplen; ) {
    const chunk = tmp.subarray(i, i + 8);
    const n = await io.controlOut({ bmRequestType: CLASS_INTERFACE_OUT, bRequest: HID_SET_REPORT, wValue, wIndex: 0 }, chunk, timeoutMs);
    checkWritten(n, 'send');
    i += n;
  }
}

/** Interrupt reads of `chunk` bytes until a `\r` is in the buffer or fewer than `chunk` bytes of room remain. */
export async function readUntilCr(io: BridgeIo, chunk: number, buflen: number = QX_BUFLEN): Promise<Uint8Array> {
  const buf = new Uint8Array(buflen);
  let i = 0;
  while (i <= buflen - chunk && !buf.includes(CR)) {
    let data: Uint8Array;
    try {
      data = await io.interruptIn(EP_IN_1, chunk, 1000);
    } catch (err) {
      throw withPartial(err, buf.subarray(0, i));
    }
    if (data.length === 0) throw withPartial(new UsbTransferError('timeout', 'read: nothing came'), buf.subarray(0, i));
    buf.set(data.subarray(0, Math.min(data.length, buflen - i)), i);
    i += data.length;
  }
  return buf.subarray(0, Math.min(i, buflen));
}

export const cypress: QxUsbBridge = {
  name: 'cypress',
  async exchange(io, command) {
    const tmp = padded(command, TMP_SIZE);
    await writeReports(io, tmp, Math.min(command.length, TMP_SIZE), 0x0200, 5000);
    return readUntilCr(io, 8);
  },
};

export const gtec: QxUsbBridge = {
  name: 'gtec',
  async exchange(io, command) {
    const tmp = padded(command, TMP_SIZE);
    tmp[TMP_SIZE - 1] = 0;
    const nul = tmp.indexOf(0);
    await writeReports(io, tmp, nul < 0 ? TMP_SIZE : nul, 0x0002, 5000);
    return readUntilCr(io, 128);
  },
};
