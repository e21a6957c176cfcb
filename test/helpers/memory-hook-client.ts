/**
 * The other end of memory-hook.cjs: asks the server it is preloaded into for
 * its memory figures over fd 3 (the bench and the flood e2e test both use it).
 */
import type { Socket } from 'node:net';

/** The figures every sample has; the hook sends more (heap spaces...). */
export interface HookSample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { used: number; size: number }>;
}

/** Asks the hook for a sample (`gc`: a full collection first, then a sample), answers in order. */
export function hookSampler(ch: Socket): (cmd?: 'sample' | 'gc') => Promise<HookSample> {
  let buf = '';
  const waiting: Array<(s: HookSample) => void> = [];
  ch.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(JSON.parse(line) as HookSample);
    }
  });
  return (cmd = 'sample') =>
    new Promise((res) => {
      waiting.push(res);
      ch.write(`${cmd}\n`);
    });
}
