/**
 * fabula (nutdrv_qx fabula_command, Fideltronik/MEC LUPUS) and hunnox
 * (hunnox_command, Hunnox HNX 850 and relatives): like krauler, commands
 * are string descriptor indices, read with libusb's ASCII string call.
 * Shutdowns are encoded in the index itself: `Sn` / `SnRm` map the delay
 * (0.5..10 minutes) to 0x10..0xF0 and add 8 for shutdown.return. The
 * reply `UPS No Ack` means no reply (queries fail, commands succeed).
 * fabula adds a missing `\r`.
 *
 * hunnox differs: BL (battery charge) is 0xF3; the string read is capped
 * at 102 bytes (larger ones lock the device up); with langid_fix it is a
 * raw GET_DESCRIPTOR with that language ID and a bLength check, without
 * `\r` added; and before each command a lock-step dance of extra string
 * reads the Windows client makes (strings 0, 0, 1 and a 10 ms pause the
 * first time; then in turn 0x0D, 0x03, 0x0C when the command is not that
 * one, 0x0C skipped with novendor), whose results are ignored.
 */
import {
  QX_BUFLEN,
  ensureCr,
  getStringAscii,
  getStringDescriptor,
  isNoAck,
  sameCommand,
  text,
  type BridgeContext,
  type BridgeIo,
  type QxUsbBridge,
} from '../bridge';
import { UsbTransferError } from '../usb-like';
import { decodeChecked } from './krauler';

const FABULA_COMMANDS: ReadonlyArray<readonly [string, number]> = [
  ['Q1\r', 0x03],
  ['F\r', 0x0d],
  ['I\r', 0x0c],
  ['Q\r', 0x07],
  ['C\r', 0x0a],
];
const HUNNOX_COMMANDS: ReadonlyArray<readonly [string, number]> = [...FABULA_COMMANDS, ['BL\r', 0xf3]];

/** sscanf("S%lfR%d") / sscanf("S%lf"): the delay in minutes and the restart part, -1 when absent (NUT's initial val2). */
export function parseShutdown(command: string): { delay: number; restart: number } | undefined {
  const m = /^S\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:R\s*([+-]?\d+))?/.exec(command);
  if (!m) return undefined;
  return { delay: Number(m[1]), restart: m[2] === undefined ? -1 : parseInt(m[2], 10) };
}

/** The string index of a shutdown command, as fabula_command computes it (C's int conversion truncates). */
export function shutdownIndex(delayMinutes: number, restart: number): number {
  const delay = delayMinutes < 0.5 ? 0.5 : delayMinutes > 10 ? 10 : delayMinutes;
  let index = delay < 1 ? 16 + Math.round((delay - 0.5) * 10) * 16 : Math.trunc(96 + (delay - 1) * 16);
  // val2 starts at -1: a plain `Sn` counts as shutdown.return too.
  if (restart) index += 8;
  return index;
}

/** The command's string index, or undefined for a command the device does not have (echoed back). */
function commandIndex(command: Uint8Array, table: ReadonlyArray<readonly [string, number]>): number | undefined {
  const found = table.find(([c]) => sameCommand(command, c));
  if (found) return found[1];
  const s = parseShutdown(text(command));
  return s ? shutdownIndex(s.delay, s.restart) : undefined;
}

export const fabula: QxUsbBridge = {
  name: 'fabula',
  async exchange(io, command) {
    const index = commandIndex(command, FABULA_COMMANDS);
    if (index === undefined) return command;
    const reply = await getStringAscii(io, index, QX_BUFLEN);
    if (reply.length === 0) return reply;
    const line = ensureCr(reply);
    return isNoAck(line) ? new Uint8Array(0) : line;
  },
};

const HUNNOX_BUFLEN = 102;
const ENGLISH_US = 0x0409;

/** hunnox_protocol(): the extra string reads before each command; failures are ignored as in NUT. */
async function lockStep(io: BridgeIo, asking: number, ctx: BridgeContext): Promise<void> {
  const langid = ctx.langidFix ?? ENGLISH_US;
  const step = (ctx.state.hunnoxStep as number | undefined) ?? 0;
  const ask = async (index: number, length: number): Promise<void> => {
    try {
      await getStringDescriptor(io, index, langid, length);
    } catch (err) {
      // Ignored as in NUT (a device that is gone fails the command's own request).
      if (!(err instanceof UsbTransferError)) throw err;
    }
  };
  switch (step) {
    case 0:
      await ask(0x00, 1026);
      await ask(0x00, 1026);
      await ask(0x01, 1026);
      await io.sleep(10);
      break;
    case 1:
      if (asking !== 0x0d) await ask(0x0d, HUNNOX_BUFLEN);
      break;
    case 2:
      if (asking !== 0x03) await ask(0x03, HUNNOX_BUFLEN);
      break;
    case 3:
      if (asking !== 0x0c && !ctx.novendor) await ask(0x0c, HUNNOX_BUFLEN);
      break;
  }
  const next = step + 1;
  ctx.state.hunnoxStep = next > 3 ? 1 : next;
}

export const hunnox: QxUsbBridge = {
  name: 'hunnox',
  async exchange(io, command, ctx) {
    const index = commandIndex(command, HUNNOX_COMMANDS);
    if (index === undefined) return command;
    await lockStep(io, index, ctx);
    let reply: Uint8Array;
    if (ctx.langidFix !== undefined) {
      const desc = await getStringDescriptor(io, index, ctx.langidFix, HUNNOX_BUFLEN);
      if (desc.length === 0) return desc;
      const decoded = decodeChecked(desc, HUNNOX_BUFLEN);
      if (!decoded) return new Uint8Array(0);
      reply = decoded;
    } else {
      reply = await getStringAscii(io, index, HUNNOX_BUFLEN);
    }
    return isNoAck(reply) ? new Uint8Array(0) : reply;
  },
};
