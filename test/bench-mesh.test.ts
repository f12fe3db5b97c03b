/**
 * The benchmark's generated mesh (bench/mesh.ts) at a small size: it synthesizes with every
 * validation, conforms to the upstream schemas, and its routing is at the minimum the routing-size
 * counter expects. No timing here: `npm run bench` measures, tests only check correctness.
 */
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { buildMesh, meshPlan } from '../bench/mesh';
import { atMinimum, routingSize } from '../bench/routing-size';
import { conformanceErrors, crdsAvailable } from './support/conformance';

function synthObjects(n: number): any[] {
  const mesh = buildMesh(n, path.join(os.tmpdir(), 'gray-release-bench-test'));
  return YAML.parseAllDocuments(mesh.app.synthYaml()).map((d) => d.toJS()).filter((o) => o);
}

describe('the benchmark mesh', () => {
  test('synthesizes 20 services: two chains, two lanes, two dynamic-subset hosts', () => {
    // GIVEN the mesh of 20 services, WHEN synthesized (validations included)
    const objects = synthObjects(20);
    const count = (kind: string) => objects.filter((o) => o.kind === kind).length;
    // THEN every service has its objects, lane members their Deployments, each chain a dynamic-subset host
    expect(count('Rollout')).toBe(20);
    // canary releases: the Rollouts route themselves, no TrafficRouting objects
    expect(count('TrafficRouting')).toBe(0);
    // 20 base + 4 blue (positions 0 and 3 of both chains) + 1 green (position 6 of chain 0) + 2 x 3 dynamic-subset
    expect(count('Deployment')).toBe(20 + 4 + 1 + 6);
    expect(count('VirtualService')).toBe(22);
    expect(count('DestinationRule')).toBe(22);
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  test('routing is at its minimum', () => {
    const rows = routingSize(synthObjects(20), meshPlan(20));
    expect(rows.map((r) => r.kind)).toEqual(['gray-service', 'dynamic-subset']);
    expect(rows.flatMap((r) => r.problems)).toEqual([]);
    expect(atMinimum(rows)).toBe(true);
    // 20 services: 5 lane memberships on top of the base route; 2 hosts of 3 groups + 1 fallback
    expect(rows[0]).toMatchObject({ hosts: 20, rules: 25, minRules: 25, subsets: 25, minSubsets: 25 });
    expect(rows[1]).toMatchObject({ hosts: 2, rules: 8, minRules: 8, subsets: 6, minSubsets: 6 });
  });

  test('the counter sees an extra rule or an unrouted subset', () => {
    const objects = synthObjects(10);
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-svc-1');
    vs.spec.http.unshift({ name: 'extra', match: [{ headers: { x: { exact: 'y' } } }], route: [{ destination: { host: 'svc-1', subset: 'version-base' } }] });
    const dr = objects.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'dr-svc-2');
    dr.spec.subsets.push({ name: 'dead', labels: { version: 'dead' } });
    const rows = routingSize(objects, meshPlan(10));
    expect(atMinimum(rows)).toBe(false);
    expect(rows[0].hostsOverMinimum).toBe(2);
    expect(rows[0].unroutedSubsets).toBe(1);
  });

  (crdsAvailable() ? test : test.skip)('every object conforms to the upstream schemas', () => {
    const errors = synthObjects(20).flatMap((o) => conformanceErrors(o));
    expect(errors).toEqual([]);
  });
});
