import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';

// Browser suites run in the system Chromium (Debian's `chromium` package); CHROMIUM_PATH overrides.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default {
  files: 'test/components/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
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
