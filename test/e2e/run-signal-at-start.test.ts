/**
 * A SIGTERM that arrives while `run` is still starting (its server already
 * listening, the rest not yet up) must stop the agent cleanly, as one later
 * does: exit 0 after "SIGTERM: stopping", not death by the signal. systemd
 * stopping a unit that is still starting does exactly this.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/real-nut';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

test('SIGTERM as soon as the server listens: a clean stop, exit 0', async () => {
  for (let round = 0; round < 3; round++) {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--demo', '--listen', `127.0.0.1:${port}`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      // The first line the start writes: the rest of the start is still to come.
      if (!log.includes('listening on') && (log + d).includes('listening on')) child.kill('SIGTERM');
      log += d;
    });
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
    assert.deepEqual(ended, { code: 0, signal: null }, `round ${round}: ${log}`);
    assert.match(log, /SIGTERM: stopping/);
  }
});
