/**
 * A TrafficColoring bound to its IngressGateway: pods from the gateway's selector, the EnvoyFilter
 * scoped to the gateway's HTTP(S) server ports (route configurations) and hosts (in the script),
 * its namespace able to reach the gateway pods, JWT claims only from issuers verified there, and
 * the sticky weighted entry carried by the coloring.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ColoringRule, GatewayServer, GrayReleaseError, GrayService, IngressGateway, IngressGatewayProps, JwtIssuer, TrafficColoring, TrafficColoringProps, TrafficLane, UserKey,
} from '../../src';
import { laneAfterEach } from '../support/lua';

const ISSUER = 'https://idp.example.com';
const SVC = { image: 'example/app:1.0', port: 8080 };

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'shop', { disableResourceNameHashes: true, namespace });
}

function filterOf(c: Chart): any {
  return Testing.synth(c).find((o) => o.kind === 'EnvoyFilter');
}

/** An IngressGateway whose servers are given (the #12 contract allows HTTPS and TLS servers). */
class ServersGateway extends IngressGateway {
  public constructor(scope: Construct, id: string, props: IngressGatewayProps, servers: GatewayServer[]) {
    super(scope, id, props);
    Object.defineProperty(this, 'servers', { value: servers });
  }
}

function errorOf(build: (c: Chart) => void, c: Chart = chart()): GrayReleaseError {
  try {
    build(c);
    Testing.synth(c);
  } catch (e) {
    if (e instanceof GrayReleaseError) return e;
    // synth-time validations arrive as one Error listing every problem
    return { message: (e as Error).message, prop: '', path: '' } as GrayReleaseError;
  }
  throw new Error('expected an error');
}

describe('bound to a gateway', () => {
  const props: TrafficColoringProps = { header: 'x-lane', rules: [ColoringRule.clientHeaderEquals('agent', 'pc', 'canary')], defaultValue: 'base' };

  test('selects the gateway\'s pods and scopes the filter to its port, with the script per route', () => {
    // GIVEN a gateway with its own pod labels
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'], selector: { app: 'shop-gateway' }, port: 8000 });
    const coloring = new TrafficColoring(c, 'coloring', { ...props, gateway, name: 'shop-lanes' });
    // WHEN synthesized
    const ef = filterOf(c);
    // THEN the workload selector is the gateway's
    expect(ef.spec.workloadSelector).toEqual({ labels: { app: 'shop-gateway' } });
    const [insert, vhost, ...rest] = ef.spec.configPatches;
    expect(rest).toEqual([]);
    // AND the inserted Lua filter has a name of its own and no default script (a no-op elsewhere)
    expect(insert.applyTo).toBe('HTTP_FILTER');
    expect(insert.patch.value).toEqual({ name: 'gray-release.coloring.istio-system.shop-lanes', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua' } });
    // AND the script reaches only the route configuration of the server's port (Service port, not the listener's target port)
    expect(vhost.applyTo).toBe('VIRTUAL_HOST');
    expect(vhost.match).toEqual({ context: 'GATEWAY', routeConfiguration: { portNumber: 8000 } });
    expect(vhost.patch).toEqual({
      operation: 'MERGE',
      value: { typed_per_filter_config: { 'gray-release.coloring.istio-system.shop-lanes': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute', 'source_code': { inline_string: coloring.script } } } },
    });
    expect(coloring.hosts).toEqual(['shop.example.com']);
    expect(coloring.script).toContain('request_host(headers)');
  });

  test('HTTPS servers are matched by port, port name and Gateway; TLS passthrough and TCP servers are skipped', () => {
    // GIVEN a gateway with HTTP, HTTPS, passthrough and TCP servers
    const c = chart('shop');
    const gateway = new ServersGateway(c, 'gw', { hosts: ['a.example.com'] }, [
      { name: 'http', port: 80, protocol: 'HTTP', hosts: ['a.example.com'] },
      { name: 'https-a', port: 443, protocol: 'HTTPS', hosts: ['shop/a.example.com'] },
      { name: 'tls-b', port: 443, protocol: 'TLS', hosts: ['b.example.com'] },
      { name: 'tcp', port: 9000, protocol: 'TCP', hosts: ['c.example.com'] },
      { name: 'https-pass', port: 8443, protocol: 'HTTPS', hosts: ['d.example.com'], tls: { mode: 'PASSTHROUGH' } } as GatewayServer,
    ]);
    const coloring = new TrafficColoring(c, 'coloring', { ...props, gateway });
    // WHEN synthesized
    const matches = filterOf(c).spec.configPatches.slice(1).map((p: any) => p.match.routeConfiguration);
    // THEN one route-configuration patch per HTTP port and per HTTPS server
    expect(matches).toEqual([{ portNumber: 80 }, { portNumber: 443, portName: 'https-a', gateway: 'shop/gw' }]);
    // AND the script acts on the hosts of those servers only
    expect(coloring.hosts).toEqual(['a.example.com']);
  });

  test('two colorings on one gateway get filters of their own names (their per-route scripts cannot overwrite each other)', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const a = new TrafficColoring(c, 'a', { ...props, gateway });
    const b = new TrafficColoring(c, 'b', { ...props, header: 'x-other', gateway });
    Testing.synth(c);
    expect(a.filterName).not.toBe(b.filterName);
  });

  test('the EnvoyFilter may live in the gateway\'s namespace; another namespace is refused with the fix', () => {
    // GIVEN a gateway in namespace gateways
    const ok = chart();
    const gw = new IngressGateway(ok, 'gw', { hosts: ['shop.example.com'], namespace: 'gateways' });
    // WHEN the coloring is in that namespace, or in another one
    expect(new TrafficColoring(ok, 'coloring', { ...props, gateway: gw, namespace: 'gateways' }).namespace).toBe('gateways');
    const e = errorOf((c) => new TrafficColoring(c, 'coloring', { ...props, gateway: new IngressGateway(c, 'gw', { hosts: ['shop.example.com'], namespace: 'gateways' }), namespace: 'shop' }));
    // THEN the other namespace is refused, naming the prop and how to fix it
    expect(e.prop).toBe('namespace');
    expect(e.message).toMatch(/no gateway pod would be selected.*Fix: leave namespace unset/);
  });

  test('gateway and gatewaySelector together are refused', () => {
    const e = errorOf((c) => new TrafficColoring(c, 'coloring', { ...props, gateway: new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] }), gatewaySelector: { istio: 'ingressgateway' } }));
    expect(e.prop).toBe('gatewaySelector');
  });
});

