/**
 * The three findings on the ingress coloring, each with the case that must stay quiet:
 * GR016 (a header release reachable from a gateway nothing colors at), GR017 (a coloring default
 * that makes a weighted entry dead), GR102 (a coloring that selects no gateway; #16's code, with
 * the selection explain uses).
 */
import { fixture } from './helpers';
import { Manifest, lint } from '../../src/analysis';

const codes = (m: Manifest[]) => lint(m).map((f) => `${f.code} ${f.object.kind}/${f.object.name}`);
const coloringOf = (file: string) => fixture(file).find((o) => o.kind === 'EnvoyFilter')!;

describe('GR016: a progressive release reachable from a gateway with no coloring', () => {
  test('reported on the TrafficRouting, naming the gateway and the header', () => {
    const findings = lint(fixture('lint/GR016.yaml'));
    expect(findings.map((f) => `${f.code} ${f.object.kind}/${f.object.name}`)).toEqual(['GR016 TrafficRouting/web-tr']);
    expect(findings[0].message).toMatch(/header x-lane .* Gateway default\/gw, where nothing sets that header \(no Lua EnvoyFilter selects the gateway/);
  });

  test('quiet once a coloring of that gateway sets the header (found by running its Lua)', () => {
    const coloring = coloringOf('lint/GR017.yaml'); // sets x-lane, no annotation needed
    const annotations = { ...coloring.metadata.annotations };
    delete annotations['gray-release.io/sets-headers'];
    expect(codes([...fixture('lint/GR016.yaml'), { ...coloring, metadata: { ...coloring.metadata, annotations } }])).toEqual([]);
  });

  test('quiet when the service is not reachable from any gateway, or the release is by weight', () => {
    const m = fixture('lint/GR016.yaml');
    expect(codes(m.filter((o) => o.metadata.name !== 'web-gateway'))).not.toContain('GR016 TrafficRouting/web-tr');
    const byWeight = m.map((o) => (o.kind === 'TrafficRouting' ? { ...o, spec: { ...(o.spec as object), strategy: { weight: 10 } } } : o));
    expect(codes(byWeight)).toEqual([]);
  });

  test('reachable through the call graph counts: a release of a service the routed one calls', () => {
    const m = fixture('lint/GR016.yaml');
    const callee: Manifest[] = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { selector: { app: 'db' } } },
      { apiVersion: 'rollouts.kruise.io/v1alpha1', kind: 'TrafficRouting', metadata: { name: 'db-tr' }, spec: { objectRef: [{ service: 'db', customNetworkRefs: [] }], strategy: { matches: [{ headers: [{ name: 'x-lane', value: 'canary' }] }] } } },
    ];
    const calling = m.map((o) => (o.metadata.name === 'web-base' ? { ...o, metadata: { ...o.metadata, annotations: { 'gray-release.io/calls': 'db' } } } : o));
    expect(codes([...calling, ...callee])).toEqual(['GR016 TrafficRouting/db-tr', 'GR016 TrafficRouting/web-tr']);
  });
});

describe('GR017: a coloring with a default value plus a weighted entry', () => {
  test('the weighted entry of the gateway route is reported, with the coloring and the value it always sets', () => {
    const findings = lint(fixture('lint/GR017.yaml'));
    expect(findings.map((f) => f.code)).toEqual(['GR017']);
    expect(findings[0].message).toMatch(/http\[1\] \(weighted-lane-entry\) \(a weighted entry\) matches only requests without header x-lane, but EnvoyFilter\/istio-system\/coloring sets x-lane=base/);
  });

  test('quiet when the coloring has no default (requests no rule matches leave without the header)', () => {
    const m = fixture('lint/GR017.yaml').map((o) => (o.kind === 'EnvoyFilter' ? JSON.parse(JSON.stringify(o).replace('headers:replace(\\"x-lane\\", \\"base\\")', 'headers:remove(\\"x-lane\\")')) : o));
    expect(codes(m)).toEqual([]);
  });
});

describe('GR102: a coloring EnvoyFilter whose selector matches no gateway', () => {
  const NO_GATEWAY = 'lint/coloring-selects-no-gateway.yaml';
  test('reported on the EnvoyFilter', () => {
    expect(codes(fixture(NO_GATEWAY))).toEqual(['GR102 EnvoyFilter/coloring']);
  });

  test('quiet for the gateway chart\'s companion label (app: istio-ingressgateway for istio: ingressgateway), as in the seed', () => {
    const m = fixture(NO_GATEWAY).map((o) => (o.kind === 'EnvoyFilter' ? JSON.parse(JSON.stringify(o).replace('other-gateway', 'istio-ingressgateway')) : o));
    expect(codes(m)).toEqual([]);
    expect(codes(fixture('full-link-gray'))).toEqual([]);
  });

  test('an EnvoyFilter that runs no Lua at gateways is not a coloring', () => {
    const m = fixture(NO_GATEWAY).map((o) => (o.kind === 'EnvoyFilter' ? JSON.parse(JSON.stringify(o).replace('"GATEWAY"', '"SIDECAR_INBOUND"')) : o));
    expect(codes(m)).toEqual([]);
  });
});
