import type { NativeCheck } from '../../platform/native';
import type { CliIO } from '../io';

/**
 * The word in front of a check: an addon that loaded but could not list its
 * devices is not "ok" (a driver using it would find nothing), yet the
 * executable itself is fine, so it is a warning and not a failure.
 */
function verdict(r: NativeCheck): string {
  if (!r.ok) return 'FAIL';
  return r.listingFailed === true ? 'warn' : 'ok';
}

/** Doctor's report, one line per addon; exit 1 only when an addon does not load. */
export function renderDoctor(results: readonly NativeCheck[]): { text: string; code: number } {
  const text = results.map((r) => `${verdict(r).padEnd(4)} ${r.name.padEnd(10)} ${r.detail}\n`).join('');
  return { text, code: results.every((r) => r.ok) ? 0 : 1 };
}

/** `upsagent doctor`: proves the native modules inside this executable load on this machine. */
export async function runDoctor(io: CliIO, check?: () => Promise<NativeCheck[]>): Promise<number> {
  const results = await (check ?? (await import('../../platform/native')).checkNativeModules)();
  const { text, code } = renderDoctor(results);
  io.out(text);
  return code;
}