describe('claims need a JwtIssuer verifying tokens on the same gateway pods', () => {
  const rules = [ColoringRule.jwtClaim(ISSUER, 'groups', 'beta', 'canary')];

  test('without an issuer the coloring is refused at synth, with the JwtIssuer to add', () => {
    const e = errorOf((c) => new TrafficColoring(c, 'coloring', { header: 'x-lane', rules, gateway: new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] }) }));
    expect(e.message).toMatch(/\[shop\/coloring\] rules\[0\]: the rule reads a claim of tokens of https:\/\/idp.example.com, but no JwtIssuer.*Fix: add new JwtIssuer/);
  });

  test('an issuer on other pods does not count; one on the same pods (gateway or selector) does', () => {
    expect(errorOf((c) => {
      new JwtIssuer(c, 'idp', { issuer: ISSUER, gatewaySelector: { app: 'other-gateway' } });
      new TrafficColoring(c, 'coloring', { header: 'x-lane', rules });
    }).message).toMatch(/no JwtIssuer/);
    const c = chart();
    new JwtIssuer(c, 'idp', { issuer: ISSUER });
    new TrafficColoring(c, 'coloring', { header: 'x-lane', rules });
    expect(() => Testing.synth(c)).not.toThrow();
  });

  test('JwtIssuer registers on its gateway (IngressGateway.jwtIssuers) and writes the RequestAuthentication', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const idp = new JwtIssuer(c, 'idp', { gateway, issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, audiences: ['shop'], fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }] });
    expect(gateway.jwtIssuers).toEqual([idp]);
    const ra = Testing.synth(c).find((o) => o.kind === 'RequestAuthentication');
    expect(ra.apiVersion).toBe('security.istio.io/v1');
    expect(ra.metadata.namespace).toBe('istio-system');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks`, audiences: ['shop'], fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }] }],
    });
  });
});

describe('sticky weighted entry through the coloring', () => {
  function shop(): { c: Chart; front: GrayService; lane: TrafficLane; coloring: TrafficColoring } {
    const c = new Chart(new App(), 'shop', { disableResourceNameHashes: true });
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const front = new GrayService(c, 'front', { ...SVC, gateway });
    const lane = new TrafficLane(c, 'canary', { name: 'canary', header: 'x-lane' });
    lane.addMember(front);
    const coloring = new TrafficColoring(c, 'coloring', { gateway, header: 'x-lane', rules: [ColoringRule.clientHeaderEquals('x-beta', '1', 'canary')] });
    return { c, front, lane, coloring };
  }

  test('the share becomes a cohort rule of the gateway\'s coloring, and no per-request weight is routed', () => {
    // GIVEN a lane entered by 12.5% of users, sticky by a cookie
    const { c, front, lane, coloring } = shop();
    lane.enterByWeight(front, 12.5, { stickyBy: UserKey.clientCookie('uid') });
    // WHEN synthesized
    const objects = Testing.synth(c);
    // THEN the coloring carries the cohort after its own rules, and the gateway VirtualService has no weighted rule
    expect(coloring.rules.map(String)).toEqual(['header x-beta == "1" -> canary', '12.5% of cookie uid (sticky hash) -> canary']);
    const gatewayVs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'vs-front-gateway');
    expect(gatewayVs.spec.http.map((r: any) => r.name)).toEqual(['lane-canary', 'base']);
    // AND a user keeps the lane across requests (the script runs in the Lua VM)
    const requests = Array.from({ length: 400 }, (_, i) => ({ ':authority': 'shop.example.com', 'cookie': `uid=u${i % 200}` }));
    const lanes = laneAfterEach(coloring.script, 'x-lane', requests);
    expect(lanes.slice(200)).toEqual(lanes.slice(0, 200));
    expect(lanes.filter((l) => l === 'canary').length).toBeGreaterThan(0);
  });

  test('without a coloring on the service\'s gateway the sticky entry is refused, naming the fix', () => {
    const c = chart();
    const front = new GrayService(c, 'front', { ...SVC, gateway: new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] }) });
    const lane = new TrafficLane(c, 'canary', { name: 'canary', header: 'x-lane' });
    lane.addMember(front);
    expect(() => lane.enterByWeight(front, 10, { stickyBy: UserKey.clientCookie('uid') })).toThrow(/no TrafficColoring is bound to the gateway gw.*Fix: create one/s);
  });

  test('cohorts on one key taking more than 100% are refused at synth', () => {
    const { c, front, lane } = shop();
    lane.enterByWeight(front, 60, { stickyBy: UserKey.clientCookie('uid') });
    const other = new TrafficLane(c, 'beta', { name: 'beta', header: 'x-lane' });
    other.addMember(front);
    other.enterByWeight(front, 50, { stickyBy: UserKey.clientCookie('uid') });
    expect(() => Testing.synth(c)).toThrow(/\[shop\/coloring\] rules: the cohorts on cookie uid take 110% of the users/);
  });
});
