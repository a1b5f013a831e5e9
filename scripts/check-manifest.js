// Fails when the committed custom-elements.json no longer matches what the analyzer generates
// from the sources' JSDoc. Fix with `npm run analyze`.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// The analyzer resolves --outdir against the working directory, so it stays inside the repo.
const outdir = join('node_modules', '.cache', 'cem-check');
try {
  execFileSync('npx', ['--no-install', 'cem', 'analyze', '--outdir', outdir], { stdio: 'ignore' });
  const fresh = readFileSync(join(outdir, 'custom-elements.json'), 'utf8');
  const committed = readFileSync('custom-elements.json', 'utf8');
  if (fresh !== committed) {
    console.error('custom-elements.json is stale: run `npm run analyze` and commit the result.');
    process.exit(1);
  }
  console.log('custom-elements.json is current.');
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
