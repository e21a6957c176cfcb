/**
 * ablerex (nutdrv_qx ablerex_command, Ablerex 625L): HID reports with ID 5.
 * SET_REPORT (0x21, 0x09, wValue 0x0305) of 47 bytes: 0x05 0x00 <len+1>
 * <command>, its result ignored; 500 ms later GET_REPORT (0xA1, 0x01,
 * wValue 0x0305) of 47 bytes, the reply up to its `\r`. Q1, I and F are
 * retried (3 tries in all) until the reply is exactly 47, 39 and 22 bytes;
 * a Q5 reply of the wrong length becomes `(` and 21 NULs.
 */
import { CR, commandWord, text, type QxUsbBridge } from '../bridge';
import { CLASS_INTERFACE_IN, CLASS_INTERFACE_OUT, HID_GET_REPORT, HID_SET_REPORT, UsbTransferError } from '../usb-like';

const REPORT = 47;
const EXPECTED: Readonly<Record<string, number>> = { 'Q1\r': 47, 'I\r': 39, 'F\r': 22 };

export const ablerex: QxUsbBridge = {
  name: 'ablerex',
  // Three tries of a 500 ms pause plus two transfers.
  minBudgetMs: 5000,
  async exchange(io, command) {
    const cmd = text(command);
    for (let retry = 0; retry < 3; retry++) {
      const tmp = new Uint8Array(64);
      tmp[0] = 0x05;
      tmp[1] = 0;
      tmp[2] = (1 + commandWord(command).length) & 0xff;
      for (let k = 0; k < tmp[2] && k < command.length && k + 3 < tmp.length; k++) tmp[3 + k] = command[k] as number;
      try {
        await io.controlOut({ bmRequestType: CLASS_INTERFACE_OUT, bRequest: HID_SET_REPORT, wValue: 0x0305, wIndex: 0 }, tmp.subarray(0, REPORT), 1000);
      } catch (err) {
        // NUT only logs the write's result; a device that is gone fails the read below.
        if (!(err instanceof UsbTransferError)) throw err;
      }
      await io.sleep(500);
      const got = await io.controlIn({ bmRequestType: CLASS_INTERFACE_IN, bRequest: HID_GET_REPORT, wValue: 0x0305, wIndex: 0 }, REPORT, 1000);
      const reply = new Uint8Array(REPORT);
      reply.set(got.subarray(0, REPORT));
      const cr = reply.indexOf(CR);
      const len = cr > 0 ? cr + 1 : 0;
      if (got.length === 0) throw new UsbTransferError('timeout', 'read: nothing came');
      const want = EXPECTED[cmd.toUpperCase()];
      if (want !== undefined && len !== want) continue;
      if (cmd.toUpperCase() === 'Q5\r' && len !== 22) {
        const fail = new Uint8Array(22);
        fail[0] = 0x28;
        return fail;
      }
      return reply.slice(0, len);
    }
    return new Uint8Array(0);
  },
};
