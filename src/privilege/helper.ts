/**
 * The privileged helper: the one part of the agent that stays root once the
 * rest runs as the role account (NUT's upsmon "priv-parent"). It is told its
 * shutdown command and flag file once, clears a flag left from an earlier
 * shutdown (as upsmon does before it splits), and then does only two
 * things when asked: write the power-down flag, run the shutdown command.
 * Anything else ends it, as upsmon's parent exits on a bogus pipe command: a
 * compromised agent gets nothing out of it by trying.
 */
import type { Readable, Writable } from 'node:stream';
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ShutdownActions } from './actions';
import { LineSplitter, MAX_REQUEST_LINE, MAX_SETUP_LINE, REQUESTS, parseSetup, type HelperSetup } from './protocol';

export interface HelperDeps {
  input: Readable;
  output: Writable;
  log: Logger;
  /** What it does, as root: the same code as without separation. */
  actions: (timeoutMs: number | undefined) => ShutdownActions;
}

/** How the helper ended: 0 when the agent closed the pipe, 2 after a refused request or a bad setup. */
export function runPrivilegedHelper(d: HelperDeps): Promise<number> {
  const { log } = d;
  return new Promise<number>((resolve) => {
    let setup: HelperSetup | undefined;
    let actions: ShutdownActions | undefined;
    let ended = false;
    // One request at a time, in order: a shutdown must not race the flag it follows.
    let queue: Promise<void> = Promise.resolve();
    const reply = (line: string): void => {
      if (!d.output.destroyed) d.output.write(`${line}\n`);
    };
    const end = (code: number): void => {
      if (ended) return;
      ended = true;
      d.input.removeListener('data', onData);
      d.input.destroy();
      void queue.then(() => resolve(code));
    };
    const refuse = (why: string): void => {
      if (ended) return;
      log.error(`refused: ${why}; the privileged helper stops (nothing was run)`);
      // After the answers to what came before it, so the agent reads them in order.
      queue = queue.then(() => reply(`ERR refused: ${why}`));
      end(2);
    };
    const splitter = new LineSplitter(
      MAX_SETUP_LINE,
      (line) => (setup ? request(line) : configure(line)),
      () => refuse('a line longer than any request'),
    );
    const configure = (line: string): void => {
      const s = parseSetup(line);
      if (typeof s === 'string') return refuse(s);
      setup = s;
      actions = d.actions(s.timeoutMs);
      splitter.setMax(MAX_REQUEST_LINE);
      const flag = s.powerDownFlag;
      queue = queue.then(async () => {
        let state = 'none';
        if (flag) {
          try {
            state = String(await actions!.clearFlag(flag));
          } catch (err) {
            log.warn(`power-down flag: ${errorMessage(err)}`);
            state = 'error';
          }
        }
        reply(`READY ${state}`);
      });
    };
    const request = (line: string): void => {
      if (ended) return;
      const s = setup!;
      const a = actions!;
      if (line === REQUESTS.flag) {
        const flag = s.powerDownFlag;
        if (!flag) return refuse('no power-down flag was configured');
        queue = queue.then(async () => {
          try {
            await a.writeFlag(flag);
            log.info(`wrote the power-down flag ${flag}`);
            reply('OK');
          } catch (err) {
            reply(`ERR ${oneLine(errorMessage(err))}`);
          }
        });
      } else if (line === REQUESTS.shutdown) {
        queue = queue.then(async () => {
          log.warn(`running the shutdown command as root: ${s.shutdownCommand}`);
          try {
            const code = await a.runShutdown(s.shutdownCommand);
            reply(`DONE ${code === null ? 'null' : code}`);
          } catch (err) {
            reply(`ERR ${oneLine(errorMessage(err))}`);
          }
        });
      } else {
        refuse(`${JSON.stringify(line.slice(0, MAX_REQUEST_LINE))} is not ${REQUESTS.shutdown} or ${REQUESTS.flag}`);
      }
    };
    const onData = (chunk: Buffer | string): void => splitter.push(chunk.toString());
    d.input.on('data', onData);
    // The agent is gone (or closed the pipe): so is any reason to stay root.
    d.input.once('end', () => end(0));
    d.input.once('error', () => end(0));
  });
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
