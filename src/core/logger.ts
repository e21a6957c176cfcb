import * as winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** What modules log through: one instance per namespace (`server`, `driver:myups`...). */
export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  child(namespace: string): Logger;
}

/**
 * Words that must never reach a log line with their value. A module should not
 * log secrets in the first place; this is the second line of defence for
 * messages that echo a client's input (e.g. `PASSWORD hunter2`).
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /(\bPASSWORD\s+)("(?:[^"\\]|\\.)*"|\S+)/gi,
  /(\bpassword\s*[:=]\s*)("(?:[^"\\]|\\.)*"|\S+)/gi,
  /(\bcommunity\s*[:=]\s*)("(?:[^"\\]|\\.)*"|\S+)/gi,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) out = out.replace(re, '$1***');
  return out;
}

class WinstonLogger implements Logger {
  constructor(
    private readonly base: winston.Logger,
    private readonly ns: string,
  ) {}
  private write(level: LogLevel, msg: string): void {
    if (!this.base.isLevelEnabled(level)) return;
    this.base.log(level, redactSecrets(msg), { ns: this.ns });
  }
  error(msg: string): void {
    this.write('error', msg);
  }
  warn(msg: string): void {
    this.write('warn', msg);
  }
  info(msg: string): void {
    this.write('info', msg);
  }
  debug(msg: string): void {
    this.write('debug', msg);
  }
  child(namespace: string): Logger {
    return new WinstonLogger(this.base, this.ns ? `${this.ns}:${namespace}` : namespace);
  }
}

export interface LoggerOptions {
  level: LogLevel;
  /** Also write JSON lines to this file. */
  file?: string;
  /** Timestamps off when a supervisor (systemd) adds its own. */
  timestamps?: boolean;
}

/** Builds the root logger; log lines go to stderr so stdout stays for command output. */
export function createLogger(opts: LoggerOptions): Logger {
  const line = winston.format.printf((info) => {
    const ts = opts.timestamps === false ? '' : `${String(info.timestamp)} `;
    return `${ts}${info.level.padEnd(5)} [${String(info.ns)}] ${String(info.message)}`;
  });
  const transports: winston.transport[] = [
    new winston.transports.Console({
      stderrLevels: [...LOG_LEVELS],
      format: winston.format.combine(winston.format.timestamp(), line),
    }),
  ];
  if (opts.file) {
    transports.push(
      new winston.transports.File({
        filename: opts.file,
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  const base = winston.createLogger({ level: opts.level, levels: { error: 0, warn: 1, info: 2, debug: 3 }, transports });
  return new WinstonLogger(base, 'upsagent');
}

/** A logger that drops everything, or records lines for tests. */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: string[] = [],
    private readonly ns = 'test',
  ) {}
  error(msg: string): void {
    this.lines.push(`error [${this.ns}] ${redactSecrets(msg)}`);
  }
  warn(msg: string): void {
    this.lines.push(`warn [${this.ns}] ${redactSecrets(msg)}`);
  }
  info(msg: string): void {
    this.lines.push(`info [${this.ns}] ${redactSecrets(msg)}`);
  }
  debug(msg: string): void {
    this.lines.push(`debug [${this.ns}] ${redactSecrets(msg)}`);
  }
  child(namespace: string): Logger {
    return new MemoryLogger(this.lines, `${this.ns}:${namespace}`);
  }
}
