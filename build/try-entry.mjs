// A stand-in program for trying the packaging while src/cli/main.ts cannot be
// bundled yet: `node build/build.mjs --no-typecheck --entry build/try-entry.mjs`.
// Its `run --demo --listen HOST:PORT` loads what the agent loads (winston,
// yaml, a listening socket) so bench/startup.sh can be tried against it.
import { createServer } from 'node:net';
import { setInterval } from 'node:timers';
import { checkNativeModules } from '../src/platform/native';

async function main() {
  const { default: yargs } = await import('yargs');
  await yargs(process.argv.slice(2))
    .scriptName('upsagent')
    .version('0.0.0-try')
    .command('doctor', 'check native modules', {}, async () => {
      for (const r of await checkNativeModules()) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(10)} ${r.detail}`);
    })
    .command('run', 'stay up like the agent would', (y) => y.option('demo', { type: 'boolean' }).option('listen', { type: 'string' }), async (a) => {
      const winston = await import('winston');
      const YAML = await import('yaml');
      const log = winston.createLogger({ transports: [new winston.transports.Console()] });
      log.info(`config ${JSON.stringify(YAML.parse('a: 1'))}`);
      const [host, port] = (a.listen ?? '127.0.0.1:3493').split(':');
      createServer((c) => c.end()).listen(Number(port), host);
      setInterval(() => undefined, 1 << 30);
      await new Promise(() => undefined);
    })
    .demandCommand(1)
    .strict()
    .parseAsync();
}
void main();
