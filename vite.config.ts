import { minifyHTMLLiterals } from 'minify-literals';
import { defineConfig, type Plugin } from 'vite';

/** Lit's `html`, `svg` and `css` templates without their indentation (minify-literals). */
const minifyTemplates = (): Plugin => ({
  name: 'minify-templates',
  async transform(code, id) {
    if (!/[\\/]src[\\/].*\.ts$/.test(id)) return null;
    const minified = await minifyHTMLLiterals(code, { fileName: id });
    return minified && { code: minified.code, map: minified.map?.toString() };
  },
});

/** What stays out of the `launcher` chunk: the entry's re-exports and the lazy views with the QR generator. */
const outsideLauncher = /[\\/]src[\\/]index\.ts$|[\\/]src[\\/]components[\\/](qr|embedded)\.ts$|[\\/]uqr[\\/]/;

// The CDN build: self-contained ES modules with Lit inlined. The page loads
// `kosmos-idv-launcher.js`, which exports only the package's public names from a `launcher.js`
// chunk holding the element, Lit and `src/api` (named without a hash, so that a page can preload
// it with `<link rel="modulepreload">`). The views of `qr` mode (with the QR code generator)
// and `embedded` mode are separate chunks, loaded only when those modes are used; they import Lit
// from the `launcher` chunk (which therefore exports its internals under minified names, the entry
// never does). One chunk compresses better than the element and Lit apart. Vite's library mode keeps
// whitespace in ES output, so the bundler is asked to minify it fully, and to drop the `@__PURE__`
// annotations it otherwise keeps (a page loads the CDN build as it is; no bundler reads them).
export default defineConfig({
  plugins: [minifyTemplates()],
  build: {
    outDir: 'dist/cdn',
    emptyOutDir: true,
    target: 'es2022',
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'kosmos-idv-launcher.js',
    },
    rolldownOptions: {
      output: {
        minify: true,
        comments: { annotation: false },
        codeSplitting: { groups: [{ name: 'launcher', test: (id) => !outsideLauncher.test(id) }] },
        chunkFileNames: (chunk) => (chunk.name === 'launcher' ? 'launcher.js' : '[name]-[hash].js'),
      },
    },
  },
});
