/** Reading NUT's device library (../shared/fixtures/nut-ddl) in tests that run when it is there. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const NUT_DDL_DIR = path.resolve(__dirname, '../../../shared/fixtures/nut-ddl');

export interface DdlDump {
  /** `Vendor/file.dev`. */
  file: string;
  upsc: Map<string, string>;
}

/** A dump's `var: value` lines (what NUT's upsc printed); a trailing `\t#COMMENT` or `\t#BAD` note is dropped. */
export function ddlVarLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(raw.replace(/\t#.*$/, '').replace(/\r$/, ''));
    if (m?.[1]) out.set(m[1], m[2] ?? '');
  }
  return out;
}

/** Every .dev dump of the library, in file order, with its `var: value` lines. */
export function ddlDumps(root = NUT_DDL_DIR): DdlDump[] {
  const out: DdlDump[] = [];
  for (const dir of readdirSync(root).sort()) {
    const full = path.join(root, dir);
    if (!statSync(full).isDirectory()) continue;
    for (const f of readdirSync(full).sort()) {
      if (f.endsWith('.dev')) out.push({ file: `${dir}/${f}`, upsc: ddlVarLines(readFileSync(path.join(full, f), 'utf8')) });
    }
  }
  return out;
}
