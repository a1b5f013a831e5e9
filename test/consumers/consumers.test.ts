/**
 * The package as consumers get it: `npm pack` of the built `dist/` (what `npm test` has just
 * built; `prepack` builds it for a real pack), installed with `npm install --prefer-offline` into
 * two fresh apps under the system's temp directory, with their dependencies pinned:
 * - current: Next.js 16 (app router), React 19, Vue 3.5;
 * - older: React 18, Vue 3.3 (the optional peers' lowest majors; installing at all proves the
 *   peer ranges: npm refuses a conflicting peer with ERESOLVE).
 * The apps' files are in `apps/` (`shared/` goes into both). Each check is one a consumer would
 * run; each fails when the point it proves breaks (see the `@ts-expect-error`s and the asserts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { init, parse } from 'es-module-lexer';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const ROOT = new URL('../../', import.meta.url).pathname;
const APPS = new URL('apps/', import.meta.url).pathname;
const LOCALES = ['de', 'es', 'fr', 'it', 'nl', 'pt-BR'];

/** Versions pinned so that a run does not depend on what the registry published since. */
const TOOLS = { typescript: '5.9.3', 'vue-tsc': '3.3.14', '@lit/react': '1.0.8' };
const CURRENT = { ...TOOLS, next: '16.5.0', react: '19.3.1', 'react-dom': '19.3.1', '@types/react': '19.3.0', '@types/react-dom': '19.3.0', '@types/node': '20.19.43', vue: '3.5.45' };
const OLDER = { ...TOOLS, react: '18.3.1', 'react-dom': '18.3.1', '@types/react': '18.3.28', '@types/react-dom': '18.3.7', vue: '3.3.13' };

const run = promisify(execFile);

/** Runs a command in `cwd`; a failure's error carries its output. */
async function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

const bin = (app: string, name: string) => join(app, 'node_modules', '.bin', name);

let work: string;
let tarball: string;
let current: string;
let older: string;

async function makeApp(name: string, dependencies: Record<string, string>, extra?: string): Promise<string> {
  const app = join(work, name);
  await cp(join(APPS, 'shared'), app, { recursive: true });
  if (extra) await cp(join(APPS, extra), app, { recursive: true });
  const manifest = { name: `consumer-${name}`, private: true, type: 'module', dependencies: { 'kosmos-idv-launcher': `file:${tarball}`, ...dependencies } };
  await writeFile(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await sh(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
  return app;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'kosmos-idv-consumers-'));
  const [{ filename }] = JSON.parse(await sh(ROOT, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work])) as { filename: string }[];
  tarball = join(work, filename);
  [current, older] = await Promise.all([makeApp('current', CURRENT, 'current'), makeApp('older', OLDER)]);
});

after(() => rm(work, { recursive: true, force: true }));

const installed = (app: string) => join(app, 'node_modules', 'kosmos-idv-launcher');

test('publint --strict finds nothing in the tarball', async () => {
  const bytes = await readFile(tarball);
  const { messages } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, strict: true });
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  assert.deepEqual(messages.map((message) => formatMessage(message, pkg)), []);
});

test('arethetypeswrong finds nothing in the tarball but that it is ESM only', async () => {
  // CommonJS callers `import()` the package (ESM only, Node ≥ 20.19 can also `require` it): the
  // one rule ignored. node10, node16 and bundler resolution are all checked, locales included.
  const locales = LOCALES.map((language) => `locales/${language}`);
  await sh(ROOT, bin(ROOT, 'attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--include-entrypoints', ...locales, '--format', 'ascii']);
});

test('Next.js 16: a Server Component renders the React wrapper, and `next build` prerenders the tag', async () => {
  await sh(current, bin(current, 'next'), ['build'], { NEXT_TELEMETRY_DISABLED: '1' });
  const html = await readFile(join(current, '.next', 'server', 'app', 'index.html'), 'utf8');
  assert.match(html, /<kosmos-idv-launcher[\s>]/);
});

