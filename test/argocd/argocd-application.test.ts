/**
 * Properties of the Argo CD support:
 * - the Application's ignoreDifferences cover exactly the objects Kruise edits in full-link-gray,
 *   each scoped by group, kind and name, and nothing for a chart without Rollouts;
 * - the jq expressions hide exactly Kruise's edits: applied (as Argo CD does, `del(expr)`) to the
 *   objects of a release in progress, they give back the objects in git, and a change git makes
 *   is still seen;
 * - the emitted Application validates against Argo CD's CRD.
 *
 * The expected jq expressions are written out below as literal strings (never built by the code
 * under test). The tests that run them need the jq binary: without it they say so and skip,
 * unless GRAY_RELEASE_REQUIRE_JQ=1 (set by .ci/run), which turns a missing jq into a failure.
 */
import { execFileSync } from 'child_process';
import { App, Chart, Testing } from 'cdk8s';
import { ArgoCdApplication, CanaryStep, GrayService, GrayReleaseError, Release, SyncPolicy } from '../../src';
import { ignoreDifferencesFor } from '../../src/analysis';
import { canaryRouteExpressions } from '../../src/model/argocd/ignore-differences';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { synthExample } from '../support/examples';
import { simulateCanaryStep, simulateRelease } from '../support/kruise-contract';

/**
 * What Argo CD must remove from a VirtualService routing to `mocka`/`mockb` while Kruise releases
 * it (subset canary): 1. the rules Kruise prepends whose every destination is the canary; 2. the
 * weights of the rules that gained a canary destination; 3. the canary destinations.
 */
const VS_MOCKA_CANARY = [
  '.spec.http[]? | select((.route // []) as $r | ($r | length) > 0 and all($r[]; .destination.host == "mocka" and .destination.subset == "canary"))',
  '.spec.http[]? | select(any(.route[]?; .destination.host == "mocka" and .destination.subset == "canary")) | .route[]?.weight',
  '.spec.http[]?.route[]? | select(.destination.host == "mocka" and .destination.subset == "canary")',
];
const VS_MOCKB_CANARY = [
  '.spec.http[]? | select((.route // []) as $r | ($r | length) > 0 and all($r[]; .destination.host == "mockb" and .destination.subset == "canary"))',
  '.spec.http[]? | select(any(.route[]?; .destination.host == "mockb" and .destination.subset == "canary")) | .route[]?.weight',
  '.spec.http[]?.route[]? | select(.destination.host == "mockb" and .destination.subset == "canary")',
];

const [release, argocd] = synthExample('full-link-gray');
const application = argocd.objects.find((o) => o.kind === 'Application');

describe('the Application emitted for full-link-gray', () => {
  test('ignores exactly what Kruise edits, scoped by kind and name', () => {
    // GIVEN the example (two services, each with a Rollout and a TrafficRouting)
    // THEN one entry per edited object, never a wildcard kind or a missing name
    expect(application.spec.ignoreDifferences).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'mocka-base', jsonPointers: ['/spec/paused'] },
      { group: 'apps', kind: 'Deployment', name: 'mockb-base', jsonPointers: ['/spec/paused'] },
      { group: 'networking.istio.io', kind: 'DestinationRule', name: 'dr-mocka', jqPathExpressions: ['.spec.subsets[]? | select(.name == "canary")'] },
      { group: 'networking.istio.io', kind: 'DestinationRule', name: 'dr-mockb', jqPathExpressions: ['.spec.subsets[]? | select(.name == "canary")'] },
      { group: 'networking.istio.io', kind: 'VirtualService', name: 'vs-mocka', jqPathExpressions: VS_MOCKA_CANARY },
      { group: 'networking.istio.io', kind: 'VirtualService', name: 'vs-mocka-mesh', jqPathExpressions: VS_MOCKA_CANARY },
      { group: 'networking.istio.io', kind: 'VirtualService', name: 'vs-mockb', jqPathExpressions: VS_MOCKB_CANARY },
    ]);
    // and every object it names is in the release
    for (const e of application.spec.ignoreDifferences) {
      expect(release.objects.some((o) => o.kind === e.kind && o.metadata.name === e.name)).toBe(true);
    }
  });

  test('has the sync option that makes the ignores hold (and neither RespectIgnoreDifferences nor PruneLast), and syncs the example folder', () => {
    expect(application.spec.syncPolicy).toEqual({
      automated: { prune: false, selfHeal: true },
      syncOptions: ['ApplyOutOfSyncOnly=true'],
    });
    expect(application.spec.source).toEqual({ repoURL: expect.stringMatching(/^https:/), path: 'dist/full-link-gray', targetRevision: 'HEAD' });
    expect(application.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'default' });
    expect(application.metadata).toEqual({ name: 'full-link-gray', namespace: 'argocd' });
  });

  (crdsAvailable() ? test : test.skip)('validates against Argo CD\'s Application CRD', () => {
    expect(conformanceErrors(application)).toEqual([]);
  });

  test('snapshot', () => {
    expect(application).toMatchSnapshot();
  });
});

