import { posix } from 'node:path';

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

/**
 * An attribute's default is its field's: the analyzer copies the field's initializer as written
 * (a constant's name), where the field's JSDoc `@default` gives the value.
 */
const attributeDefaultsFromFields = {
  name: 'attribute-defaults-from-fields',
  packageLinkPhase({ customElementsManifest }) {
    for (const module of customElementsManifest.modules) {
      for (const declaration of module.declarations ?? []) {
        for (const attribute of declaration.attributes ?? []) {
          const field = declaration.members?.find((member) => member.name === attribute.fieldName);
          if (field?.default !== undefined) attribute.default = field.default;
        }
      }
    }
  },
};

/**
 * The manifest describes the package as shipped: its paths name the built `dist/*.js` modules,
 * not the `src/*.ts` files the analyzer read (written `src/…ts`, `/src/…js`, or `./…js` relative
 * to the module that re-exports it).
 */
const pathsToDist = {
  name: 'paths-to-dist',
  packageLinkPhase({ customElementsManifest }) {
    const toDist = (path, dir) =>
      (path.startsWith('.') ? posix.join(dir, path) : path).replace(/^\/?src\/(.*)\.(ts|js)$/, 'dist/$1.js');
    const rewrite = (value, dir) => {
      if (typeof value !== 'object' || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        if ((key === 'path' || key === 'module') && typeof child === 'string') value[key] = toDist(child, dir);
        else rewrite(child, dir);
      }
    };
    for (const module of customElementsManifest.modules) rewrite(module, posix.dirname(module.path));
  },
};

export default {
  globs: ['src/components/**/*.ts', 'src/index.ts'],
  exclude: ['src/**/*.styles.ts'],
  litelement: true,
  packagejson: true,
  plugins: [keepDocumentedEvents, attributeDefaultsFromFields, pathsToDist],
};
