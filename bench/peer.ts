/**
 * The peer: the benchmark mesh as a competent cdk8s user would write it by hand, without this
 * library. Per service, a cdk8s-plus `ServiceAccount`, `Deployment` (the base one, and one per
 * lane the service is a member of, each with a writable `/tmp`) and `Service`, and the routing
 * objects (DestinationRule, VirtualService, the Kruise Rollout with its traffic routing) as plain
 * `ApiObject`s with literal specs; per dynamic-subset host,
 * the same cdk8s-plus workloads as the library build (bench/mesh-shape.ts) and the statically
 * expanded DestinationRule and VirtualService written out. No validation, no model, no lazy values.
 *
 * It writes the same objects as {@link ./mesh}'s buildMesh (run.ts asserts it object for object
 * at every N; test/bench-peer.test.ts at a small N), so `ours / peer` is the cost of the library
 * over hand-written cdk8s code. Construct ids follow the library's (a scope per service,
 * `Deployment`, `Lane-<lane>`), because cdk8s-plus writes each Deployment's construct path into
 * a pod label (`cdk8s.io/metadata.addr`).
 */
import { ApiObject, App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CHAIN_LENGTH, chainCount, DS_PORT, dynamicCount, dynamicName, dynamicWorkloads, LANE_HEADER, LANES, LaneShape, NAMESPACE, serviceName } from './mesh-shape';

const ISTIO = 'networking.istio.io/v1beta1';
const KRUISE = 'rollouts.kruise.io/v1alpha1';
const PORT = 8080;
const RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

export interface Peer {
  readonly app: App;
  readonly chart: Chart;
}

/** Builds (does not synthesize) the hand-written mesh of `n` services into a new App writing to `outdir`. */
export function buildPeer(n: number, outdir: string): Peer {
  const app = new App({ outdir });
  const chart = new Chart(app, 'mesh', { namespace: NAMESPACE, disableResourceNameHashes: true });
  for (let c = 0; c < chainCount(n); c++) {
    const first = c * CHAIN_LENGTH;
    const last = Math.min(n, first + CHAIN_LENGTH) - 1;
    for (let i = last; i >= first; i--) service(chart, i, i === last ? dynamicName(c) : serviceName(i + 1), c, i - first);
  }
  for (let c = 0; c < dynamicCount(n); c++) {
    dynamicWorkloads(chart, c);
    dynamicRouting(chart, dynamicName(c));
  }
  return { app, chart };
}

