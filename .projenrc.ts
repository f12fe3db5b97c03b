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
  gitignore: ['/dist/', 'examples/*/dist/', 'examples/*/node_modules/', '.ci-out/', '*.tgz', '/docs/api/'],
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

// API documentation from the TSDoc (typedoc.json): docs/api/index.html.
project.addTask('docs', {
  description: 'Generate the API documentation from the TSDoc into docs/api/',
  exec: 'typedoc',
});

// Typed imports under imports/ are generated from the upstream CRDs.
project.addTask('import', {
  description: 'Regenerate imports/ from the CRDs (default ../shared/crds; pass --crds DIR)',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  exec: 'ts-node --transpile-only scripts/import-crds.ts',
  receiveArgs: true,
});

// `npm install` in a fresh clone builds lib/ so the `gray-release` bin works at once.
project.package.setScript('prepare', 'tsc --build tsconfig.json 2>/dev/null || tsc -p tsconfig.json');

project.synth();
