// Import rules of the monorepo, checked by `pnpm lint:deps` (part of `pnpm test`, so CI runs it).
// Layering (README "Layout"): s390x-cpu <- ultravisor <- kvm-pv; dump-format <- dump-decrypt;
// kvm-pv may use dump-format; tools, the fuzz harness (packages/fuzz) and the conformance runner
// (packages/conformance) on top. Every other package under packages/ is a leaf that any
// layer may import and that imports no layer. test-support is for tests only; test-pv-dumps
// (PV dumps built from known plaintext) sits on dump-format and is for tests only too.
// Workspace imports (`@pvdump/x`) resolve through the "@pvdump/source" export condition to the
// package's src/, so an import of a sibling package is seen as an import of its files.

/** Each layer and the layers it may import (in src/). Leaves may be imported by all of them. */
const mayImport = {
  's390x-cpu': [],
  ultravisor: ['s390x-cpu'],
  'kvm-pv': ['s390x-cpu', 'ultravisor', 'dump-format'],
  'dump-format': [],
  'dump-decrypt': ['dump-format'],
};
/** Each layer and the layers above it: not even its tests may import those. */
const above = {
  's390x-cpu': ['ultravisor', 'kvm-pv'],
  ultravisor: ['kvm-pv'],
  'kvm-pv': [],
  'dump-format': ['dump-decrypt', 'kvm-pv', 'test-pv-dumps'],
  'dump-decrypt': [],
};
const layers = Object.keys(mayImport);
const packageFolder = (names) => `^packages/(${names.join('|')})/`;
const notLeaf = [...layers, 'test-support', 'test-pv-dumps', 'fuzz', 'conformance'];
/** The packages on top of every layer: no layer or leaf imports them. */
const TOP = '^(tools|packages/(fuzz|conformance))/';
const testCode = '^(packages/[^/]+|tools)/(test|bench)/';

const layerRules = layers.flatMap((layer) => {
  const forbiddenInSrc = layers.filter((other) => other !== layer && !mayImport[layer].includes(other));
  const rules = [
    {
      name: `layering-${layer}`,
      comment: `${layer}/src may import only ${mayImport[layer].join(', ') || 'leaf packages'} (README "Layout").`,
      severity: 'error',
      from: { path: `^packages/${layer}/src/` },
      to: { path: [packageFolder(forbiddenInSrc), TOP] },
    },
  ];
  rules.push({
    name: `layering-${layer}-tests`,
    comment: `Tests and benches of ${layer} may use sibling stacks but not the layers above it.`,
    severity: 'error',
    from: { path: `^packages/${layer}/(test|bench)/` },
    to: { path: above[layer].length ? [packageFolder(above[layer]), TOP] : [TOP] },
  });
  return rules;
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'layering-leaf',
      comment: 'A leaf package (any package that is not a layer) imports no layer, in src/ or tests.',
      severity: 'error',
      from: { path: '^packages/[^/]+/', pathNot: packageFolder(notLeaf) },
      to: { path: [packageFolder(layers), TOP] },
    },
    {
      name: 'layering-test-support',
      comment: 'test-support is a leaf for tests: it imports no layer.',
      severity: 'error',
      from: { path: '^packages/test-support/' },
      to: { path: [packageFolder(layers), TOP] },
    },
    {
      name: 'layering-test-pv-dumps',
      comment: 'test-pv-dumps builds PV dumps on dump-format alone (independent of the decryptor).',
      severity: 'error',
      from: { path: '^packages/test-pv-dumps/' },
      to: { path: [packageFolder(layers.filter((layer) => layer !== 'dump-format')), '^packages/(pv-format|test-support)/', TOP] },
    },
    {
      name: 'test-support-only-from-tests',
      comment: '@pvdump/test-support is imported by tests and benches only.',
      severity: 'error',
      from: { pathNot: [testCode, '^packages/test-support/', '^packages/fuzz/'] },
      to: { path: '^packages/test-support/' },
    },
    {
      name: 'test-pv-dumps-only-from-tests',
      comment: '@pvdump/test-pv-dumps is imported by tests and benches only.',
      severity: 'error',
      from: { pathNot: [testCode, '^packages/test-pv-dumps/'] },
      to: { path: '^packages/test-pv-dumps/' },
    },
    {
      name: 'no-src-imports-test-code',
      comment: 'Shipped code (src/) never imports tests, benches or their support files.',
      severity: 'error',
      from: { path: '^(packages/[^/]+|tools)/src/' },
      to: { path: testCode },
    },
    {
      name: 'package-boundary',
      comment: 'Another package is imported by its name (@pvdump/x, through its exports), never by a relative path.',
      severity: 'error',
      from: { path: '^(packages/[^/]+|tools)/' },
      to: { path: '^(packages/[^/]+|tools)/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a missing dependency fails here before it fails at run time).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)node_modules/', '(^|/)dist/', '(^|/)\\.turbo/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    webpackConfig: { fileName: '.dependency-cruiser-resolve.cjs' },
    combinedDependencies: false,
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@pvdump/source', 'import', 'types', 'node', 'default'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
