import { javascript, typescript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new typescript.TypeScriptProject({
  name: 'cdk8s-gray-release',
  description:
    'cdk8s constructs for gray (canary) releases on Istio and OpenKruise Rollout: full-link traffic lanes, ingress colouring, ASM dynamic subsets, route explainer and lint.',
  keywords: ['cdk8s', 'istio', 'openkruise', 'kruise-rollout', 'canary', 'gray-release', 'traffic-lane', 'asm'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,
  sampleCode: false,
  minNodeVersion: '20.0.0',
  typescriptVersion: '~5.6.3',

  // Runtime: `yaml` reads and writes manifests for the analysis and the command line; `fengari`
  // (Lua in JavaScript) runs the ingress coloring's Lua in `explain`, `lint` and `diff`.
  deps: ['yaml@^2.5.0', 'fengari@^0.1.5'],
  peerDeps: ['cdk8s@^2.70.0', 'constructs@^10.3.0', 'cdk8s-plus-27@^2.9.5'],
  devDeps: [
    'cdk8s@^2.70.0',
    'constructs@^10.3.0',
    'cdk8s-plus-27@^2.9.5',
    'cdk8s-cli@^2.200.0',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'luaparse@^0.3.1',
    '@types/luaparse@^0.2.12',
    'fast-check@^3.22.0',
    'kubernetes-models@4.5.1',
    'ts-node@^10.9.2',
    'typedoc@^0.26.11',
    // 4.2.x is the line for typedoc 0.26 (4.3 needs 0.27)
    'typedoc-plugin-markdown@~4.2.9',
  ],

  tsconfig: {
    include: ['src/**/*.ts', 'imports/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      outDir: 'lib',
      skipLibCheck: true,
    },
  },
  tsconfigDev: {
    include: ['../src/**/*.ts', '../imports/**/*.ts', '**/*.ts', '../examples/**/*.ts', '../scripts/**/*.ts', '../bench/**/*.ts'],
    // The app-repo example imports the packed library by its package name (tested by packing it).
    exclude: ['node_modules', '../examples/app-repo/**'],
    compilerOptions: { skipLibCheck: true },
  },
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  bin: { 'gray-release': 'bin/gray-release.js' },

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/examples/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/'],
      coverageProvider: 'v8',
      collectCoverage: false,
    },
  },
  eslintOptions: {
    dirs: ['src', 'test'],
    ignorePatterns: ['imports/**', 'lib/**', 'dist/**', 'node_modules/**', '*.d.ts'],
  },
  gitignore: ['/dist/', 'examples/*/dist/', 'examples/*/node_modules/', '.ci-out/', '*.tgz'],
  npmignoreEnabled: true,
});

// `npm test` never rewrites snapshots (jestOptions.updateSnapshot NEVER); drop projen's separate
// `test:update` task too, so no task updates them: a new or intended change is `npx jest -u <file>`.
project.removeTask('test:update');

// The package ships lib/ (compiled src and imports) and bin/; sources, examples and tooling stay out.
for (const p of ['/imports/', '/examples/', '/scripts/', '/bench/', '/docs/', '/.ci/', '/typedoc.json', '/BENCHMARKS.md']) {
  project.addPackageIgnore(p);
}

