/**
 * ZeroTrust: an AuthorizationPolicy per service allowing exactly its declared callers (and the
 * ingress where exposed), for services created before and after the construct; PeerAuthentication
 * as an option; every object valid against the Istio 1.23.6 security CRDs.
 */
import { App, Chart, Testing } from 'cdk8s';
import { GrayService, IngressGateway, PeerAuthenticationMode, TrafficLane, ZeroTrust } from '../../src';
import { conformanceErrors, crdsAvailable } from '../support/conformance';

const SVC = { image: 'example/app:1.0', port: 8080 };

function shop(props: ConstructorParameters<typeof ZeroTrust>[2] = {}): { c: Chart; objects: () => any[] } {
  const app = new App();
  const c = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
  // payment exists before the construct, cart and front after it: both are covered
  const payment = new GrayService(c, 'payment', SVC);
  new ZeroTrust(c, 'zero-trust', props);
  const cart = new GrayService(c, 'cart', { ...SVC, calls: [payment, 'payment.shop.svc.cluster.local'] });
  new GrayService(c, 'front', { ...SVC, gateway, calls: [cart] });
  // a caller in another chart and namespace
  const ops = new Chart(app, 'ops', { namespace: 'ops', disableResourceNameHashes: true });
  new GrayService(ops, 'reporter', { ...SVC, calls: ['payment.shop'] });
  return { c, objects: () => Testing.synth(c) };
}

const policyOf = (objects: any[], service: string) => objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === `${service}-callers`);

describe('ZeroTrust', () => {
  test('each service allows exactly its declared callers, by ServiceAccount principal, and the ingress where exposed', () => {
    // GIVEN front (exposed) -> cart -> payment, and reporter (namespace ops) -> payment
    const objects = shop().objects();
    // WHEN synthesized
    // THEN payment allows cart and reporter, cart allows front, front allows the ingress gateway
    expect(policyOf(objects, 'payment').spec).toEqual({
      selector: { matchLabels: { app: 'payment' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/ops/sa/reporter', 'cluster.local/ns/shop/sa/cart'] } }] }],
    });
    expect(policyOf(objects, 'cart').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/front'] } }] }]);
    expect(policyOf(objects, 'front').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }]);
    expect(policyOf(objects, 'payment').metadata.namespace).toBe('shop');
  });

  test('a service no one calls gets an ALLOW policy without rules: Istio denies every request to it', () => {
    const c = new Chart(new App(), 'shop', { namespace: 'shop' });
    new ZeroTrust(c, 'zt');
    new GrayService(c, 'lonely', SVC);
    const policy = Testing.synth(c).find((o) => o.kind === 'AuthorizationPolicy');
    expect(policy.spec).toEqual({ selector: { matchLabels: { app: 'lonely' } }, action: 'ALLOW' });
  });

  test('the policy selects every version of the service (base, lane and canary pods share the app label)', () => {
    // GIVEN a static lane member
    const c = new Chart(new App(), 'shop', { namespace: 'shop' });
    new ZeroTrust(c, 'zt');
    const svc = new GrayService(c, 'cart', SVC);
    new TrafficLane(c, 'lane', { name: 'dev', header: 'x-lane' }).addMember(svc);
    const objects = Testing.synth(c);
    // WHEN the pods of every Deployment are compared with the selector
    const selector = policyOf(objects, 'cart').spec.selector.matchLabels;
    const pods = objects.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template.metadata.labels);
    // THEN all of them are selected, the lane version too
    expect(pods).toHaveLength(2);
    for (const labels of pods) expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(true);
  });

  test('PeerAuthentication per namespace with the mode chosen; extra callers and ingress principals as given', () => {
    const objects = shop({
      peerAuthentication: PeerAuthenticationMode.STRICT,
      ingressPrincipals: ['cluster.local/ns/gateways/sa/shop-gateway'],
      allowCallers: { payment: ['cluster.local/ns/batch/sa/billing'] },
    }).objects();
    const pas = objects.filter((o) => o.kind === 'PeerAuthentication');
    expect(pas).toEqual([{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'gray-release-mtls', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } }]);
    expect(policyOf(objects, 'front').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/gateways/sa/shop-gateway']);
    expect(policyOf(objects, 'payment').spec.rules[0].from[0].source.principals).toContain('cluster.local/ns/batch/sa/billing');
  });

  test('a service exposed through gateway pods other than the default install\'s is refused unless ingressPrincipals names their identity', () => {
    // GIVEN a gateway whose pods are not the default install's istio-ingressgateway
    // (istio/istio 1.23.6 manifests/charts/gateways/istio-ingress: labels app=istio-ingressgateway,
    // istio=ingressgateway; ServiceAccount istio-ingressgateway-service-account)
    const build = (props: ConstructorParameters<typeof ZeroTrust>[2]) => {
      const c = new Chart(new App(), 'shop', { namespace: 'shop', disableResourceNameHashes: true });
      const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'], selector: { istio: 'shop-gateway' } });
      new ZeroTrust(c, 'zero-trust', props);
      new GrayService(c, 'front', { ...SVC, gateway });
      return () => Testing.synth(c);
    };
    // THEN with the default principal the only allowed ingress identity is one these pods do not have: refused
    expect(build({})).toThrow(/ingressPrincipals.*shop-gateway/s);
    // AND naming the gateway pods' principal is accepted and written
    const objects = build({ ingressPrincipals: ['cluster.local/ns/gateways/sa/shop-gateway'] })();
    expect(policyOf(objects, 'front').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/gateways/sa/shop-gateway']);
  });

  test('bad props are refused with the prop and the fix', () => {
    const c = new Chart(new App(), 'shop');
    expect(() => new ZeroTrust(c, 'a', { ingressPrincipals: ['istio-ingressgateway'] })).toThrow(/\[shop\/a\] ingressPrincipals\[0\]: .* Fix: use "<trust domain>/);
    expect(() => new ZeroTrust(c, 'b', { trustDomain: 'Not A Domain' })).toThrow(/trustDomain/);
    new ZeroTrust(c, 'c', { allowCallers: { ghost: ['cluster.local/ns/x/sa/y'] } });
    expect(() => Testing.synth(c)).toThrow(/\[shop\/c\] allowCallers.ghost: no GrayService named ghost/);
  });

  (crdsAvailable() ? test : test.skip)('every AuthorizationPolicy and PeerAuthentication validates against the Istio 1.23.6 CRDs', () => {
    const objects = shop({ peerAuthentication: PeerAuthenticationMode.PERMISSIVE }).objects().filter((o) => o.apiVersion.startsWith('security.istio.io/'));
    expect(objects.length).toBe(4);
    expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });
});
