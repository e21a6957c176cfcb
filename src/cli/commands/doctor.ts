import type { CliIO } from '../io';

/** `upsagent doctor`: proves the native modules inside this executable load on this machine. */
export async function runDoctor(io: CliIO): Promise<number> {
  const { checkNativeModules } = await import('../../platform/native');
  const results = await checkNativeModules();
  for (const r of results) io.out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${r.detail}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}
