export default {
  globs: ['src/components/**/*.ts', 'src/index.ts'],
  exclude: ['src/**/*.styles.ts'],
  litelement: true,
  packagejson: true,
};
