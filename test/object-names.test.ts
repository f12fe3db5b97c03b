/**
 * Property: no object name or label the API server would refuse ever reaches the output.
 *
 * - The conformance check (test/support/conformance.ts `nameErrors`, its own regexes) refuses
 *   names per kind as the API server does: Service a DNS-1035 label, Namespace a DNS-1123 label,
 *   everything else a DNS-1123 subdomain; label keys and values, pod templates and selectors too.
 * - Through the escape hatch (which bypasses the constructs' checks) a bad name is still caught
 *   by that check.
 * - Every name given to a construct, valid or not, is either refused with a GrayReleaseError
 *   naming the prop, or written into objects the check accepts: a construct check that goes
 *   missing (a Service named "1shop") makes this test fail, not only the bad-input table.
 */
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { GrayReleaseError, GrayService, IngressGateway, TrafficLane } from '../src';
import { conformanceErrors, crdsAvailable, nameErrors } from './support/conformance';

const meta = (kind: string, name: string, extra: object = {}) => ({ apiVersion: 'v1', kind, metadata: { name, ...extra } });
const pod = (labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', ...labels } } } },
});

describe('the conformance check refuses names and labels as the API server does', () => {
  const rows: Array<[any, boolean, string]> = [
    // [object, refused, why]
    [meta('Service', 'shop'), false, 'a DNS-1035 label'],
    [meta('Service', '1shop'), true, 'Service names start with a letter (DNS-1035)'],
    [meta('Service', 'shop.v1'), true, 'Service names have no dots'],
    [meta('Service', 'Shop'), true, 'upper case'],
    [meta('Service', 's'.repeat(64)), true, 'over 63 characters'],
    [meta('Namespace', '1shop'), false, 'Namespace names are DNS-1123 labels: a digit may start them'],
    [meta('Namespace', 'shop.v1'), true, 'Namespace names have no dots'],
    [{ ...meta('Deployment', '1shop.v1'), apiVersion: 'apps/v1' }, false, 'Deployment names are DNS-1123 subdomains'],
    [{ ...meta('Deployment', 'Cart'), apiVersion: 'apps/v1' }, true, 'upper case'],
    [{ ...meta('Deployment', 'cart_1'), apiVersion: 'apps/v1' }, true, 'underscore'],
    [{ ...meta('VirtualService', 'vs.shop'), apiVersion: 'networking.istio.io/v1beta1' }, false, 'custom resources: DNS-1123 subdomains'],
    [{ ...meta('VirtualService', 'vs-'), apiVersion: 'networking.istio.io/v1beta1' }, true, 'ends with "-"'],
    [meta('ConfigMap', 'x'.repeat(254)), true, 'over 253 characters'],
    [meta('Service', 'shop', { namespace: 'Shop' }), true, 'namespace not a DNS-1123 label'],
    [meta('Service', 'shop', { labels: { app: 'Bad Value' } }), true, 'label value with a space'],
    [meta('Service', 'shop', { labels: { 'example.com/owner': '' } }), false, 'an empty label value, a prefixed key'],
    [meta('Service', 'shop', { labels: { 'Example.com/owner': 'a' } }), true, 'label key prefix not a DNS subdomain'],
    [meta('Service', 'shop', { annotations: { 'a/b/c': 'x' } }), true, 'annotation key with two slashes'],
    [pod({ version: 'v'.repeat(64) }), true, 'pod template label value over 63 characters'],
    [pod({ version: '-v1' }), true, 'pod template label value starting with "-"'],
    [pod({ version: 'v1.2_b' }), false, 'dots and underscores inside a label value'],
  ];
  test.each(rows.map(([obj, refused, why]) => [`${obj.kind}/${obj.metadata.name.slice(0, 20)} ${JSON.stringify(obj.metadata.labels ?? obj.spec?.template?.metadata?.labels ?? {})}`, refused, why, obj]))(
    '%s refused: %s (%s)', (_, refused, __, obj) => {
      expect(nameErrors(obj).length > 0).toBe(refused);
    });
});

