import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';

// Browser suites run in the system Chromium (Debian's `chromium` package); CHROMIUM_PATH overrides.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The lazy views that cannot load: a suite sets one with `POST /__failing-view/{view}`, clears it with `DELETE`. */
const failing = new Set();

/** Drops the connection of a failing view's module request, to test a view that cannot load. */
async function failingViews(ctx, next) {
  const asked = ctx.path.match(/^\/__failing-view\/(qr|embedded)$/);
  if (asked) {
    if (ctx.method === 'POST') failing.add(asked[1]);
    else failing.delete(asked[1]);
    ctx.status = 204;
    return;
  }
  const view = ctx.path.match(/\/src\/components\/(qr|embedded)\.[jt]s$/)?.[1];
  if (view && failing.has(view)) {
    // Not an HTTP error: the runner marks every file cacheable for a year, a failed answer too.
    ctx.respond = false;
    ctx.req.socket.destroy();
    return;
  }
  return next();
}

export default {
  files: 'test/components/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  middleware: [failingViews],
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' })],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath, args: ['--no-sandbox'] },
    }),
  ],
  testFramework: { config: { timeout: 10000 } },
  // Lit announces its development build in every page; the tests use it on purpose.
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
};
