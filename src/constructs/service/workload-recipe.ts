/**
 * The pod recipe of a service applied to one of its Deployments: the container (image, ports,
 * env, probes, resources, security context), volumes and mounts, scheduling, identity and pod
 * metadata. Every workload of a service is built by {@link buildWorkload}, so they only differ in
 * what a version or lane may override (image, env, replicas, resources).
 */
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GrpcProbe, ServiceWorkloadProps, WhenUnsatisfiable, WorkloadProbe } from './workload-props';
import { writableVolumeName } from '../../model/workload-checks';

/** Default container security context: non-root, no escalation, read-only root filesystem. */
export const SECURE_CONTEXT: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
};

/** Default resources: small requests so the scheduler can place pods, limits so one pod cannot starve a node. */
export const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

/** Writable by default: most runtimes write temporary files to `/tmp`. */
export const DEFAULT_WRITABLE_PATHS: readonly string[] = ['/tmp'];

/** A port every container of the service exposes. */
export interface ContainerPortSpec {
  readonly number: number;
  /** @default - unnamed */
  readonly name?: string;
}

/** Everything one Deployment of the service is built from. */
export interface WorkloadBuild {
  readonly name: string;
  readonly namespace?: string;
  readonly serviceName: string;
  readonly recipe: ServiceWorkloadProps;
  readonly ports: readonly ContainerPortSpec[];
  readonly serviceAccount: kplus.IServiceAccount;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  /** The labels of this workload's own pods (for topology spread): the selector and the version label. */
  readonly ownPods: Readonly<Record<string, string>>;
  readonly image: string;
  /** Undefined with an autoscaler (nothing is written). */
  readonly replicas?: number;
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
  readonly resources?: kplus.ContainerResources;
}

/** The container name of the service's application (the seed's is `default`). */
export const APP_CONTAINER = 'app';

/** Creates one Deployment of the service from its recipe. */
export function buildWorkload(scope: Construct, id: string, b: WorkloadBuild): kplus.Deployment {
  const r = b.recipe;
  const [first, ...more] = b.ports;
  const d = new kplus.Deployment(scope, id, {
    metadata: { name: b.name, namespace: b.namespace, labels: { app: b.serviceName } },
    replicas: b.replicas,
    select: false,
    podMetadata: { labels: { ...b.podLabels }, annotations: r.podAnnotations ? { ...r.podAnnotations } : undefined },
    serviceAccount: b.serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: r.securityContext?.user, group: r.securityContext?.group },
    containers: [{
      name: APP_CONTAINER,
      image: b.image,
      portNumber: first?.number,
      command: r.command ? [...r.command] : undefined,
      args: r.args ? [...r.args] : undefined,
      envVariables: b.env ? { ...b.env } : undefined,
      envFrom: r.envFrom ? [...r.envFrom] : undefined,
      imagePullPolicy: r.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: b.resources ?? r.resources ?? DEFAULT_RESOURCES,
      securityContext: { ...SECURE_CONTEXT, ...(r.securityContext ?? {}) },
      readiness: plusProbe(r.readiness),
      liveness: plusProbe(r.liveness),
      startup: plusProbe(r.startup),
    }],
  });
  // With an autoscaler, cdk8s-plus writes no replicas (it would default them to 2 otherwise).
  if (b.replicas === undefined) d.markHasAutoscaler();
  d.select(kplus.LabelSelector.of({ labels: { ...b.selector } }));
  const container = d.containers[0];
  if (first?.name) patch(d, '/spec/template/spec/containers/0/ports/0/name', first.name);
  for (const p of more) container.addPort({ number: p.number, name: p.name });
  mountVolumes(scope, id, container, r);
  patchGrpcProbes(d, r);
  schedule(d, r, b.ownPods);
  return d;
}

/** The cdk8s-plus probe, or undefined for a gRPC probe (patched in afterwards). */
function plusProbe(probe: WorkloadProbe | undefined): kplus.Probe | undefined {
  return probe instanceof GrpcProbe ? undefined : probe;
}

const PROBE_FIELDS = { readiness: 'readinessProbe', liveness: 'livenessProbe', startup: 'startupProbe' } as const;

