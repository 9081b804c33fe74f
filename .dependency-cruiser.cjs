/**
 * Import rules checked by `npm run lint` (dependency-cruiser), type-only imports included:
 * no import cycles in src/, since a circle of folders is a circle of ideas whatever the
 * emitted JavaScript keeps; and grammY only in the channels and the composition root, so
 * features speak through our ports (messenger/, commands/) and never through the SDK.
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
    {
      name: 'grammy-only-in-channels',
      severity: 'error',
      comment: 'Only src/channels/ and the composition root (src/app/) may import grammy or @grammyjs/*: features use the messenger and command ports.',
      from: { path: '^src/', pathNot: '^src/(channels|app)/' },
      to: { path: '(^|/)node_modules/(grammy|@grammyjs/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
