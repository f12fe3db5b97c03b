/**
 * The pod recipe of a GrayService (given once, shared by every workload of the service), and the
 * options of what scales, protects and identifies those workloads. `GrayServiceProps` extends
 * {@link ServiceWorkloadProps}.
 */
import * as kplus from 'cdk8s-plus-27';
import type { IntOrPercent } from '../../model/workload-checks';

/**
 * A gRPC health probe (`grpc.health.v1.Health/Check`), which cdk8s-plus-27's `Probe` lacks.
 * Written into the container as Kubernetes' `grpc` probe (GA in Kubernetes 1.27).
 *
 * @example GrpcProbe.onPort(9090, { service: 'shop.Cart' })
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-a-grpc-liveness-probe
 */
export class GrpcProbe {
  /** Probes the gRPC health service on `port`. */
  public static onPort(port: number, options: GrpcProbeOptions = {}): GrpcProbe {
    return new GrpcProbe(port, options);
  }

  private constructor(
    /** The port the gRPC server listens on. */
    public readonly port: number,
    /** Service name and timing. */
    public readonly options: GrpcProbeOptions,
  ) {}

  /** @internal */
  public _toKube(): kplus.k8s.Probe {
    const o = this.options;
    return {
      grpc: { port: this.port, service: o.service },
      failureThreshold: o.failureThreshold,
      initialDelaySeconds: o.initialDelaySeconds?.toSeconds(),
      periodSeconds: o.periodSeconds?.toSeconds(),
      successThreshold: o.successThreshold,
      timeoutSeconds: o.timeoutSeconds?.toSeconds(),
    };
  }
}

/** Options of a {@link GrpcProbe}: cdk8s-plus's probe timing, and the gRPC service name. */
export interface GrpcProbeOptions extends kplus.ProbeOptions {
  /**
   * The service name sent in the health check request.
   * @default - the server's overall health ('')
   */
  readonly service?: string;
}

/** A probe of the recipe: any cdk8s-plus `Probe` (HTTP, TCP, command), or a {@link GrpcProbe}. */
export type WorkloadProbe = kplus.Probe | GrpcProbe;

/** A volume mounted into the service's container. */
export interface WorkloadVolumeMount {
  /** Absolute path in the container. */
  readonly path: string;
  /**
   * The volume: `kplus.Volume.fromEmptyDir(...)`, `fromConfigMap(...)`, `fromSecret(...)`,
   * `fromPersistentVolumeClaim(...)`, ...
   */
  readonly volume: kplus.Volume;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Mount only this path inside the volume.
   * @default - the whole volume
   */
  readonly subPath?: string;
}

/** What a pod is allowed to do when it cannot satisfy a topology spread. */
export enum WhenUnsatisfiable {
  /** The scheduler does not place the pod. */
  DO_NOT_SCHEDULE = 'DoNotSchedule',
  /** The scheduler places it, preferring the least skewed domain. */
  SCHEDULE_ANYWAY = 'ScheduleAnyway',
}

/** One topology spread constraint over the pods of one workload. */
export interface TopologySpread {
  /** The domain to spread across: `kplus.Topology.ZONE`, `HOSTNAME` or `Topology.custom(key)`. */
  readonly topology: kplus.Topology;
  /**
   * Largest allowed difference in pod count between two domains.
   * @default 1
   */
  readonly maxSkew?: number;
  /** @default WhenUnsatisfiable.SCHEDULE_ANYWAY */
  readonly whenUnsatisfiable?: WhenUnsatisfiable;
}

/** A node the pods prefer or require (cdk8s-plus `scheduling.attract`). */
export interface NodeAttraction {
  /** `kplus.Node.labeled(kplus.NodeLabelQuery.is('disktype', 'ssd'))`. */
  readonly node: kplus.LabeledNode;
  /**
   * A preference with this weight (1-100) instead of a requirement.
   * @default - required
   */
  readonly weight?: number;
}

/** Where the pods of every workload of the service may run. */
export interface WorkloadScheduling {
  /**
   * Node labels a node must have (`spec.nodeSelector`).
   * @default - none
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Node affinity (cdk8s-plus `scheduling.attract`).
   * @default - none
   */
  readonly attract?: readonly NodeAttraction[];
  /**
   * Taints the pods tolerate (cdk8s-plus `scheduling.tolerate`), e.g.
   * `kplus.Node.tainted(kplus.NodeTaintQuery.is('dedicated', 'shop'))`.
   * @default - none
   */
  readonly tolerate?: readonly kplus.TaintedNode[];
  /**
   * Spread each workload's pods across topology domains (`topologySpreadConstraints`; the label
   * selector is the workload's own pods).
   * @default - none
   */
  readonly topologySpread?: readonly TopologySpread[];
}

/** The ServiceAccount every workload of the service runs as. */
export interface ServiceAccountOptions {
  /**
   * Name of the ServiceAccount (a DNS-1123 subdomain).
   * @default - the service name
   */
  readonly name?: string;
  /**
   * Write the ServiceAccount (`automountServiceAccountToken: false`). Set false to use one that
   * exists already.
   * @default true
   */
  readonly create?: boolean;
}

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) for one version's Deployment. The Deployment's
 * `replicas` is then not written, so a sync never resets the count the autoscaler chose.
 */
export interface AutoscalingProps {
  /**
   * Fewest replicas.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilisation, in percent of the CPU request.
   * @default 80 when memoryUtilization is not given (Kubernetes' own default), else none
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilisation, in percent of the memory request.
   * @default - none
   */
  readonly memoryUtilization?: number;
}