/** cdk8s-plus-27's Probe has no gRPC handler: the recipe's gRPC probes replace the container's field. */
function patchGrpcProbes(d: kplus.Deployment, r: ServiceWorkloadProps): void {
  for (const [prop, field] of Object.entries(PROBE_FIELDS) as Array<[keyof typeof PROBE_FIELDS, string]>) {
    const probe = r[prop];
    if (probe instanceof GrpcProbe) patch(d, `/spec/template/spec/containers/0/${field}`, probe._toKube());
  }
}

/** The writable paths (emptyDirs) and the recipe's volumes, mounted into the container. */
function mountVolumes(scope: Construct, id: string, container: kplus.Container, r: ServiceWorkloadProps): void {
  const mounted = new Set((r.volumes ?? []).map((v) => v.path));
  const writable = [...DEFAULT_WRITABLE_PATHS.filter((w) => !mounted.has(w)), ...(r.writablePaths ?? [])];
  for (const path of [...new Set(writable)]) {
    const volume = kplus.Volume.fromEmptyDir(scope, `${id}-writable-${writableVolumeName(path)}`, writableVolumeName(path));
    container.mount(path, volume);
  }
  for (const v of r.volumes ?? []) container.mount(v.path, v.volume, { readOnly: v.readOnly, subPath: v.subPath });
}

/** Node selector, node affinity, tolerations and topology spread of the recipe. */
function schedule(d: kplus.Deployment, r: ServiceWorkloadProps, ownPods: Readonly<Record<string, string>>): void {
  const s = r.scheduling;
  if (!s) return;
  for (const a of s.attract ?? []) d.scheduling.attract(a.node, { weight: a.weight });
  for (const t of s.tolerate ?? []) d.scheduling.tolerate(t);
  // Neither has a cdk8s-plus-27 API: written as typed Kubernetes fields.
  if (s.nodeSelector && Object.keys(s.nodeSelector).length > 0) patch(d, '/spec/template/spec/nodeSelector', { ...s.nodeSelector });
  if (s.topologySpread && s.topologySpread.length > 0) {
    const constraints: kplus.k8s.TopologySpreadConstraint[] = s.topologySpread.map((t) => ({
      topologyKey: t.topology.key,
      maxSkew: t.maxSkew ?? 1,
      whenUnsatisfiable: t.whenUnsatisfiable ?? WhenUnsatisfiable.SCHEDULE_ANYWAY,
      labelSelector: { matchLabels: { ...ownPods } },
    }));
    patch(d, '/spec/template/spec/topologySpreadConstraints', constraints);
  }
}

function patch(d: kplus.Deployment, path: string, value: unknown): void {
  ApiObject.of(d).addJsonPatch(JsonPatch.add(path, value));
}

/**
 * The fields of a Deployment's pods that cdk8s-plus lets a user change after construction and
 * that every workload of a service shares: volumes, containers, their mounts and ports, and the
 * ServiceAccount (probes and security context come from the recipe only). Read from the
 * cdk8s-plus objects, not from the synthesized JSON, so the check costs no extra serialization.
 */
export function recipeFields(d: kplus.Deployment): Record<string, string> {
  const containers = [...d.initContainers, ...d.containers];
  const volumes = new Map<string, unknown>();
  for (const v of [...d.volumes, ...containers.flatMap((c) => c.mounts.map((m) => m.volume))]) volumes.set(v.name, v._toKube());
  const fields: Record<string, string> = {
    serviceAccountName: d.serviceAccount?.name ?? '',
    volumes: JSON.stringify([...volumes.entries()].sort(([a], [b]) => a.localeCompare(b))),
    containers: containers.map((c) => c.name).sort().join(','),
  };
  for (const c of containers) {
    fields[`container ${c.name} volumeMounts`] = JSON.stringify(c.mounts.map((m) => ({ path: m.path, volume: m.volume.name, readOnly: m.readOnly, subPath: m.subPath, subPathExpr: m.subPathExpr })));
    fields[`container ${c.name} ports`] = JSON.stringify(c.ports);
  }
  return fields;
}
