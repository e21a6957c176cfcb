import { constants, open as openFd, watch as fsWatch, type FSWatcher, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { basename, dirname } from 'node:path';

/**
 * Where the dummy driver gets its .dev/.seq text: the driver's "transport".
 * The driver never touches the file system itself, so tests hand it a
 * MemorySource and the demo runs from a string built into the executable.
 */
export interface DummySource {
  /** Shown in messages; its extension (.dev/.seq) picks the default mode. */
  readonly name: string;
  /**
   * The whole text, one character per byte (latin1). Rejects when unreadable.
   * `signal` cancels a read that takes too long (the runtime's deadline).
   */
  read(signal?: AbortSignal): Promise<string>;
  /** Calls `onChange` when the text may have changed; returns the unsubscribe function. */
  watch?(onChange: () => void): () => void;
}

/** What identifies one version of a file. */
function identity(s: Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

/** What identifies one version of a file, or its absence. */
async function signature(path: string): Promise<string> {
  try {
    return identity(await stat(path));
  } catch (err) {
    return `missing:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

export interface FileSourceOptions {
  /** How often to compare the file's identity, in ms (fs.watch alone misses some changes). */
  pollMs?: number;
}

/**
 * A file on disk. Changes are seen by fs.watch on the file's folder (so an
 * atomic replace, i.e. write-then-rename, or a delete is noticed) and by
 * polling the file's inode, size and mtime, as dummy-ups compares mtimes.
 * `onChange` fires only when that identity differs from the last one read or
 * reported, so editors that touch the folder do not cause spurious re-reads.
 */
export class FileSource implements DummySource {
  readonly name: string;
  private lastSeen: string | null = null;

  constructor(
    readonly path: string,
    private readonly opts: FileSourceOptions = {},
  ) {
    this.name = path;
  }

  async read(signal?: AbortSignal): Promise<string> {
    // Identity first: if the file changes during the read, the next check sees a newer one.
    const info = await stat(this.path);
    const sig = identity(info);
    const text = info.isFile() ? await readFile(this.path, { encoding: 'latin1', ...(signal ? { signal } : {}) }) : await readPipe(this.path, signal);
    this.lastSeen = sig;
    return text;
  }

  watch(onChange: () => void): () => void {
    let closed = false;
    let checking = false;
    let again = false;
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const sig = await signature(this.path);
          if (closed) return;
          if (this.lastSeen === null) this.lastSeen = sig;
          else if (sig !== this.lastSeen) {
            this.lastSeen = sig;
            onChange();
          }
        } while (again && !closed);
      } finally {
        checking = false;
      }
    };
    const kick = (): void => void check();

    let watcher: FSWatcher | undefined;
    try {
      const file = basename(this.path);
      watcher = fsWatch(dirname(this.path), { persistent: false }, (_event, name) => {
        if (name === null || name === file) kick();
      });
      // The folder may vanish or the watch limit may be hit: polling still works.
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(kick, this.opts.pollMs ?? 1000);
    timer.unref();
    kick();
    return () => {
      closed = true;
      clearInterval(timer);
      watcher?.close();
    };
  }
}

/**
 * A FIFO (or another file that is not a regular one) read to its end. A
 * plain read of a FIFO that nobody writes blocks one of libuv's four
 * file-system threads for ever, and a few of those stall every file read
 * of the process; opened non-blocking and read as a pipe it waits in the
 * event loop instead, and the signal ends the wait.
 */
async function readPipe(path: string, signal?: AbortSignal): Promise<string> {
  // A plain descriptor, not a FileHandle: the socket owns it and closes it (a FileHandle would close it again when collected).
  const fd = await new Promise<number>((resolve, reject) => openFd(path, constants.O_RDONLY | constants.O_NONBLOCK, (err, n) => (err ? reject(err) : resolve(n))));
  const pipe = new Socket({ fd, readable: true, writable: false });
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const done = (err?: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      pipe.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const onAbort = (): void => done(signal?.reason instanceof Error ? signal.reason : new Error(`${path}: read cancelled`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    pipe.on('data', (c: Buffer) => chunks.push(c));
    pipe.on('end', () => done());
    pipe.on('error', (err) => done(err));
  });
}

/** Text held in memory: the embedded demo, and tests (which can change or break it). */
export class MemorySource implements DummySource {
  private failure: Error | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly name: string,
    private text: string,
  ) {}

  async read(): Promise<string> {
    if (this.failure) throw this.failure;
    return this.text;
  }

  /** Replaces the text and tells watchers. */
  set(text: string): void {
    this.text = text;
    this.failure = null;
    this.notify();
  }

  /** Makes read() fail (like a deleted file) until the next set(). */
  fail(err: Error = Object.assign(new Error(`ENOENT: no such file: ${this.name}`), { code: 'ENOENT' })): void {
    this.failure = err;
    this.notify();
  }

  watch(onChange: () => void): () => void {
    this.listeners.add(onChange);
    return () => void this.listeners.delete(onChange);
  }

  watcherCount(): number {
    return this.listeners.size;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
