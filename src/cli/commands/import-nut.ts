/**
 * `upsagent import-nut [/etc/nut] [-o FILE]`: a NUT configuration folder
 * as one upsagent configuration (src/nutconf). YAML on stdout, or into
 * FILE (created private: it holds the users' passwords, as upsd.users does).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { errorMessage, UpsAgentError } from '../../core/errors';
import { importNut, readNutFolder, type ImportOptions } from '../../nutconf/import';
import type { CliIO } from '../io';

export interface ImportNutArgs {
  dir: string;
  output?: string;
  mode?: ImportOptions['mode'];
  force?: boolean;
}

/** Exit 0 with the YAML written; 1 when the folder cannot be read or holds nothing to run, 2 for NUT syntax errors. */
export async function runImportNut(args: ImportNutArgs, io: CliIO): Promise<number> {
  if (!existsSync(args.dir) || !statSync(args.dir).isDirectory()) {
    io.err(`${args.dir}: not a folder (give NUT's configuration folder, e.g. /etc/nut)\n`);
    return 1;
  }
  if (args.output !== undefined && existsSync(args.output) && args.force !== true) {
    io.err(`${args.output} exists; not overwritten (add --force to replace it)\n`);
    return 1;
  }
  let result;
  try {
    result = importNut(args.dir, readNutFolder(args.dir), args.mode ? { mode: args.mode } : {});
  } catch (err) {
    io.err(`${errorMessage(err)}\n`);
    return err instanceof UpsAgentError && err.code === 'NUT-CONF' ? 2 : 1;
  }
  if (args.output === undefined) io.out(result.yaml);
  else {
    try {
      writeFileSync(args.output, result.yaml, { mode: 0o600 });
    } catch (err) {
      io.err(`${args.output}: ${errorMessage(err)}\n`);
      return 1;
    }
  }
  const left = result.notes.filter((n) => n.line > 0).length + result.commentedOut.length;
  const upses = Object.keys((result.config.ups as Record<string, unknown> | undefined) ?? {});
  io.err(
    `imported ${args.dir} (MODE=${result.mode}): ${upses.length} UPS${upses.length ? ` (${upses.join(', ')})` : ''}, ` +
      `${Object.keys((result.config.users as Record<string, unknown> | undefined) ?? {}).length} user(s), ${result.config.monitor ? 'a monitor' : 'no monitor'}` +
      `${left ? `; ${left} note(s) on what was not carried over as it was: see the comments` : ''}${args.output !== undefined ? `; written to ${args.output}` : ''}\n`,
  );
  return 0;
}