describe('a chart without Rollouts (static lanes only)', () => {
  test('gets no ignoreDifferences: no controller edits it', () => {
    // GIVEN a service without a release
    const app = Testing.app();
    const chart = new Chart(app, 'static', { disableResourceNameHashes: true });
    new GrayService(chart, 'cart', { image: 'cart:1', port: 8000 });
    const argo = new Chart(new App(), 'argo');
    // WHEN an Application is made for it
    const a = new ArgoCdApplication(argo, 'static', { repoURL: 'https://git.example.com/x.git', path: 'dist', charts: [chart], syncPolicy: SyncPolicy.manual() });
    const spec = Testing.synth(argo)[0].spec;
    // THEN there is nothing to ignore, and no automated sync
    expect(a.ignoreDifferences()).toEqual([]);
    expect(spec.ignoreDifferences).toBeUndefined();
    expect(spec.syncPolicy.automated).toBeUndefined();
    if (crdsAvailable()) expect(conformanceErrors(Testing.synth(argo)[0])).toEqual([]);
  });

  test('an Application inside the chart it syncs is refused, naming the prop', () => {
    const chart = new Chart(Testing.app(), 'c');
    const make = () => new ArgoCdApplication(chart, 'app', { repoURL: 'https://x/y.git', path: 'dist', charts: [chart] });
    expect(make).toThrow(GrayReleaseError);
    expect(() => new ArgoCdApplication(chart, 'app2', { repoURL: 'https://x/y.git', path: 'dist', charts: [chart] })).toThrow(/charts: chart c contains the Application itself/);
  });
});

describe('ignoreDifferencesFor on YAML this library did not write', () => {
  test('inline trafficRoutings, partition style: the -canary Service host, /spec/strategy, tcp rules', () => {
    // GIVEN a v1beta1 Rollout without an extra canary Deployment, routing through a VirtualService with http and tcp
    const manifests = [
      {
        apiVersion: 'rollouts.kruise.io/v1beta1',
        kind: 'Rollout',
        metadata: { name: 'r', namespace: 'ns' },
        spec: {
          workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          strategy: { canary: { steps: [{ traffic: '20%' }], trafficRoutings: [{ service: 'web', customNetworkRefs: [{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'web-vs' }] }] } },
        },
      },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web-vs', namespace: 'ns' }, spec: { hosts: ['web'], http: [], tcp: [] } },
    ];
    // THEN
    expect(ignoreDifferencesFor(manifests).map(({ reason: _r, ...e }) => e)).toEqual([
      { group: 'apps', kind: 'Deployment', name: 'web', namespace: 'ns', jsonPointers: ['/spec/paused', '/spec/strategy'] },
      {
        group: 'networking.istio.io',
        kind: 'VirtualService',
        name: 'web-vs',
        namespace: 'ns',
        jqPathExpressions: [
          '.spec.http[]? | select((.route // []) as $r | ($r | length) > 0 and all($r[]; .destination.host == "web-canary"))',
          '.spec.http[]? | select(any(.route[]?; .destination.host == "web-canary")) | .route[]?.weight',
          '.spec.http[]?.route[]? | select(.destination.host == "web-canary")',
          '.spec.tcp[]? | select((.route // []) as $r | ($r | length) > 0 and all($r[]; .destination.host == "web-canary"))',
          '.spec.tcp[]? | select(any(.route[]?; .destination.host == "web-canary")) | .route[]?.weight',
          '.spec.tcp[]?.route[]? | select(.destination.host == "web-canary")',
        ],
      },
    ]);
    // and every entry says why it is there
    expect(ignoreDifferencesFor(manifests).every((e) => e.reason.length > 40)).toBe(true);
  });

  test('names are escaped into jq string literals', () => {
    expect(canaryRouteExpressions('http', { host: 'a"b' })[1]).toBe('.spec.http[]? | select(any(.route[]?; .destination.host == "a\\"b")) | .route[]?.weight');
  });
});

