// Injected into the bundle by build/build.mjs.
//
// yargs 18 is ESM-only and calls createRequire(import.meta.url) and
// fileURLToPath(import.meta.url) at load time. In a CommonJS bundle
// `import.meta` is empty, so yargs would crash with ERR_INVALID_ARG_VALUE;
// esbuild's `define` points every `import.meta.url` at this value instead.
// Inside the single executable __filename is the executable itself, which is
// what yargs should see as "the program".
/* global __filename */
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