describe('a name put in through the escape hatch (no construct check) is caught', () => {
  const rows: Array<[string, (s: GrayService) => ApiObject, string, RegExp]> = [
    ['the Service', (s: GrayService) => s.apiObject, '1shop', /Service\/1shop: metadata.name "1shop" is not a DNS-1035 label/],
    ['the Deployment', (s: GrayService) => ApiObject.of(s.deployment), 'Cart', /Deployment\/Cart: metadata.name "Cart" is not a DNS-1123 subdomain/],
    ['the DestinationRule', (s: GrayService) => s.destinationRule, 'dr_shop', /DestinationRule\/dr_shop: metadata.name "dr_shop" is not a DNS-1123 subdomain/],
  ];
  test.each(rows)('%s renamed to an invalid name', (_, objectOf, bad, message) => {
    // GIVEN a valid service WHEN a JSON patch renames one of its objects
    const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
    const svc = new GrayService(chart, 'shop', { image: 'example/shop:1', port: 80 });
    objectOf(svc).addJsonPatch(JsonPatch.replace('/metadata/name', bad));
    // THEN the conformance check of the output names it
    const errors = Testing.synth(chart).flatMap((o) => (crdsAvailable() ? conformanceErrors(o) : nameErrors(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`)));
    expect(errors.join('\n')).toMatch(message);
  });
});

const NAMES = ['shop', 'a', 'shop-v1', '1shop', '9', 'Cart', 'a.b', 'a_b', '-a', 'a-', 's'.repeat(63), 's'.repeat(64), 'x'.repeat(40)];

/** Builds with one name in one place; returns the refusal or the objects. */
function outcome(build: (chart: Chart, name: string) => void, name: string): { refused?: GrayReleaseError; objects?: any[] } {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  try {
    build(chart, name);
    return { objects: Testing.synth(chart) };
  } catch (e) {
    if (e instanceof GrayReleaseError) return { refused: e };
    throw e;
  }
}

const PLACES: Record<string, { prop: string; build: (c: Chart, name: string) => void }> = {
  'GrayService name': { prop: 'name', build: (c, n) => new GrayService(c, 'svc', { name: n, image: 'example/app:1', port: 80 }) },
  'GrayService namespace': { prop: 'namespace', build: (c, n) => new GrayService(c, 'svc', { namespace: n, image: 'example/app:1', port: 80 }) },
  'GrayService names.deployment': { prop: 'names.deployment', build: (c, n) => new GrayService(c, 'svc', { names: { deployment: n }, image: 'example/app:1', port: 80 }) },
  'GrayService names.destinationRule': { prop: 'names.destinationRule', build: (c, n) => new GrayService(c, 'svc', { names: { destinationRule: n }, image: 'example/app:1', port: 80 }) },
  'GrayService names.virtualService': { prop: 'names.virtualService', build: (c, n) => new GrayService(c, 'svc', { names: { virtualService: n }, image: 'example/app:1', port: 80 }) },
  'GrayService names.rollout': { prop: 'names.rollout', build: (c, n) => new GrayService(c, 'svc', { names: { rollout: n }, image: 'example/app:1', port: 80, release: { matches: [{ name: 'x-lane', value: 'a' }] } }) },
  'IngressGateway name': { prop: 'name', build: (c, n) => new IngressGateway(c, 'gw', { name: n, hosts: ['shop.example.com'] }) },
  'TrafficLane member deploymentName': {
    prop: 'addMember deploymentName',
    build: (c, n) => new TrafficLane(c, 'lane', { name: 'dev', header: 'x-lane' }).addMember(new GrayService(c, 'svc', { image: 'example/app:1', port: 80 }), { deploymentName: n }),
  },
};

describe('every name given to a construct is refused, or written as the API server accepts it', () => {
  test.each(Object.keys(PLACES))('%s', (place) => {
    const { prop, build } = PLACES[place];
    let built = 0;
    let refused = 0;
    for (const name of NAMES) {
      const r = outcome(build, name);
      if (r.refused) {
        // a refusal names the prop
        expect(r.refused.message).toContain(`${prop}`);
        refused++;
      } else {
        expect({ name, errors: r.objects!.flatMap((o) => nameErrors(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`)) }).toEqual({ name, errors: [] });
        built++;
      }
    }
    // neither side is empty: valid names build, invalid ones are refused
    expect(built).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
