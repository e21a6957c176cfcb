/**
 * The page's files as text. Run from source (tsx, tests) they are read from
 * the checkout, paths as assets.json lists them (uPlot from node_modules);
 * `npm run build` replaces this module with one holding their contents
 * (build/build.mjs, pageSources plugin), so the executable serves them with
 * nothing on disk and nothing fetched from elsewhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ASSETS from './assets.json';

/** The checkout this file sits in: src/http/page -> the repository root. */
const ROOT = join(__dirname, '..', '..', '..');

export function pageSources(): Record<string, string> {
  return Object.fromEntries(Object.entries(ASSETS).map(([name, file]) => [name, readFileSync(join(ROOT, file), 'utf8')]));
}
