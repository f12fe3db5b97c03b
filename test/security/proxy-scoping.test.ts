/**
 * ProxyScoping: a Sidecar per service whose egress hosts are exactly its declared calls (plus
 * istio-system and the extras), for services created before and after the construct; a call to a
 * host that exists nowhere in the app refused at synth; every Sidecar valid against the CRD.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GrayService, OutboundTrafficPolicy, ProxyScoping } from '../../src';
import { conformanceErrors, crdsAvailable } from '../support/conformance';

const SVC = { image: 'example/app:1.0', port: 8080 };
const sidecarOf = (objects: any[], service: string) => objects.find((o) => o.kind === 'Sidecar' && o.metadata.name === `${service}-egress`);

function shop(props: ConstructorParameters<typeof ProxyScoping>[2] = {}): any[] {
  const app = new App();
  const c = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const payment = new GrayService(c, 'payment', { ...SVC, calls: ['ledger.finance'] });
  new ProxyScoping(c, 'scoping', props);
  const cart = new GrayService(c, 'cart', { ...SVC, calls: [payment, 'search'] });
  new GrayService(c, 'front', { ...SVC, calls: [cart, 'api.partner.example.com'] });
  // a plain Service of the app (not a GrayService) and a service in another chart and namespace
  new kplus.Service(c, 'search', { metadata: { name: 'search' }, ports: [{ port: 80 }] });
  new GrayService(new Chart(app, 'finance', { namespace: 'finance' }), 'ledger', SVC);
  return Testing.synth(c);
}

describe('ProxyScoping', () => {
  test('each proxy receives its declared calls, istio-system and the extras, nothing else', () => {
    // GIVEN front -> cart -> payment -> ledger.finance, cart -> search, front -> an external host
    const objects = shop({ externalHosts: ['api.partner.example.com'], extraHosts: ['observability/*'] });
    // WHEN synthesized
    // THEN every Sidecar selects the service's pods and lists its calls as namespace/FQDN
    expect(sidecarOf(objects, 'cart').spec).toEqual({
      workloadSelector: { labels: { app: 'cart' } },
      egress: [{ hosts: ['istio-system/*', 'observability/*', 'shop/payment.shop.svc.cluster.local', 'shop/search.shop.svc.cluster.local'] }],
    });
    expect(sidecarOf(objects, 'payment').spec.egress[0].hosts).toEqual(['finance/ledger.finance.svc.cluster.local', 'istio-system/*', 'observability/*']);
    expect(sidecarOf(objects, 'front').spec.egress[0].hosts).toEqual(['*/api.partner.example.com', 'istio-system/*', 'observability/*', 'shop/cart.shop.svc.cluster.local']);
    expect(sidecarOf(objects, 'front').metadata.namespace).toBe('shop');
  });

  test('the outbound traffic policy is written when chosen', () => {
    const objects = shop({ externalHosts: ['api.partner.example.com'], outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY });
    expect(sidecarOf(objects, 'cart').spec.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
  });

  test('a call to a host that exists nowhere in the app is refused at synth, naming the service and the fix', () => {
    // GIVEN front calls the external host without declaring it
    // WHEN synthesized
    // THEN synth fails at the scoping construct, naming front's calls
    expect(() => shop()).toThrow(/\[shop\/scoping\] services.front.calls: front calls "api.partner.example.com", which is no Service of the app.*Fix: .*externalHosts/);
  });

  test('bad props are refused', () => {
    const c = new Chart(new App(), 'shop');
    expect(() => new ProxyScoping(c, 'a', { extraHosts: ['observability'] })).toThrow(/\[shop\/a\] extraHosts\[0\]: "observability" is not a Sidecar egress host/);
    expect(() => new ProxyScoping(c, 'b', { externalHosts: ['http://x'] })).toThrow(/externalHosts\[0\]/);
  });

  (crdsAvailable() ? test : test.skip)('every Sidecar validates against the Istio 1.23.6 CRD', () => {
    const sidecars = shop({ externalHosts: ['api.partner.example.com'], outboundTrafficPolicy: OutboundTrafficPolicy.ALLOW_ANY }).filter((o) => o.kind === 'Sidecar');
    expect(sidecars).toHaveLength(3);
    expect(sidecars.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });
});
