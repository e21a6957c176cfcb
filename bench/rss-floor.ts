/**
 * The least a program can be that starts as the agent does: the libraries the
 * design names for every run (yargs for the command line, winston for the
 * log, yaml for the config file) and a TCP server on Node's `net`, and no
 * code of ours. Packaged as the agent is, its idle RSS is the floor under
 * `upsagent run --demo`'s, so the idle figures of bench/idle-rss.ts can be
 * read against it:
 *
 *   node build/build.mjs --no-typecheck --target linux-x64 --entry bench/rss-floor.ts
 *   node --import tsx bench/idle-rss.ts dist/upsagent-linux-x64 run
 *
 * (`--target linux-x64` writes dist/upsagent-linux-x64, so dist/upsagent is
 * left as it was.) It answers every read with one line, which is all
 * idle-rss.ts asks of a server.
 */
import { createServer } from 'node:net';
import * as winston from 'winston';
import { parse } from 'yaml';
import yargs from 'yargs';

const argv = yargs(process.argv.slice(2))
  .command('run', 'listen and idle')
  .option('listen', { type: 'string', default: '127.0.0.1:3493' })
  .strict()
  .parseSync();
const log = winston.createLogger({
  levels: { error: 0, warn: 1, info: 2, debug: 3 },
  level: 'info',
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'], format: winston.format.combine(winston.format.timestamp(), winston.format.printf((i) => `${String(i.timestamp)} ${i.level} ${String(i.message)}`)) })],
});
const config = parse('server:\n  listen: [127.0.0.1:3493]\nups:\n  demo: { driver: dummy }\n') as { ups: Record<string, unknown> };
const at = argv.listen.lastIndexOf(':');
const server = createServer((socket) => {
  socket.on('data', () => socket.write('upsagent floor probe\n'));
  socket.on('error', () => undefined);
});
server.listen(Number(argv.listen.slice(at + 1)), argv.listen.slice(0, at), () => log.info(`listening on ${argv.listen}; ${Object.keys(config.ups).length} UPS in the config`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
