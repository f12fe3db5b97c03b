/**
 * Properties of IngressGateway, asserted on the object itself (not by a snapshot):
 * - by default the Gateway configures the pods of Istio's default ingress gateway, labelled
 *   `istio: ingressgateway` (the istio/istio ingress gateway chart's label; Bookinfo's
 *   `bookinfo-gateway` selects it the same way), with one plain-HTTP server on port 80 named
 *   `http` carrying exactly the given hosts;
 * - a given selector, port, name, namespace and apiVersion replace the defaults, and nothing else;
 * - a VirtualService refers to it by name in its namespace, by `namespace/name` from elsewhere.
 */
import { Chart, Testing } from 'cdk8s';
import { IngressGateway, IstioApiVersion } from '../src';
import { conformanceErrors, crdsAvailable } from './support/conformance';

function gatewayObject(props: ConstructorParameters<typeof IngressGateway>[2], chartNamespace?: string) {
  const chart = new Chart(Testing.app(), 'test', { namespace: chartNamespace, disableResourceNameHashes: true });
  const gateway = new IngressGateway(chart, 'gateway', props);
  const objects = Testing.synth(chart);
  expect(objects).toHaveLength(1);
  return { gateway, object: objects[0] };
}

describe('IngressGateway', () => {
  test('defaults: the istio=ingressgateway pods, one HTTP server on port 80 named http, the given hosts', () => {
    // GIVEN only hosts
    const { object } = gatewayObject({ hosts: ['shop.example.com', '*.api.example.com'] });
    // THEN the whole object is as Istio's ingress gateway expects it
    expect(object).toEqual({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'Gateway',
      metadata: { name: 'gateway' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com', '*.api.example.com'] }],
      },
    });
    if (crdsAvailable()) expect(conformanceErrors(object)).toEqual([]);
  });

  test('a given selector replaces the default (not merged with it)', () => {
    const { object } = gatewayObject({ hosts: ['shop.example.com'], selector: { app: 'istio-ingressgateway-internal', istio: 'internal' } });
    expect(object.spec.selector).toEqual({ app: 'istio-ingressgateway-internal', istio: 'internal' });
  });

  test('port, name, namespace and apiVersion', () => {
    const { object } = gatewayObject({ hosts: ['shop/shop.example.com'], port: 8080, name: 'shop-gw', namespace: 'istio-system', apiVersion: IstioApiVersion.V1 });
    expect(object.apiVersion).toBe('networking.istio.io/v1');
    expect(object.metadata).toEqual({ name: 'shop-gw', namespace: 'istio-system' });
    expect(object.spec.servers).toEqual([{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['shop/shop.example.com'] }]);
    expect(object.spec.selector).toEqual({ istio: 'ingressgateway' });
    if (crdsAvailable()) expect(conformanceErrors(object)).toEqual([]);
  });

  test('the chart namespace is used when none is given', () => {
    const { object, gateway } = gatewayObject({ hosts: ['shop.example.com'] }, 'shop');
    expect(object.metadata).toEqual({ name: 'gateway', namespace: 'shop' });
    expect(gateway.namespace).toBeUndefined();
  });

  test('the catch-all host only with allowAnyHost', () => {
    const { object } = gatewayObject({ hosts: ['*'], allowAnyHost: true });
    expect(object.spec.servers[0].hosts).toEqual(['*']);
  });

  test('how a VirtualService refers to it', () => {
    const { gateway } = gatewayObject({ hosts: ['shop.example.com'], name: 'gw', namespace: 'istio-system' });
    expect(gateway.refFrom('istio-system')).toBe('gw');
    expect(gateway.refFrom('shop')).toBe('istio-system/gw');
    expect(gateway.refFrom(undefined)).toBe('istio-system/gw');
    const local = gatewayObject({ hosts: ['shop.example.com'], name: 'gw' }).gateway;
    expect(local.refFrom('shop')).toBe('gw');
  });

  test('apiObject is the Gateway, and the hosts are exposed as given', () => {
    const { gateway } = gatewayObject({ hosts: ['b.example.com', 'a.example.com'] });
    expect(gateway.apiObject.kind).toBe('Gateway');
    expect(gateway.apiObject.name).toBe('gateway');
    expect(gateway.hosts).toEqual(['b.example.com', 'a.example.com']);
  });
});
