/**
 * The record install leaves of what it created, so that uninstall removes
 * exactly that and nothing an administrator put there.
 */
export interface Manifest {
  version: 1;
  /** Files written (target paths). The configuration is listed only when install wrote it. */
  files: string[];
  /** Folders created (not those that were there already). */
  dirs: string[];
  /** The account, when install created it. */
  account?: string;
  /** The service was enabled. */
  enabled: boolean;
}

export function parseManifest(text: string): Manifest | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const m = v as Partial<Manifest> | null;
  if (!m || m.version !== 1 || !Array.isArray(m.files) || !Array.isArray(m.dirs)) return 'not an install manifest of this version';
  const strings = (a: unknown[]) => a.every((x) => typeof x === 'string' && x.startsWith('/'));
  if (!strings(m.files) || !strings(m.dirs)) return 'paths must be absolute';
  if (m.account !== undefined && typeof m.account !== 'string') return 'account must be a name';
  return { version: 1, files: m.files, dirs: m.dirs, account: m.account, enabled: m.enabled === true };
}
