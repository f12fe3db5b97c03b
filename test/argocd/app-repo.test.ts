/**
 * Property: what a new user does works, on every change. The library is packed (`npm pack`),
 * the tarball is installed into a copy of examples/app-repo in a temporary folder (the other
 * dependencies from the npm cache, `--prefer-offline`), and `cdk8s synth` there writes the
 * release's manifests, with sync waves, and an Argo CD Application that validates against
 * Argo CD's CRD and ignores the fields Kruise edits. From the same installed package: the two
 * entry points (`cdk8s-gray-release` exports constructs and no internals,
 * `cdk8s-gray-release/analysis` the tools; TypeScript finds the types of both, also with
 * `moduleResolution: node10`), and the `gray-release` command. `cdk8s synth` runs the library's
 * lint as a cdk8s-cli validation plugin (examples/app-repo/cdk8s.yaml): it passes on the app as
 * it is, and fails (exit 2, the finding in the report) on a copy with a route to a missing subset.
 *
 * Measured on a 2-core machine with a warm npm cache: pack ≈ 2 s, install ≈ 12 s, synth ≈ 3 s,
 * entry points ≈ 1 s, bin ≈ 1 s.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { conformanceErrors, crdsAvailable, readManifests } from '../support/conformance';
import { EXAMPLES_DIR } from '../support/examples';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_FILES = ['cdk8s.yaml', 'main.ts', 'package.json', 'tsconfig.json'];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
}

/**
 * Run with node in the installed app: what a user of the package can reach. Prints one JSON object.
 * TypeScript's own resolver (the app's typescript) says where the types of each entry point come from.
 */
const PROBE = `
const path = require('path');
const ts = require('typescript');
const facts = { rootKeys: Object.keys(require('cdk8s-gray-release')).sort() };
const analysis = require('cdk8s-gray-release/analysis');
facts.analysis = Object.fromEntries(Object.keys(analysis).map((k) => [k, typeof analysis[k]]));
facts.validation = typeof require('cdk8s-gray-release/validation').GrayReleaseValidation;
facts.deepImport = (() => { try { require('cdk8s-gray-release/lib/src/model/lua'); return 'loaded'; } catch (e) { return e.code; } })();
facts.types = {};
const modes = {
  node10: { moduleResolution: ts.ModuleResolutionKind.Node10, module: ts.ModuleKind.CommonJS },
  node16: { moduleResolution: ts.ModuleResolutionKind.Node16, module: ts.ModuleKind.Node16 },
  bundler: { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext },
};
for (const [mode, options] of Object.entries(modes)) {
  for (const spec of ['cdk8s-gray-release', 'cdk8s-gray-release/analysis', 'cdk8s-gray-release/validation']) {
    const r = ts.resolveModuleName(spec, path.join(process.cwd(), 'main.ts'), options, ts.sys).resolvedModule;
    facts.types[mode + ' ' + spec] = r ? path.relative(process.cwd(), r.resolvedFileName).split(path.sep).join('/') : null;
  }
}
console.log(JSON.stringify(facts));
`;

/** Internals the root entry must not export (issue #11: the Lua builder, validation helpers, the tools). */
const INTERNAL = [
  'lua', 'luaString', 'renderLua', 'requireDns1123Label', 'isDns1123Label', 'fail', 'checkSteps', 'checkMatches',
  'coloringStatements', 'coloringScript', 'explain', 'lint', 'laneReport', 'hostCovers',
];
/** What a user builds with, from the root entry. */
const PUBLIC = [
  'GrayService', 'GrayReleaseError', 'IngressGateway', 'TrafficLane', 'TrafficColoring', 'ColoringRule', 'DynamicSubsetRouting',
  'ArgoCdApplication', 'applySyncWaves', 'CanaryStep', 'Pause', 'KruiseRelease', 'LaneMode', 'MeshTarget', 'SyncPolicy', 'SyncWave',
  'Release', 'ArgoCdApplicationSet', 'ClusterGenerator',
];