/** Runs `del(expr)` with the jq binary, as Argo CD does with gojq. */
function jqDelete(obj: unknown, expressions: readonly string[]): unknown {
  return expressions.reduce((o, e) => JSON.parse(execFileSync('jq', ['-c', `del(${e})`], { input: JSON.stringify(o), encoding: 'utf8' })), obj);
}
const hasJq = (() => { try { execFileSync('jq', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
if (!hasJq && process.env.GRAY_RELEASE_REQUIRE_JQ) {
  throw new Error('jq is not on the PATH but GRAY_RELEASE_REQUIRE_JQ is set: the Argo CD jq tests must run (apt-get install jq)');
}
if (!hasJq) {
  // eslint-disable-next-line no-console
  console.warn('argocd: jq not found; the tests that run the jq expressions are skipped (apt-get install jq; CI sets GRAY_RELEASE_REQUIRE_JQ=1)');
}

(hasJq ? describe : describe.skip)('the jq expressions, run by jq', () => {
  const live = simulateRelease(release.objects);
  const entryFor = (kind: string, name: string) => application.spec.ignoreDifferences.find((e: any) => e.kind === kind && e.name === name);

  test.each(['vs-mocka', 'vs-mocka-mesh', 'vs-mockb', 'dr-mocka', 'dr-mockb'])('%s mid-release, normalized, equals git', (name) => {
    // GIVEN the object in git and the same object while Kruise releases
    const git = release.objects.find((o) => o.metadata.name === name);
    const during = live.find((o) => o.metadata.name === name);
    expect(during).not.toEqual(git);
    // WHEN Argo CD removes the ignored paths from both
    const expressions = entryFor(git.kind, name).jqPathExpressions;
    // THEN they compare equal (Synced), and git itself is untouched by the expressions
    expect(jqDelete(during, expressions)).toEqual(git);
    expect(jqDelete(git, expressions)).toEqual(git);
  });

  test('canary release, weight step: the rescaled weights and the canary destination are ignored, nothing else', () => {
    // GIVEN a service released by a canary release at 20%, before and during the step
    const c = new Chart(Testing.app(), 'w', { disableResourceNameHashes: true });
    new GrayService(c, 'shop', { image: 'example/shop:1', port: 80, release: Release.canary({ steps: [CanaryStep.traffic(20)] }) });
    const objects = Testing.synth(c);
    const during = simulateCanaryStep(objects, 'rollouts-shop', 1);
    const entries = ignoreDifferencesFor(objects);
    // (a canary release routes to the Service <service>-canary Kruise creates)
    expect(entries.find((e) => e.name === 'vs-shop')!.jqPathExpressions).toEqual([
      '.spec.http[]? | select((.route // []) as $r | ($r | length) > 0 and all($r[]; .destination.host == "shop-canary"))',
      '.spec.http[]? | select(any(.route[]?; .destination.host == "shop-canary")) | .route[]?.weight',
      '.spec.http[]?.route[]? | select(.destination.host == "shop-canary")',
    ]);
    expect(entries.find((e) => e.name === 'dr-shop')!.jqPathExpressions).toEqual(['.spec.subsets[]? | select(.name == "canary")']);
    for (const name of ['vs-shop', 'dr-shop']) {
      const git = objects.find((o) => o.metadata.name === name);
      const released = during.find((o) => o.metadata.name === name);
      expect(released).not.toEqual(git);
      const expressions = entries.find((e) => e.name === name)!.jqPathExpressions!;
      // THEN live and git compare equal once normalized
      expect(jqDelete(released, expressions)).toEqual(git);
    }
    // AND a weight git sets on another route is still compared
    const vs = JSON.parse(JSON.stringify(objects.find((o) => o.metadata.name === 'vs-shop')));
    vs.spec.http.unshift({ name: 'split', match: [{ headers: { 'x-a': { exact: '1' } } }], route: [{ destination: { host: 'shop', subset: 'version-base' }, weight: 100 }] });
    const expressions = entries.find((e) => e.name === 'vs-shop')!.jqPathExpressions!;
    expect(jqDelete(vs, expressions)).toEqual(vs);
  });

  test('a change git makes to the routes is still seen mid-release', () => {
    // GIVEN a new rule in git's vs-mockb while Kruise's canary rule is live
    const git = JSON.parse(JSON.stringify(release.objects.find((o) => o.metadata.name === 'vs-mockb')));
    git.spec.http.unshift({ match: [{ headers: { 'x-debug': { exact: '1' } } }], route: [{ destination: { host: 'mockb', subset: 'version-base' } }] });
    const during = live.find((o) => o.metadata.name === 'vs-mockb');
    const expressions = entryFor('VirtualService', 'vs-mockb').jqPathExpressions;
    // THEN the normalized objects differ (OutOfSync)
    expect(jqDelete(during, expressions)).not.toEqual(jqDelete(git, expressions));
  });
});
