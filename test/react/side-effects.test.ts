/**
 * Bundlers drop an import whose module the package marks free of side effects: a bare
 * `import 'kosmos-idv-launcher/react'` (or the main entry) must still register the element.
 * Bundles the built `dist/` files with esbuild, which honours package.json's `sideEffects`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const ROOT = new URL('../../', import.meta.url).pathname;

for (const entry of ['dist/index.js', 'dist/react/index.js']) {
  test(`a bare import of ${entry} registers the element in a bundle`, async () => {
    const { outputFiles } = await build({
      stdin: { contents: `import './${entry}';`, resolveDir: ROOT },
      bundle: true,
      write: false,
      format: 'esm',
      external: ['lit', 'lit/*', '@lit/*', 'react', 'uqr'],
      logLevel: 'silent',
    });
    assert.match(outputFiles[0].text, /customElements\.define\(\s*["']kosmos-idv-launcher["']/);
  });
}
