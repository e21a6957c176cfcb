/**
 * fuji (nutdrv_qx fuji_command, "ATCL FOR UPS"): one 8-byte interrupt
 * write on OUT 0x02 (5 s): 0x80 0x06 <len+1> 0x03 <command without \r,
 * at most 3 chars> <zero padding> <expected reply length>; Q1 expects 47,
 * F 22, I 39, anything else 0 (commands get no reply). SnRm with m != 0 is
 * cut to its first 3 chars (the restart delay cannot be sent); longer
 * commands are echoed back unsent. The reply comes in 8-byte interrupt
 * reads on IN 0x81 (1 s each), NUL-padded after the `\r`, until a `\r`.
 */
import { CR, QX_BUFLEN, bytes, checkWritten, commandWord, text, withPartial, untilNul, type QxUsbBridge } from '../bridge';
import { EP_IN_1, EP_OUT_2, UsbTransferError } from '../usb-like';
import { parseShutdown } from './fabula';

const ANSWER_LENGTHS: Readonly<Record<string, number>> = { Q1: 47, F: 22, I: 39 };

/** The 8 bytes fuji sends for `command`, or undefined when it is too long to send. */
export function fujiPacket(command: Uint8Array): Uint8Array | undefined {
  let word = commandWord(command);
  const s = /^S/.test(text(command)) ? parseShutdown(text(command)) : undefined;
  if (s && s.restart !== -1 && s.restart !== 0 && /R/.test(word)) word = word.slice(0, 3);
  if (word.length > 3) return undefined;
  const tmp = new Uint8Array(8);
  tmp[0] = 0x80;
  tmp[1] = 0x06;
  tmp[2] = word.length + 1;
  tmp[3] = 0x03;
  tmp.set(bytes(word), 4);
  tmp[7] = ANSWER_LENGTHS[word] ?? 0;
  return tmp;
}

export const fuji: QxUsbBridge = {
  name: 'fuji',
  async exchange(io, command) {
    const packet = fujiPacket(command);
    if (!packet) return command;
    checkWritten(await io.interruptOut(EP_OUT_2, packet, 5000), 'send');
    const buf = new Uint8Array(QX_BUFLEN);
    let i = 0;
    while (i <= QX_BUFLEN - 8 && !buf.includes(CR)) {
      let data: Uint8Array;
      try {
        data = await io.interruptIn(EP_IN_1, 8, 1000);
      } catch (err) {
        throw withPartial(err, untilNul(buf.subarray(0, i)));
      }
      if (data.length === 0) throw withPartial(new UsbTransferError('timeout', 'read: nothing came'), untilNul(buf.subarray(0, i)));
      buf.set(data.subarray(0, Math.min(data.length, QX_BUFLEN - i)), i);
      i += data.length;
    }
    // The chunks are NUL-padded: the reply is the C string in the buffer.
    return untilNul(buf).slice();
  },
};
