/**
 * nut.conf (NUT's docs/man/nut.conf.txt): a shell-style file of `NAME=value`
 * lines that says what NUT runs on this host. MODE shapes the import:
 * none = nothing to run; standalone / netserver = drivers, server and
 * monitor; netclient = the monitor alone.
 */
import { Notes } from './notes';
import type { NutLine } from './parse';
import { boolean } from './values';

export const MODES = ['none', 'standalone', 'netserver', 'netclient'] as const;
export type NutMode = (typeof MODES)[number];

export interface NutConfImport {
  mode?: NutMode;
  modeLine?: number;
  /** ALLOW_NOT_ALL_LISTENERS (NUT 2.8.1+ reads it here too). */
  allowNotAllListeners?: boolean;
  notes: Notes;
}

const LEFT_OUT: Record<string, string> = {
  UPSD_OPTIONS: 'options for the upsd command line; the agent takes its settings from this file',
  UPSMON_OPTIONS: 'options for the upsmon command line; the agent takes its settings from this file',
  POWEROFF_WAIT: 'the wait after the UPS shutdown belongs to the system\'s shutdown script (upsagent killpower check && upsagent shutdown-ups)',
  POWEROFF_QUIET: 'the UPS shutdown message belongs to the system\'s shutdown script',
  ALLOW_NO_DEVICE: 'the agent always starts with the UPSes it can',
  NUT_DEBUG_LEVEL: 'use log.level: debug for the agent',
  NUT_DEBUG_PID: 'the agent\'s log lines carry their own time',
  NUT_DEBUG_PROCNAME: 'the agent\'s log lines carry their own module names',
  NUT_DEBUG_SYSLOG: 'the agent logs to stderr (and log.file); under systemd that is the journal',
  NUT_IGNORE_CHECKPROCNAME: 'the agent has no PID files to check',
  NUT_QUIET_INIT_UPSNOTIFY: 'the agent has no upsnotify messages',
};

export function mapNutConf(lines: readonly NutLine[], file: string): NutConfImport {
  const notes = new Notes(file);
  const out: NutConfImport = { notes };
  for (const l of lines) {
    // MODE=standalone reads as MODE, =, standalone (see ./parse.ts); `export` is shell, and harmless.
    const args = l.args[0] === 'export' ? l.args.slice(1) : l.args;
    const [name, eq, value] = args;
    if (eq !== '=' || name === undefined) {
      notes.skip(l, [], 'not a NAME=value line');
      continue;
    }
    const v = value ?? '';
    if (name === 'MODE') {
      const m = MODES.find((x) => x === v.toLowerCase());
      if (m) {
        out.mode = m;
        out.modeLine = l.line;
      } else notes.skip(l, [], `MODE is one of ${MODES.join(', ')}`);
    } else if (name === 'ALLOW_NOT_ALL_LISTENERS') {
      const b = boolean(v);
      if (b === undefined) notes.skip(l, [], 'ALLOW_NOT_ALL_LISTENERS needs a boolean');
      else out.allowNotAllListeners = b;
    } else if (name in LEFT_OUT) notes.skip(l, [], LEFT_OUT[name]!);
    else notes.skip(l, [], 'not a setting nut.conf documents');
  }
  return out;
}
