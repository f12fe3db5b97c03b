/**
 * A generated mesh of N services, the shape platform teams synthesize in CI:
 *
 * - N GrayServices `svc-<i>`, each with a Kruise canary release (10% of requests), in chains of
 *   {@link CHAIN_LENGTH}: `svc-<10c+k>` calls `svc-<10c+k+1>`; the last of each chain calls the
 *   chain's dynamic-subset service.
 * - Two static lanes carried by one header, covering part of the services:
 *   `blue` (positions 0 and 3 of every chain; 1 and 2 only propagate the header) and
 *   `green` (position 6 of every even chain; 0 to 5 of those chains propagate).
 * - One DynamicSubsetRouting per chain (per 10 services) on `MeshTarget.ISTIO`: its own host
 *   `ds-<c>` (a Service and three plain cdk8s-plus Deployments labelled stage/version), grouped
 *   by stage and version with defaults and a DEFAULT_SUBSET fallback.
 *
 * Everything goes into one chart (namespace `mesh`). {@link meshPlan} says, without building
 * anything, what the routing of every host must at least contain (see routing-size.ts).
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryStep, DynamicSubsetRouting, FallbackPolicy, GrayService, LaneMode, MeshTarget, Release, TrafficLane } from '../src';

export const NAMESPACE = 'mesh';
export const CHAIN_LENGTH = 10;
export const LANE_HEADER = 'x-lane';

/** Lane membership by position in a chain (chain index c, position k). */
const LANES = [
  { name: 'blue', member: (_c: number, k: number) => k === 0 || k === 3, propagator: (_c: number, k: number) => k === 1 || k === 2 },
  { name: 'green', member: (c: number, k: number) => c % 2 === 0 && k === 6, propagator: (c: number, k: number) => c % 2 === 0 && k < 6 },
] as const;

/** Stage/version groups of each dynamic-subset service (one Deployment each). */
const DS_GROUPS = [
  { stage: 'prod', version: 'v1' },
  { stage: 'prod', version: 'v2' },
  { stage: 'gray', version: 'v2' },
] as const;
const DS_DEFAULT = { stage: 'prod', version: 'v1' };
const DS_PORT = 8000;

const RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
};

/** Names of the i-th service and the c-th dynamic-subset service. */
export const serviceName = (i: number): string => `svc-${i}`;
export const dynamicName = (c: number): string => `ds-${c}`;

/** What one host's routing needs at least. */
export interface HostMinimum {
  /** The host's short name (`svc-<i>` or `ds-<c>`). */
  readonly host: string;
  /** `gray-service` or `dynamic-subset`. */
  readonly kind: 'gray-service' | 'dynamic-subset';
  /** Names of the VirtualServices of the host. */
  readonly virtualServices: readonly string[];
  /** Name of the DestinationRule of the host. */
  readonly destinationRule: string;
  /** Minimum `http` rules of each VirtualService. */
  readonly minRules: number;
  /** Minimum subsets of the DestinationRule. */
  readonly minSubsets: number;
}

/** The mesh as planned (independent of the library): lanes per service, groups per DS host. */
export function meshPlan(n: number): HostMinimum[] {
  const out: HostMinimum[] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / CHAIN_LENGTH);
    const k = i % CHAIN_LENGTH;
    const lanes = LANES.filter((l) => l.member(c, k)).length;
    // Routed subsets: base + one per lane; rules: one per lane subset + the base route.
    out.push({ host: serviceName(i), kind: 'gray-service', virtualServices: [`vs-${serviceName(i)}`], destinationRule: `dr-${serviceName(i)}`, minRules: lanes + 1, minSubsets: lanes + 1 });
  }
  for (let c = 0; c < dynamicCount(n); c++) {
    const groups = new Set(DS_GROUPS.map((g) => `${g.stage}-${g.version}`));
    const withDefault = new Set([...groups, `${DS_DEFAULT.stage}-${DS_DEFAULT.version}`]);
    // Every key has a default, so the one selector's fallback is the catch-all: groups + 1 rule.
    out.push({ host: dynamicName(c), kind: 'dynamic-subset', virtualServices: [dynamicName(c)], destinationRule: dynamicName(c), minRules: groups.size + 1, minSubsets: withDefault.size });
  }
  return out;
}

