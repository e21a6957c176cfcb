/**
 * What the unprivileged agent and the privileged helper say to each other,
 * one line each way over the helper's stdin and stdout. The helper's whole
 * vocabulary is here: it is told its shutdown command and flag file once, by
 * the agent while that is still root, and from then on it hears only "run
 * the shutdown command" and "write the power-down flag", as upsmon's
 * privileged parent only hears the one byte that means both.
 */
import { UpsAgentError } from '../core/errors';

/** The first line, from the agent while it is still root. */
export interface HelperSetup {
  shutdownCommand: string;
  /** No flag configured: POWERDOWNFLAG is refused. */
  powerDownFlag?: string;
  timeoutMs?: number;
}

export const REQUESTS = { shutdown: 'SHUTDOWN', flag: 'POWERDOWNFLAG' } as const;
export type HelperRequest = (typeof REQUESTS)[keyof typeof REQUESTS];

/** Longer than any request: a line past this is not one of ours, and is not buffered further. */
export const MAX_REQUEST_LINE = 64;
/** The setup line carries the shutdown command and a path: generous, but bounded. */
export const MAX_SETUP_LINE = 16 * 1024;

/** The helper refused a request, could not do it, or is gone. */
export class PrivilegedHelperError extends UpsAgentError {
  constructor(message: string) {
    super('PRIVILEGED_HELPER', message);
  }
}

export function encodeSetup(s: HelperSetup): string {
  return `SETUP ${JSON.stringify(s)}\n`;
}

/** The setup line's fields, checked; a string says what is wrong. */
export function parseSetup(line: string): HelperSetup | string {
  if (!line.startsWith('SETUP ')) return 'the first line must be SETUP {json}';
  let v: unknown;
  try {
    v = JSON.parse(line.slice('SETUP '.length));
  } catch {
    return 'SETUP is not followed by JSON';
  }
  const o = v as Partial<Record<keyof HelperSetup, unknown>> | null;
  if (o === null || typeof o !== 'object') return 'SETUP is not followed by a JSON object';
  if (typeof o.shutdownCommand !== 'string' || o.shutdownCommand === '') return 'SETUP has no shutdownCommand';
  if (o.powerDownFlag !== undefined && (typeof o.powerDownFlag !== 'string' || o.powerDownFlag === '')) return 'SETUP powerDownFlag must be a path';
  if (o.timeoutMs !== undefined && (typeof o.timeoutMs !== 'number' || !(o.timeoutMs > 0))) return 'SETUP timeoutMs must be a positive number';
  return { shutdownCommand: o.shutdownCommand, powerDownFlag: o.powerDownFlag as string | undefined, timeoutMs: o.timeoutMs as number | undefined };
}

/**
 * Splits a byte stream into lines, refusing any line longer than `max`
 * (reported once, as `overflow`, and the stream's rest is not kept).
 */
export class LineSplitter {
  private buf = '';
  constructor(
    private max: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
  ) {}
  setMax(max: number): void {
    this.max = max;
  }
  push(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl < 0) break;
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.length > this.max) return this.overflow();
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.buf.length > this.max) this.overflow();
  }
  private overflow(): void {
    this.buf = '';
    this.onOverflow();
  }
}
