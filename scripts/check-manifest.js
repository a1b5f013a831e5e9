// Fails when custom-elements.json no longer matches what the analyzer generates from the
// sources' JSDoc. Fix with `npm run analyze` and commit the result. The analyzer writes in place
// (it also records the path in package.json), so the file as it was is put back afterwards.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const file = 'custom-elements.json';
const before = readFileSync(file, 'utf8');
execFileSync('npx', ['--no-install', 'cem', 'analyze'], { stdio: 'ignore' });
const fresh = readFileSync(file, 'utf8');
if (fresh !== before) {
  writeFileSync(file, before);
  console.error(`${file} is stale: run \`npm run analyze\` and commit the result.`);
  process.exit(1);
}
console.log(`${file} is current.`);
