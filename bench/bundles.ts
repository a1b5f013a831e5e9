/**
 * Bundle sizes, gzip level 9:
 * - the CDN build (its entry and the chunk it imports) and its lazy `qr` and `embedded` views, built with the
 *   project's own `vite.config.ts` (what `npm run build:cdn` runs) into a temporary directory, so `dist/` is
 *   left alone;
 * - the npm entry as a consumer's bundler sees it: the package's `index.js`, built as `npm run build:npm`
 *   builds it (tsc, then the templates minified) into a temporary directory, bundled by esbuild,
 *   minified, `lit`, `lit/*` and `@lit/*` external, the lazy views' imports split off;
 * - what the CDN bundle is made of: esbuild's metafile of the same bundle with Lit inlined,
 *   inputs by minified bytes (esbuild's minifier, not Rolldown's: the shares, not the total, matter).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build as esbuild, type Metafile } from 'esbuild';
import { init as lexerReady, parse as parseImports } from 'es-module-lexer';
import { build as viteBuild } from 'vite';
import type { Figure } from './figures.js';

const root = new URL('..', import.meta.url).pathname;
const KB = 1024;
const run = promisify(execFile);

const gzip = (bytes: Uint8Array | string) => gzipSync(bytes, { level: 9 }).byteLength;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** One input's share of a bundle. */
export interface BundleInput {
  /** The package (`lit-html`, `@lit/reactive-element` …) or the source file. */
  name: string;
  /** Minified bytes this input puts in the bundle. */
  bytes: number;
}

export interface BundleReport {
  figures: Figure[];
  /** The CDN entry's inputs, largest first, grouped by package. */
  cdnInputs: BundleInput[];
}

/**
 * Builds the CDN bundle exactly as `npm run build:cdn` does, but into `outDir`. `entry` is what a
 * page loads for the tag: `kosmos-idv-launcher.js` (the public names only) and the chunks it
 * imports statically (the `launcher.js` chunk with the element and Lit, shared with the lazy
 * views); `qr` and `embedded` are the lazy views' chunks.
 */
export async function buildCdn(outDir: string): Promise<{ entry: Uint8Array[]; qr: Uint8Array; embedded: Uint8Array }> {
  await viteBuild({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  const files = await readdir(outDir);
  const qr = files.find((file) => /^qr-.*\.js$/.test(file));
  const embedded = files.find((file) => /^embedded-.*\.js$/.test(file));
  if (!files.includes('kosmos-idv-launcher.js') || !qr || !embedded) {
    throw new Error(`The CDN build did not write kosmos-idv-launcher.js, a qr-*.js and an embedded-*.js chunk: ${files.join(', ')}`);
  }
  await lexerReady;
  const entry = new Map<string, Uint8Array>();
  const load = async (file: string) => {
    if (entry.has(file)) return;
    const code = await readFile(join(outDir, file));
    entry.set(file, code);
    const [imports] = parseImports(code.toString());
    for (const { n, d } of imports) if (d === -1 && n?.startsWith('./')) await load(n.slice(2));
  };
  await load('kosmos-idv-launcher.js');
  return {
    entry: [...entry.values()],
    qr: await readFile(join(outDir, qr)),
    embedded: await readFile(join(outDir, embedded)),
  };
}

/** The package's JavaScript as `npm run build:npm` writes it, into `outDir`. */
async function buildNpm(outDir: string): Promise<void> {
  await run(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir]);
  await run(process.execPath, [join(root, 'scripts/minify-templates.js'), outDir]);
}

/** The `index.js` built in `dir`, bundled by esbuild, minified, split at the lazy views' imports. */
async function esbuildEntry(dir: string, external: string[]): Promise<{ entry: Uint8Array; metafile: Metafile; loaded: Set<string> }> {
  const result = await esbuild({
    absWorkingDir: dir,
    nodePaths: [join(root, 'node_modules')],
    entryPoints: ['index.js'],
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    external,
    outdir: 'bench-out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [entryPath] = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint)!;
  // The entry's static imports (chunks shared with the lazy views) load with it, so count them.
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of result.metafile.outputs[path].imports) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryPath);
  const parts = result.outputFiles.filter((file) => loaded.has(file.path.slice(dir.length + 1)));
  const entry = Buffer.concat(parts.map((file) => file.contents));
  return { entry, metafile: result.metafile, loaded };
}

/** The package an input belongs to, or its source path. */
function owner(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1] : input;
}

/** The inputs of the outputs that load with the entry, by owner. */
function inputsOf(metafile: Metafile, loaded: Set<string>): BundleInput[] {
  const totals = new Map<string, number>();
  for (const path of loaded) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[path].inputs)) {
      const name = owner(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export async function benchBundles(): Promise<BundleReport> {
  const outDir = await mkdtemp(join(tmpdir(), 'kosmos-idv-bench-cdn-'));
  try {
    const cdn = await buildCdn(outDir);
    const npmDir = join(outDir, 'npm');
    await buildNpm(npmDir);
    const npm = await esbuildEntry(npmDir, ['lit', 'lit/*', '@lit/*']);
    const inlined = await esbuildEntry(npmDir, []);
    const kb = (bytes: number) => Math.round((bytes / KB) * 100) / 100;
    return {
      figures: [
        {
          name: 'CDN build (element + Lit + src/api), gzip',
          value: kb(sum(cdn.entry.map(gzip))),
          unit: 'KB',
          target: 14.5,
          compare: 'max',
          note:
            `vite.config.ts (Rolldown): the entry and the chunk it imports, each gzipped, ${kb(sum(cdn.entry.map((file) => file.byteLength)))} KB minified; ` +
            `the embedded view, loaded only in embedded mode, ${kb(gzip(cdn.embedded))} KB gzip`,
        },
        {
          name: 'npm entry, lit and @lit/* external, gzip',
          value: kb(gzip(npm.entry)),
          unit: 'KB',
          target: 8.5,
          compare: 'max',
          note: `esbuild, minified, lit and @lit/* external: ${kb(npm.entry.byteLength)} KB`,
        },
        {
          name: 'QR chunk (qr mode only), gzip',
          value: kb(gzip(cdn.qr)),
          unit: 'KB',
          target: 6,
          compare: 'max',
          note: `${kb(cdn.qr.byteLength)} KB minified`,
        },
      ],
      cdnInputs: inputsOf(inlined.metafile, inlined.loaded),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
