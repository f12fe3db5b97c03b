/**
 * Property: host matching follows Istio's documented semantics, checked against an independent
 * table (test/support/host-table.ts) at the three places that use it:
 * - the model's `hostCovers`;
 * - the analysis: `explain` at a gateway answers 404 for a request whose Host the Gateway (or
 *   the bound VirtualService) does not cover, and routes it otherwise;
 * - the constructs: a GrayService's `gatewayHosts` the IngressGateway does not cover are refused.
 */
import { Chart, Testing } from 'cdk8s';
import { GrayReleaseError, GrayService, IngressGateway } from '../src';
import { explain } from '../src/analysis';
import { HOST_CASES, HostCase } from './support/host-table';
import { hostCovers } from '../src/model/matching';

const NS = 'shop';
const requests = HOST_CASES.filter((c) => !c.vsHost);
const label = (c: HostCase) => `${c.pattern} ${c.covers ? 'covers' : 'does not cover'} ${c.host} (${c.why})`;

/** A Gateway and a VirtualService bound to it, routing to the Service web (plain manifests). */
function mesh(gatewayHosts: string[], vsHosts: string[]): object[] {
  const app = { app: 'web' };
  return [
    { apiVersion: 'networking.istio.io/v1beta1', kind: 'Gateway', metadata: { name: 'gw', namespace: NS }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: gatewayHosts }] } },
    { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'vs-web', namespace: NS }, spec: { hosts: vsHosts, gateways: [`${NS}/gw`], http: [{ route: [{ destination: { host: 'web' } }] }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: app, ports: [{ name: 'http', port: 80 }] } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-v1', namespace: NS }, spec: { selector: { matchLabels: app }, template: { metadata: { labels: app }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } } },
  ];
}

describe('the table itself', () => {
  test('has the cases of issue #11 and both answers for every kind of pattern', () => {
    expect(HOST_CASES).toEqual(expect.arrayContaining([
      expect.objectContaining({ pattern: '*.example.com', host: 'badexample.com', covers: false }),
      expect.objectContaining({ pattern: '*.example.com', host: 'example.com', covers: false }),
      expect.objectContaining({ pattern: '*.example.com', host: 'a.b.example.com', covers: true }),
    ]));
    for (const kind of [/^\*\./, /^[a-z]/, /\//]) {
      const rows = HOST_CASES.filter((c) => kind.test(c.pattern));
      expect(new Set(rows.map((c) => c.covers))).toEqual(new Set([true, false]));
    }
  });
});

describe('model: hostCovers', () => {
  test.each(HOST_CASES.map((c) => [label(c), c] as const))('%s', (_, c) => {
    expect(hostCovers(c.pattern, c.host)).toBe(c.covers);
  });
});

describe('analysis: explain at the gateway', () => {
  test.each(requests.map((c) => [label(c), c] as const))('Gateway host %s', (_, c) => {
    // GIVEN a Gateway with the pattern, and a VirtualService for every host bound to it
    const manifests = mesh([c.pattern], ['*']);
    // WHEN a request for the host enters at the gateway
    const hop = explain(manifests, { gateway: true, host: c.host }).hops[0];
    // THEN it is routed if and only if the Gateway covers the host; otherwise 404
    expect(hop.outcome).toBe(c.covers ? 'route' : 'not-found');
    if (!c.covers) expect(hop.status).toBe(404);
  });

  test.each(requests.filter((c) => !c.pattern.includes('/')).map((c) => [label(c), c] as const))('VirtualService host %s', (_, c) => {
    // GIVEN a Gateway for every host, and a VirtualService for the pattern
    const manifests = mesh(['*'], [c.pattern]);
    // WHEN a request for the host enters at the gateway
    const hop = explain(manifests, { gateway: true, host: c.host }).hops[0];
    // THEN the VirtualService routes it if and only if its host covers the request's
    expect(hop.outcome).toBe(c.covers ? 'route' : 'not-found');
    if (!c.covers) expect(hop.status).toBe(404);
  });
});

describe('constructs: GrayService gatewayHosts on an IngressGateway', () => {
  test.each(HOST_CASES.map((c) => [label(c), c] as const))('%s', (_, c) => {
    // GIVEN a gateway with the pattern, in the service's namespace
    const chart = new Chart(Testing.app(), 'test', { namespace: NS, disableResourceNameHashes: true });
    const gateway = new IngressGateway(chart, 'gw', { hosts: [c.pattern], allowAnyHost: true, namespace: NS });
    // WHEN a service asks to be exposed on the host
    const expose = () => new GrayService(chart, 'web', { image: 'example/web:1', port: 80, namespace: NS, gateway, gatewayHosts: [c.host] });
    // THEN it is refused, naming the host, if and only if the gateway does not cover it
    const error = (() => { try { expose(); return undefined; } catch (e) { return e as Error; } })();
    if (c.covers) {
      expect(error).toBeUndefined();
      const vs = Testing.synth(chart).find((o) => o.kind === 'VirtualService' && o.spec.gateways);
      expect(vs.spec.hosts).toEqual([c.host]);
    } else {
      expect(error).toBeInstanceOf(GrayReleaseError);
      expect(error?.message).toContain(`gatewayHosts: the gateway gw does not accept the host "${c.host}"`);
    }
  });
});
