/**
 * Properties of ArgoCdApplicationSet:
 * - it validates against Argo CD's ApplicationSet CRD (v3.5.1), for both generators;
 * - every Application it generates (its template, with the generator's parameters put in as
 *   Argo CD's Go templating does) validates against the Application CRD and has exactly the
 *   ignoreDifferences and sync options an ArgoCdApplication for the same charts has;
 * - goTemplate with missingkey=error, preserveResourcesOnDeletion, no applicationsSync.
 */
import { App, Chart, Testing } from 'cdk8s';
import { ArgoCdApplication, ArgoCdApplicationSet, CanaryStep, ClusterGenerator, GrayService, Release } from '../../src';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { synthExample } from '../support/examples';

/** Argo CD's goTemplate substitution of `{{.key}}` (no other template syntax is used); a missing key is an error (missingkey=error). */
function render(template: unknown, params: Record<string, string>): any {
  return JSON.parse(JSON.stringify(template).replace(/\{\{\.([A-Za-z]+)\}\}/g, (_m, key: string) => {
    if (!(key in params)) throw new Error(`missing key ${key}`);
    return params[key];
  }));
}

const exampleSet = synthExample('canary-release')[1].objects.find((o) => o.kind === 'ApplicationSet');

describe('the ApplicationSet of examples/canary-release (two clusters)', () => {
  (crdsAvailable() ? test : test.skip)('validates against the ApplicationSet CRD', () => {
    expect(conformanceErrors(exampleSet)).toEqual([]);
  });

  test('generates one Application per listed cluster, each valid against the Application CRD', () => {
    const apps = exampleSet.spec.generators[0].list.elements.map((e: Record<string, string>) => ({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...render(exampleSet.spec.template, e), metadata: { ...render(exampleSet.spec.template, e).metadata, namespace: 'argocd' },
    }));
    expect(apps.map((a: any) => [a.metadata.name, a.spec.destination.server])).toEqual([
      ['canary-release-prod-eu', 'https://prod-eu.example.com:6443'],
      ['canary-release-prod-us', 'https://prod-us.example.com:6443'],
    ]);
    if (crdsAvailable()) for (const a of apps) expect(conformanceErrors(a)).toEqual([]);
    expect(JSON.stringify(apps)).not.toContain('{{');
  });

  test('uses Go templates that fail on a missing key, and keeps the resources when deleted', () => {
    expect(exampleSet.spec).toMatchObject({ goTemplate: true, goTemplateOptions: ['missingkey=error'], syncPolicy: { preserveResourcesOnDeletion: true } });
    expect(exampleSet.spec.syncPolicy.applicationsSync).toBeUndefined();
  });
});

describe('ApplicationSet and Application agree', () => {
  const app = new App();
  const shop = new Chart(app, 'shop', { disableResourceNameHashes: true, namespace: 'shop' });
  new GrayService(shop, 'cart', { image: 'example/cart:1', port: 80, release: Release.canary({ steps: [CanaryStep.match([{ name: 'x-canary', value: '1' }], { replicas: 1 }), CanaryStep.traffic(50)] }) });
  const argo = new Chart(new App(), 'argo', { disableResourceNameHashes: true });
  const common = { repoURL: 'https://git.example.com/shop.git', path: 'dist/shop', charts: [shop], extraSyncOptions: ['CreateNamespace=true'] };
  new ArgoCdApplication(argo, 'single', common);
  new ArgoCdApplicationSet(argo, 'many', { ...common, clusters: ClusterGenerator.clusters({ matchLabels: { 'gray-release.example.com/shop': 'true' } }), destinationNamespace: 'shop', preserveResourcesOnDeletion: false });
  const [single, many] = Testing.synth(argo);

  test('each generated Application has the Application\'s ignoreDifferences and sync options', () => {
    expect(many.spec.template.spec.ignoreDifferences).toEqual(single.spec.ignoreDifferences);
    expect(many.spec.template.spec.ignoreDifferences.length).toBeGreaterThan(0);
    expect(many.spec.template.spec.syncPolicy).toEqual(single.spec.syncPolicy);
    expect(many.spec.template.spec.syncPolicy.syncOptions).toEqual(['ApplyOutOfSyncOnly=true', 'CreateNamespace=true']);
    expect(many.spec.template.spec.source).toEqual(single.spec.source);
  });

  test('the cluster generator selects clusters by label and names Applications from nameNormalized', () => {
    expect(many.spec.generators).toEqual([{ clusters: { selector: { matchLabels: { 'gray-release.example.com/shop': 'true' } } } }]);
    expect(many.spec.template.metadata.name).toBe('many-{{.nameNormalized}}');
    expect(many.spec.template.spec.destination).toEqual({ server: '{{.server}}', namespace: 'shop' });
    expect(many.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: false });
    const generated = render(many.spec.template, { nameNormalized: 'prod-eu', server: 'https://prod-eu.example.com' });
    expect(generated.metadata.name).toBe('many-prod-eu');
    if (crdsAvailable()) {
      expect(conformanceErrors(many)).toEqual([]);
      expect(conformanceErrors({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...generated })).toEqual([]);
    }
  });

  test('the template substitution used here fails on a missing key, like missingkey=error', () => {
    expect(() => render(many.spec.template, { server: 'x' })).toThrow(/missing key nameNormalized/);
  });
});
