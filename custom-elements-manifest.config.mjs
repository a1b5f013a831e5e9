/**
 * The manifest comes from the JSDoc of `src/components`. The analyzer also lists each
 * `dispatchEvent(new SomeEvent(…))` call as an event, named after its first argument or not at
 * all; the `@fires` tags already document every event, so only those are kept.
 */
const keepDocumentedEvents = {
  name: 'keep-documented-events',
  packageLinkPhase({ customElementsManifest }) {
    for (const module of customElementsManifest.modules) {
      for (const declaration of module.declarations ?? []) {
        if (declaration.events) declaration.events = declaration.events.filter((event) => event.description);
      }
    }
  },
};

export default {
  globs: ['src/components/**/*.ts', 'src/index.ts'],
  exclude: ['src/**/*.styles.ts'],
  litelement: true,
  packagejson: true,
  plugins: [keepDocumentedEvents],
};
