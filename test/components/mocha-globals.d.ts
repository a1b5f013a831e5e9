/**
 * The Mocha globals that `@web/test-runner` gives the browser suites, typed here so the suites
 * type-check without adding `@types/mocha` (the tsconfig's `types` is `node` only).
 */
type MochaBody = (this: unknown) => void | Promise<void>;

declare function describe(title: string, suite: () => void): void;
declare function it(title: string, test: MochaBody): void;
declare function before(hook: MochaBody): void;
declare function after(hook: MochaBody): void;
declare function beforeEach(hook: MochaBody): void;
declare function afterEach(hook: MochaBody): void;
