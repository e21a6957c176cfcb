/**
 * krauler (nutdrv_qx krauler_command; also blazer_usb's) and snr
 * (snr_command): no serial line at all. Each known command is a USB
 * string descriptor index; reading the string IS sending the command, and
 * the string is the reply. Unknown commands are echoed back (the device
 * refuses them, as a Megatec unit echoes).
 *
 * krauler: without langid_fix, libusb's ASCII string read (language ID
 * from string 0, then the string; 2 control transfers); with langid_fix,
 * one GET_DESCRIPTOR with that language ID and a length check (bLength
 * must equal the bytes received, else retry). Up to 10 tries; `UPS No Ack`
 * means try again. A missing `\r` is added and the reply's first byte is
 * replaced by the command's own leading character (`(` for Q1, `#` for F
 * and I, `\r` for commands, which makes their reply empty).
 *
 * snr: first an interrupt read of 102 bytes to wake the device (its result
 * ignored), then up to 10 GET_DESCRIPTOR of 102 bytes with langid_fix
 * (NUT cannot run snr without it), the same checks, no `\r` added.
 */
import {
  BridgeReplyError,
  QX_BUFLEN,
  ensureCr,
  getStringAscii,
  getStringDescriptor,
  isNoAck,
  sameCommand,
  utf16ToAscii,
  type BridgeIo,
  type QxUsbBridge,
} from '../bridge';
import { EP_IN_1, UsbTransferError } from '../usb-like';

interface StringCommand {
  command: string;
  index: number;
  /** The character that replaces the reply's first byte. */
  prefix: string;
}

const KRAULER_COMMANDS: readonly StringCommand[] = [
  { command: 'Q1\r', index: 0x03, prefix: '(' },
  { command: 'F\r', index: 0x0d, prefix: '#' },
  { command: 'I\r', index: 0x0c, prefix: '#' },
  { command: 'T\r', index: 0x04, prefix: '\r' },
  { command: 'TL\r', index: 0x05, prefix: '\r' },
  { command: 'Q\r', index: 0x07, prefix: '\r' },
  { command: 'C\r', index: 0x0b, prefix: '\r' },
  { command: 'CT\r', index: 0x0b, prefix: '\r' },
];

const SNR_COMMANDS: readonly StringCommand[] = KRAULER_COMMANDS.slice(0, 3);

const RETRIES = 10;

/** A char of NUT's buffer as the signed value C compares (`ret != buf[0]`). */
function signedByte(b: number | undefined): number {
  const v = b ?? 0;
  return v >= 0x80 ? v - 0x100 : v;
}

/**
 * A raw string descriptor read with langid_fix, as krauler/snr/hunnox
 * check it: bLength must equal what came (else undefined: corrupted), then
 * UTF-16 to bytes with `?` for a high byte.
 */
export function decodeChecked(desc: Uint8Array, buflen: number): Uint8Array | undefined {
  if (desc.length !== signedByte(desc[0])) return undefined;
  return utf16ToAscii(desc, desc[0] as number, buflen, false);
}

function withPrefix(reply: Uint8Array, prefix: string): Uint8Array {
  const out = reply.slice();
  out[0] = prefix.charCodeAt(0);
  return out;
}

export const krauler: QxUsbBridge = {
  name: 'krauler',
  async exchange(io, command, ctx) {
    const entry = KRAULER_COMMANDS.find((c) => sameCommand(command, c.command));
    if (!entry) return command;
    for (let retry = 0; retry < RETRIES; retry++) {
      let reply: Uint8Array;
      if (ctx.langidFix !== undefined) {
        const desc = await getStringDescriptor(io, entry.index, ctx.langidFix, QX_BUFLEN);
        if (desc.length === 0) return desc;
        const decoded = decodeChecked(desc, QX_BUFLEN);
        if (!decoded) continue;
        reply = decoded;
      } else {
        reply = await getStringAscii(io, entry.index, QX_BUFLEN);
      }
      if (reply.length === 0) return reply;
      reply = ensureCr(reply);
      if (isNoAck(reply)) continue;
      return withPrefix(reply, entry.prefix);
    }
    return new Uint8Array(0);
  },
};

const SNR_BUFLEN = 102;

async function wake(io: BridgeIo): Promise<void> {
  try {
    await io.interruptIn(EP_IN_1, SNR_BUFLEN, 1000);
  } catch (err) {
    // NUT ignores this read's result (a device that is gone fails the next request).
    if (!(err instanceof UsbTransferError)) throw err;
  }
}

export const snr: QxUsbBridge = {
  name: 'snr',
  async exchange(io, command, ctx) {
    const langid = ctx.langidFix;
    if (langid === undefined) throw new BridgeReplyError('the snr subdriver needs langid_fix (NUT sends it as the language ID)');
    await wake(io);
    const entry = SNR_COMMANDS.find((c) => sameCommand(command, c.command));
    if (!entry) return command;
    for (let retry = 0; retry < RETRIES; retry++) {
      const desc = await getStringDescriptor(io, entry.index, langid, SNR_BUFLEN);
      if (desc.length === 0) return desc;
      const reply = decodeChecked(desc, QX_BUFLEN);
      if (!reply) continue;
      if (isNoAck(reply)) continue;
      return reply.length === 0 ? reply : withPrefix(reply, entry.prefix);
    }
    return new Uint8Array(0);
  },
};
