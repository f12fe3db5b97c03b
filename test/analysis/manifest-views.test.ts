/**
 * Manifests come from YAML anyone wrote: the tools read them through typed views that check
 * every value (src/model/json.ts). Properties checked here:
 * - a value of the wrong kind is read as absent, a scalar where text is expected as its text, a
 *   numeric string where a number is expected as the number; lists keep their indices and
 *   objects the order of their fields;
 * - no tool throws on a spec of the wrong shape (each of these inputs made one throw a TypeError
 *   before the views existed);
 * - the Kruise simulation rewrites the routing objects as Kruise's scripts do, whatever else they hold.
 */
import {
  Manifest, collectManifests, destinationRuleSpec, explain, gatewaySpec, ignoreDifferencesFor, laneReport, lint, releaseUnits,
  renderRoutesMarkdown, rolloutSpec, simulateKruiseRelease, specViews, virtualServiceSpec,
} from '../../src/analysis';

const manifest = (kind: string, name: string, spec: unknown, apiVersion = 'networking.istio.io/v1beta1'): Manifest =>
  ({ apiVersion, kind, metadata: { name, namespace: 'default' }, spec });

describe('typed views of specs', () => {
  test('a list or object of the wrong kind reads as absent; a null element as {} so indices stay', () => {
    expect(virtualServiceSpec(manifest('VirtualService', 'a', { http: { not: 'a list' }, hosts: 'h' }))).toEqual({});
    expect(virtualServiceSpec(manifest('VirtualService', 'a', 'text'))).toEqual({});
    const spec = virtualServiceSpec(manifest('VirtualService', 'a', { http: [null, { name: 'second' }] }));
    expect(spec.http).toEqual([{}, { name: 'second' }]);
  });

  test('scalars read as the tools compared them: text as text, numeric strings as numbers', () => {
    const spec = virtualServiceSpec(manifest('VirtualService', 'a', {
      hosts: ['a', 1, null, { x: 1 }],
      http: [{ match: [{ headers: { 'x-n': { exact: 5 }, 'x-s': 'present' } }], route: [{ destination: { host: 'a', subset: 1 }, weight: '30' }, { weight: 'abc' }] }],
    }));
    expect(spec.hosts).toEqual(['a', '1']);
    expect(spec.http?.[0].match?.[0].headers).toEqual({ 'x-n': { exact: '5' }, 'x-s': {} });
    expect(spec.http?.[0].route).toEqual([{ destination: { host: 'a', subset: '1' }, weight: 30 }, {}]);
  });

  test('fields keep the order of the input and unknown fields are dropped', () => {
    const redirect = virtualServiceSpec(manifest('VirtualService', 'a', { http: [{ redirect: { uri: '/n', authority: 'x', bogus: 1, redirectCode: 302 } }] })).http?.[0].redirect;
    expect(JSON.stringify(redirect)).toBe('{"uri":"/n","authority":"x","redirectCode":302}');
  });

  test('enums are read only with their values; ASM dynamic subsets and Gateway servers are read', () => {
    const dr = destinationRuleSpec(manifest('DestinationRule', 'd', {
      host: 'h',
      subsets: [{ name: 'v1', labels: { version: 1 } }],
      trafficPolicy: { loadBalancer: { dynamicSubset: { fallbackPolicy: 'BOGUS', subsetSelectors: [{ keys: ['k'], fallbackPolicy: 'ANY_ENDPOINT' }] } } },
    }));
    expect(dr).toEqual({
      host: 'h',
      subsets: [{ name: 'v1', labels: { version: '1' } }],
      trafficPolicy: { loadBalancer: { dynamicSubset: { subsetSelectors: [{ keys: ['k'], fallbackPolicy: 'ANY_ENDPOINT' }] } } },
    });
    expect(gatewaySpec(manifest('Gateway', 'g', { selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['*'], port: { number: 80 } }] })))
      .toEqual({ selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['*'], port: { number: 80 } }] });
  });

  test('a Rollout is read in both versions (v1alpha1 objectRef and weight, v1beta1 workloadRef and traffic)', () => {
    const alpha = rolloutSpec(manifest('Rollout', 'r', { objectRef: { workloadRef: { name: 'w' } }, strategy: { canary: { steps: [{ weight: 20 }] } } }, 'rollouts.kruise.io/v1alpha1'));
    const beta = rolloutSpec(manifest('Rollout', 'r', { workloadRef: { kind: 'Deployment', name: 'w' }, strategy: { canary: { steps: [{ traffic: '20%' }] } } }, 'rollouts.kruise.io/v1beta1'));
    expect(alpha).toEqual({ objectRef: { workloadRef: { name: 'w' } }, strategy: { canary: { steps: [{ weight: 20 }] } } });
    expect(beta).toEqual({ workloadRef: { kind: 'Deployment', name: 'w' }, strategy: { canary: { steps: [{ traffic: '20%' }] } } });
  });

  test('the views of an index read each manifest once; new views read it again', () => {
    const vs = manifest('VirtualService', 'a', { hosts: ['a'] });
    const views = specViews();
    expect(views.virtualService(vs)).toBe(views.virtualService(vs));
    expect(specViews().virtualService(vs)).not.toBe(views.virtualService(vs));
  });
});

