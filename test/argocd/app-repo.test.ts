/**
 * Property: what a new user does works, on every change. The library is packed (`npm pack`),
 * the tarball is installed into a copy of examples/app-repo in a temporary folder (the other
 * dependencies from the npm cache, `--prefer-offline`), and `cdk8s synth` there writes the
 * release's manifests, with sync waves, and an Argo CD Application that validates against
 * Argo CD's CRD and ignores the fields Kruise edits.
 *
 * Measured on a 2-core machine with a warm npm cache: pack ≈ 6 s, install ≈ 16 s, synth ≈ 3 s.
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
    timed('synth', () => run('npx', ['cdk8s', 'synth'], app));

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
    expect(Object.values(timings).reduce((a, b) => a + b, 0)).toBeLessThan(90_000);
  }, 180_000);
});
