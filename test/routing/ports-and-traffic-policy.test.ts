/**
 * Ports with protocols (names and appProtocol as Istio's protocol selection reads them, the same
 * container ports on every workload, tcp/tls routes to the default version) and DestinationRule
 * traffic policies per service and per version.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  GrayService, GrayServiceProps, IngressGateway, LoadBalancer, LoadBalancing, Protocol, Route, TrafficLane, UpstreamTlsMode,
} from '../../src';
import { istioDuration } from '../../src/model/routing/duration';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { evaluateRequest } from '../support/request-eval';

const chart = () => new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
const ECHO: GrayServiceProps = {
  image: 'example/echo:1',
  ports: [
    { name: 'http', port: 80, targetPort: 18080, protocol: Protocol.HTTP },
    { name: 'grpc', port: 7070, targetPort: 17070, protocol: Protocol.GRPC },
    { name: 'http2-web', port: 8081, protocol: Protocol.HTTP2 },
    { name: 'tcp', port: 9090, targetPort: 19090, protocol: Protocol.TCP },
    { name: 'tls', port: 9443, protocol: Protocol.TLS },
  ],
  versions: [{ name: 'v1' }, { name: 'v2' }],
};

describe('ports', () => {
  const c = chart();
  const gateway = new IngressGateway(c, 'gw', { hosts: ['echo.example.com'] });
  const echo = new GrayService(c, 'echo', { ...ECHO, gateway, defaultRoute: Route.split({ v1: 80, v2: 20 }) });
  new TrafficLane(c, 'lane', { name: 'preview', header: 'x-lane' }).addMember(echo);
  const objects = Testing.synth(c);

  test('each Service port has its name and appProtocol', () => {
    const svc = objects.find((o) => o.kind === 'Service');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 18080, appProtocol: 'http' },
      { name: 'grpc', port: 7070, targetPort: 17070, appProtocol: 'grpc' },
      { name: 'http2-web', port: 8081, targetPort: 8081, appProtocol: 'kubernetes.io/h2c' },
      { name: 'tcp', port: 9090, targetPort: 19090, appProtocol: 'tcp' },
      { name: 'tls', port: 9443, targetPort: 9443, appProtocol: 'tls' },
    ]);
    expect(echo.port).toBe(80);
  });

  test('every workload, lane Deployments included, exposes the same named container ports', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).toEqual(['echo-v1', 'echo-v2', 'echo-preview']);
    for (const d of deployments) {
      expect(d.spec.template.spec.containers[0].ports).toEqual([
        { containerPort: 18080, name: 'http' }, { containerPort: 17070, name: 'grpc' }, { containerPort: 8081, name: 'http2-web' },
        { containerPort: 19090, name: 'tcp' }, { containerPort: 9443, name: 'tls' },
      ]);
    }
  });

  test('http rules (and the lane) apply to every HTTP-family port; TCP and TLS ports take the default split', () => {
    for (const port of [80, 7070, 8081]) {
      expect(evaluateRequest(objects, { to: 'echo', port, headers: { 'x-lane': 'preview' } }).reaches).toEqual({ 'echo-preview': 100 });
      expect(evaluateRequest(objects, { to: 'echo', port }).reaches).toEqual({ 'echo-v1': 80, 'echo-v2': 20 });
    }
    expect(evaluateRequest(objects, { to: 'echo', port: 9090, headers: { 'x-lane': 'preview' } }).reaches).toEqual({ 'echo-v1': 80, 'echo-v2': 20 });
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-echo');
    expect(vs.spec.tcp).toEqual([{
      match: [{ port: 9090 }],
      route: [
        { destination: { host: 'echo', subset: 'v1', port: { number: 9090 } }, weight: 80 },
        { destination: { host: 'echo', subset: 'v2', port: { number: 9090 } }, weight: 20 },
      ],
    }]);
    expect(vs.spec.tls).toEqual([{
      match: [{ port: 9443, sniHosts: ['echo'] }],
      route: [
        { destination: { host: 'echo', subset: 'v1', port: { number: 9443 } }, weight: 80 },
        { destination: { host: 'echo', subset: 'v2', port: { number: 9443 } }, weight: 20 },
      ],
    }]);
  });

  test('the gateway VirtualService names the HTTP port of a multi-port service on every destination', () => {
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-echo-gateway');
    const ports = vs.spec.http.flatMap((r: any) => r.route.map((d: any) => d.destination.port?.number));
    expect(new Set(ports)).toEqual(new Set([80]));
    expect(vs.spec.tcp).toBeUndefined();
  });

  test('the output validates against the CRDs', () => {
    if (!crdsAvailable()) return;
    expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('a lane on a TCP-only service is refused', () => {
    const db = (c2: Chart) => new GrayService(c2, 'db', { image: 'example/db:1', ports: [{ name: 'tcp', port: 5432, protocol: Protocol.TCP }] });
    const c1 = chart();
    expect(() => new TrafficLane(c1, 'lane', { name: 'x', header: 'x-lane' }).addMember(db(c1))).toThrow(/no HTTP, HTTP2 or GRPC port, and a lane is an http rule/);
    const c2 = chart();
    db(c2);
    const vs = Testing.synth(c2).find((o) => o.kind === 'VirtualService');
    expect(vs.spec).toEqual({ hosts: ['db'], tcp: [{ match: [{ port: 5432 }], route: [{ destination: { host: 'db', subset: 'version-base', port: { number: 5432 } } }] }] });
  });
});

describe('traffic policy', () => {
  test('per service and per version, with consistent hashing and upstream TLS', () => {
    const c = chart();
    new GrayService(c, 'reviews', {
      image: 'example/reviews:1',
      port: 9080,
      versions: [{ name: 'v1' }, { name: 'v2', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3, interval: Duration.seconds(5) }, loadBalancer: LoadBalancing.consistentHashBySourceIp() } }],
      trafficPolicy: {
        loadBalancer: LoadBalancing.consistentHashByCookie('session', { ttl: Duration.minutes(30), path: '/' }),
        connectionPool: { tcp: { maxConnections: 100, connectTimeout: Duration.millis(250) }, http: { http2MaxRequests: 1000, idleTimeout: Duration.minutes(5) } },
        tls: { mode: UpstreamTlsMode.ISTIO_MUTUAL },
      },
    });
    const objects = Testing.synth(c);
    const dr = objects.find((o) => o.kind === 'DestinationRule');
    expect(dr.spec.trafficPolicy).toEqual({
      loadBalancer: { consistentHash: { httpCookie: { name: 'session', path: '/', ttl: '1800s' } } },
      connectionPool: { tcp: { maxConnections: 100, connectTimeout: '0.25s' }, http: { http2MaxRequests: 1000, idleTimeout: '300s' } },
      tls: { mode: 'ISTIO_MUTUAL' },
    });
    expect(dr.spec.subsets[1].trafficPolicy).toEqual({ loadBalancer: { consistentHash: { useSourceIp: true } }, outlierDetection: { consecutive5xxErrors: 3, interval: '5s' } });
    expect(evaluateRequest(objects, { to: 'reviews' }).trafficPolicy).toMatchObject({ 'loadBalancer.consistentHash.httpCookie.name': 'session' });
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('the header and query-parameter hashes, and a simple algorithm', () => {
    const c = chart();
    const mk = (id: string, lb: LoadBalancing) => new GrayService(c, id, { image: 'example/a:1', port: 80, trafficPolicy: { loadBalancer: lb } });
    mk('a', LoadBalancing.consistentHashByHeader('x-user'));
    mk('b', LoadBalancing.consistentHashByQueryParameter('user'));
    mk('d', LoadBalancing.simple(LoadBalancer.LEAST_REQUEST));
    const lbs = Testing.synth(c).filter((o) => o.kind === 'DestinationRule').map((d) => d.spec.trafficPolicy.loadBalancer);
    expect(lbs).toEqual([{ consistentHash: { httpHeaderName: 'x-user' } }, { consistentHash: { httpQueryParameterName: 'user' } }, { simple: 'LEAST_REQUEST' }]);
  });

  test('loadBalancer and trafficPolicy.loadBalancer together are refused', () => {
    expect(() => new GrayService(chart(), 'a', { image: 'example/a:1', port: 80, loadBalancer: LoadBalancer.RANDOM, trafficPolicy: { loadBalancer: LoadBalancing.consistentHashBySourceIp() } }))
      .toThrow(/trafficPolicy.loadBalancer: both loadBalancer and trafficPolicy.loadBalancer are given/);
  });

  test('Istio durations are seconds with a fraction', () => {
    expect([500, 7000, 180000, 1, 1250].map((ms) => istioDuration(Duration.millis(ms)))).toEqual(['0.5s', '7s', '180s', '0.001s', '1.25s']);
  });
});
