/**
 * Runs the REAL NUT 2.8.0 genericups (/lib/nut/genericups) without a serial
 * port. A pty has no modem lines (TIOCMGET/TIOCMSET fail on it), so the
 * driver would stop at start; instead a small LD_PRELOAD library, compiled
 * here with the system's C compiler, stands in for the port's line ioctls:
 *
 * - TIOCMGET returns the input bits given in FAKE_MODEM_IN (TIOCM_* numbers),
 * - TIOCMSET and tcsendbreak() are recorded, with a monotonic time in ms,
 *   in FAKE_MODEM_LOG, and so is the program's exit,
 * - tcgetattr/tcsetattr succeed, so the "port" can be a plain file.
 *
 * Everything else in the driver is the real program: its upstab, its
 * overrides, its status logic, its shutdown. `-d 1` makes it read the lines
 * once, print what it publishes (as upsc does) and exit; `-k` runs its
 * shutdown. Needs gcc (or cc) and the Debian nut-server package.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GENERICUPS = '/lib/nut/genericups';

const SHIM_C = String.raw`
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

static void logline(const char *what, long v) {
  const char *p = getenv("FAKE_MODEM_LOG");
  if (!p) return;
  FILE *f = fopen(p, "a");
  if (!f) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  fprintf(f, "%s %ld %lld\n", what, v, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
  fclose(f);
}

__attribute__((destructor)) static void at_exit_log(void) { logline("exit", 0); }

int ioctl(int fd, unsigned long req, ...) {
  va_list ap;
  va_start(ap, req);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  if (req == TIOCMGET) {
    const char *in = getenv("FAKE_MODEM_IN");
    *(int *)arg = in ? atoi(in) : 0;
    return 0;
  }
  if (req == TIOCMSET) {
    logline("TIOCMSET", *(int *)arg);
    return 0;
  }
  static int (*real)(int, unsigned long, void *);
  if (!real) real = (int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT, "ioctl");
  return real(fd, req, arg);
}

int tcsendbreak(int fd, int duration) {
  (void)fd;
  logline("tcsendbreak", duration);
  return 0;
}

int tcgetattr(int fd, struct termios *t) {
  (void)fd;
  *t = (struct termios){0};
  return 0;
}

int tcsetattr(int fd, int act, const struct termios *t) {
  (void)fd; (void)act; (void)t;
  return 0;
}
`;

function compiler(): string | undefined {
  for (const cc of ['/usr/bin/gcc', '/usr/bin/cc']) if (existsSync(cc)) return cc;
  return undefined;
}

/** Why the real driver cannot run here, or undefined when it can. */
export function realGenericupsMissing(): string | undefined {
  if (!existsSync(GENERICUPS)) return `${GENERICUPS} is not installed (Debian nut-server)`;
  if (!compiler()) return 'no C compiler (gcc) to build the modem-line stand-in';
  return undefined;
}

export interface LineEvent {
  what: 'TIOCMSET' | 'tcsendbreak' | 'exit';
  value: number;
  ms: number;
}

export interface RealRun {
  code: number;
  /** What `-d 1` printed, as name -> value. */
  vars: Map<string, string>;
  output: string;
  events: LineEvent[];
}

export class RealGenericups {
  private constructor(
    readonly dir: string,
    private readonly shim: string,
  ) {}

  static build(): RealGenericups {
    const dir = mkdtempSync(join(tmpdir(), 'real-genericups-'));
    const src = join(dir, 'modem-shim.c');
    const shim = join(dir, 'modem-shim.so');
    writeFileSync(src, SHIM_C);
    execFileSync(compiler()!, ['-shared', '-fPIC', '-O2', '-o', shim, src, '-ldl']);
    return new RealGenericups(dir, shim);
  }

  private seq = 0;

  /**
   * Runs the driver once: `-d 1` (read the lines once and print) or `-k`
   * (shutdown), with the input lines at `inputBits` (TIOCM_* numbers).
   */
  run(opts: Record<string, string>, inputBits: number, mode: 'dump' | 'kill' = 'dump'): Promise<RealRun> {
    const n = ++this.seq;
    const port = join(this.dir, `port${n}`);
    const log = join(this.dir, `lines${n}.log`);
    writeFileSync(port, '');
    const args = ['-s', `u${n}`, '-x', `port=${port}`];
    for (const [k, v] of Object.entries(opts)) args.push('-x', `${k}=${v}`);
    if (process.getuid?.() === 0) args.push('-u', 'root');
    args.push(...(mode === 'dump' ? ['-d', '1'] : ['-k']));
    const env = { ...process.env, NUT_STATEPATH: this.dir, NUT_ALTPIDPATH: this.dir, LD_PRELOAD: this.shim, FAKE_MODEM_IN: String(inputBits), FAKE_MODEM_LOG: log };
    return new Promise((resolve) => {
      execFile(GENERICUPS, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        const vars = new Map<string, string>();
        for (const line of stdout.split('\n')) {
          const m = /^([a-z][\w.]*): (.*)$/i.exec(line);
          if (m) vars.set(m[1]!, m[2]!);
        }
        const events: LineEvent[] = existsSync(log)
          ? readFileSync(log, 'utf8')
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => {
                const [what, value, ms] = l.split(' ');
                return { what: what as LineEvent['what'], value: Number(value), ms: Number(ms) };
              })
          : [];
        resolve({ code, vars, output: stdout + stderr, events });
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