describe('reading manifests', () => {
  test('a well-formed manifest is kept as it is; one with metadata of the wrong type is copied with it read', () => {
    const good = manifest('Service', 's', {});
    const odd = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's2', namespace: 5, labels: { a: 1 }, annotations: [] }, spec: {} };
    const out: Manifest[] = [];
    collectManifests({ kind: 'List', items: [good, odd, { kind: 'Service' }] }, out);
    expect(out[0]).toBe(good);
    expect(out[1]).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's2', namespace: '5', labels: { a: '1' } }, spec: {} });
    expect(out).toHaveLength(2);
  });
});

describe('no tool throws on a spec of the wrong shape', () => {
  const gateway = manifest('Gateway', 'gw', { servers: [{ hosts: ['*'] }] });
  const service: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 's' } } };
  const deployment: Manifest = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { 'gray-release.io/calls': 's' } }, spec: { template: { metadata: { labels: { app: 's' } } } } };
  const vs = (http: unknown, more: Record<string, unknown> = {}) => manifest('VirtualService', 'x', { hosts: ['*'], gateways: ['gw'], http, ...more });
  const cases: Array<[string, Manifest]> = [
    ['a null http rule', vs([null, { route: [{ destination: { host: 's' } }] }])],
    ['http as an object', vs({ a: 1 })],
    ['http as a string', vs('abc')],
    ['a null match entry', vs([{ match: [null], route: [{ destination: { host: 's' } }] }])],
    ['a null route entry', vs([{ route: [null, { destination: { host: 's' } }] }])],
    ['a number among hosts and gateways', vs([{ route: [{ destination: { host: 's' } }] }], { hosts: [1, '*'], gateways: ['gw', 2] })],
    ['null customNetworkRefs and matches', manifest('TrafficRouting', 'tr', {
      objectRef: [{ service: 's', customNetworkRefs: [null, { kind: 'VirtualService', name: 'x' }] }],
      strategy: { matches: [null, { headers: [{ name: 'h', value: 'v' }] }] },
    }, 'rollouts.kruise.io/v1alpha1')],
  ];
  const tools: Array<[string, (m: Manifest[]) => unknown]> = [
    ['lint', (m) => lint(m)],
    ['explain', (m) => explain(m, { gateway: 'gw' }, { headers: { h: 'v' }, release: 'all' })],
    ['laneReport', (m) => laneReport(m)],
    ['renderRoutesMarkdown', (m) => renderRoutesMarkdown(m)],
    ['releaseUnits', (m) => releaseUnits(m)],
    ['ignoreDifferencesFor', (m) => ignoreDifferencesFor(m)],
  ];
  test.each(cases.flatMap(([what, m]) => tools.map(([tool, run]) => [tool, what, m, run] as const)))('%s: %s', (_tool, _what, m, run) => {
    expect(() => run([gateway, service, deployment, m])).not.toThrow();
  });

  test('lint still reports a Gateway host of the wrong type (it reads the hosts as written)', () => {
    const findings = lint([manifest('Gateway', 'gw', { servers: [{ hosts: ['*', 123] }] })]);
    expect(findings.map((f) => [f.code, f.message.split(' is ')[0]])).toEqual([['GR007', 'servers[0].hosts 123']]);
  });
});

describe('the Kruise simulation rewrites routing objects as JSON', () => {
  const base = (strategy: unknown, http: unknown): Manifest[] => [
    manifest('TrafficRouting', 'tr', { objectRef: [{ service: 's', customNetworkRefs: [{ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'vs' }] }], strategy }, 'rollouts.kruise.io/v1alpha1'),
    manifest('VirtualService', 'vs', { hosts: ['s'], http, extra: { kept: true } }),
  ];
  const rewritten = (m: Manifest[]) => simulateKruiseRelease(m, 'all').manifests.find((x) => x.metadata.name === 'vs')?.spec;

  test('match mode prepends one rule per match in turn, so the last match comes first; the rest is untouched', () => {
    const spec = rewritten(base({ matches: [{ headers: [{ name: 'a', value: '1' }] }, { headers: [{ name: 'b', value: '2' }] }] }, [{ route: [{ destination: { host: 's' } }] }]));
    expect(spec).toEqual({
      hosts: ['s'],
      http: [
        { match: [{ headers: { b: { exact: '2' } } }], route: [{ destination: { host: 's', subset: 'canary' } }] },
        { match: [{ headers: { a: { exact: '1' } } }], route: [{ destination: { host: 's', subset: 'canary' } }] },
        { route: [{ destination: { host: 's' } }] },
      ],
      extra: { kept: true },
    });
  });

  test('weight mode shares the stable part equally among routes without a weight', () => {
    const spec = rewritten(base({ weight: 20 }, [{ route: [{ destination: { host: 's', subset: 'a' } }, { destination: { host: 's', subset: 'b' } }] }]));
    expect(spec).toHaveProperty(['http', 0, 'route'], [
      { destination: { host: 's', subset: 'a' }, weight: 40 },
      { destination: { host: 's', subset: 'b' }, weight: 40 },
      { destination: { host: 's', subset: 'canary' }, weight: 20 },
    ]);
  });
});
