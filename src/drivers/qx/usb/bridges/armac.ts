/**
 * armac (nutdrv_qx armac_command: Armac and other Richcomm "PowerManagerII"
 * units, 0925:1234). Each packet's first byte is 0xA0 + the count of data
 * bytes that follow.
 *
 * Older units (no interrupt OUT endpoint 0x02 with IN 0x82 of 64 bytes):
 * first up to 10 interrupt reads of 8 bytes on 0x81 (100 ms each) drain
 * stale input, then the command goes in SET_REPORT writes (0x21, 0x09,
 * wValue 0x0200) of 4 bytes carrying 3 command bytes each. Newer units: one
 * interrupt write on 0x02 carrying the whole command, and 64-byte reads on
 * 0x82.
 *
 * The reply: after 2 ms, interrupt reads whose first byte's low 6 bits say
 * how many data bytes follow (0 = the end); a NUL as the very first byte
 * means the UPS is off (no reply); a NUL from position 38 on is read as
 * `0` (Vultech V2000 status bits), earlier it ends the reply; the `\r`
 * ends it too. After a read with 2 bytes or fewer, 10 ms to let the UPS
 * buffer more. Commands these units never answer (QGS, QS, QPI, M, D) are
 * echoed back unsent.
 */
import { BridgeReplyError, CR, QX_BUFLEN, checkWritten, text, withPartial, type BridgeContext, type BridgeIo, type QxUsbBridge } from '../bridge';
import { CLASS_INTERFACE_OUT, EP_IN_1, HID_SET_REPORT, UsbTransferError } from '../usb-like';

const UNSUPPORTED = new Set(['QGS\r', 'QS\r', 'QPI\r', 'M\r', 'D\r']);
const READ_CONTROL = 8;
const READ_INTERRUPT = 64;

interface ArmacEndpoints {
  useInterrupt: boolean;
  inAddress: number;
  outAddress: number;
  inPacketSize: number;
}

/** load_armac_endpoint_cache + the use_interrupt test: exactly two endpoints, IN 0x82 and OUT 0x02, IN of 64 bytes. */
function endpointsOf(io: BridgeIo, ctx: BridgeContext): ArmacEndpoints {
  const cached = ctx.state.armac as ArmacEndpoints | undefined;
  if (cached) return cached;
  const eps = io.endpoints();
  const inEp = eps.find((e) => e.address & 0x80);
  const outEp = eps.find((e) => !(e.address & 0x80));
  const useInterrupt =
    eps.length === 2 &&
    inEp?.address === 0x82 &&
    inEp.type !== 'control' &&
    outEp?.address === 0x02 &&
    outEp.type !== 'control' &&
    inEp.packetSize === 64;
  const found: ArmacEndpoints = { useInterrupt, inAddress: inEp?.address ?? EP_IN_1, outAddress: outEp?.address ?? 0x02, inPacketSize: inEp?.packetSize ?? 0 };
  ctx.state.armac = found;
  return found;
}

export const armac: QxUsbBridge = {
  name: 'armac',
  async exchange(io, command, ctx) {
    if (UNSUPPORTED.has(text(command))) return command;
    const eps = endpointsOf(io, ctx);
    const datalen = Math.min(command.length, READ_INTERRUPT);
    let readSize = READ_CONTROL;
    const interrupt = eps.useInterrupt && command.length < eps.inPacketSize;

    if (interrupt) {
      const n = datalen < READ_INTERRUPT - 1 ? datalen : READ_INTERRUPT - 2;
      const tmp = new Uint8Array(n + 1);
      tmp[0] = 0xa0 + n;
      tmp.set(command.subarray(0, n), 1);
      checkWritten(await io.interruptOut(eps.outAddress, tmp, 5000), 'send');
      readSize = READ_INTERRUPT;
    } else {
      for (let i = 0; i < 10; i++) {
        try {
          const stale = await io.interruptIn(EP_IN_1, readSize, 100);
          if (stale.length === 0) break;
        } catch (err) {
          // A timeout means the buffer is clean; any failure ends the drain, as in NUT.
          if (!(err instanceof UsbTransferError)) throw err;
          break;
        }
      }
      // NUT looks only at the last chunk's result.
      let last: { n: number } | { err: unknown } = { n: 0 };
      for (let i = 0; i < command.length; ) {
        const n = Math.min(command.length - i, 3);
        const tmp = new Uint8Array(4);
        tmp[0] = 0xa0 + n;
        tmp.set(command.subarray(i, i + n), 1);
        try {
          last = { n: await io.controlOut({ bmRequestType: CLASS_INTERFACE_OUT, bRequest: HID_SET_REPORT, wValue: 0x0200, wIndex: 0 }, tmp, 5000) };
        } catch (err) {
          if (!(err instanceof UsbTransferError)) throw err;
          last = { err };
        }
        i += n;
      }
      if ('err' in last) throw last.err;
      checkWritten(last.n, 'send');
    }

    await io.sleep(2);
    const inEp = interrupt ? eps.inAddress : EP_IN_1;
    const out: number[] = [];
    reading: while (out.length + readSize + 1 < QX_BUFLEN) {
      let data: Uint8Array;
      try {
        data = await io.interruptIn(inEp, readSize, 1000);
      } catch (err) {
        throw withPartial(err, Uint8Array.from(out));
      }
      // NUT: a read of 0 bytes returns what came so far.
      if (data.length === 0) return Uint8Array.from(out);
      let available = (data[0] as number) & 0x3f;
      if (available === 0) break;
      available = Math.min(available, data.length - 1);
      for (let k = 0; k < available; k++) {
        const b = data[k + 1] as number;
        if (b === 0 && out.length === 0) return new Uint8Array(0);
        if (b === 0) {
          if (out.length >= 38) {
            out.push(0x30);
            continue;
          }
          break reading;
        }
        out.push(b);
        if (b === CR) break reading;
      }
      if (available <= 2) await io.sleep(10);
    }
    if (out.length + readSize >= QX_BUFLEN) throw new BridgeReplyError(`armac: ${out.length} bytes without an end: too much data`);
    return Uint8Array.from(out);
  },
};
