/**
 * The workloads of one GrayService: the Deployments built from the service's pod recipe (the
 * base version, and the versions lanes add), and the call-graph and header-propagation contract
 * they carry. Owned by {@link GrayService}; the Deployments are children of the service.
 */
import { Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { GrayServiceProps } from './props';
import { requireDns1123Label, requireInt } from '../../model/names';
import { WellKnown } from '../../model/well-known';
import { IWorkloadLabels } from '../../model/workload';
import { AppState, problemsAt } from '../core/state';

/** Default security context: non-root with an explicit uid, no escalation, read-only root. */
const SECURE_CONTEXT: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: 65532,
  group: 65532,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
};

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

/** Options of an extra Deployment of a service (a static lane's version). */
export interface WorkloadOptions {
  /** Deployment name. */
  readonly name: string;
  /** Pod labels besides `app`. */
  readonly labels: Readonly<Record<string, string>>;
  /** @default - the service's image */
  readonly image?: string;
  /** @default 1 */
  readonly replicas?: number;
  /** Added to (and overriding) the service's environment. @default - none */
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
}

interface DeploymentOptions {
  readonly image: string;
  readonly replicas: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
}

/** What the workloads need to know about their service. */
export interface ServiceWorkloadsProps {
  /** The service name (the `app` label). */
  readonly name: string;
  /** The namespace prop, if any. */
  readonly namespace?: string;
  /** Pod labels of the base version, besides the workload label. */
  readonly baseLabels: Readonly<Record<string, string>>;
  /** Name of the base Deployment. */
  readonly baseDeployment: string;
  /** The service's props (the pod recipe). */
  readonly props: GrayServiceProps;
  /** The services the pods call, read at synth. */
  readonly callees: () => readonly string[];
  /** The ServiceAccount every pod of the service runs as (contract of #13: one per service). */
  readonly serviceAccount?: kplus.IServiceAccount;
}

export class ServiceWorkloads {
  /** The base Deployment. */
  public readonly base: kplus.Deployment;
  private readonly deployments: kplus.Deployment[] = [];
  private readonly extra: IWorkloadLabels[] = [];
  private readonly propagated = new Set<string>();

  public constructor(private readonly scope: Construct, private readonly o: ServiceWorkloadsProps) {
    this.base = this.addDeployment('Deployment', o.baseDeployment, {
      image: o.props.image,
      replicas: o.props.replicas ?? 1,
      labels: o.baseLabels,
      env: o.props.env,
    });
  }

  /** Every Deployment of the service, with the labels its pods carry. */
  public get list(): readonly IWorkloadLabels[] {
    const base = this.o.baseDeployment;
    return [{ name: base, podLabels: { ...this.o.baseLabels, [WellKnown.WORKLOAD_LABEL]: base }, replicas: this.base.replicas ?? 1 }, ...this.extra];
  }

  /** Headers the application must propagate, sorted. */
  public get headersToPropagate(): readonly string[] {
    return [...this.propagated].sort();
  }

  /** Adds a header every container gets in `GRAY_RELEASE_PROPAGATE_HEADERS` (see GrayService.propagateHeader). */
  public propagateHeader(header: string): void {
    if (this.propagated.size === 0) this.deployments.forEach((d) => this.addPropagationEnv(d));
    this.propagated.add(header);
    AppState.of(this.scope).touch();
  }

  /**
   * Adds another Deployment of this service (e.g. a static lane's version), sharing the base
   * container's settings unless overridden. Its pods carry `app` and the given labels.
   */
  public add(id: string, options: WorkloadOptions): kplus.Deployment {
    const props = this.o.props;
    const problems = problemsAt(this.scope);
    requireDns1123Label(problems, 'workload name', options.name);
    problems.throwIfAny();
    const labels = { ...(props.podLabels ?? {}), ...options.labels, [WellKnown.APP_LABEL]: this.o.name };
    const replicas = options.replicas ?? 1;
    const d = this.addDeployment(id, options.name, { image: options.image ?? props.image, replicas, labels, env: { ...(props.env ?? {}), ...(options.env ?? {}) } });
    this.extra.push({ name: options.name, podLabels: { ...labels, [WellKnown.WORKLOAD_LABEL]: options.name }, replicas });
    AppState.of(this.scope).touch();
    return d;
  }

  private addPropagationEnv(d: kplus.Deployment): void {
    d.containers[0].env.addVariable(WellKnown.PROPAGATE_HEADERS_ENV, kplus.EnvValue.fromValue(lazyString(() => this.headersToPropagate.join(','))));
  }

  /**
   * A Deployment of the service. Its selector names the Deployment and never the version label,
   * which the Kruise canary copy overrides (the copy keeps the selector).
   */
  private addDeployment(id: string, name: string, o: DeploymentOptions): kplus.Deployment {
    const props = this.o.props;
    const problems = problemsAt(this.scope);
    requireInt(problems, 'replicas', o.replicas, 0, 10000);
    problems.throwIfAny();
    const selector = { [WellKnown.APP_LABEL]: this.o.name, [WellKnown.WORKLOAD_LABEL]: name };
    const d = new kplus.Deployment(this.scope, id, {
      metadata: { name, namespace: this.o.namespace, labels: { [WellKnown.APP_LABEL]: this.o.name } },
      replicas: o.replicas,
      select: false,
      podMetadata: { labels: { ...o.labels, ...selector } },
      automountServiceAccountToken: false,
      serviceAccount: this.o.serviceAccount,
      securityContext: { ensureNonRoot: true, user: props.securityContext?.user ?? SECURE_CONTEXT.user, group: props.securityContext?.group ?? SECURE_CONTEXT.group },
      containers: [{
        name: 'app',
        image: o.image,
        portNumber: props.containerPort ?? props.port,
        command: props.command ? [...props.command] : undefined,
        args: props.args ? [...props.args] : undefined,
        envVariables: o.env ? { ...o.env } : undefined,
        imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
        resources: props.resources ?? DEFAULT_RESOURCES,
        securityContext: { ...SECURE_CONTEXT, ...(props.securityContext ?? {}) },
      }],
    });
    d.select(kplus.LabelSelector.of({ labels: selector }));
    // Call graph and propagation contract, written at synth from the final sets.
    d.metadata.addAnnotation(WellKnown.CALLS_ANNOTATION, lazyString(() => this.o.callees().join(',') || undefined));
    d.metadata.addAnnotation(WellKnown.PROPAGATE_HEADERS_ANNOTATION, lazyString(() => this.headersToPropagate.join(',') || undefined));
    this.deployments.push(d);
    if (this.propagated.size > 0) this.addPropagationEnv(d);
    return d;
  }
}

/** A string produced at synth (cdk8s resolves Lazy values inside metadata and env). */
export function lazyString(produce: () => string | undefined): string {
  return Lazy.any({ produce }) as unknown as string;
}
