import { defineConfig } from 'vite';

// The CDN build: one self-contained ES module with Lit inlined. The QR code generator stays a
// separate chunk, loaded only when `mode="qr"` is used. Vite's library mode keeps whitespace in
// ES output, so the bundler is asked to minify it fully.
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
      output: { minify: true },
    },
  },
});
