/**
 * phoenixtec (nutdrv_qx phoenixtec_command, Masterguard A series): the
 * whole command in one vendor control transfer (0x42: OUT, vendor,
 * endpoint; bRequest 0x0D, wValue 0, wIndex 0), 1 s. Commands that get no
 * answer (T, TL, S.., C, CT, M, N, O, SRC, FCLR, SS, TUD, SSN, each not
 * followed by another capital) return at once with no reply; otherwise
 * interrupt reads on IN 0x81 of what room is left until one holds a `\r`.
 */
import { CR, QX_BUFLEN, checkWritten, text, withPartial, type QxUsbBridge } from '../bridge';
import { EP_IN_1, UsbTransferError, VENDOR_ENDPOINT_OUT } from '../usb-like';

const NO_ANSWER = ['T', 'TL', 'S', 'C', 'CT', 'M', 'N', 'O', 'SRC', 'FCLR', 'SS', 'TUD', 'SSN'];

/** NUT's prefix test: `M` matches `M\r` but not `MSO\r`. */
export function expectsNoAnswer(command: string): boolean {
  return NO_ANSWER.some((p) => command.startsWith(p) && !/^[A-Z]$/.test(command.charAt(p.length)));
}

export const phoenixtec: QxUsbBridge = {
  name: 'phoenixtec',
  async exchange(io, command) {
    checkWritten(await io.controlOut({ bmRequestType: VENDOR_ENDPOINT_OUT, bRequest: 0x0d, wValue: 0, wIndex: 0 }, command, 1000), 'send');
    if (expectsNoAnswer(text(command))) return new Uint8Array(0);
    const out: number[] = [];
    while (out.length < QX_BUFLEN) {
      let data: Uint8Array;
      try {
        data = await io.interruptIn(EP_IN_1, QX_BUFLEN - out.length, 1000);
      } catch (err) {
        throw withPartial(err, Uint8Array.from(out));
      }
      if (data.length === 0) throw withPartial(new UsbTransferError('timeout', 'read: nothing came'), Uint8Array.from(out));
      const cr = data.indexOf(CR);
      for (const b of cr < 0 ? data : data.subarray(0, cr + 1)) out.push(b);
      if (cr >= 0) {
        // NUT needs room for the NUL after the `\r`.
        return out.length < QX_BUFLEN ? Uint8Array.from(out) : new Uint8Array(0);
      }
    }
    return new Uint8Array(0);
  },
};