/** A PodDisruptionBudget (policy/v1) for each workload of the service: give exactly one bound. */
export interface DisruptionBudgetProps {
  /**
   * Pods that must stay available during a voluntary disruption (a number or `'N%'`).
   * @default - maxUnavailable is used
   */
  readonly minAvailable?: IntOrPercent;
  /**
   * Pods that may be unavailable during a voluntary disruption (a number or `'N%'`).
   * @default - minAvailable is used
   */
  readonly maxUnavailable?: IntOrPercent;
}

/**
 * Take over a Deployment that already runs (for example the seed's hand-written YAML) without
 * deleting it: the Deployment keeps its name and its exact selector, which is immutable.
 */
export interface AdoptOptions {
  /**
   * The existing Deployment's `spec.selector.matchLabels` (e.g. `{ app: 'mocka' }`). The pods the
   * recipe labels must carry every one of them.
   */
  readonly selector: Readonly<Record<string, string>>;
}

/**
 * What a version or a lane may change of the service's pod recipe: only the image, the
 * environment, the replicas and the resources. Anything else is refused with the fix.
 */
export interface WorkloadOverrides {
  /** @default - the service's image */
  readonly image?: string;
  /** Added to (and overriding) the service's environment. @default - the service's environment */
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
  /** @default 1 (or the autoscaler's choice) */
  readonly replicas?: number;
  /** @default - the service's resources */
  readonly resources?: kplus.ContainerResources;
}

/** One version of a service as a workload: its Deployment, built from the service's recipe. */
export interface VersionWorkloadProps extends WorkloadOverrides {
  /** The version name: the version label's value and the Deployment name `<service>-<name>`. */
  readonly name: string;
  /**
   * A HorizontalPodAutoscaler for this version's Deployment.
   * @default - none; `replicas` is written
   */
  readonly autoscaling?: AutoscalingProps;
  /**
   * Take over an existing Deployment of this version, keeping its selector.
   * @default - the library's selector (`app` + `gray-release.io/workload`)
   */
  readonly adopt?: AdoptOptions;
}

/** What kind of workload of a service a Deployment is. */
export enum WorkloadRole {
  /** A version of the service (the base version, or one of `versions`). */
  VERSION = 'version',
  /** A static lane's Deployment. */
  LANE = 'lane',
}

/** What {@link GrayService.onEachWorkload} callbacks learn about each Deployment. */
export interface WorkloadInfo {
  /** The Deployment name. */
  readonly name: string;
  /** Version or lane. */
  readonly role: WorkloadRole;
  /** The value of the service's version label on its pods (the version or lane name). */
  readonly version: string;
  /** The labels of its pods. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** The pod recipe of a service, and what scales, protects and identifies its workloads. */
export interface ServiceWorkloadProps {
  /** Container image of the base version. */
  readonly image: string;
  /**
   * Replicas of the base Deployment.
   * @default 1 (not written with autoscaling)
   */
  readonly replicas?: number;
  /**
   * Environment of the container; values may come from ConfigMaps, Secrets, pod fields and
   * labels (`EnvValue.fromConfigMap(...)`, `EnvValue.fromFieldRef(EnvFieldPaths.POD_LABEL, { key: 'version' })`).
   * @default - none
   */
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
  /**
   * Whole ConfigMaps or Secrets as environment (`kplus.Env.fromConfigMap(cm)`, `Env.fromSecret(s)`).
   * @default - none
   */
  readonly envFrom?: readonly kplus.EnvFrom[];
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /** @default kplus.ImagePullPolicy.IF_NOT_PRESENT */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /**
   * Resource requests and limits.
   * @default - requests cpu 100m, memory 64Mi; limits cpu 500m, memory 256Mi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Security context of the container (`user` and `group` also go to the pod). The root
   * filesystem is read-only, so give every path the application writes to in `writablePaths`.
   * An image without a numeric non-root USER (e.g. one that runs as root) needs `user`:
   * `runAsNonRoot` is always enforced, and the kubelet refuses to start such a container.
   * @default - non-root (the image's USER), no privilege escalation, not privileged, read-only root filesystem
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;
  /**
   * Absolute paths the container may write to, each an emptyDir volume. `/tmp` is always
   * writable unless a volume is mounted there.
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
  /**
   * Volumes mounted into the container (ConfigMap, Secret, PVC, emptyDir, ...).
   * @default - none besides the writable paths
   */
  readonly volumes?: readonly WorkloadVolumeMount[];
  /**
   * Readiness probe (`kplus.Probe.fromHttpGet('/ready')`, `fromTcpSocket()`, `fromCommand([...])`,
   * or `GrpcProbe.onPort(port)`).
   * @default - none
   */
  readonly readiness?: WorkloadProbe;
  /** Liveness probe. @default - none */
  readonly liveness?: WorkloadProbe;
  /** Startup probe. @default - a TCP probe on the container port (cdk8s-plus's default) */
  readonly startup?: WorkloadProbe;
  /**
   * The identity of every workload of the service.
   * @default - a ServiceAccount named like the service, written with automountServiceAccountToken: false
   */
  readonly serviceAccount?: ServiceAccountOptions;
  /** @default - no constraint */
  readonly scheduling?: WorkloadScheduling;
  /**
   * Extra pod labels (every version carries them).
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Pod annotations (every workload carries them).
   * @default - none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * A HorizontalPodAutoscaler for the base Deployment. During a Kruise release it keeps scaling
   * the stable Deployment; the canary is a share of it (see the README).
   * @default - none; `replicas` is written
   */
  readonly autoscaling?: AutoscalingProps;
  /**
   * A PodDisruptionBudget for every workload of the service (each version and lane Deployment).
   * @default - none
   */
  readonly disruptionBudget?: DisruptionBudgetProps;
  /**
   * Take over the existing base Deployment (`names.deployment`), keeping its selector.
   * @default - the library's selector (`app` + `gray-release.io/workload`)
   */
  readonly adopt?: AdoptOptions;
}
