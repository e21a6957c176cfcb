/**
 * COLD=1 for the memory benches: empty the page cache before the agent starts.
 *
 * Why: the file-backed part of RSS depends on how the executable sits in the
 * page cache, not only on what the process touches. A binary just written
 * (copied, built) is held in large page-cache folios and a fault maps a whole
 * folio: the same executable measured 40.7 MB file-backed when read fresh from
 * disk and 68-70 MB as a copy written minutes before. COLD=1 measures it as it
 * is after a boot. Needs root.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Drops the clean page cache (after writing dirty pages out) when COLD=1 is set. */
export function dropPageCacheIfCold(): void {
  if (process.env.COLD !== '1') return;
  execFileSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch (e) {
    throw new Error(`COLD=1 needs root to write /proc/sys/vm/drop_caches: ${(e as Error).message}`);
  }
}
