/**
 * Adoption of the seed: a cluster that runs the seed's hand-written YAML (test/fixtures/full-link-gray,
 * the seed's objects) can apply examples/full-link-gray over it and every object is updated in
 * place. Property: for each object of the seed there is an object of ours with the same kind,
 * namespace and name, and no field the API server (or Kruise's webhook) refuses to change differs:
 * a Deployment's `spec.selector`, a Service's `spec.type` and `spec.clusterIP`, and a Rollout's
 * workload reference (immutable while a release runs). The oracle below is written from the
 * Kubernetes API rules, independently of src/.
 */
import * as path from 'path';
import { readManifests } from '../support/conformance';
import { synthExample } from '../support/examples';

const SEED = readManifests(path.join(__dirname, '..', 'fixtures', 'full-link-gray'));
const OURS = synthExample('full-link-gray')[0].objects;

const key = (o: any) => `${o.apiVersion.split('/')[0]}|${o.kind}|${o.metadata.namespace ?? 'default'}|${o.metadata.name}`;
/** The Kubernetes default a field takes when the manifest leaves it out. */
const serviceType = (o: any) => o.spec?.type ?? 'ClusterIP';

/** Immutable fields by kind: how to read them from an object. */
const IMMUTABLE: Record<string, Record<string, (o: any) => unknown>> = {
  Deployment: { 'spec.selector': (o) => o.spec?.selector },
  Service: { 'spec.type': serviceType, 'spec.clusterIP': (o) => o.spec?.clusterIP },
  Rollout: { 'spec.objectRef': (o) => o.spec?.objectRef },
};

describe('examples/full-link-gray applied over the seed', () => {
  const ours = new Map(OURS.map((o) => [key(o), o]));

  test('the fixture is the seed: selectors app only, the seed\'s names', () => {
    const deployments = SEED.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.selector])).toEqual([
      ['mocka-base', { matchLabels: { app: 'mocka' } }],
      ['mockb-base', { matchLabels: { app: 'mockb' } }],
    ]);
    // 2 Services, 2 Deployments, the Gateway, 2 VirtualServices, 2 DestinationRules, 2 Rollouts,
    // 2 TrafficRoutings and the EnvoyFilter
    expect(SEED.length).toBe(14);
  });

  test.each(SEED.map((o) => [`${o.kind} ${o.metadata.name}`, o]))('%s exists in ours with the same kind, namespace and name', (_n, seed: any) => {
    expect(ours.has(key(seed))).toBe(true);
  });

  test.each(SEED.filter((o) => IMMUTABLE[o.kind]).map((o) => [`${o.kind} ${o.metadata.name}`, o]))('%s: no immutable field changes', (_n, seed: any) => {
    const mine = ours.get(key(seed));
    for (const [field, read] of Object.entries(IMMUTABLE[seed.kind])) {
      expect({ field, value: read(mine) }).toEqual({ field, value: read(seed) });
    }
  });

  test('the oracle would catch the library\'s own selector (the one before adoption)', () => {
    const seed = SEED.find((o) => o.kind === 'Deployment');
    const changed = { ...seed, spec: { ...seed.spec, selector: { matchLabels: { 'app': 'mocka', 'gray-release.io/workload': 'mocka-base' } } } };
    expect(IMMUTABLE.Deployment['spec.selector'](changed)).not.toEqual(IMMUTABLE.Deployment['spec.selector'](seed));
  });

  test('the adopted Deployments still keep canary pods out of the base subset', () => {
    // Kruise copies the selector (app only) and relabels the copy version=canary; the base
    // subset selects version=base, and the relabel touches no selector key (R21).
    for (const name of ['mocka', 'mockb']) {
      const d = OURS.find((o) => o.kind === 'Deployment' && o.metadata.name === `${name}-base`);
      const dr = OURS.find((o) => o.kind === 'DestinationRule' && o.spec.host === name);
      const rollout = OURS.find((o) => o.kind === 'Rollout' && o.spec.objectRef.workloadRef.name === `${name}-base`);
      const canaryLabels = rollout.spec.strategy.canary.patchPodTemplateMetadata.labels;
      const canaryPod = { ...d.spec.template.metadata.labels, ...canaryLabels };
      const base = dr.spec.subsets.find((s: any) => s.name === 'version-base');
      expect(Object.entries(base.labels).every(([k, v]) => canaryPod[k] === v)).toBe(false);
      expect(Object.entries(d.spec.selector.matchLabels).every(([k, v]) => canaryPod[k] === v)).toBe(true);
    }
  });
});
