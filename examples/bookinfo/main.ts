/**
 * Istio's Bookinfo traffic-management tasks, one self-contained app per task, written with the
 * high-level API only (versions, Route, Match, policies, IngressGateway, GatewayRoutes,
 * TrafficLane). `npm run synth` writes each to dist/bookinfo/<task>/; tasks.ts holds what each
 * task does to a request, README.md shows both side by side.
 *
 *   npx cdk8s synth            # in this folder, or `npm run synth` at the top
 */
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Bookinfo, BookinfoOptions } from './bookinfo';
import { TaskName } from './tasks';
import {
  Fault, GatewayProtocol, GatewayRoutes, GrayService, IngressGateway, IstioApiVersion, Match, Protocol, Route, TrafficLane,
} from '../../src';

/** Namespace of every object. */
export const NAMESPACE = 'bookinfo';

/** jason's requests: productpage sets `end-user` for the logged-in user. */
const jason = Match.header('end-user').exact('jason');

/** Request routing: jason → reviews v2, everyone else v1 (virtual-service-reviews-test-v2.yaml). */
const requestRouting: BookinfoOptions = {
  reviews: { routes: [{ match: jason, route: Route.to('v2') }] },
};

/** The Bookinfo options of each task that only routes the mesh. */
const MESH_TASKS: Readonly<Record<Exclude<TaskName, 'ingress-https' | 'grpc'>, BookinfoOptions>> = {
  'request-routing': requestRouting,
  'traffic-shifting': {
    reviews: { defaultRoute: Route.split({ v1: 50, v3: 50 }) },
  },
  'fault-injection-delay': {
    ...requestRouting,
    ratings: { routes: [{ match: jason, route: Route.to('v1', { fault: Fault.delay(Duration.seconds(7)) }) }] },
  },
  'fault-injection-abort': {
    ...requestRouting,
    ratings: { routes: [{ match: jason, route: Route.to('v1', { fault: Fault.abort(500) }) }] },
  },
  'request-timeouts': {
    reviews: { defaultRoute: Route.to('v2', { timeout: Duration.millis(500) }) },
    ratings: { defaultRoute: Route.to('v1', { fault: Fault.delay(Duration.seconds(2)) }) },
  },
  'circuit-breaking': {
    reviews: {
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
        outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(3), maxEjectionPercent: 100 },
      },
    },
  },
  'mirroring': {
    reviews: { defaultRoute: Route.to('v1', { mirror: { version: 'v2', percent: 100 } }) },
  },
};

/** Secure ingress: HTTPS with a credential, HTTP redirected, Bookinfo's five paths, 404 otherwise. */
class IngressHttpsChart extends Chart {
  public constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true, namespace: NAMESPACE });
    const bookinfo = new Bookinfo(this, 'bookinfo');
    const gateway = new IngressGateway(this, 'gateway', {
      name: 'bookinfo-gateway',
      hosts: ['bookinfo.example.com'],
      apiVersion: IstioApiVersion.V1,
      servers: [
        { port: 8080, protocol: GatewayProtocol.HTTP, httpsRedirect: true },
        // The Secret lives in the gateway workload's namespace (istio-system for the default install).
        { port: 8443, protocol: GatewayProtocol.HTTPS, credentialName: 'bookinfo-credential' },
      ],
    });
    new GatewayRoutes(this, 'routes', {
      name: 'bookinfo',
      gateway,
      istioApiVersion: IstioApiVersion.V1,
      routes: [{
        service: bookinfo.productpage,
        match: [
          Match.uri.exact('/productpage'),
          Match.uri.prefix('/static'),
          Match.uri.exact('/login'),
          Match.uri.exact('/logout'),
          Match.uri.prefix('/api/v1/products'),
        ],
      }],
    });
  }
}

/**
 * gRPC: Istio's grpc-echo service (samples/grpc-echo/grpc-echo.yaml @1.23.6, run with a sidecar)
 * with an HTTP, a gRPC and a TCP port; the lane `preview` applies on both HTTP-family ports.
 */
class GrpcChart extends Chart {
  public constructor(scope: Construct, id: string) {
    super(scope, id, { disableResourceNameHashes: true, namespace: NAMESPACE });
    const echo = new GrayService(this, 'echo', {
      image: 'gcr.io/istio-testing/app:latest',
      istioApiVersion: IstioApiVersion.V1,
      ports: [
        { name: 'http', port: 80, targetPort: 18080, protocol: Protocol.HTTP },
        { name: 'grpc', port: 7070, targetPort: 17070, protocol: Protocol.GRPC },
        { name: 'tcp', port: 9090, targetPort: 19090, protocol: Protocol.TCP },
      ],
      // Kubernetes expands $(VERSION) from the container's environment.
      args: ['--port', '18080', '--grpc', '17070', '--tcp', '19090', '--version', '$(VERSION)'],
      versions: [
        { name: 'v1', env: { VERSION: EnvValue.fromValue('v1') } },
        { name: 'v2', env: { VERSION: EnvValue.fromValue('v2') } },
      ],
    });
    const preview = new TrafficLane(this, 'preview', { name: 'preview', header: 'x-lane' });
    preview.addMember(echo, { env: { VERSION: EnvValue.fromValue('preview') } });
  }
}

/** The chart of one task. */
function taskChart(app: App, task: TaskName): Chart {
  if (task === 'ingress-https') return new IngressHttpsChart(app, task);
  if (task === 'grpc') return new GrpcChart(app, task);
  const chart = new Chart(app, task, { disableResourceNameHashes: true, namespace: NAMESPACE });
  new Bookinfo(chart, 'bookinfo', MESH_TASKS[task]);
  return chart;
}

/** Every task, in the order of Istio's docs. */
export const TASK_NAMES: readonly TaskName[] = [...Object.keys(MESH_TASKS) as TaskName[], 'ingress-https', 'grpc'];

/** Builds one app per task (not synthesized), writing to `outdir/<task>/`. */
export function build(outdir: string): App[] {
  return TASK_NAMES.map((task) => {
    const app = new App({ outdir: path.join(outdir, task) });
    taskChart(app, task);
    return app;
  });
}

if (require.main === module) {
  build(process.env.CDK8S_OUTDIR ?? 'dist').forEach((a) => a.synth());
}
