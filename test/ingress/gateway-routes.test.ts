/**
 * The ingress: HTTP/HTTPS/TLS servers, and GatewayRoutes sending paths to services through each
 * service's own routing (lanes, versions, policies), with 404 for paths no route matches.
 */
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  GatewayProtocol, GatewayRoutes, GatewayTlsMode, GrayService, GrayServiceProps, IngressGateway, JwtIssuer, Match, Protocol, Route, TrafficLane,
} from '../../src';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { evaluateRequest } from '../support/request-eval';

const chart = (app: App = Testing.app()) => new Chart(app, 'test', { disableResourceNameHashes: true, namespace: 'shop' });
const HOSTS = ['shop.example.com', 'www.shop.example.com'];
const gatewayOf = (c: Chart) => new IngressGateway(c, 'gw', {
  name: 'shop-gateway',
  hosts: HOSTS,
  servers: [
    { port: 8080, protocol: GatewayProtocol.HTTP, httpsRedirect: true },
    { port: 8443, protocol: GatewayProtocol.HTTPS, credentialName: 'shop-credential' },
    { port: 9443, protocol: GatewayProtocol.HTTPS, tlsMode: GatewayTlsMode.MUTUAL, credentialName: 'partner-credential', hosts: ['partner.example.com'] },
    { port: 15443, protocol: GatewayProtocol.TLS, hosts: ['db.example.com'] },
  ],
});
const WEB: GrayServiceProps = { image: 'example/web:1', port: 8000, versions: [{ name: 'v1' }, { name: 'v2' }] };

