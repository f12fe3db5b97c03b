/**
 * The bad-input contract, in one table: every row is an input the library must refuse. For each
 * row the chart is built inside an App with a fresh output folder and synthesized; the error
 * (thrown by a constructor, or by `app.synth()` from a synth-time validation) must name the
 * construct path in brackets, the prop, and what to do (`Fix: ...`), and the output folder must
 * hold no file afterwards (cdk8s creates the folder, then validates, then writes).
 *
 * The rows consolidate the per-construct tests and add the cross-construct cases: collisions
 * between services, gateways hosts, dynamic-subset hosts, object names, Argo CD and lanes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  applySyncWaves, ArgoCdApplication, CanaryStep, ColoringRule, DynamicSubsetRouting, DynamicSubsetRoutingProps, FallbackPolicy,
  GatewayProtocol, GatewayRoutes, GrayReleaseError, GrayService, GrayServiceProps, IngressGateway, IstioApiVersion, JwtIssuer, LaneMode, Match, MeshTarget,
  POD_IP_KEY, Protocol, ProxyScoping, Release, RetryPolicy, Route, TrafficColoring, TrafficLane, UserKey, ZeroTrust,
} from '../src';
import { ARGOCD_CASES, BadInput, KRUISE_CASES, LANE_MATCH } from './bad-inputs/kruise-argocd';

const SVC: GrayServiceProps = { image: 'example/app:1.0', port: 8080 };
const H = 'x-lane';
const gateway = (c: Chart, hosts = ['shop.example.com'], extra: object = {}) => new IngressGateway(c, 'gw', { hosts, ...extra });
const progressive = (c: Chart, id: string, release: GrayServiceProps['release'] = {}) => new GrayService(c, id, { ...SVC, release });
const V12: GrayServiceProps = { ...SVC, versions: [{ name: 'v1' }, { name: 'v2' }] };
const jason = Match.header('end-user').exact('jason');
const DSR_ASM: DynamicSubsetRoutingProps = {
  target: MeshTarget.ASM,
  service: { name: 'hello', port: 5000 },
  workloads: [{ name: 'hello-v1', podLabels: { app: 'hello', version: 'v1' } }, { name: 'hello-v2', podLabels: { app: 'hello', version: 'v2' } }],
  subsetSelectors: [{ keys: ['version'] }],
  headerMappings: [{ header: 'x-version', key: 'version' }],
};
const dsr = (c: Chart, props: Partial<DynamicSubsetRoutingProps> = {}) => new DynamicSubsetRouting(c, 'dsr', { ...DSR_ASM, ...props });
const argo = (c: Chart, app: App, props: object = {}) => {
  const synced = new Chart(app, 'shop');
  new GrayService(synced, 'svc', SVC);
  return new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/repo.git', path: 'dist/shop', charts: [synced], ...props });
};

const CASES: BadInput[] = [
  // ---- GrayService and IngressGateway --------------------------------------------------------
  { construct: 'GrayService', what: 'a name that is not a DNS-1035 label', build: (c) => new GrayService(c, 'svc', { ...SVC, name: 'Cart_1' }), at: 'svc', prop: 'name', message: /not a DNS-1035 label/ },
  { construct: 'GrayService', what: 'a Service name starting with a digit', build: (c) => new GrayService(c, 'svc', { ...SVC, name: '1shop' }), at: 'svc', prop: 'name', message: /"1shop" is not a DNS-1035 label/ },
  { construct: 'GrayService', what: 'an upper-case object name through names', build: (c) => new GrayService(c, 'svc', { ...SVC, names: { deployment: 'Cart' } }), at: 'svc', prop: 'names.deployment', message: /"Cart" is not a DNS-1123 label/ },
  { construct: 'GrayService', what: 'an image reference with a shell metacharacter', build: (c) => new GrayService(c, 'svc', { ...SVC, image: 'example/app:1.0;rm' }), at: 'svc', prop: 'image', message: /not an image reference/ },
  { construct: 'GrayService', what: 'port 0', build: (c) => new GrayService(c, 'svc', { ...SVC, port: 0 }), at: 'svc', prop: 'port', message: /from 1 to 65535/ },
  { construct: 'GrayService', what: 'a pod label the library owns', build: (c) => new GrayService(c, 'svc', { ...SVC, podLabels: { app: 'other' } }), at: 'svc', prop: 'podLabels', message: /set by the library/ },
  { construct: 'GrayService', what: 'Kruise\'s canary marker as the version label', build: (c) => new GrayService(c, 'svc', { ...SVC, versionLabel: 'istio.service.tag' }), at: 'svc', prop: 'versionLabel', message: /Kruise sets itself/ },
  { construct: 'GrayService', what: 'the propagation variable in env', build: (c) => new GrayService(c, 'svc', { ...SVC, env: { GRAY_RELEASE_PROPAGATE_HEADERS: {} as any } }), at: 'svc', prop: 'env', message: /set by the library/ },
  { construct: 'GrayService', what: 'a call to something that is not a host', build: (c) => new GrayService(c, 'svc', { ...SVC, calls: ['http://cart'] }), at: 'svc', prop: 'calls', message: /not a service host/ },
  { construct: 'GrayService', what: 'a canary version equal to the base version', build: (c) => progressive(c, 'svc', { matches: LANE_MATCH, canaryVersion: 'base' }), at: 'svc', prop: 'release.canaryVersion', message: /join the base subset/ },
  { construct: 'GrayService', what: 'an uppercase release header', build: (c) => progressive(c, 'svc', { matches: [{ name: 'X-Lane', value: 'canary' }] }), at: 'svc', prop: 'release.matches', message: /lowercase header name/ },
  { construct: 'GrayService', what: 'a release no traffic reaches', build: (c) => progressive(c, 'svc', {}), at: 'svc', prop: 'release', message: /has no header match/ },
  { construct: 'GrayService', what: 'a base subset named like Kruise\'s canary subset', build: (c) => new GrayService(c, 'svc', { ...SVC, names: { baseSubset: 'canary' }, release: { matches: LANE_MATCH } }), at: 'svc', prop: 'names.baseSubset', message: /is the subset Kruise appends during a release/ },
  { construct: 'GrayService', what: 'gatewayHosts without a gateway', build: (c) => new GrayService(c, 'svc', { ...SVC, gatewayHosts: ['shop.example.com'] }), at: 'svc', prop: 'gatewayHosts', message: /no gateway/ },
  { construct: 'GrayService', what: 'a gateway host the gateway does not accept', build: (c) => new GrayService(c, 'svc', { ...SVC, gateway: gateway(c), gatewayHosts: ['admin.example.com'] }), at: 'svc', prop: 'gatewayHosts', message: /does not accept the host "admin.example.com"/ },
  { construct: 'GrayService', what: 'a host that only ends like the gateway\'s wildcard domain', build: (c) => new GrayService(c, 'svc', { ...SVC, gateway: gateway(c, ['*.example.com']), gatewayHosts: ['badexample.com'] }), at: 'svc', prop: 'gatewayHosts', message: /does not accept the host "badexample.com"/ },
  { construct: 'GrayService', what: 'an invalid gateway host under a catch-all gateway', build: (c) => new GrayService(c, 'svc', { ...SVC, gateway: gateway(c, ['*'], { allowAnyHost: true }), gatewayHosts: ['Shop_Host'] }), at: 'svc', prop: 'gatewayHosts', message: /not a VirtualService host/ },
  { construct: 'GrayService', what: 'a gateway that only admits VirtualServices from another namespace', build: (c) => new GrayService(c, 'svc', { ...SVC, namespace: 'shop', gateway: gateway(c, ['istio-system/shop.example.com']) }), at: 'svc', prop: 'gateway', message: /only from other namespaces/ },
  { construct: 'GrayService', what: 'a gateway host pinned to another namespace', build: (c) => new GrayService(c, 'svc', { ...SVC, namespace: 'shop', gateway: gateway(c, ['istio-system/shop.example.com', '*/api.example.com']), gatewayHosts: ['shop.example.com'] }), at: 'svc', prop: 'gatewayHosts', message: /in namespace shop/ },
  {
    construct: 'GrayService',
    what: 'two GrayServices with the same name in one namespace (Service, DR, VS collide)',
    build: (c) => {
      new GrayService(c, 'cart', SVC); new GrayService(c, 'cart-again', { ...SVC, name: 'cart' });
    },
    at: 'cart-again',
    prop: 'names',
    message: /the Service "cart" is also written by test\/cart/,
  },
  {
    construct: 'GrayService',
    what: 'two services exposing the same gateway host',
    build: (c) => {
      const gw = gateway(c); new GrayService(c, 'web', { ...SVC, gateway: gw }); new GrayService(c, 'api', { ...SVC, gateway: gw });
    },
    at: 'api',
    prop: 'gatewayHosts',
    message: /host shop.example.com on the gateway gw is also written by test\/web/,
  },
  {
    construct: 'GrayService',
    what: 'a GrayService whose host a DynamicSubsetRouting also routes',
    build: (c) => {
      new GrayService(c, 'hello', SVC); dsr(c);
    },
    at: 'hello',
    prop: 'name',
    message: /mesh routing .* of the service hello is also written by test\/dsr/,
  },
  { construct: 'GrayService', what: 'the same name for the mesh and the gateway VirtualService', build: (c) => new GrayService(c, 'svc', { ...SVC, gateway: gateway(c), names: { virtualService: 'vs', gatewayVirtualService: 'vs' } }), at: 'svc', prop: 'names', message: /VirtualService "vs" is also written/ },
  {
    construct: 'GrayService',
    what: 'a Deployment name another service uses',
    build: (c) => {
      new GrayService(c, 'a', { ...SVC, baseVersion: 'v1' }); new GrayService(c, 'b', { ...SVC, names: { deployment: 'a-v1' } });
    },
    at: 'b',
    prop: 'names',
    message: /Deployment "a-v1" is also written by test\/a/,
  },
  { construct: 'IngressGateway', what: 'the catch-all host without allowAnyHost', build: (c) => gateway(c, ['*']), at: 'gw', prop: 'hosts', message: /allowAnyHost: true/ },
  { construct: 'IngressGateway', what: 'an empty selector', build: (c) => gateway(c, undefined, { selector: {} }), at: 'gw', prop: 'selector', message: /every gateway pod/ },
  { construct: 'IngressGateway', what: 'a host with a scheme', build: (c) => gateway(c, ['http://shop.example.com']), at: 'gw', prop: 'hosts', message: /\[namespace\/\]host form/ },

  // ---- routing: versions, routes, policies, ports (issue #12) -------------------------------
  { construct: 'GrayService', what: 'split weights that do not sum to 100', build: (c) => new GrayService(c, 'svc', { ...V12, defaultRoute: Route.split({ v1: 50, v2: 40 }) }), at: 'svc', prop: 'defaultRoute', message: /the weights sum to 90/ },
  { construct: 'GrayService', what: 'a route to an unknown version', build: (c) => new GrayService(c, 'svc', { ...V12, routes: [{ match: jason, route: Route.to('v9') }] }), at: 'svc', prop: 'routes[0].route', message: /unknown version "v9"/ },
  {
    construct: 'GrayService',
    what: 'a header rule on a TCP-only service',
    build: (c) => new GrayService(c, 'svc', { image: SVC.image, ports: [{ name: 'tcp', port: 5432, protocol: Protocol.TCP }], versions: [{ name: 'v1' }], routes: [{ match: jason, route: Route.to('v1') }] }),
    at: 'svc',
    prop: 'routes',
    message: /no HTTP, HTTP2 or GRPC port/,
  },
  { construct: 'GrayService', what: 'a timeout of 0', build: (c) => new GrayService(c, 'svc', { ...SVC, routePolicy: { timeout: Duration.millis(0) } }), at: 'svc', prop: 'routePolicy.timeout', message: /at least 1 ms/ },
  { construct: 'GrayService', what: 'retries without attempts', build: (c) => new GrayService(c, 'svc', { ...SVC, routePolicy: { retries: {} as RetryPolicy } }), at: 'svc', prop: 'routePolicy.retries.attempts', message: /without attempts/ },
  { construct: 'GrayService', what: 'a JWT claim match away from a gateway', build: (c) => new GrayService(c, 'svc', { ...V12, routes: [{ match: Match.jwtClaim('groups').exact('beta'), route: Route.to('v2') }] }), at: 'svc', prop: 'routes[0].match', message: /only at an ingress gateway/ },
  { construct: 'GrayService', what: 'a mirror to the version that serves', build: (c) => new GrayService(c, 'svc', { ...V12, defaultRoute: Route.to('v1', { mirror: { version: 'v1' } }) }), at: 'svc', prop: 'defaultRoute.mirror', message: /also serves the route/ },
  {
    construct: 'GrayService',
    what: 'a port number used twice',
    build: (c) => new GrayService(c, 'svc', { image: SVC.image, ports: [{ name: 'http', port: 80, protocol: Protocol.HTTP }, { name: 'grpc', port: 80, protocol: Protocol.GRPC }] }),
    at: 'svc',
    prop: 'ports',
    message: /the port number 80 is used twice/,
  },
  {
    construct: 'GrayService',
    what: 'a port name used twice',
    build: (c) => new GrayService(c, 'svc', { image: SVC.image, ports: [{ name: 'http', port: 80, protocol: Protocol.HTTP }, { name: 'http', port: 81, protocol: Protocol.HTTP }] }),
    at: 'svc',
    prop: 'ports',
    message: /the port name http is used twice/,
  },
  { construct: 'GrayService', what: 'a port name that says another protocol', build: (c) => new GrayService(c, 'svc', { image: SVC.image, ports: [{ name: 'http-db', port: 5432, protocol: Protocol.TCP }] }), at: 'svc', prop: 'ports[0].name', message: /does not say TCP/ },
  { construct: 'GrayService', what: 'a version listed twice', build: (c) => new GrayService(c, 'svc', { ...SVC, versions: [{ name: 'v1' }, { name: 'v1' }] }), at: 'svc', prop: 'versions[1].name', message: /listed twice/ },
  { construct: 'IngressGateway', what: 'an HTTPS server without a credential', build: (c) => gateway(c, undefined, { servers: [{ port: 443, protocol: GatewayProtocol.HTTPS }] }), at: 'gw', prop: 'servers[0].credentialName', message: /has no certificate/ },
  { construct: 'IngressGateway', what: 'two servers on one port', build: (c) => gateway(c, undefined, { servers: [{ port: 443, protocol: GatewayProtocol.HTTP }, { port: 443, protocol: GatewayProtocol.TLS }] }), at: 'gw', prop: 'servers', message: /two servers use the port 443/ },
  {
    construct: 'TrafficLane',
    what: 'a version named like the lane\'s subset',
    build: (c) => new TrafficLane(c, 'lane', { name: 'gray', header: H }).addMember(new GrayService(c, 'svc', { ...SVC, versions: [{ name: 'v1' }, { name: 'lane-gray' }] })),
    at: 'lane',
    prop: 'addMember',
    message: /has the subset "lane-gray", the subset this lane needs/,
  },
  {
    construct: 'GatewayRoutes',
    what: 'a path route to a service with a Kruise release',
    build: (c) => new GatewayRoutes(c, 'routes', { gateway: gateway(c), routes: [{ match: Match.uri.prefix('/'), service: progressive(c, 'svc', { matches: LANE_MATCH }) }] }),
    at: 'routes',
    prop: 'routes[0].service',
    message: /cannot list this VirtualService/,
  },
  { construct: 'GatewayRoutes', what: 'a path route without a match', build: (c) => new GatewayRoutes(c, 'routes', { gateway: gateway(c), routes: [{ match: [], service: new GrayService(c, 'svc', SVC) }] }), at: 'routes', prop: 'routes[0].match', message: /would catch every request/ },
  {
    construct: 'GatewayRoutes',
    what: 'a JWT claim route on a gateway that validates no JWT',
    build: (c) => new GatewayRoutes(c, 'routes', { gateway: gateway(c), routes: [{ match: Match.jwtClaim('groups').exact('beta'), service: new GrayService(c, 'svc', SVC) }] }),
    at: 'routes',
    prop: 'routes',
    message: /validates no JWT/,
  },

  // ---- GrayService workloads: pod recipe, identity, scaling, adoption ----------------------------
  { construct: 'GrayService', what: 'a PDB whose minAvailable equals the replicas (a drain never finishes)', build: (c) => new GrayService(c, 'svc', { ...SVC, replicas: 2, disruptionBudget: { minAvailable: 2 } }), at: 'svc', prop: 'disruptionBudget.minAvailable', message: /lets no pod be evicted, so a node drain would never finish/ },
  { construct: 'GrayService', what: 'a PDB with both bounds', build: (c) => new GrayService(c, 'svc', { ...SVC, disruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }), at: 'svc', prop: 'disruptionBudget', message: /policy\/v1 allows one/ },
  { construct: 'GrayService', what: 'an HPA whose minReplicas is above maxReplicas', build: (c) => new GrayService(c, 'svc', { ...SVC, autoscaling: { minReplicas: 5, maxReplicas: 3 } }), at: 'svc', prop: 'autoscaling.minReplicas', message: /minReplicas 5 is above maxReplicas 3/ },
  { construct: 'GrayService', what: 'replicas and an HPA together', build: (c) => new GrayService(c, 'svc', { ...SVC, replicas: 3, autoscaling: { maxReplicas: 5 } }), at: 'svc', prop: 'replicas', message: /Argo CD and the HPA would fight/ },
  { construct: 'GrayService', what: 'an absolute canary step with a traffic weight on an autoscaled service', build: (c) => new GrayService(c, 'svc', { ...SVC, autoscaling: { maxReplicas: 5 }, release: Release.canary({ steps: [CanaryStep.traffic(10, { replicas: 2 })] }) }), at: 'svc', prop: 'release.steps', message: /Kruise does not autoscale the canary/ },
  { construct: 'GrayService', what: 'a writable path that is not absolute', build: (c) => new GrayService(c, 'svc', { ...SVC, writablePaths: ['opt/ol/wlp/output'] }), at: 'svc', prop: 'writablePaths', message: /"opt\/ol\/wlp\/output" is not an absolute container path/ },
  { construct: 'GrayService', what: 'a writable path with ".."', build: (c) => new GrayService(c, 'svc', { ...SVC, writablePaths: ['/tmp/../etc'] }), at: 'svc', prop: 'writablePaths', message: /not an absolute container path/ },
  { construct: 'GrayService', what: 'a path mounted twice', build: (c) => new GrayService(c, 'svc', { ...SVC, writablePaths: ['/data', '/data'] }), at: 'svc', prop: 'writablePaths', message: /mounted twice/ },
  { construct: 'GrayService', what: 'a ServiceAccount name that is not DNS-1123', build: (c) => new GrayService(c, 'svc', { ...SVC, serviceAccount: { name: 'Shop_SA' } }), at: 'svc', prop: 'serviceAccount.name', message: /"Shop_SA" is not a valid ServiceAccount name \(a DNS-1123 subdomain\)/ },
  { construct: 'GrayService', what: 'an adopted selector that does not select the recipe\'s labels', build: (c) => new GrayService(c, 'svc', { ...SVC, adopt: { selector: { app: 'legacy' } } }), at: 'svc', prop: 'adopt.selector', message: /does not select the pods the recipe labels/ },
  { construct: 'GrayService', what: 'an adopted selector with the version label Kruise relabels (R21)', build: (c) => new GrayService(c, 'svc', { ...SVC, adopt: { selector: { app: 'svc', version: 'base' } }, release: { matches: LANE_MATCH } }), at: 'svc', prop: 'adopt.selector', message: /Kruise's canary Deployment keeps the selector/ },
  { construct: 'GrayService', what: 'a version overriding something only the recipe may set', build: (c) => new GrayService(c, 'svc', SVC)._addVersion({ name: 'v2', volumes: [] } as any), at: 'svc', prop: 'versions[v2].volumes', message: /part of the service's pod recipe/ },
  { construct: 'TrafficLane', what: 'a lane overriding something only the recipe may set', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H }).addMember(new GrayService(c, 'svc', SVC), { securityContext: { user: 0 } } as any), at: 'lane', prop: 'addMember.securityContext', message: /may override only image, env, replicas and resources/ },
  {
    construct: 'GrayService',
    what: 'a volume added to the base Deployment only (lanes would lack it)',
    build: (c) => {
      const svc = new GrayService(c, 'svc', SVC);
      svc.deployment.addVolume(kplus.Volume.fromEmptyDir(c, 'cache', 'cache'));
      new TrafficLane(c, 'lane', { name: 'dev', header: H }).addMember(svc);
    },
    at: 'svc',
    prop: 'onEachWorkload',
    message: /svc-dev differs from svc-base in volumes/,
  },

  ...KRUISE_CASES,

  // ---- TrafficLane ----------------------------------------------------------------------------
  { construct: 'TrafficLane', what: 'an uppercase lane name', build: (c) => new TrafficLane(c, 'lane', { name: 'Dev', header: H }), at: 'lane', prop: 'name', message: /not a lane name/ },
  { construct: 'TrafficLane', what: 'a hop-by-hop lane header', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: 'connection' }), at: 'lane', prop: 'header', message: /cannot carry a lane/ },
  { construct: 'TrafficLane', what: 'a lane header cdk8s cannot serialize as a match key ("constructor")', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: 'constructor' }), at: 'lane', prop: 'header', message: /cdk8s cannot serialize/ },
  { construct: 'TrafficLane', what: 'a lane value with a comma', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H, value: 'a,b' }), at: 'lane', prop: 'value', message: /not a lane value/ },
  { construct: 'TrafficLane', what: 'a static lane named like the base version', build: (c) => new TrafficLane(c, 'lane', { name: 'base', header: H }).addMember(new GrayService(c, 'svc', SVC)), at: 'lane', prop: 'name', message: /would join that version's subset/ },
  { construct: 'TrafficLane', what: 'a bad image for a static member', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H }).addMember(new GrayService(c, 'svc', SVC), { image: 'Bad Image' }), at: 'lane', prop: 'addMember image', message: /not an image reference/ },
  { construct: 'TrafficLane', what: 'a progressive member without a release', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H, mode: LaneMode.PROGRESSIVE }).addMember(new GrayService(c, 'svc', SVC)), at: 'lane', prop: 'addMember', message: /has no release/ },
  { construct: 'TrafficLane', what: 'a progressive member whose release matches another header', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H, mode: LaneMode.PROGRESSIVE }).addMember(progressive(c, 'svc', { matches: [{ name: 'x-user', value: 'qa' }] })), at: 'lane', prop: 'addMember', message: /Kruise runs one canary per service/ },
  { construct: 'TrafficLane', what: 'Deployment options on a progressive member', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H, mode: LaneMode.PROGRESSIVE }).addMember(progressive(c, 'svc'), { replicas: 2 }), at: 'lane', prop: 'addMember', message: /lane dev is progressive/ },
  { construct: 'TrafficLane', what: 'a lane without members', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H }), at: 'lane', prop: 'members', message: /has no member/ },
  {
    construct: 'TrafficLane',
    what: 'two lanes with the same header and value',
    build: (c) => {
      const s = new GrayService(c, 'svc', SVC);
      new TrafficLane(c, 'one', { name: 'one', header: H, value: 'x' }).addMember(s); new TrafficLane(c, 'two', { name: 'two', header: H, value: 'x' }).addMember(s);
    },
    at: 'two',
    prop: 'value',
    message: /could not tell the lanes apart/,
  },
  { construct: 'TrafficLane', what: 'a weighted entry into a progressive lane', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H, mode: LaneMode.PROGRESSIVE }).enterByWeight(new GrayService(c, 'svc', { ...SVC, gateway: gateway(c) }), 10), at: 'lane', prop: 'enterByWeight', message: /is progressive/ },
  { construct: 'TrafficLane', what: 'a weighted entry at a non-member', build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H }).enterByWeight(new GrayService(c, 'svc', { ...SVC, gateway: gateway(c) }), 10), at: 'lane', prop: 'enterByWeight', message: /not a member of the lane dev/ },
  {
    construct: 'TrafficLane',
    what: 'weighted entries taking more than 100%',
    build: (c) => {
      const s = new GrayService(c, 'svc', { ...SVC, gateway: gateway(c) });
      for (const [name, share] of [['a', 60], ['b', 50]] as const) {
        const l = new TrafficLane(c, name, { name, header: H }); l.addMember(s); l.enterByWeight(s, share);
      }
    },
    at: 'b',
    prop: 'enterByWeight',
    message: /take 110%/,
  },
  {
    construct: 'TrafficLane',
    what: 'a coloring whose header differs from the lane\'s',
    build: (c) => new TrafficLane(c, 'lane', { name: 'dev', header: H }).enterByColoring(new TrafficColoring(c, 'col', { header: 'x-other', defaultValue: 'dev' })),
    at: 'lane',
    prop: 'enterByColoring',
    message: /color with the header "x-lane"/,
  },
  {
    construct: 'TrafficLane',
    what: 'a coloring that never sets the lane\'s value',
    build: (c) => {
      const l = new TrafficLane(c, 'lane', { name: 'dev', header: H }); l.addMember(new GrayService(c, 'svc', SVC));
      l.enterByColoring(new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.headerEquals('agent', 'pc', 'qa')] }));
    },
    at: 'lane',
    prop: 'enterByColoring',
    message: /never sets the lane's value "dev"/,
  },
  {
    construct: 'TrafficLane',
    what: 'a caller on the lane\'s path that does not propagate the header',
    build: (c) => {
      const back = new GrayService(c, 'back', SVC); new GrayService(c, 'front', { ...SVC, calls: [back] });
      new TrafficLane(c, 'lane', { name: 'dev', header: H }).addMember(back);
    },
    at: 'lane',
    prop: 'services',
    message: /front calls back.*does not propagate x-lane/,
  },

  // ---- TrafficColoring ------------------------------------------------------------------------
  { construct: 'TrafficColoring', what: 'an uppercase header', build: (c) => new TrafficColoring(c, 'col', { header: 'X-Lane', defaultValue: 'base' }), at: 'col', prop: 'header', message: /not a valid request header name/ },
  { construct: 'TrafficColoring', what: 'a rule that reads the lane header itself', build: (c) => new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.headerPresent(H, 'dev')] }), at: 'col', prop: 'rules[0]', message: /client would choose its own lane/ },
  { construct: 'TrafficColoring', what: 'no rule and no default', build: (c) => new TrafficColoring(c, 'col', { header: H }), at: 'col', prop: 'rules', message: /never set the lane header/ },
  { construct: 'TrafficColoring', what: 'an empty gateway selector (a mesh-wide filter)', build: (c) => new TrafficColoring(c, 'col', { header: H, defaultValue: 'base', gatewaySelector: {} }), at: 'col', prop: 'gatewaySelector', message: /every proxy/ },
  { construct: 'TrafficColoring', what: 'a default value with "%"', build: (c) => new TrafficColoring(c, 'col', { header: H, defaultValue: '%DOWNSTREAM_REMOTE_ADDRESS%' }), at: 'col', prop: 'defaultValue', message: /is not a lane value/ },
  { construct: 'TrafficColoring', what: 'a selector key cdk8s cannot serialize ("constructor")', build: (c) => new TrafficColoring(c, 'col', { header: H, defaultValue: 'base', gatewaySelector: { constructor: 'x' } as any }), at: 'col', prop: 'gatewaySelector', message: /cdk8s cannot serialize/ },
  { construct: 'TrafficColoring', what: 'a cookie name with ";"', build: (c) => new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.cookieEquals('a;b', 'x', 'dev')] }), at: 'col', prop: 'rules[0].cookieName', message: /not a valid cookie name/ },
  {
    construct: 'TrafficColoring',
    what: 'two colorings writing the same EnvoyFilter name',
    build: (c) => {
      new TrafficColoring(c, 'col', { header: H, defaultValue: 'a', name: 'lanes' }); new TrafficColoring(c, 'col2', { header: H, defaultValue: 'b', name: 'lanes' });
    },
    at: 'col2',
    prop: 'names',
    message: /EnvoyFilter "lanes" in namespace istio-system is also written by test\/col/,
  },

  // ---- Lane entry security (issue #16) --------------------------------------------------------
  {
    construct: 'TrafficColoring',
    what: 'a JWT claim match without a JWT issuer on the gateway',
    build: (c) => new TrafficColoring(c, 'col', { header: H, gateway: gateway(c), rules: [ColoringRule.jwtClaim('https://idp.example.com', 'groups', 'beta', 'dev')] }),
    at: 'col',
    prop: 'rules[0]',
    message: /no JwtIssuer for that issuer verifies tokens on the gateway pods/,
  },
  { construct: 'TrafficColoring', what: 'a CIDR that does not parse', build: (c) => new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.sourceAddress(['10.0.0.300/8'], 'dev')] }), at: 'col', prop: 'rules[0].cidrs[0]', message: /"10.0.0.300\/8" "10.0.0.300" is not an IPv4 address/ },
  { construct: 'TrafficColoring', what: 'a CIDR with host bits set', build: (c) => new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.sourceAddress(['10.1.0.0/8'], 'dev')] }), at: 'col', prop: 'rules[0].cidrs[0]', message: /host bits set/ },
  { construct: 'TrafficColoring', what: 'a cohort share outside 0-100', build: (c) => new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.cohort(UserKey.clientCookie('uid'), 150, 'dev')] }), at: 'col', prop: 'rules[0].percent', message: /150 is not a share from 0 to 100/ },
  { construct: 'TrafficColoring', what: 'X-Forwarded-For behind 0 trusted proxies', build: (c) => new TrafficColoring(c, 'col', { header: H, rules: [ColoringRule.sourceAddress(['10.0.0.0/8'], 'dev', { trustedProxyHops: 0 })] }), at: 'col', prop: 'rules[0].trustedProxyHops', message: /not a number of trusted proxies/ },
  {
    construct: 'TrafficColoring',
    what: 'a coloring bound to a gateway in another namespace it cannot select',
    build: (c) => new TrafficColoring(c, 'col', { header: H, defaultValue: 'base', gateway: gateway(c, undefined, { namespace: 'gateways' }), namespace: 'shop' }),
    at: 'col',
    prop: 'namespace',
    message: /Istio applies it only to pods of shop, but the gateway gw .* is in namespace gateways/,
  },
  { construct: 'TrafficColoring', what: 'both gateway and gatewaySelector', build: (c) => new TrafficColoring(c, 'col', { header: H, defaultValue: 'base', gateway: gateway(c), gatewaySelector: { istio: 'ingressgateway' } }), at: 'col', prop: 'gatewaySelector', message: /both gateway and gatewaySelector/ },
  { construct: 'JwtIssuer', what: 'both jwks and jwksUri', build: (c) => new JwtIssuer(c, 'idp', { issuer: 'https://idp.example.com', jwks: '{}', jwksUri: 'https://idp.example.com/jwks' }), at: 'idp', prop: 'jwks', message: /both jwksUri and jwks/ },
  { construct: 'ZeroTrust', what: 'an ingress principal that is not a principal', build: (c) => new ZeroTrust(c, 'zt', { ingressPrincipals: ['istio-ingressgateway'] }), at: 'zt', prop: 'ingressPrincipals[0]', message: /is not a principal/ },
  {
    construct: 'ZeroTrust',
    what: 'a service exposed through gateway pods other than the default install\'s, without their principal',
    build: (c) => {
      new ZeroTrust(c, 'zt'); new GrayService(c, 'front', { ...SVC, gateway: gateway(c, undefined, { selector: { istio: 'shop-gateway' } }) });
    },
    at: 'zt',
    prop: 'ingressPrincipals',
    message: /not the default ingress gateway/,
  },
  {
    construct: 'ProxyScoping',
    what: 'scoping on while a service calls a host that exists nowhere in the app',
    build: (c) => {
      new ProxyScoping(c, 'scoping'); new GrayService(c, 'front', { ...SVC, calls: ['ghost'] });
    },
    at: 'scoping',
    prop: 'services.front.calls',
    message: /front calls "ghost", which is no Service of the app/,
  },

  // ---- DynamicSubsetRouting -------------------------------------------------------------------
  { construct: 'DynamicSubsetRouting', what: 'no mesh target', build: (c) => dsr(c, { target: undefined as any }), at: 'dsr', prop: 'target', message: /choose MeshTarget.ASM or MeshTarget.ISTIO/ },
  { construct: 'DynamicSubsetRouting', what: 'ASM fields under networking.istio.io/v1', build: (c) => dsr(c, { apiVersion: IstioApiVersion.V1 }), at: 'dsr', prop: 'apiVersion', message: /v1beta1/ },
  { construct: 'DynamicSubsetRouting', what: 'no selector', build: (c) => dsr(c, { subsetSelectors: [], headerMappings: [] }), at: 'dsr', prop: 'subsetSelectors', message: /no selector given/ },
  { construct: 'DynamicSubsetRouting', what: 'the pod-IP key on open-source Istio', build: (c) => dsr(c, { target: MeshTarget.ISTIO, subsetSelectors: [{ keys: [POD_IP_KEY] }], headerMappings: [{ header: 'x-ip', key: POD_IP_KEY }] }), at: 'dsr', prop: 'subsetSelectors[0].keys', message: /use target: MeshTarget.ASM/ },
  { construct: 'DynamicSubsetRouting', what: 'a header mapped to a key no selector uses', build: (c) => dsr(c, { headerMappings: [{ header: 'x-version', key: 'version' }, { header: 'x-stage', key: 'stage' }] }), at: 'dsr', prop: 'headerMappings[1].key', message: /no subset selector uses the key "stage"/ },
  { construct: 'DynamicSubsetRouting', what: 'DEFAULT_SUBSET without a default subset', build: (c) => dsr(c, { fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET }), at: 'dsr', prop: 'defaultSubset', message: /no defaultSubset is given/ },
  { construct: 'DynamicSubsetRouting', what: 'a selector an earlier one shadows', build: (c) => dsr(c, { subsetSelectors: [{ keys: ['version'] }, { keys: ['version', 'stage'] }], headerMappings: [{ header: 'x-version', key: 'version' }, { header: 'x-stage', key: 'stage' }] }), at: 'dsr', prop: 'subsetSelectors[1]', message: /can never be chosen/ },
  { construct: 'DynamicSubsetRouting', what: 'a default subset matching no workload (Istio)', build: (c) => dsr(c, { target: MeshTarget.ISTIO, fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET, defaultSubset: { version: 'v9' } }), at: 'dsr', prop: 'defaultSubset', message: /matches no workload/ },
  { construct: 'DynamicSubsetRouting', what: 'a selector key no workload carries (ASM)', build: (c) => dsr(c, { subsetSelectors: [{ keys: ['stage'] }], headerMappings: [{ header: 'x-stage', key: 'stage' }] }), at: 'dsr', prop: 'subsetSelectors[0].keys', message: /carries the label "stage"/ },
  { construct: 'DynamicSubsetRouting', what: 'a service name that is not a DNS label', build: (c) => dsr(c, { service: { name: 'Hello', port: 5000 } }), at: 'dsr', prop: 'service.name', message: /not a DNS-1123 label/ },
  {
    construct: 'DynamicSubsetRouting',
    what: 'two routings for one host (Istio target)',
    build: (c) => {
      dsr(c, { target: MeshTarget.ISTIO }); new DynamicSubsetRouting(c, 'dsr2', { ...DSR_ASM, target: MeshTarget.ISTIO, name: 'hello-2' });
    },
    at: 'dsr2',
    prop: 'service.name',
    message: /service hello is also written by test\/dsr/,
  },

  // ---- Argo CD ------------------------------------------------------------------------------
  { construct: 'ArgoCdApplication', what: 'an Application inside a chart it syncs', build: (c) => new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [c] }), at: 'argo', prop: 'charts', message: /contains the Application itself/ },
  { construct: 'ArgoCdApplication', what: 'a path out of the repository', build: (c, app) => argo(c, app, { path: '../other' }), at: 'argo', prop: 'path', message: /without "\.\."/ },
  { construct: 'ArgoCdApplication', what: 'an empty destination server', build: (c, app) => argo(c, app, { destination: { server: '' } }), at: 'argo', prop: 'destination.server', message: /not a cluster API URL/ },
  { construct: 'ArgoCdApplication', what: 'a sync option that is not Name=value', build: (c, app) => argo(c, app, { extraSyncOptions: ['Prune'] }), at: 'argo', prop: 'extraSyncOptions', message: /Name=value/ },
  { construct: 'ArgoCdApplication', what: 'a project name with a space', build: (c, app) => argo(c, app, { project: 'team a' }), at: 'argo', prop: 'project', message: /not an Argo CD project name/ },
  { construct: 'ArgoCdApplication', what: 'no chart', build: (c) => new ArgoCdApplication(c, 'argo', { repoURL: 'https://example.com/r.git', path: 'dist', charts: [] }), at: 'argo', prop: 'charts', message: /is empty/ },
  {
    construct: 'ArgoCdApplication',
    what: 'two Applications with the same name',
    build: (c, app) => {
      argo(c, app); new ArgoCdApplication(c, 'argo2', { name: 'argo', repoURL: 'https://example.com/r.git', path: 'dist/x', charts: [Chart.of(app.node.findChild('shop'))] });
    },
    at: 'argo2',
    prop: 'names',
    message: /Application "argo" in namespace argocd is also written by test\/argo/,
  },

  ...ARGOCD_CASES,

  // ---- sync waves -----------------------------------------------------------------------------
  {
    construct: 'sync waves',
    what: 'an existing wave that is not an integer',
    build: (c) => {
      new ApiObject(c, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { annotations: { 'argocd.argoproj.io/sync-wave': 'first' } } });
      applySyncWaves(c);
    },
    at: 'svc',
    prop: 'metadata.annotations["argocd.argoproj.io/sync-wave"]',
    message: /not a sync wave/,
  },
];

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('every bad input is refused with where, what and how to fix, and nothing is written', () => {
  test('the table is large and spread over every construct', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.what)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.construct)).size).toBe(14);
  });

  test.each(CASES.map((c) => [c.construct, c.what, c] as const))('%s: %s', (_construct, _what, row) => {
    // GIVEN an app writing to a fresh folder
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gray-bad-')), 'dist');
    const app = new App({ outdir });
    const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
    // WHEN the bad chart is built and synthesized
    let error: unknown;
    let thrownBy: 'constructor' | 'synth' | undefined = 'constructor';
    try {
      row.build(chart, app);
      thrownBy = 'synth';
      app.synth();
      thrownBy = undefined;
    } catch (e) {
      error = e;
    }
    // THEN it fails, naming the construct path and prop, what is wrong and the fix
    expect(thrownBy).toBeDefined();
    const message = (error as Error).message;
    const lines = message.split('\n').filter((l) => l.includes(`[test/${row.at}] ${row.prop}: `));
    const line = lines.find((l) => row.message.test(l)) ?? lines[0];
    expect({ line, message }).toEqual({ line: expect.stringMatching(new RegExp(`\\[test/${escape(row.at)}\\] ${escape(row.prop)}: .+\\. Fix: .+`)), message });
    expect(line).toMatch(row.message);
    if (thrownBy === 'constructor') {
      expect(error).toBeInstanceOf(GrayReleaseError);
      expect((error as GrayReleaseError).path).toBe(`test/${row.at}`);
      expect((error as GrayReleaseError).prop).toBe(row.prop);
    }
    // AND no file was written
    expect(filesUnder(outdir)).toEqual([]);
    fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  });
});
