/**
 * `upsagent init [-o FILE] [--force]`: the automatic configuration (what
 * `upsagent run` uses when there is no configuration file), written out
 * with its comments as the start of a real one. Nothing found on USB HID:
 * nothing is written (exit 1), since a configuration must name a UPS.
 */
import { constants, openSync, writeSync, closeSync } from 'node:fs';
import { autoConfigYaml } from '../../app/auto-config';
import { mergeFound } from '../../app/auto-config';
import { errorMessage } from '../../core/errors';
import type { ListedHidDevice } from '../../drivers/usbhid/matcher';
import { scan } from '../../drivers/usbhid/scan';
import type { CliIO } from '../io';

export interface InitOptions {
  output?: string;
  force: boolean;
  /** The HID device listing (tests); default the system's. */
  listHid?: () => Promise<ListedHidDevice[]>;
}

export async function runInit(opts: InitOptions, io: CliIO): Promise<number> {
  const listHid =
    opts.listHid ??
    (async () => {
      const { listHidDevices } = await import('../../drivers/usbhid/transport/device-list');
      return listHidDevices();
    });
  const result = await scan({ hid: listHid, serial: async () => [] });
  for (const p of result.problems) io.err(`upsagent init: ${p}\n`);
  const { all } = mergeFound([], result.ups);
  if (all.length === 0) {
    io.err(
      'upsagent init: no UPS found on USB HID, so there is no configuration to write.\n' +
        'Plug one in (or check `upsagent doctor`); a serial or network UPS: `upsagent scan`, `upsagent scan --snmp`, config.example.yaml.\n',
    );
    return 1;
  }
  const text = autoConfigYaml(all);
  if (opts.output === undefined) {
    io.out(text);
    return 0;
  }
  let fd: number;
  try {
    // O_EXCL: an existing file is never replaced by accident, not even one created a moment ago.
    const flags = constants.O_WRONLY | constants.O_CREAT | (opts.force ? constants.O_TRUNC : constants.O_EXCL);
    fd = openSync(opts.output, flags, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      io.err(`upsagent init: ${opts.output} exists; not replaced (--force replaces it)\n`);
      return 1;
    }
    io.err(`upsagent init: cannot write ${opts.output}: ${errorMessage(err)}\n`);
    return 1;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  io.err(`upsagent init: wrote ${opts.output} (${all.length} UPS: ${all.map((u) => u.name).join(', ')}); check it with \`upsagent config check ${opts.output}\`\n`);
  return 0;
}
