/**
 * Import rules checked by `npm run lint` (dependency-cruiser). One rule: no import
 * cycles in src/, type-only imports included, since a circle of folders is a circle
 * of ideas whatever the emitted JavaScript keeps.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Folders (and files) must not import each other in a circle: move the shared piece down a layer.',
      from: { path: '^src' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
