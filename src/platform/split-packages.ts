/**
 * Libraries that only some configurations use (mail, MQTT, SNMP, Prometheus)
 * are not in the executable's main script: build/build.mjs bundles each one on
 * its own and the executable carries it as an asset, compiled on first use.
 *
 * Why: V8 keeps the main script's source in the heap for the life of the
 * process, and the executable's pages that hold it stay resident as well.
 * These four were 0.9 MB of a 2.3 MB script; an agent that uses none of them
 * (the demo, a USB UPS served on the network) was paying about 2 MB of idle
 * RSS for them (bench/idle-rss.ts).
 *
 * The import sites do not change: `import mqtt from 'mqtt'` in our code
 * becomes, in the bundle, a module whose exports are loadSplitPackage('mqtt'),
 * evaluated when the importing module first runs, which the agent already
 * defers until the feature is configured. Run from the sources nothing here is
 * used: the packages load from node_modules as usual.
 */
import * as sea from 'node:sea';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { nodeVm } from '../core/lazy-builtins';

/** The asset a split package travels in; build/build.mjs names them the same way. */
export const splitPackageAsset = (name: string): string => `package:${name}`;

const loaded = new Map<string, unknown>();

/** A split package's exports (its module.exports), loading it once. */
export function loadSplitPackage(name: string): unknown {
  if (loaded.has(name)) return loaded.get(name);
  const exports = sea.isSea() ? fromExecutable(name) : fromBundleFolder(name);
  loaded.set(name, exports);
  return exports;
}

function fromExecutable(name: string): unknown {
  const source = sea.getAsset(splitPackageAsset(name), 'utf8');
  const filename = `upsagent:${name}.cjs`;
  // The package's bundle only requires Node's built-ins, which is all the
  // executable's own require() serves.
  const body = nodeVm().compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename }) as (
    exports: unknown,
    req: NodeJS.Require,
    module: { exports: unknown },
    file: string,
    dir: string,
  ) => void;
  const module = { exports: {} as unknown };
  body(module.exports, require, module, filename, path.dirname(process.execPath));
  return module.exports;
}

/** dist/upsagent.cjs run by plain node: the packages are files beside it, in dist/packages/. */
function fromBundleFolder(name: string): unknown {
  return createRequire(__filename)(path.join(__dirname, 'packages', `${name}.cjs`));
}
