// Lit's `html`, `svg` and `css` templates of the browser modules that tsc wrote, without their
// indentation (minify-literals, as the CDN build does), so a consumer's bundler gets them small; each
// source map is composed with the change, so it still leads to `src/`. Usage: minify-templates.js [dist]
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import remapping from '@jridgewell/remapping';
import { minifyHTMLLiterals } from 'minify-literals';

const folder = join(process.argv[2] ?? 'dist', 'components');
for (const name of await readdir(folder)) {
  if (!name.endsWith('.js')) continue;
  const file = join(folder, name);
  const minified = await minifyHTMLLiterals(await readFile(file, 'utf8'), { fileName: name });
  if (!minified) continue;
  const compiled = JSON.parse(await readFile(`${file}.map`, 'utf8'));
  const map = remapping([minified.map, compiled], () => null, { excludeContent: true });
  await writeFile(file, minified.code);
  await writeFile(`${file}.map`, JSON.stringify({ ...map, file: name }));
}
