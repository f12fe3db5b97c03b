/**
 * The shape of the benchmark mesh, shared by the library build ({@link ./mesh}) and the
 * hand-written peer ({@link ./peer}): names, chains, lane membership, the dynamic-subset groups,
 * and the plain cdk8s-plus workloads of each dynamic-subset host (the same code in both builds).
 * Imports neither the library nor anything it builds.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

export const NAMESPACE = 'mesh';
export const CHAIN_LENGTH = 10;
export const LANE_HEADER = 'x-lane';

/** A lane of the mesh: which chain positions are members, which only propagate the header. */
export interface LaneShape {
  readonly name: string;
  readonly member: (c: number, k: number) => boolean;
  readonly propagator: (c: number, k: number) => boolean;
}

/** Lane membership by position in a chain (chain index c, position k). */
export const LANES: readonly LaneShape[] = [
  { name: 'blue', member: (_c, k) => k === 0 || k === 3, propagator: (_c, k) => k === 1 || k === 2 },
  { name: 'green', member: (c, k) => c % 2 === 0 && k === 6, propagator: (c, k) => c % 2 === 0 && k < 6 },
];

/** Stage/version groups of each dynamic-subset service (one Deployment each). */
export const DS_GROUPS = [
  { stage: 'prod', version: 'v1' },
  { stage: 'prod', version: 'v2' },
  { stage: 'gray', version: 'v2' },
] as const;
export const DS_DEFAULT = { stage: 'prod', version: 'v1' } as const;
export const DS_PORT = 8000;

const DS_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
};

/** Names of the i-th service and the c-th dynamic-subset service. */
export const serviceName = (i: number): string => `svc-${i}`;
export const dynamicName = (c: number): string => `ds-${c}`;

/** Chains of {@link CHAIN_LENGTH} services (the last one may be shorter). */
export function chainCount(n: number): number {
  return Math.ceil(n / CHAIN_LENGTH);
}

/** One DynamicSubsetRouting per 10 services (at least one). */
export function dynamicCount(n: number): number {
  return Math.max(1, Math.ceil(n / CHAIN_LENGTH));
}

/** The Deployments (one per stage/version group) and the Service of the c-th dynamic-subset host. */
export interface DynamicWorkloads {
  readonly deployments: kplus.Deployment[];
  readonly service: kplus.Service;
}

/** Plain cdk8s-plus workloads of the c-th dynamic-subset host, written directly in `scope`. */
export function dynamicWorkloads(scope: Construct, c: number): DynamicWorkloads {
  const name = dynamicName(c);
  const deployments = DS_GROUPS.map((g) => {
    const labels = { app: name, stage: g.stage, version: g.version };
    const d = new kplus.Deployment(scope, `${name}-${g.stage}-${g.version}`, {
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
        resources: DS_RESOURCES,
        securityContext: { ensureNonRoot: true, user: 65532, group: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false },
      }],
    });
    d.select(kplus.LabelSelector.of({ labels }));
    return d;
  });
  const service = new kplus.Service(scope, `${name}-service`, {
    metadata: { name, labels: { app: name, service: name } },
    ports: [{ name: 'http', port: DS_PORT, targetPort: DS_PORT }],
  });
  service.selectLabel('app', name);
  return { deployments, service };
}
