/**
 * Reply formatting, byte for byte as upsd 2.8.0 writes it, and the cache of
 * whole LIST replies.
 *
 * upsd escapes `\`, `"` and `#` with a backslash in every value it sends
 * (variables, enums, UPS descriptions): its own parser treats `#` as a
 * comment, so an unescaped one could not be read back.
 */
import type { UpsView } from '../core/state';
import { listVars, shownValue } from './view';

const NEEDS_ESCAPE = /[\\"#]/;
const ESCAPE_ALL = /([\\"#])/g;

/** NUT's pconf_encode: backslash before `\`, `"` and `#`. */
export function encode(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, '\\$1') : value;
}

export function listVarText(view: UpsView, name: string): string {
  let out = `BEGIN LIST VAR ${name}\n`;
  for (const v of listVars(view)) out += `VAR ${name} ${v.name} "${encode(shownValue(view, v))}"\n`;
  return out + `END LIST VAR ${name}\n`;
}

export function listRwText(view: UpsView, name: string): string {
  let out = `BEGIN LIST RW ${name}\n`;
  // upsd's RW list shows the plain value: no FSD prefix there.
  for (const v of listVars(view)) if (v.flags.rw) out += `RW ${name} ${v.name} "${encode(v.value)}"\n`;
  return out + `END LIST RW ${name}\n`;
}

export function listCmdText(view: UpsView, name: string): string {
  let out = `BEGIN LIST CMD ${name}\n`;
  for (const c of view.commands()) out += `CMD ${name} ${c}\n`;
  return out + `END LIST CMD ${name}\n`;
}

export type ListKind = 'VAR' | 'RW' | 'CMD';

const BUILDERS: Record<ListKind, (view: UpsView, name: string) => string> = {
  VAR: listVarText,
  RW: listRwText,
  CMD: listCmdText,
};

interface Entry {
  version: number;
  fsd: boolean;
  attached: boolean;
  dumpDone: boolean;
  bytes: Buffer;
}

/** Echo spellings kept per UPS and list kind: clients mostly send one, a few may vary the case. */
const MAX_SPELLINGS = 4;

/**
 * Whole LIST VAR / RW / CMD replies per UPS, encoded once and reused until the
 * UPS changes (UpsView.version moves on any change). Keyed by the UPS name as
 * the client wrote it, since upsd echoes that spelling.
 */
export class ListCache {
  private readonly entries = new WeakMap<UpsView, Map<string, Entry>>();

  get(kind: ListKind, view: UpsView, name: string): Buffer {
    let perView = this.entries.get(view);
    if (!perView) {
      perView = new Map();
      this.entries.set(view, perView);
    }
    const key = kind + name;
    const hit = perView.get(key);
    const h = view.health;
    if (hit && hit.version === view.version && hit.fsd === view.fsd && hit.attached === h.attached && hit.dumpDone === h.dumpDone) {
      return hit.bytes;
    }
    const bytes = Buffer.from(BUILDERS[kind](view, name), 'utf8');
    if (!hit && perView.size >= MAX_SPELLINGS * 3) perView.clear();
    perView.set(key, { version: view.version, fsd: view.fsd, attached: h.attached, dumpDone: h.dumpDone, bytes });
    return bytes;
  }
}
