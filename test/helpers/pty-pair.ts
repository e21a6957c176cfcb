/**
 * Two connected pseudo-terminals from socat (`socat pty,raw,echo=0 pty,raw,echo=0`):
 * a driver opens one end as its serial port, a simulator (or the test)
 * talks on the other. Links in a scratch folder give them stable names.
 * ptys carry bytes only: modem lines (DTR, CTS...) need a fake link.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOCAT = '/usr/bin/socat';

export function socatAvailable(): boolean {
  return existsSync(SOCAT);
}

export interface PtyPair {
  /** The end a driver opens. */
  device: string;
  /** The end the simulator uses. */
  peer: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-pty-'));
  const device = join(dir, 'ttyUPS');
  const peer = join(dir, 'ttySIM');
  const child = spawn(SOCAT, [`pty,raw,echo=0,link=${device}`, `pty,raw,echo=0,link=${peer}`], { stdio: 'ignore' });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const deadline = Date.now() + 5000;
  while (!(existsSync(device) && existsSync(peer))) {
    if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('socat made no ptys within 5 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    device,
    peer,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