/** Everything of the i-th service (position k of chain c), which calls `callee`. */
function service(chart: Chart, i: number, callee: string, c: number, k: number): void {
  const name = serviceName(i);
  const scope = new Construct(chart, name);
  const lanes = LANES.filter((l) => l.member(c, k));
  const propagates = lanes.length > 0 || LANES.some((l) => l.propagator(c, k));
  const serviceAccount = new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: { name }, automountToken: false });
  const workload = { name, callee, propagates, serviceAccount };
  deployment(scope, 'Deployment', workload, `${name}-base`, { version: 'base' }, `registry.example.com/mesh/${name}:1.0.${i}`, 2);
  new kplus.Service(scope, 'Service', {
    metadata: { name, labels: { app: name, service: name } },
    ports: [{ name: 'http', port: PORT, targetPort: PORT }],
  }).selectLabel('app', name);

  const annotations = lanes.length > 0 ? { 'gray-release.io/lanes': lanes.map((l) => `${l.name}=${LANE_HEADER}:${l.name}`).sort().join(',') } : undefined;
  const base = { name: 'base', route: [{ destination: { host: name, subset: 'version-base' } }] };
  new ApiObject(scope, 'DestinationRule', {
    apiVersion: ISTIO,
    kind: 'DestinationRule',
    metadata: { name: `dr-${name}`, annotations },
    spec: {
      host: name,
      trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
      subsets: [{ name: 'version-base', labels: { version: 'base' } }, ...lanes.map((l) => ({ name: `lane-${l.name}`, labels: { 'gray-release.io/lane': l.name } }))],
    },
  });
  new ApiObject(scope, 'VirtualService', {
    apiVersion: ISTIO,
    kind: 'VirtualService',
    metadata: { name: `vs-${name}`, annotations },
    spec: { hosts: [name], http: [...lanes.map((l) => laneRule(name, l)), base] },
  });
  new ApiObject(scope, 'Rollout', {
    apiVersion: KRUISE,
    kind: 'Rollout',
    metadata: { name: `rollouts-${name}`, annotations: { 'rollouts.kruise.io/rolling-style': 'canary' } },
    spec: {
      objectRef: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-base` } },
      strategy: {
        canary: {
          steps: [{ replicas: 1, weight: 10, pause: {} }],
          trafficRoutings: [{
            service: name,
            customNetworkRefs: [{ apiVersion: ISTIO, kind: 'VirtualService', name: `vs-${name}` }, { apiVersion: ISTIO, kind: 'DestinationRule', name: `dr-${name}` }],
          }],
          patchPodTemplateMetadata: { labels: { 'istio.service.tag': 'gray', 'version': 'canary' } },
        },
      },
    },
  });
  for (const l of lanes) {
    deployment(scope, `Lane-${l.name}`, workload, `${name}-${l.name}`, { 'version': l.name, 'gray-release.io/lane': l.name }, `registry.example.com/mesh/${name}:1.1.0-${l.name}`, 1);
  }
}

function laneRule(host: string, l: LaneShape): unknown {
  return { name: `lane-${l.name}`, match: [{ headers: { [LANE_HEADER]: { exact: l.name } } }], route: [{ destination: { host, subset: `lane-${l.name}` } }] };
}

interface Workload {
  readonly name: string;
  readonly callee: string;
  readonly propagates: boolean;
  readonly serviceAccount: kplus.ServiceAccount;
}

/** One cdk8s-plus Deployment of a service (the base or a lane version). */
function deployment(scope: Construct, id: string, w: Workload, name: string, labels: Record<string, string>, image: string, replicas: number): void {
  const selector = { 'app': w.name, 'gray-release.io/workload': name };
  const d = new kplus.Deployment(scope, id, {
    metadata: {
      name,
      labels: { app: w.name },
      annotations: { 'gray-release.io/calls': w.callee, ...(w.propagates ? { 'gray-release.io/propagate-headers': LANE_HEADER } : {}) },
    },
    replicas,
    select: false,
    podMetadata: { labels: { ...labels, ...selector } },
    serviceAccount: w.serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true },
    containers: [{
      name: 'app',
      image,
      portNumber: PORT,
      envVariables: w.propagates ? { GRAY_RELEASE_PROPAGATE_HEADERS: kplus.EnvValue.fromValue(LANE_HEADER) } : undefined,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: RESOURCES,
      securityContext: { ensureNonRoot: true, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    }],
  });
  d.select(kplus.LabelSelector.of({ labels: selector }));
  d.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(scope, `${id}-writable-tmp`, 'tmp'));
}

/**
 * The dynamic-subset host `name` expanded by hand: one subset per stage/version group, a rule per
 * group matching its headers (a missing header takes the key's default: stage prod, version v1),
 * and the fallback to prod-v1.
 */
function dynamicRouting(chart: Chart, name: string): void {
  const host = `${name}.${NAMESPACE}.svc.cluster.local`;
  const route = (subset: string) => [{ destination: { host, port: { number: DS_PORT }, subset } }];
  const subset = (stage: string, version: string) => ({ name: `${stage}-${version}`, labels: { stage, version } });
  new ApiObject(chart, `${name}-routing-dr`, {
    apiVersion: ISTIO,
    kind: 'DestinationRule',
    metadata: { name },
    spec: { host, subsets: [subset('gray', 'v2'), subset('prod', 'v1'), subset('prod', 'v2')] },
  });
  new ApiObject(chart, `${name}-routing-vs`, {
    apiVersion: ISTIO,
    kind: 'VirtualService',
    metadata: { name },
    spec: {
      hosts: [host],
      http: [
        { name: 'gray-v2', match: [{ headers: { 'x-stage': { exact: 'gray' }, 'x-version': { exact: 'v2' } } }], route: route('gray-v2') },
        {
          name: 'prod-v1',
          match: [
            { headers: { 'x-stage': { exact: 'prod' }, 'x-version': { exact: 'v1' } } },
            { headers: { 'x-stage': { exact: 'prod' } }, withoutHeaders: { 'x-version': {} } },
            { headers: { 'x-version': { exact: 'v1' } }, withoutHeaders: { 'x-stage': {} } },
            { withoutHeaders: { 'x-stage': {}, 'x-version': {} } },
          ],
          route: route('prod-v1'),
        },
        {
          name: 'prod-v2',
          match: [
            { headers: { 'x-stage': { exact: 'prod' }, 'x-version': { exact: 'v2' } } },
            { headers: { 'x-version': { exact: 'v2' } }, withoutHeaders: { 'x-stage': {} } },
          ],
          route: route('prod-v2'),
        },
        { name: 'fallback', route: route('prod-v1') },
      ],
    },
  });
}
