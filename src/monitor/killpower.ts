/**
 * The power-down flag (NUT's POWERDOWNFLAG): the file the monitor writes just
 * before it shuts the host down, so that the last step of the system's
 * shutdown (`upsagent killpower check`, as `upsmon -K`) knows the power is
 * failing and the UPS should be told to cut the load. It holds upsmon's magic
 * text, so that a flag path pointing at some other file by mistake is never
 * taken for a flag, nor deleted (NUT clients/upsmon.c: set_pdflag,
 * pdflag_status, clear_pdflag). The file format is NUT's, so NUT's own
 * `upsmon -K` and halt scripts read our flag and we read theirs.
 */
import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { UpsAgentError, errorMessage } from '../core/errors';
import type { Logger } from '../core/logger';

/** What upsmon writes into the flag file, with no newline. */
export const SDMAGIC = 'upsmon-shutdown-file';

/** upsmon reads the first line into a buffer of this size (SMALLBUF); the magic only has to start it. */
const READ_LIMIT = 512;

/** `set`: the file is there with the magic; `absent`: no file; `foreign`: a file without the magic. */
export type PowerDownFlagState = 'set' | 'absent' | 'foreign';

/** The flag file could not be read, written or removed (permissions, a read-only disk...). */
export class PowerDownFlagError extends UpsAgentError {
  constructor(
    readonly file: string,
    readonly operation: 'read' | 'write' | 'remove',
    /** The system's error, e.g. an EACCES from open. */
    readonly reason: unknown,
  ) {
    super('POWERDOWNFLAG', `cannot ${operation} the power-down flag ${file}: ${errorMessage(reason)}`);
  }
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function closeQuietly(fh: FileHandle | undefined): Promise<void> {
  try {
    await fh?.close();
  } catch {
    // The outcome is already decided; a failing close changes nothing about it.
  }
}

/**
 * Writes the flag as upsmon's set_pdflag does: the magic text, replacing
 * whatever was there. Synced to disk before it resolves: the host is about
 * to go down, and the halt script must find the flag even if the page cache
 * is not flushed in an orderly way.
 */
export async function writePowerDownFlag(file: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'w', 0o644);
    await fh.writeFile(SDMAGIC, 'latin1');
    await fh.sync();
  } catch (err) {
    throw new PowerDownFlagError(file, 'write', err);
  } finally {
    await closeQuietly(fh);
  }
}

/**
 * Whether the flag is set, as upsmon's pdflag_status decides it: the file's
 * first line starts with the magic text. A missing file (or a missing
 * folder on its path) is `absent`; a file that cannot be opened for another
 * reason (no permission) is an error, not a guess. Opened non-blocking so a
 * FIFO at the path does not hang the check; a directory or FIFO is `foreign`.
 */
export async function powerDownFlagStatus(file: string): Promise<PowerDownFlagState> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw new PowerDownFlagError(file, 'read', err);
  }
  try {
    const buf = Buffer.alloc(READ_LIMIT);
    const { bytesRead } = await fh.read(buf, 0, READ_LIMIT, null);
    return buf.toString('latin1', 0, bytesRead).startsWith(SDMAGIC) ? 'set' : 'foreign';
  } catch (err) {
    const code = errnoOf(err);
    // Something is there, but not a file we could have written.
    if (code === 'EISDIR' || code === 'EAGAIN') return 'foreign';
    throw new PowerDownFlagError(file, 'read', err);
  } finally {
    await closeQuietly(fh);
  }
}

/**
 * Removes the flag left by an earlier shutdown, as upsmon does when it
 * starts, but only when it holds the magic text: a file that does not
 * is someone else's and is left alone (logged as an error, as NUT's
 * clear_pdflag does, since the configured path is wrong).
 */
export async function clearPowerDownFlag(file: string, log?: Logger): Promise<'removed' | 'absent' | 'foreign'> {
  const state = await powerDownFlagStatus(file);
  if (state === 'absent') return 'absent';
  if (state === 'foreign') {
    log?.error(`power-down flag ${file} does not contain the upsmon magic string (not a file the monitor wrote): leaving it alone`);
    return 'foreign';
  }
  try {
    await unlink(file);
  } catch (err) {
    // Someone else removed it between the check and now: the outcome is the same.
    if (errnoOf(err) === 'ENOENT') return 'absent';
    throw new PowerDownFlagError(file, 'remove', err);
  }
  log?.info(`removed the power-down flag ${file} left by an earlier shutdown`);
  return 'removed';
}
