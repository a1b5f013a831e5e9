// Runs every Node test suite (everything under test/ except the browser suites in
// test/components) with Node's own test runner, TypeScript loaded through tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const browserOnly = join('test', 'components');
const files = readdirSync('test', { recursive: true })
  .map((name) => join('test', name))
  .filter((path) => path.endsWith('.test.ts') && !path.startsWith(browserOnly))
  .sort();

const { status } = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(status ?? 1);