for (const [react, app] of [['19', () => current], ['18', () => older]] as const) {
  test(`React ${react}: the wrapper renders on the server and type-checks`, async () => {
    const html = await sh(app(), 'node', ['react/render.mjs']);
    assert.equal(html.trim(), '<kosmos-idv-launcher id="launcher"></kosmos-idv-launcher>');
    await sh(app(), bin(app(), 'tsc'), ['-p', 'react']);
  });
}

for (const [vue, app] of [['3.5', () => current], ['3.3', () => older]] as const) {
  test(`Vue ${vue}: vue-tsc accepts the tag with attribute values, locales and typed events, and rejects each mistake in Mistakes.vue`, async () => {
    await sh(app(), bin(app(), 'vue-tsc'), ['-p', 'vue']);
  });
}

test('moduleResolution node10: tsc resolves every subpath', async () => {
  await sh(older, bin(older, 'tsc'), ['-p', 'node10']);
});

test('kosmos-idv-launcher/cdn: on Node it is the SSR-safe entry; in browsers it exports the public names only', async () => {
  const script = `
    const cdn = await import('kosmos-idv-launcher/cdn');
    const main = await import('kosmos-idv-launcher');
    console.log(JSON.stringify({ cdn: Object.keys(cdn), main: Object.keys(main), defined: customElements.get('kosmos-idv-launcher') === cdn.KosmosIdvLauncher }));`;
  const { cdn, main, defined } = JSON.parse(await sh(current, 'node', ['--input-type=module', '-e', script]));
  assert.deepEqual(cdn, main);
  assert.equal(defined, true);
  await init;
  const browserFile = await readFile(join(installed(current), 'dist', 'cdn', 'kosmos-idv-launcher.js'), 'utf8');
  const [imports, exports] = parse(browserFile);
  assert.deepEqual(exports.map((name) => name.n).sort(), [...main].sort());
  // The file the README tells pages to preload.
  assert.deepEqual(imports.map((imported) => imported.n), ['./launcher.js']);
});

test('kosmos-idv-launcher/locales/xx: each language imports with every text', async () => {
  const script = `
    const { defaultStrings } = await import('kosmos-idv-launcher');
    const languages = ${JSON.stringify(LOCALES)};
    const keys = {};
    for (const language of languages) keys[language] = Object.keys((await import('kosmos-idv-launcher/locales/' + language)).default).sort();
    console.log(JSON.stringify({ expected: Object.keys(defaultStrings).sort(), keys }));`;
  const { expected, keys } = JSON.parse(await sh(current, 'node', ['--input-type=module', '-e', script]));
  for (const language of LOCALES) assert.deepEqual(keys[language], expected, language);
});

test('custom-elements.json, the editor data and the source maps name files the package ships', async () => {
  const pkg = installed(current);
  const manifest = await readFile(join(pkg, 'custom-elements.json'), 'utf8');
  const paths = [...manifest.matchAll(/"(?:path|module)": "([^"]+)"/g)].map(([, path]) => path);
  assert.ok(paths.length > 0);
  for (const path of paths) assert.ok(existsSync(join(pkg, path)), `custom-elements.json names ${path}`);

  const { 'web-types': webTypes } = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8'));
  assert.match(await readFile(join(pkg, webTypes), 'utf8'), /"name": "kosmos-idv-launcher"/);
  assert.match(await readFile(join(pkg, 'dist', 'vscode.html-custom-data.json'), 'utf8'), /"name": "poll-interval"/);

  const maps = (await readdir(join(pkg, 'dist'), { recursive: true })).filter((file) => file.endsWith('.map'));
  assert.ok(maps.length > 0);
  for (const map of maps) {
    const file = join(pkg, 'dist', map);
    const { sources } = JSON.parse(await readFile(file, 'utf8')) as { sources: string[] };
    for (const source of sources) assert.ok(existsSync(resolve(dirname(file), source)), `${map} points at ${source}`);
  }
});