describe('gateway servers', () => {
  const c = chart();
  const gw = gatewayOf(c);
  const objects = Testing.synth(c);

  test('HTTP redirecting to HTTPS, HTTPS SIMPLE and MUTUAL with their Secrets, TLS passthrough, several hosts per server', () => {
    expect(objects.find((o) => o.kind === 'Gateway').spec.servers).toEqual([
      { hosts: HOSTS, port: { name: 'http', number: 8080, protocol: 'HTTP' }, tls: { httpsRedirect: true } },
      { hosts: HOSTS, port: { name: 'https-8443', number: 8443, protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'shop-credential' } },
      { hosts: ['partner.example.com'], port: { name: 'https-9443', number: 9443, protocol: 'HTTPS' }, tls: { mode: 'MUTUAL', credentialName: 'partner-credential' } },
      { hosts: ['db.example.com'], port: { name: 'tls', number: 15443, protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH' } },
    ]);
  });

  test('servers, selector, namespace and every host are exposed for other constructs', () => {
    expect(gw.servers.map((s) => s.port)).toEqual([8080, 8443, 9443, 15443]);
    expect(gw.selector).toEqual({ istio: 'ingressgateway' });
    expect(gw.hosts).toEqual([...HOSTS, 'partner.example.com', 'db.example.com']);
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });
});

describe('gateway routes', () => {
  test('paths go to different services through their own routing; other paths get 404', () => {
    const c = chart();
    const gw = gatewayOf(c);
    const web = new GrayService(c, 'web', { ...WEB, routes: [{ match: Match.header('end-user').exact('jason'), route: Route.to('v2') }], routePolicy: { timeout: Duration.seconds(5) } });
    const api = new GrayService(c, 'api', { image: 'example/api:1', ports: [{ name: 'http', port: 8080, protocol: Protocol.HTTP }, { name: 'grpc', port: 9090, protocol: Protocol.GRPC }] });
    new TrafficLane(c, 'lane', { name: 'gray', header: 'x-lane' }).addMember(web);
    new GatewayRoutes(c, 'routes', {
      gateway: gw,
      hosts: ['shop.example.com'],
      routes: [
        { match: [Match.uri.exact('/'), Match.uri.prefix('/static')], service: web },
        { name: 'api', match: Match.uri.prefix('/api/'), service: api, policy: { timeout: Duration.seconds(1) } },
      ],
    });
    const objects = Testing.synth(c);
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'routes');
    expect(vs.spec.gateways).toEqual(['shop-gateway']);
    expect(vs.spec.http.map((r: any) => [r.name, r.match.length, r.timeout])).toEqual([
      ['web-lane-gray', 2, '5s'], ['web-to-v2', 2, '5s'], ['web-default', 2, '5s'], ['api-base', 1, '1s'],
    ]);
    // The lane's header condition is ANDed with each path.
    expect(vs.spec.http[0].match).toEqual([{ uri: { exact: '/' }, headers: { 'x-lane': { exact: 'gray' } } }, { uri: { prefix: '/static' }, headers: { 'x-lane': { exact: 'gray' } } }]);
    // api has two ports: the route names the HTTP one.
    expect(vs.spec.http[3].route).toEqual([{ destination: { host: 'api', subset: 'version-base', port: { number: 8080 } } }]);
    const go = (path: string, headers = {}) => evaluateRequest(objects, { to: 'gateway', host: 'shop.example.com', path, headers });
    expect(go('/static/app.js').reaches).toEqual({ 'web-v1': 100 });
    expect(go('/', { 'end-user': 'jason' }).reaches).toEqual({ 'web-v2': 100 });
    expect(go('/', { 'x-lane': 'gray' }).reaches).toEqual({ 'web-gray': 100 });
    expect(go('/api/items').reaches).toEqual({ 'api-base': 100 });
    expect(go('/admin').status).toBe(404);
    expect(evaluateRequest(objects, { to: 'gateway', host: 'shop.example.com', port: 8080, path: '/' }).status).toBe(301);
    expect(vs.metadata.annotations['gray-release.io/lanes']).toBe('gray=x-lane:gray');
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('JWT claim routes with the RequestAuthentication the gateway writes', () => {
    const c = chart();
    const gw = gatewayOf(c);
    new JwtIssuer(c, 'jwt', { gateway: gw, issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', name: 'shop-gateway-jwt' });
    const web = new GrayService(c, 'web', WEB);
    const beta = new GrayService(c, 'beta', { image: 'example/web:2', port: 8000 });
    new GatewayRoutes(c, 'routes', {
      gateway: gw,
      routes: [
        { name: 'beta', match: Match.jwtClaim('groups').exact('beta-testers'), service: beta },
        { name: 'nested', match: Match.jwtClaim('org', 'team').prefix('shop-'), service: beta },
        { match: Match.uri.prefix('/'), service: web },
      ],
    });
    const objects = Testing.synth(c);
    const ra = objects.find((o) => o.kind === 'RequestAuthentication');
    expect(ra.metadata).toMatchObject({ name: 'shop-gateway-jwt', namespace: 'istio-system' });
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }],
    });
    const http = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'routes').spec.http;
    expect(http[0].match).toEqual([{ headers: { '@request.auth.claims.groups': { exact: 'beta-testers' } } }]);
    expect(http[1].match).toEqual([{ headers: { '@request.auth.claims[org][team]': { prefix: 'shop-' } } }]);
    expect(gw.jwtIssuers.map((i) => i.issuer)).toEqual(['https://auth.example.com']);
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('TLS passthrough forwards by SNI to a service\'s TLS port', () => {
    const c = chart();
    const gw = gatewayOf(c);
    const db = new GrayService(c, 'db', { image: 'example/db:1', ports: [{ name: 'tls', port: 5432, protocol: Protocol.TLS }] });
    new GatewayRoutes(c, 'routes', { gateway: gw, hosts: ['db.example.com'], tlsRoutes: [{ service: db, port: 5432 }] });
    const vs = Testing.synth(c).find((o) => o.kind === 'VirtualService' && o.metadata.name === 'routes');
    expect(vs.spec.tls).toEqual([{ match: [{ sniHosts: ['db.example.com'] }], route: [{ destination: { host: 'db', port: { number: 5432 } } }] }]);
    expect(vs.spec.http).toBeUndefined();
  });

  test('a route condition the service\'s rule also sets is refused at synth (one Istio match cannot hold both)', () => {
    const c = chart();
    const web = new GrayService(c, 'web', { ...WEB, routes: [{ match: Match.uri.prefix('/beta'), route: Route.to('v2') }] });
    new GatewayRoutes(c, 'routes', { gateway: gatewayOf(c), routes: [{ match: Match.uri.prefix('/shop'), service: web }] });
    expect(() => Testing.synth(c)).toThrow(/\[test\/routes\] routes: a route's condition and the rule to-v2 of its service both set uri/);
  });

  test('a host routed by GatewayRoutes and by a service\'s own gateway VirtualService is refused', () => {
    const c = chart();
    const gw = gatewayOf(c);
    const web = new GrayService(c, 'web', { ...WEB, gateway: gw, gatewayHosts: ['shop.example.com'] });
    new GatewayRoutes(c, 'routes', { gateway: gw, hosts: ['shop.example.com'], routes: [{ match: Match.uri.prefix('/'), service: web }] });
    expect(() => Testing.synth(c)).toThrow(/the host shop.example.com on the gateway shop-gateway/);
  });

  test('a service in another namespace, a mesh-only condition and a port that is not HTTP are refused', () => {
    const c = chart();
    const gw = gatewayOf(c);
    const other = new GrayService(c, 'other', { ...WEB, namespace: 'other' });
    const routes = new GatewayRoutes(c, 'routes', { gateway: gw, routes: [{ match: Match.uri.prefix('/'), service: new GrayService(c, 'web', WEB) }] });
    expect(() => routes.addRoute({ match: Match.uri.prefix('/o'), service: other })).toThrow(/routes name services by their short host/);
    expect(() => routes.addRoute({ match: Match.sourceLabels({ app: 'x' }), service: other })).toThrow(/test the gateway's own port and pods/);
    const db = new GrayService(c, 'db', { image: 'example/db:1', ports: [{ name: 'tcp', port: 5432, protocol: Protocol.TCP }] });
    expect(() => routes.addRoute({ match: Match.uri.prefix('/db'), service: db })).toThrow(/db has no HTTP, HTTP2 or GRPC port/);
  });
});
