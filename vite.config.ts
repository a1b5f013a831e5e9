import { defineConfig } from 'vite';

// The CDN build: one self-contained ES module with Lit inlined. The views of `qr` mode (with the
// QR code generator) and `embedded` mode stay separate chunks, loaded only when those modes are
// used; they import Lit from the entry (`allow-extension` lets the entry export it) instead of a
// third shared chunk. Vite's library mode keeps whitespace in ES output, so the bundler is asked to
// minify it fully, and to drop the `@__PURE__` annotations it otherwise keeps (a page loads the
// CDN build as it is; no bundler reads them).
export default defineConfig({
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
      preserveEntrySignatures: 'allow-extension',
      output: { minify: true, comments: { annotation: false } },
    },
  },
});
