/**
 * Import rules, checked by `npm run deps` (part of `npm test`). The layers of
 * @textport/core import one way, downwards: see docs/architecture.md.
 */
const CORE = '^packages/core/src/';

/** Lowest first; a module may import its own layer and those below it. */
const LAYERS = [
  {
    name: 'kernel',
    paths: ['clock\\.ts', 'logger\\.ts', 'errors\\.ts', 'notifier\\.ts', 'crypto/', 'jobs/'],
  },
  { name: 'domain', paths: ['domain/', 'lifecycle/'] },
  {
    name: 'contracts',
    paths: [
      'store\\.ts',
      'store/',
      'transport\\.ts',
      'transport/',
      'phone-api\\.ts',
      'events/',
      'attachments/',
      'config/',
    ],
  },
  { name: 'unit-of-work', paths: ['uow/'] },
  { name: 'services', paths: ['dispatch/', 'webhooks/', 'retention/', 'integrations/'] },
  { name: 'facade', paths: ['gateway/'] },
  { name: 'entry', paths: ['index\\.ts', 'wire\\.ts', 'testing/'] },
];

const pathsOf = (layers) => `${CORE}(${layers.flatMap((l) => l.paths).join('|')})`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `core-${layer.name}-imports-upward`,
  comment: `${layer.name} may import only ${LAYERS.slice(0, i + 1)
    .map((l) => l.name)
    .join(', ')} (docs/architecture.md)`,
  severity: 'error',
  from: { path: pathsOf([layer]) },
  to: { path: pathsOf(LAYERS.slice(i + 1)) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'services-import-each-other',
      comment: 'the dispatcher and the webhook worker share only the layers below them',
      severity: 'error',
      from: { path: `${CORE}dispatch/` },
      to: { path: `${CORE}webhooks/` },
    },
    {
      name: 'services-import-each-other-back',
      comment: 'the dispatcher and the webhook worker share only the layers below them',
      severity: 'error',
      from: { path: `${CORE}webhooks/` },
      to: { path: `${CORE}dispatch/` },
    },
    {
      name: 'core-imports-other-packages',
      comment: 'core is the bottom of the packages: it imports no other textport package',
      severity: 'error',
      from: { path: CORE },
      to: { path: '^packages/(?!core/)' },
    },
    {
      name: 'packages-reach-into-sources',
      comment: 'packages import each other through their public entry points only',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: '^packages/$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'core-through-its-entry-points',
      comment: 'other packages use core through its public entry points (package.json exports)',
      severity: 'error',
      from: { path: '^(packages|examples)/(?!core/)' },
      to: {
        path: CORE,
        pathNot: `${CORE}(index|store|transport|wire|testing/index)\\.ts$`,
      },
    },
    {
      name: 'http-above-core-only',
      comment: '@textport/http is framework-free: it builds on core alone',
      severity: 'error',
      from: { path: '^packages/http/src/' },
      to: { path: '^packages/(?!core/|http/)' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles in the core library',
      severity: 'error',
      from: { path: CORE },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The dashboard's browser app (JSX, bundled by vite) imports only its own files and preact.
    exclude: { path: '(^|/)(dist|node_modules|\\.tsbuild)/|^packages/dashboard/app/' },
    tsPreCompilationDeps: true,
    parser: 'swc',
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['textport-source', 'import', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
    },
  },
};