/** One DynamicSubsetRouting per 10 services (at least one). */
export function dynamicCount(n: number): number {
  return Math.max(1, Math.ceil(n / CHAIN_LENGTH));
}

export interface Mesh {
  readonly app: App;
  readonly chart: Chart;
  readonly services: GrayService[];
  readonly lanes: TrafficLane[];
  readonly dynamic: DynamicSubsetRouting[];
}

/** Builds (does not synthesize) the mesh of `n` services into a new App writing to `outdir`. */
export function buildMesh(n: number, outdir: string): Mesh {
  const app = new App({ outdir });
  const chart = new Chart(app, 'mesh', { namespace: NAMESPACE, disableResourceNameHashes: true });

  const services: GrayService[] = [];
  // Build each chain from its end, so every service can name the one it calls.
  for (let c = 0; c < Math.ceil(n / CHAIN_LENGTH); c++) {
    const first = c * CHAIN_LENGTH;
    const last = Math.min(n, first + CHAIN_LENGTH) - 1;
    const chain: GrayService[] = [];
    for (let i = last; i >= first; i--) {
      const callee = i === last ? dynamicName(c) : chain[0];
      chain.unshift(new GrayService(chart, serviceName(i), {
        image: `registry.example.com/mesh/${serviceName(i)}:1.0.${i}`,
        port: 8080,
        replicas: 2,
        calls: [callee],
        release: Release.canary({ steps: [CanaryStep.traffic(10, { replicas: 1 })] }),
      }));
    }
    services.push(...chain);
  }

  const lanes = LANES.map((spec) => {
    const lane = new TrafficLane(chart, `lane-${spec.name}`, { name: spec.name, header: LANE_HEADER, mode: LaneMode.STATIC });
    services.forEach((s, i) => {
      const c = Math.floor(i / CHAIN_LENGTH);
      const k = i % CHAIN_LENGTH;
      if (spec.member(c, k)) lane.addMember(s, { image: `registry.example.com/mesh/${s.name}:1.1.0-${spec.name}` });
      else if (spec.propagator(c, k)) lane.addPropagator(s);
    });
    return lane;
  });

  const dynamic: DynamicSubsetRouting[] = [];
  for (let c = 0; c < dynamicCount(n); c++) {
    const name = dynamicName(c);
    const deployments = DS_GROUPS.map((g) => {
      const labels = { app: name, stage: g.stage, version: g.version };
      const d = new kplus.Deployment(chart, `${name}-${g.stage}-${g.version}`, {
        metadata: { name: `${name}-${g.stage}-${g.version}`, labels: { app: name } },
        podMetadata: { labels },
        select: false,
        replicas: 1,
        automountServiceAccountToken: false,
        securityContext: { ensureNonRoot: true, user: 65532, group: 65532 },
        containers: [{
          name: 'app',
          image: `registry.example.com/mesh/${name}:${g.version}`,
          portNumber: DS_PORT,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          resources: RESOURCES,
          securityContext: { ensureNonRoot: true, user: 65532, group: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
        }],
      });
      d.select(kplus.LabelSelector.of({ labels }));
      return d;
    });
    const service = new kplus.Service(chart, `${name}-service`, {
      metadata: { name, labels: { app: name, service: name } },
      ports: [{ name: 'http', port: DS_PORT, targetPort: DS_PORT }],
    });
    service.selectLabel('app', name);
    dynamic.push(new DynamicSubsetRouting(chart, `${name}-routing`, {
      target: MeshTarget.ISTIO,
      service: { name, namespace: NAMESPACE, port: DS_PORT },
      workloads: deployments,
      subsetSelectors: [{ keys: ['stage', 'version'], fallbackPolicy: FallbackPolicy.DEFAULT_SUBSET }],
      headerMappings: [
        { header: 'x-stage', key: 'stage', defaultValue: DS_DEFAULT.stage },
        { header: 'x-version', key: 'version', defaultValue: DS_DEFAULT.version },
      ],
      defaultSubset: { ...DS_DEFAULT },
    }));
  }
  return { app, chart, services, lanes, dynamic };
}
