/**
 * The lookups that make the tools linear give the answers of the scans they replaced: the first
 * (and every) host pattern covering a host in input order, the Services' workloads by label
 * index, the DestinationRule of a Service. And the release simulation, which no longer deep-copies
 * its input, never changes it.
 */
import * as fc from 'fast-check';
import { fixture } from './helpers';
import { Manifest, destinationRuleFor, explain, findService, hostLookup, indexManifests, simulateKruiseRelease, workloadsOf } from '../../src/analysis';
import { hostCovers, labelsMatch, qualifyHost } from '../../src/model/matching';

describe('host lookups answer as a scan in input order with Istio host covering', () => {
  const label = fc.constantFrom('a', 'b', 'shop', 'mesh');
  const host = fc.tuple(label, label, fc.constantFrom('example.com', 'svc.cluster.local')).map(([x, y, z]) => `${x}.${y}.${z}`);
  const pattern = fc.oneof(host, host.map((h) => `*.${h.split('.').slice(1).join('.')}`), fc.constant('*'));

  test('first and all, against scans', () => {
    fc.assert(fc.property(fc.array(pattern, { maxLength: 12 }), host, (patterns, h) => {
      const lookup = hostLookup(patterns.map((p, i) => ({ host: p, value: i })));
      const covering = patterns.map((p, i) => [p, i] as const).filter(([p]) => hostCovers(p, h)).map(([, i]) => i);
      expect(lookup.first(h)).toBe(covering[0]);
      expect(lookup.all(h)).toEqual(covering);
    }), { seed: 7, numRuns: 300 });
  });
});

describe('index lookups answer as the scans they replaced', () => {
  const all = [...fixture('static-lanes'), ...fixture('full-link-gray'), ...fixture('explain/shop.yaml')];
  const index = indexManifests(all);
  const ns = (m: Manifest) => m.metadata.namespace ?? 'default';

  test('workloadsOf: the Deployments of the Service\'s namespace its selector selects, in input order', () => {
    for (const svc of index.services) {
      const sel = index.views.serviceSelector(svc) ?? {};
      const scan = Object.keys(sel).length === 0 ? [] : index.deployments.filter((d) => ns(d) === ns(svc) && labelsMatch(sel, index.views.podLabels(d)));
      expect(workloadsOf(index, svc)).toEqual(scan);
    }
  });

  test('findService and destinationRuleFor', () => {
    for (const svc of index.services) {
      expect(findService(index, svc.metadata.name, ns(svc))).toBe(svc);
      const fqdn = qualifyHost(svc.metadata.name, ns(svc));
      const scan = index.destinationRules.find((dr) => hostCovers(qualifyHost(index.views.destinationRule(dr).host ?? '', ns(dr)), fqdn));
      expect(destinationRuleFor(index, svc)).toBe(scan);
    }
  });
});

test('the release simulation shares what it does not rewrite and never changes its input', () => {
  const deepFreeze = <T>(o: T): T => {
    if (o && typeof o === 'object') {
      Object.values(o).forEach(deepFreeze);
      Object.freeze(o);
    }
    return o;
  };
  const input = deepFreeze(fixture('full-link-gray'));
  const before = JSON.stringify(input);
  const sim = simulateKruiseRelease(input, 'all');
  expect(JSON.stringify(input)).toBe(before);
  expect(sim.manifests.filter((m) => input.includes(m)).map((m) => m.kind)).toContain('Gateway');
  expect(explain(sim.manifests, { gateway: true }, { headers: { agent: 'pc' } }).hops[0].destinations[0].subset).toBe('canary');
});
