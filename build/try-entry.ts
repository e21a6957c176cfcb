// A stand-in program for trying the packaging while src/cli/main.ts cannot
// be bundled yet: `node build/build.mjs --no-typecheck --entry build/try-entry.ts`.
import { checkNativeModules } from '../src/platform/native';

async function main(): Promise<void> {
  const { default: yargs } = await import('yargs');
  await yargs(process.argv.slice(2))
    .scriptName('upsagent')
    .version('0.0.0-try')
    .command('doctor', 'check native modules', {}, async () => {
      for (const r of await checkNativeModules()) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${r.detail}`);
    })
    .command('idle', 'stay up doing nothing', {}, () => new Promise(() => setInterval(() => undefined, 1 << 30)))
    .demandCommand(1)
    .strict()
    .parseAsync();
}
void main();
