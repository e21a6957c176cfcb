/**
 * phoenix (nutdrv_qx phoenix_command; also blazer_usb's): cypress with a
 * flush first. The converter keeps stale bytes, so up to 8 interrupt
 * reads of 8 bytes (1 s each) empty it until one fails; a stalled
 * endpoint is cleared. Then SET_REPORT writes (1 s each) and the reply in
 * 8-byte reads to the `\r`. The flush ends on a read timing out, so every
 * exchange costs that second, as in NUT.
 */
import { padded, type QxUsbBridge } from '../bridge';
import { EP_IN_1, UsbTransferError } from '../usb-like';
import { readUntilCr, writeReports } from './cypress';

export const phoenix: QxUsbBridge = {
  name: 'phoenix',
  // The flush's final read waits its full second before the command is even sent.
  minBudgetMs: 2500,
  async exchange(io, command) {
    for (let i = 0; i < 8; i++) {
      try {
        await io.interruptIn(EP_IN_1, 8, 1000);
      } catch (err) {
        // Any failure ends the flush, as in NUT (a device that is gone fails the write next).
        if (!(err instanceof UsbTransferError)) throw err;
        if (err.kind === 'stall') await io.clearHalt(EP_IN_1).catch(() => undefined);
        break;
      }
    }
    const tmp = padded(command, 512);
    await writeReports(io, tmp, Math.min(command.length, 512), 0x0200, 1000);
    return readUntilCr(io, 8);
  },
};