// Long literal lines (messages, test tables) read better unbroken; requires load optional test tools.
project.eslint?.addRules({
  '@stylistic/max-len': ['error', { code: 200, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: true }],
});
project.eslint?.addOverride({ files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } });
// No `any` in the library: manifests of unknown shape are read into typed views (src/model/json.ts).
project.eslint?.addOverride({ files: ['src/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'error' } });

// Three layers, imports one way (CONTRIBUTING.md): src/model is plain TypeScript; the constructs
// build on it; the tools (src/analysis, src/cli) read manifests into it and never see a construct.
// src/index.ts re-exports the constructs, so it is closed to the model and the tools as well.
// test/architecture.test.ts proves each zone fires and the tree has no violation.
const LAYER_ZONES: { target: string; from: string[]; message: string }[] = [
  { target: './src/model', from: ['./src/constructs', './src/analysis', './src/cli', './src/plugin', './src/index.ts'], message: 'src/model is the bottom layer: it may import only src/model and imports/ (see CONTRIBUTING.md).' },
  { target: './src/analysis', from: ['./src/constructs', './src/cli', './src/index.ts'], message: 'the tools read manifests into src/model and never import a construct (see CONTRIBUTING.md).' },
  { target: './src/cli', from: ['./src/constructs', './src/index.ts'], message: 'the command line uses src/analysis and src/model, never a construct (see CONTRIBUTING.md).' },
  { target: './src/constructs', from: ['./src/analysis', './src/cli', './src/plugin'], message: 'constructs build src/model values; the tools are a layer above them (see CONTRIBUTING.md).' },
  { target: './src/plugin', from: ['./src/constructs', './src/cli', './src/index.ts'], message: 'the validation plugin runs the tools over manifests and never sees a construct (see CONTRIBUTING.md).' },
];
project.eslint?.addRules({ 'import/no-restricted-paths': ['error', { zones: LAYER_ZONES }] });
// src/model does not depend on cdk8s: the same model serves the constructs and the tools. A regex
// (not a gitignore-style group) so that the folder src/constructs is not mistaken for the package.
project.eslint?.addOverride({
  files: ['src/model/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{ regex: '^(cdk8s|cdk8s-plus-27|constructs)(/.*)?$', message: 'src/model is plain TypeScript: no cdk8s, cdk8s-plus-27 or constructs (see CONTRIBUTING.md).' }],
    }],
  },
});

// Every example app in examples/<name>/ is synthesized into dist/<name>/.
project.addTask('synth', {
  description: 'Synthesize every example in examples/<name>/ into dist/<name>/',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  exec: 'ts-node --transpile-only scripts/synth-examples.ts',
});

// Benchmarks print numbers and rewrite BENCHMARKS.md; never timed assertions in the tests.
project.addTask('bench', {
  description: 'Synth benchmarks against the floor; rewrites BENCHMARKS.md (--quick for a short run)',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  exec: 'ts-node --transpile-only bench/run.ts',
  receiveArgs: true,
});

// API reference from the TSDoc (typedoc.json, typedoc-plugin-markdown): markdown in docs/api/,
// committed; test/docs.test.ts fails when it is not current.
project.addTask('docs', {
  description: 'Regenerate the API reference (markdown, both entry points) into docs/api/',
  exec: 'typedoc',
});

// Typed imports under imports/ are generated from the upstream CRDs.
project.addTask('import', {
  description: 'Regenerate imports/ from the CRDs (default ../shared/crds; pass --crds DIR)',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  exec: 'ts-node --transpile-only scripts/import-crds.ts',
  receiveArgs: true,
});

// Two entry points: the constructs (root) and the tools over manifests (`cdk8s-gray-release/analysis`).
// `exports` closes everything else (the Lua builder, validation helpers); `typesVersions` lets
// TypeScript with `moduleResolution: node10` (the default for `module: commonjs`), which ignores
// `exports`, find the analysis types too. test/argocd/app-repo.test.ts checks both from the tarball.
project.package.addField('exports', {
  '.': { types: './lib/src/index.d.ts', default: './lib/src/index.js' },
  './analysis': { types: './lib/src/analysis/index.d.ts', default: './lib/src/analysis/index.js' },
  // The cdk8s-cli validation plugin (src/plugin). cdk8s.yaml loads it by path
  // (./node_modules/cdk8s-gray-release/lib/src/plugin), which `exports` does not restrict.
  './validation': { types: './lib/src/plugin/index.d.ts', default: './lib/src/plugin/index.js' },
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': { analysis: ['lib/src/analysis/index.d.ts'], validation: ['lib/src/plugin/index.d.ts'] } });

// `npm install` in a fresh clone builds lib/ so the `gray-release` bin works at once.
project.package.setScript('prepare', 'tsc --build tsconfig.json 2>/dev/null || tsc -p tsconfig.json');

project.synth();
