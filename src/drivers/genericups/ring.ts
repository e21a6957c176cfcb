/**
 * The ring indicator (RNG / RI) where the serial link cannot report it.
 *
 * The serialport package reads CTS, DSR and DCD but not RI. For a built-in
 * UART (/dev/ttyS<N>, Linux 8250 driver) the kernel shows every modem line
 * of every port, live, in /proc/tty/driver/serial (serial_core.c
 * uart_line_info: `0: uart:16550A port:000003F8 irq:4 tx:0 rx:0 RTS|DTR|RI`,
 * the lines only to a reader with CAP_SYS_ADMIN, i.e. root). Reading that
 * file touches nothing on the port. USB serial adapters have no such line
 * report, so for them RI stays unknown.
 */
import { readFile, realpath as fsRealpath } from 'node:fs/promises';

/** RI for the port: true/false, or null where it cannot be read. */
export type RingSource = (port: string) => Promise<boolean | null>;

export const PROC_SERIAL = '/proc/tty/driver/serial';

/** Ports whose RI the kernel reports in PROC_SERIAL: the 8250 driver's /dev/ttyS<N>. */
export const PROC_RING_PORT = /^\/dev\/ttyS(\d+)$/;

/** RI of line `line` in a /proc/tty/driver/serial text; null when the line or its modem status is not shown. */
export function ringFromProcText(text: string, line: number): boolean | null {
  for (const row of text.split('\n')) {
    const m = /^(\d+): (.*)$/.exec(row);
    if (!m || Number(m[1]) !== line) continue;
    // Without CAP_SYS_ADMIN the kernel prints no counters and no lines: nothing to tell from.
    if (!/ tx:\d+ rx:\d+/.test(m[2]!)) return null;
    const last = m[2]!.trim().split(/\s+/).pop() ?? '';
    const lines = /^[A-Z|]+$/.test(last) && !last.includes(':') ? last.split('|') : [];
    return lines.includes('RI');
  }
  return null;
}

export function procSerialRing(opts: { procFile?: string; realpath?: (p: string) => Promise<string> } = {}): RingSource {
  const file = opts.procFile ?? PROC_SERIAL;
  const resolvePath = opts.realpath ?? fsRealpath;
  return async (port) => {
    let real: string;
    try {
      real = await resolvePath(port);
    } catch {
      return null;
    }
    const m = PROC_RING_PORT.exec(real);
    if (!m) return null;
    let text: string;
    try {
      text = await readFile(file, 'latin1');
    } catch {
      return null;
    }
    return ringFromProcText(text, Number(m[1]));
  };
}