describe('examples/app-repo: pack, install the tarball, cdk8s synth', () => {
  let tmp: string;
  const timings: Record<string, number> = {};
  const timed = <T>(step: string, f: () => T): T => {
    const t = Date.now();
    try { return f(); } finally { timings[step] = Date.now() - t; }
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-app-repo-'));
  });
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`app-repo: ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('a user app installs the packed library and synthesizes a release and its Application', () => {
    // GIVEN the library packed as the registry would serve it, and a copy of the user's app
    timed('pack', () => run('npm', ['pack', '--silent', '--pack-destination', tmp], ROOT));
    const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    for (const f of APP_FILES) fs.copyFileSync(path.join(EXAMPLES_DIR, 'app-repo', f), path.join(app, f));

    // WHEN the user installs it and runs cdk8s synth
    timed('install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, tarball!)], app));
    const synth = timed('synth', () => run('npx', ['cdk8s', 'synth'], app));
    // the validation plugin ran on what was synthesized and passed
    expect(synth).toContain('Performing validations');
    expect(synth).toMatch(/Validation Report \(.*cdk8s-gray-release.*\)/);
    expect(synth).toMatch(/Status\s*│\s*success/);

    // THEN the release and the Application are written
    const objects = readManifests(path.join(app, 'dist'));
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'Deployment/cart-base', 'Deployment/frontend-base', 'Rollout/rollouts-cart', 'TrafficRouting/cart-tr',
      'VirtualService/vs-frontend-gateway', 'Application/shop',
    ]));
    // every object of the release has its sync wave, the Application none
    const release = objects.filter((o) => o.kind !== 'Application');
    expect(release.filter((o) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] === undefined).map((o) => o.kind)).toEqual([]);
    // the Application ignores the Kruise-edited fields, scoped by name
    const application = objects.find((o) => o.kind === 'Application');
    expect(application.spec.ignoreDifferences.map((e: any) => `${e.kind}/${e.name}`)).toEqual([
      'Deployment/cart-base', 'Deployment/frontend-base', 'DestinationRule/dr-cart', 'DestinationRule/dr-frontend',
      'VirtualService/vs-cart', 'VirtualService/vs-frontend', 'VirtualService/vs-frontend-gateway',
    ]);
    expect(application.spec.syncPolicy.syncOptions).toEqual(['ApplyOutOfSyncOnly=true']);
    // and, with the CRDs at hand, everything validates
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);

    // AND the installed package has two entry points: constructs at the root, tools in /analysis
    const facts = JSON.parse(timed('entry points', () => run('node', ['-e', PROBE], app)));
    expect(facts.rootKeys).toEqual(expect.arrayContaining(PUBLIC));
    expect(facts.rootKeys.filter((k: string) => INTERNAL.includes(k))).toEqual([]);
    expect(facts.analysis).toMatchObject({ explain: 'function', lint: 'function', laneReport: 'function', ignoreDifferencesFor: 'function', loadManifests: 'function', diffRouting: 'function' });
    expect(facts.validation).toBe('function');
    // everything else is closed by package.json `exports`
    expect(facts.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    // and TypeScript finds the types of both, with every module resolution a user may have
    const root = 'node_modules/cdk8s-gray-release/lib/src/index.d.ts';
    const tools = 'node_modules/cdk8s-gray-release/lib/src/analysis/index.d.ts';
    const plugin = 'node_modules/cdk8s-gray-release/lib/src/plugin/index.d.ts';
    expect(facts.types).toEqual({
      'node10 cdk8s-gray-release': root,
      'node10 cdk8s-gray-release/analysis': tools,
      'node10 cdk8s-gray-release/validation': plugin,
      'node16 cdk8s-gray-release': root,
      'node16 cdk8s-gray-release/analysis': tools,
      'node16 cdk8s-gray-release/validation': plugin,
      'bundler cdk8s-gray-release': root,
      'bundler cdk8s-gray-release/analysis': tools,
      'bundler cdk8s-gray-release/validation': plugin,
    });

    // AND the gray-release command of the installed package lints what was synthesized
    const report = JSON.parse(timed('bin', () => run(path.join(app, 'node_modules', '.bin', 'gray-release'), ['lint', 'dist', '--json'], app)));
    expect(Array.isArray(report.findings)).toBe(true);
    expect(report.findings).toEqual([]);

    // AND a lint error in what the app synthesizes fails cdk8s synth (exit 2), naming the finding
    const main = fs.readFileSync(path.join(app, 'main.ts'), 'utf8');
    fs.writeFileSync(path.join(app, 'main.ts'), main.replace("import { App, Chart } from 'cdk8s';", "import { ApiObject, App, Chart } from 'cdk8s';").replace('applySyncWaves(shop);', `new ApiObject(shop, 'broken', {
  apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'broken', namespace: 'shop' },
  spec: { hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart', subset: 'missing' } }] }] },
});
applySyncWaves(shop);`));
    const failed = timed('failing synth', () => {
      try {
        run('npx', ['cdk8s', 'synth'], app);
        return { status: 0, output: '' };
      } catch (e: any) {
        return { status: e.status as number, output: `${e.stdout}${e.stderr}` };
      }
    });
    expect(failed.status).toBe(2);
    expect(failed.output).toContain('GR001 (error)');
    expect(failed.output).toContain('routes to subset "missing" of cart');
    expect(failed.output).toContain('Validation failed');
    // The timings are printed, never asserted (a loaded machine made a 90 s bound fail: pack 48 s).
  }, 180_000);
});

describe('examples/app-repo/.github/workflows/routing-diff.yml (not run here)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml');
  const file = path.join(EXAMPLES_DIR, 'app-repo', '.github', 'workflows', 'routing-diff.yml');
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));

  test('is valid YAML: on pull requests, checks out base and head, synthesizes both, posts the Markdown diff', () => {
    expect(doc.errors).toEqual([]);
    const wf = doc.toJS();
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.permissions).toMatchObject({ 'pull-requests': 'write' });
    const steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> = wf.jobs['routing-diff'].steps;
    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.map((s) => s.with?.ref ?? 'head')).toEqual(['head', '${{ github.event.pull_request.base.sha }}']);
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx cdk8s synth --no-validate');
    expect(runs).toContain('npx gray-release diff --markdown ../base/dist ./dist');
    expect(runs).toMatch(/gh pr comment .* --body-file \.\.\/routing-diff\.md/);
  });
});
