/**
 * A service's versions, default route, own rules and route policy: where requests go (checked
 * with the independent evaluator), the order Istio reads the rules in, and that the service's
 * policy is on every rule the library writes for it, lanes and weighted entries included.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  CanaryStep, Fault, GrayReleaseError, GrayService, GrayServiceProps, HttpMethod, IngressGateway, Match, Release, Route, RetryOn, TrafficLane,
} from '../../src';
import { conformanceErrors, crdsAvailable } from '../support/conformance';
import { evaluateRequest } from '../support/request-eval';

const chart = () => new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
const V123: GrayServiceProps = { image: 'example/reviews:1.0', port: 9080, versions: [{ name: 'v1' }, { name: 'v2', image: 'example/reviews:2.0' }, { name: 'v3' }] };
const vsOf = (objects: any[], name: string) => objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === name);
const jason = Match.header('end-user').exact('jason');

describe('versions', () => {
  test('each version is a Deployment <service>-<version> with its image, and a subset named after it', () => {
    const c = chart();
    const s = new GrayService(c, 'reviews', V123);
    const objects = Testing.synth(c);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.template.metadata.labels.version, d.spec.template.spec.containers[0].image])).toEqual([
      ['reviews-v1', 'v1', 'example/reviews:1.0'], ['reviews-v2', 'v2', 'example/reviews:2.0'], ['reviews-v3', 'v3', 'example/reviews:1.0'],
    ]);
    expect(objects.find((o) => o.kind === 'DestinationRule').spec.subsets.map((x: any) => x.name)).toEqual(['v1', 'v2', 'v3']);
    expect(s.versions.map((v) => [v.name, v.deploymentName, v.subset])).toEqual([['v1', 'reviews-v1', 'v1'], ['v2', 'reviews-v2', 'v2'], ['v3', 'reviews-v3', 'v3']]);
    expect(s.baseVersion).toBe('v1');
    expect(Object.keys(s.versionDeployments)).toEqual(['v1', 'v2', 'v3']);
  });

  test('a version\'s env is added to the service\'s and its replicas replace the service\'s', () => {
    const c = chart();
    new GrayService(c, 'svc', { image: 'example/a:1', port: 80, replicas: 2, env: { A: { value: '1' } as any }, versions: [{ name: 'v1' }, { name: 'v2', env: { B: { value: '2' } as any }, replicas: 3 }] });
    const d = Testing.synth(c).filter((o) => o.kind === 'Deployment');
    expect(d.map((x) => x.spec.replicas)).toEqual([2, 3]);
    expect(d[1].spec.template.spec.containers[0].env.map((e: any) => e.name).sort()).toEqual(['A', 'B']);
    expect(d[0].spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(['A']);
  });

  test('the base Deployment is the default route\'s version (the one a Kruise release would release)', () => {
    const c = chart();
    const s = new GrayService(c, 'reviews', { ...V123, defaultRoute: Route.to('v2') });
    expect(s.baseVersion).toBe('v2');
    expect(s.names.deployment).toBe('reviews-v2');
  });
});

describe('routes', () => {
  test('a rule sends jason to v2, the default route splits the others, and it is the only match-less rule, last', () => {
    const c = chart();
    new GrayService(c, 'reviews', { ...V123, defaultRoute: Route.split({ v1: 50, v3: 50 }), routes: [{ match: jason, route: Route.to('v2') }] });
    const objects = Testing.synth(c);
    const vs = vsOf(objects, 'vs-reviews');
    expect(vs.spec.http.map((r: any) => [r.name, r.match === undefined])).toEqual([['to-v2', false], ['default', true]]);
    expect(evaluateRequest(objects, { to: 'reviews', headers: { 'end-user': 'jason' } }).reaches).toEqual({ 'reviews-v2': 100 });
    expect(evaluateRequest(objects, { to: 'reviews' }).reaches).toEqual({ 'reviews-v1': 50, 'reviews-v3': 50 });
  });

  test('every match kind renders as Istio reads it', () => {
    const c = chart();
    new GrayService(c, 'reviews', {
      ...V123,
      routes: [
        { name: 'beta', match: Match.header('x-beta').present().and(Match.header('x-opt-out').absent()), route: Route.to('v3') },
        { name: 'api', match: [Match.uri.prefix('/api').and(Match.method(HttpMethod.POST)), Match.uri.regex('/v[0-9]+/.*')], route: Route.to('v2') },
        { name: 'debug', match: Match.queryParam('debug').exact('1').and(Match.header('end-user').prefix('qa-')), route: Route.to('v2') },
        { name: 'from-pp', match: Match.sourceLabels({ app: 'productpage' }).and(Match.port(9080)), route: Route.to('v3') },
      ],
    });
    const objects = Testing.synth(c);
    const http = vsOf(objects, 'vs-reviews').spec.http;
    expect(http.map((r: any) => r.match)).toEqual([
      [{ headers: { 'x-beta': {} }, withoutHeaders: { 'x-opt-out': {} } }],
      [{ uri: { prefix: '/api' }, method: { exact: 'POST' } }, { uri: { regex: '/v[0-9]+/.*' } }],
      [{ headers: { 'end-user': { prefix: 'qa-' } }, queryParams: { debug: { exact: '1' } } }],
      [{ port: 9080, sourceLabels: { app: 'productpage' } }],
      undefined,
    ]);
    const go = (r: object) => evaluateRequest(objects, { to: 'reviews', ...r }).reaches;
    expect(go({ headers: { 'x-beta': '' } })).toEqual({ 'reviews-v3': 100 });
    expect(go({ headers: { 'x-beta': '1', 'x-opt-out': '1' } })).toEqual({ 'reviews-v1': 100 });
    expect(go({ path: '/api/x', method: 'POST' })).toEqual({ 'reviews-v2': 100 });
    expect(go({ path: '/api/x' })).toEqual({ 'reviews-v1': 100 });
    expect(go({ path: '/v2/items' })).toEqual({ 'reviews-v2': 100 });
    expect(go({ path: '/?debug=1', headers: { 'end-user': 'qa-7' } })).toEqual({ 'reviews-v2': 100 });
    expect(go({ sourceLabels: { app: 'productpage' } })).toEqual({ 'reviews-v3': 100 });
  });

  test('rules on the Service port or the calling pod stay out of the gateway VirtualService', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    new GrayService(c, 'reviews', { ...V123, gateway, routes: [{ match: Match.port(9080), route: Route.to('v3') }, { match: jason, route: Route.to('v2') }] });
    const objects = Testing.synth(c);
    expect(vsOf(objects, 'vs-reviews').spec.http.map((r: any) => r.name)).toEqual(['to-v3', 'to-v2', 'default']);
    expect(vsOf(objects, 'vs-reviews-gateway').spec.http.map((r: any) => r.name)).toEqual(['to-v2', 'default']);
  });

  test('a lane\'s rule sits ahead of the service\'s rules, and the weighted entry leaves its share to the default split', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const s = new GrayService(c, 'reviews', { ...V123, gateway, defaultRoute: Route.split({ v1: 50, v3: 50 }), routes: [{ match: jason, route: Route.to('v2') }] });
    const lane = new TrafficLane(c, 'lane', { name: 'gray', header: 'x-lane' });
    lane.addMember(s);
    lane.enterByWeight(s, 10);
    const objects = Testing.synth(c);
    const http = vsOf(objects, 'vs-reviews-gateway').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['lane-gray', 'weighted-lane-entry', 'to-v2', 'default']);
    // 45% v1, 45% v3, 10% lane: the lanes' 10% taken from each version in proportion.
    expect(http[1].route.map((d: any) => [d.destination.subset, d.weight])).toEqual([['v1', 45], ['v3', 45], ['lane-gray', 10]]);
    const entry = evaluateRequest(objects, { to: 'gateway', port: 80, host: 'shop.example.com' }).reaches;
    expect(entry).toEqual({ 'reviews-v1': 45, 'reviews-v3': 45, 'reviews-gray': 10 });
    expect(evaluateRequest(objects, { to: 'reviews', headers: { 'x-lane': 'gray', 'end-user': 'jason' } }).reaches).toEqual({ 'reviews-gray': 100 });
  });
});

describe('route policy', () => {
  test('the service\'s policy is on every rule it writes: lane rule, own rule, weighted entry, default route', () => {
    const c = chart();
    const gateway = new IngressGateway(c, 'gw', { hosts: ['shop.example.com'] });
    const s = new GrayService(c, 'reviews', {
      ...V123,
      gateway,
      routePolicy: { timeout: Duration.seconds(10), retries: { attempts: 2, perTryTimeout: Duration.seconds(3), retryOn: [RetryOn.GATEWAY_ERROR, 503] } },
      routes: [{ match: jason, route: Route.to('v2', { timeout: Duration.seconds(2) }) }],
    });
    const lane = new TrafficLane(c, 'lane', { name: 'gray', header: 'x-lane' });
    lane.addMember(s);
    lane.enterByWeight(s, 10);
    const objects = Testing.synth(c);
    for (const name of ['vs-reviews', 'vs-reviews-gateway']) {
      for (const rule of vsOf(objects, name).spec.http) {
        expect({ rule: rule.name, retries: rule.retries }).toEqual({ rule: rule.name, retries: { attempts: 2, perTryTimeout: '3s', retryOn: 'gateway-error,503' } });
        // The rule's own timeout overrides the service's; every other rule keeps the service's.
        expect({ rule: rule.name, timeout: rule.timeout }).toEqual({ rule: rule.name, timeout: rule.name === 'to-v2' ? '2s' : '10s' });
      }
    }
  });

  test('faults, mirror, header changes and CORS render as Istio\'s fields and validate against the CRD', () => {
    const c = chart();
    new GrayService(c, 'reviews', {
      ...V123,
      routePolicy: {
        requestHeaders: { set: { 'x-from': 'mesh' }, remove: ['x-debug'] },
        responseHeaders: { add: { 'x-served-by': 'reviews' } },
        cors: { allowOrigins: ['https://shop.example.com'], allowMethods: [HttpMethod.GET], maxAge: Duration.hours(1), allowCredentials: true },
      },
      routes: [{ match: jason, route: Route.to('v2', { fault: Fault.delay(Duration.millis(1500), { percent: 10 }).and(Fault.abort(503, { percent: 1.5 })) }) }],
      defaultRoute: Route.to('v1', { mirror: { version: 'v3', percent: 20 } }),
    });
    const objects = Testing.synth(c);
    const [rule, dflt] = vsOf(objects, 'vs-reviews').spec.http;
    expect(rule.fault).toEqual({ delay: { fixedDelay: '1.5s', percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 1.5 } } });
    expect(dflt.mirror).toEqual({ host: 'reviews', subset: 'v3' });
    expect(dflt.mirrorPercentage).toEqual({ value: 20 });
    expect(dflt.headers).toEqual({ request: { set: { 'x-from': 'mesh' }, remove: ['x-debug'] }, response: { add: { 'x-served-by': 'reviews' } } });
    expect(dflt.corsPolicy).toEqual({ allowOrigins: [{ exact: 'https://shop.example.com' }], allowMethods: ['GET'], maxAge: '3600s', allowCredentials: true });
    if (crdsAvailable()) expect(objects.flatMap((o) => conformanceErrors(o))).toEqual([]);
  });

  test('a split default route is refused with a Kruise weight release (Kruise would add a canary destination per version)', () => {
    const c = chart();
    expect(() => new GrayService(c, 'reviews', { ...V123, defaultRoute: Route.split({ v1: 50, v3: 50 }), release: Release.canary({ steps: [CanaryStep.traffic(20, { replicas: 1 })] }) }))
      .toThrow(/Kruise's weight mode would add one canary destination per version/);
    // Header matches leave the match-less rule alone, so they are fine.
    expect(() => new GrayService(chart(), 'reviews', { ...V123, defaultRoute: Route.split({ v1: 50, v3: 50 }), release: { matches: [{ name: 'x-canary', value: '1' }] } })).not.toThrow();
  });

  test('every policy problem is reported at once, with its prop', () => {
    let error: GrayReleaseError | undefined;
    try {
      new GrayService(chart(), 'reviews', {
        ...V123,
        routePolicy: { timeout: Duration.millis(0), retries: { attempts: 1.5 }, fault: Fault.abort(99), cors: { allowOrigins: ['shop'] } },
        routes: [{ match: Match.header('Bad').exact('x').and(Match.uri.exact('a')).and(Match.uri.prefix('/b')), route: Route.split({ v1: 50, v9: 50 }) }],
      });
    } catch (e) {
      error = e as GrayReleaseError;
    }
    expect(error?.problems.map((p) => p.prop).sort()).toEqual([
      'routePolicy.cors.allowOrigins', 'routePolicy.fault.abort', 'routePolicy.retries.attempts', 'routePolicy.timeout',
      'routes[0].match', 'routes[0].match', 'routes[0].match', 'routes[0].route',
    ]);
  });
});
