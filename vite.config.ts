import { defineConfig } from 'vite';

// The CDN build: self-contained ES modules with Lit inlined. The views of `qr` mode (with the
// QR code generator) and `embedded` mode stay separate chunks, loaded only when those modes are
// used. They share Lit with the entry through a `lit-*.js` chunk the entry imports, so the entry
// exports only the package's public names (importing Lit from the entry would make it export Lit's
// internals under minified names). Vite's library mode keeps whitespace in ES output, so the
// bundler is asked to minify it fully, and to drop the `@__PURE__` annotations it otherwise keeps (a
// page loads the CDN build as it is; no bundler reads them).
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
      output: { minify: true, comments: { annotation: false } },
    },
  },
});
