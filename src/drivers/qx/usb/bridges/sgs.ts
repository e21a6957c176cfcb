/**
 * sgs (nutdrv_qx sgs_command, TS Shara): the command in 8-byte SET_REPORT
 * writes (wValue 0x0200, 5 s each) whose first byte is how many of the
 * next 7 are data; the reply likewise in 8-byte interrupt reads, byte 0
 * the count (at most 7), until a read times out: the end of a reply is
 * silence, so every exchange waits that second, as in NUT. A missing `\r`
 * is added.
 */
import { QX_BUFLEN, checkWritten, ensureCr, withPartial, type QxUsbBridge } from '../bridge';
import { CLASS_INTERFACE_OUT, EP_IN_1, HID_SET_REPORT, UsbTransferError } from '../usb-like';

export const sgs: QxUsbBridge = {
  name: 'sgs',
  minBudgetMs: 2500,
  async exchange(io, command) {
    for (let i = 0; i < command.length; ) {
      const n = Math.min(command.length - i, 7);
      const tmp = new Uint8Array(8);
      tmp[0] = n;
      tmp.set(command.subarray(i, i + n), 1);
      const written = await io.controlOut({ bmRequestType: CLASS_INTERFACE_OUT, bRequest: HID_SET_REPORT, wValue: 0x0200, wIndex: 0 }, tmp, 5000);
      checkWritten(written, 'send');
      // NUT advances by what was written less the count byte: a 1-byte write sends the chunk again
      // (for ever in NUT if the device keeps doing it; here the exchange's deadline ends it).
      i += Math.min(written - 1, n);
    }
    const out: number[] = [];
    while (out.length <= QX_BUFLEN - 8) {
      let data: Uint8Array;
      try {
        data = await io.interruptIn(EP_IN_1, 8, 1000);
      } catch (err) {
        // A read timing out is how the reply ends.
        if (err instanceof UsbTransferError && err.kind === 'timeout') break;
        throw withPartial(err, Uint8Array.from(out));
      }
      // NUT: a read of nothing returns 0, whatever came before: no reply.
      if (data.length === 0) return new Uint8Array(0);
      const tmp = new Uint8Array(8);
      tmp.set(data.subarray(0, 8));
      // NUT's count byte is a signed char: 0x80 and above are negative and carry nothing.
      const count = tmp[0] as number;
      const n = count >= 0x80 ? 0 : Math.min(count, 7);
      for (let k = 1; k <= n; k++) out.push(tmp[k] as number);
    }
    if (out.length === 0) throw new UsbTransferError('timeout', 'read: nothing came');
    return ensureCr(Uint8Array.from(out));
  },
};
