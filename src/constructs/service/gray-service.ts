import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkReleaseProps, checkServiceProps } from './checks';
import { GrayServiceNames, GrayServiceProps, GrayServiceRef } from './props';
import { ServiceRoutingObjects } from './routing-objects';
import { VersionWorkloadProps, WorkloadInfo } from './workload-props';
import { lazyString, ServiceWorkloads, WorkloadOptions } from './workloads';
import { IstioApiVersion, KruiseApiVersion, LoadBalancer } from '../../model/api-versions';
import { CanaryStep, checkSteps } from '../../model/kruise/canary-step';
import { labelsMatch } from '../../model/matching';
import { isDns1123Label, requireDns1123Label } from '../../model/names';
import { fail, ModelProblem, Problems } from '../../model/problem';
import { ServiceRouting } from '../../model/routing/service-routing';
import { WellKnown } from '../../model/well-known';
import { IWorkloadLabels } from '../../model/workload';
import { autoscaledStepProblems } from '../../model/workload-checks';
import { ignoreLint } from '../core/lint-ignore';
import { addChecks, AppState, ChartState, problemsAt } from '../core/state';
import type { IngressGateway } from '../ingress/ingress-gateway';
import { KruiseRelease, NetworkRef } from '../kruise/kruise-release';

export type { WorkloadOptions } from './workloads';

/**
 * One service of a mesh, with everything a gray release of it needs:
 *
 * - a Deployment of the base version (pods labelled `app` and `version: base`);
 * - a Service selecting `app` only (all versions) on a port named `http`;
 * - a DestinationRule with the base subset and its traffic policy;
 * - a mesh VirtualService routing the host to the base subset, and optionally a
 *   VirtualService bound to an ingress gateway;
 * - optionally a Kruise `Rollout` and `TrafficRouting` for progressive delivery.
 *
 * The construct keeps the invariants Kruise's Istio scripts rely on: canary pods get
 * `istio.service.tag: gray` and a different version label, so a canary pod is never in the
 * base subset; the DestinationRule has subsets and none named `canary`; every VirtualService
 * has an `http` list whose last, match-less rule routes the host to the base subset.
 */
export class GrayService extends Construct {
  /** Service name, `app` label and mesh host. */
  public readonly name: string;
  /** Host other services call this one by (the bare Service name). */
  public readonly host: string;
  /** The `namespace` prop, if given (see {@link effectiveNamespace}). */
  public readonly namespace?: string;
  /** Service port. */
  public readonly port: number;
  /** Pod label telling versions apart. */
  public readonly versionLabel: string;
  /** Version label value of the base pods. */
  public readonly baseVersion: string;
  /** Object names. */
  public readonly names: Required<GrayServiceNames>;
  /**
   * The base Deployment. A change made through it reaches the base version only: use
   * {@link onEachWorkload} (or the recipe props) for every version and lane.
   */
  public readonly deployment: kplus.Deployment;
  /** The ServiceAccount every workload of the service runs as (its mesh identity). */
  public readonly serviceAccountName: string;
  /** The Service. */
  public readonly service: kplus.Service;
  /** The Service's API object, the construct's main object (`ApiObject.of(service.service)`). */
  public readonly apiObject: ApiObject;
  /** The DestinationRule. */
  public readonly destinationRule: ApiObject;
  /** The mesh VirtualService. */
  public readonly virtualService: ApiObject;
  /** The gateway-bound VirtualService, if exposed. */
  public readonly gatewayVirtualService?: ApiObject;
  /** The gateway, if exposed. */
  public readonly gateway?: IngressGateway;
  /** The Kruise Rollout and TrafficRouting, if released progressively. */
  public readonly release?: KruiseRelease;
  /** Labels canary pods get from the Rollout (empty without a release). */
  public readonly canaryLabels: Readonly<Record<string, string>>;
  /** The routing model the DestinationRule and VirtualServices are rendered from. */
  public readonly routing: ServiceRouting;
  /** apiVersion of the Istio objects. */
  public readonly istioApiVersion: IstioApiVersion;

  private readonly calls = new Set<string>();
  private readonly workloadSet: ServiceWorkloads;

  public constructor(scope: Construct, id: string, props: GrayServiceProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const problems = problemsAt(this);
    checkServiceProps(problems, this.name, props);
    this.host = this.name;
    this.namespace = props.namespace;
    this.port = props.port;
    this.versionLabel = props.versionLabel ?? WellKnown.VERSION_LABEL;
    this.baseVersion = props.baseVersion ?? 'base';
    this.istioApiVersion = props.istioApiVersion ?? IstioApiVersion.V1BETA1;
    this.names = namesOf(this.name, this.baseVersion, props.names);
    // Every name is also a label value or subset name somewhere: DNS-1123 labels throughout.
    for (const [prop, value] of Object.entries(this.names)) requireDns1123Label(problems, `names.${prop}`, value);
    problems.throwIfAny();

    this.workloadSet = new ServiceWorkloads(this, {
      name: this.name,
      namespace: this.namespace,
      versionLabel: this.versionLabel,
      baseVersion: this.baseVersion,
      baseDeployment: this.names.deployment,
      recipe: props,
      ports: [{ number: props.containerPort ?? props.port }],
      callees: () => this.callees,
    });
    this.deployment = this.workloadSet.base;
    this.serviceAccountName = this.workloadSet.serviceAccountName;

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { app: this.name, service: this.name } },
      ports: [{ name: 'http', port: props.port, targetPort: props.containerPort ?? props.port }],
    });
    this.service.selectLabel(WellKnown.APP_LABEL, this.name);
    this.apiObject = ApiObject.of(this.service);

    // Routing: base subset, rendered into the DestinationRule and every VirtualService.
    this.routing = new ServiceRouting(this.host, { name: this.names.baseSubset, labels: { [this.versionLabel]: this.baseVersion } }, this.node.path);
    const objects = new ServiceRoutingObjects(this, problems, this.routing, {
      host: this.host,
      namespace: this.namespace,
      apiVersion: this.istioApiVersion,
      names: this.names,
      loadBalancer: props.loadBalancer ?? LoadBalancer.ROUND_ROBIN,
      gateway: props.gateway,
      gatewayHosts: props.gatewayHosts,
      laneHeaders: () => this.laneHeaders(),
    });
    this.destinationRule = objects.destinationRule;
    this.virtualService = objects.virtualService;
    this.gatewayVirtualService = objects.gatewayVirtualService;
    this.gateway = props.gateway;

    this.release = props.release ? this.addRelease(problems, props) : undefined;
    this.canaryLabels = this.release ? this.release.canaryLabels : {};
    problems.addAll(this.workloadSet.canaryProblems(this.canaryLabels));

    for (const c of props.calls ?? []) this.addCall(c);
    problems.throwIfAny();
    // Routing objects declare the lanes they implement (for the lane report), read at synth.
    const lanes = lazyString(() => this.routing.lanesAnnotation());
    for (const o of objects.all) o.metadata.addAnnotation(WellKnown.LANES_ANNOTATION, lanes);
    ChartState.of(this).claim(this, {
      key: `mesh|${this.effectiveNamespace ?? 'default'}|${this.name}`,
      prop: 'name',
      what: `the mesh routing (DestinationRule, VirtualService) of the service ${this.name}`,
      fix: 'route each service from one construct: rename one of them, or put them in different namespaces',
    });
    addChecks(this, () => [...this.validateService(), ...ChartState.of(this).uniquenessProblems(this)]);
  }

  /**
   * Records that lint findings `codes` on this service's objects are intended, and why
   * (the annotation `gray-release.io/lint-ignore` on each of them; see `ignoreLint`).
   */
  public ignoreLint(codes: string | readonly string[], reason: string): void {
    ignoreLint(this, codes, reason);
  }

  /**
   * The namespace the service's objects land in: the `namespace` prop, else the chart's
   * namespace; undefined when neither is set (the namespace `kubectl` applies to).
   */
  public get effectiveNamespace(): string | undefined {
    return this.namespace ?? Chart.of(this).namespace;
  }

  /** Declares a service this one calls (for the route explainer's call graph). */
  public addCall(target: GrayServiceRef): void {
    const host = typeof target === 'string' ? target : target.host;
    if (!host || !host.split('.').every(isDns1123Label)) {
      fail(this.node.path, 'calls', `${JSON.stringify(host)} is not a service host`, 'give a GrayService or a host such as "mockb" or "mockb.shop.svc.cluster.local"');
    }
    this.calls.add(host);
    AppState.of(this).touch();
  }

  /** The services this one calls. */
  public get callees(): readonly string[] {
    return [...this.calls].sort();
  }

  /**
   * Declares a request header the application must copy from each incoming request to every
   * outgoing call (a lane header). Every container gets it in the environment variable
   * `GRAY_RELEASE_PROPAGATE_HEADERS`, and every Deployment the annotation
   * `gray-release.io/propagate-headers`.
   */
  public propagateHeader(header: string): void {
    this.workloadSet.propagateHeader(header);
  }

  /** Headers the application must propagate. */
  public get headersToPropagate(): readonly string[] {
    return this.workloadSet.headersToPropagate;
  }

  /** Every Deployment of the service, with the labels its pods carry. */
  public get workloads(): readonly IWorkloadLabels[] {
    return this.workloadSet.list;
  }

  /**
   * Adds another Deployment of this service (e.g. a static lane's version), sharing the base
   * container's settings unless overridden. Its pods carry `app` and the given labels.
   * @internal used by TrafficLane
   */
  public _addWorkload(id: string, options: WorkloadOptions): kplus.Deployment {
    return this.workloadSet.add(id, options);
  }

  /**
   * Runs `fn` on every Deployment of the service: those that exist now (versions, lanes) and
   * every one added later, with what kind of workload it is. The escape hatch for what the pod
   * recipe props do not cover (`deployment.addVolume`, `containers[0].mount`, a sidecar, ...);
   * Kruise's canary Deployment copies the base, so it gets the change too.
   */
  public onEachWorkload(fn: (deployment: kplus.Deployment, workload: WorkloadInfo) => void): void {
    this.workloadSet.onEachWorkload(fn);
  }

  /**
   * Adds a version of the service built from its recipe (Deployment `<service>-<version>`).
   * @internal the versions prop uses it
   */
  public _addVersion(version: VersionWorkloadProps): kplus.Deployment {
    return this.workloadSet.addVersion(version);
  }

  private addRelease(problems: Problems, props: GrayServiceProps): KruiseRelease {
    const release = props.release!;
    const canaryVersion = release.canaryVersion ?? 'canary';
    checkReleaseProps(problems, release, { versionLabel: this.versionLabel, baseVersion: this.baseVersion, canaryVersion });
    if (this.names.baseSubset === WellKnown.KRUISE_CANARY_SUBSET) {
      problems.add('names.baseSubset', `"${WellKnown.KRUISE_CANARY_SUBSET}" is the subset Kruise appends during a release, so the DestinationRule would get it twice`, 'name the base subset otherwise (default "version-<baseVersion>")');
    }
    const steps = release.steps ?? [CanaryStep.replicas(1)];
    const stepProblem = checkSteps(steps, props.autoscaling?.minReplicas ?? props.replicas ?? 1);
    if (stepProblem) problems.addAll([stepProblem]);
    if (props.autoscaling) problems.addAll(autoscaledStepProblems(steps.map((s) => s.options), release.weight));
    problems.throwIfAny();
    const kruise = new KruiseRelease(this, 'Release', {
      deploymentName: this.names.deployment,
      serviceName: this.name,
      networkRefs: this.networkRefs(),
      steps,
      canaryLabels: { [WellKnown.KRUISE_CANARY_LABEL]: WellKnown.KRUISE_CANARY_LABEL_VALUE, [this.versionLabel]: canaryVersion },
      weight: release.weight,
      apiVersion: release.apiVersion ?? KruiseApiVersion.V1ALPHA1,
      rolloutName: this.names.rollout,
      trafficRoutingName: this.names.trafficRouting,
      namespace: this.namespace,
    });
    if (release.matches && release.matches.length > 0) kruise.addMatch(release.matches);
    return kruise;
  }

  /** References Kruise needs to the service's routing objects. */
  private networkRefs(): NetworkRef[] {
    const refs: NetworkRef[] = [{ apiVersion: this.istioApiVersion, kind: 'VirtualService', name: this.names.virtualService }];
    if (this.gatewayVirtualService) refs.push({ apiVersion: this.istioApiVersion, kind: 'VirtualService', name: this.names.gatewayVirtualService });
    refs.push({ apiVersion: this.istioApiVersion, kind: 'DestinationRule', name: this.names.destinationRule });
    return refs;
  }

  /** Every header a lane of the app is carried by (the weighted lane entry skips them). */
  private laneHeaders(): string[] {
    return this.node.root.node.findAll().filter((c): c is GrayService => c instanceof GrayService)
      .flatMap((s) => s.routing.lanes.map((l) => l.header));
  }

  private validateService(): ModelProblem[] {
    const errors: ModelProblem[] = [];
    const names = this.routing.subsetSpecs.map((s) => s.name);
    if (names.includes(WellKnown.KRUISE_CANARY_SUBSET) && this.release) {
      errors.push({ prop: 'subsets', what: `a subset is named "${WellKnown.KRUISE_CANARY_SUBSET}", the name Kruise appends during a release`, fix: 'rename the subset' });
    }
    // Every subset must select pods that really exist (and never canary pods for the base).
    for (const s of this.routing.subsetSpecs) {
      const selected = this.workloads.filter((w) => labelsMatch(s.labels, w.podLabels));
      if (selected.length === 0) errors.push({ prop: `subset ${s.name}`, what: 'selects no pod of the service', fix: 'make the subset labels match a workload of the service' });
    }
    if (this.release && this.release.trafficMatches.length === 0 && this.release.weight === undefined) {
      errors.push({ prop: 'release', what: 'the TrafficRouting has neither header matches nor a weight, so no traffic would reach the canary', fix: 'give release.matches or release.weight, or add the service to a progressive TrafficLane' });
    }
    return errors;
  }
}

/** The object names of a service, each defaulting from the service name. */
function namesOf(name: string, baseVersion: string, given: GrayServiceNames = {}): Required<GrayServiceNames> {
  return {
    deployment: given.deployment ?? `${name}-${baseVersion}`,
    destinationRule: given.destinationRule ?? `dr-${name}`,
    virtualService: given.virtualService ?? `vs-${name}`,
    gatewayVirtualService: given.gatewayVirtualService ?? `vs-${name}-gateway`,
    rollout: given.rollout ?? `rollouts-${name}`,
    trafficRouting: given.trafficRouting ?? `${name}-tr`,
    baseSubset: given.baseSubset ?? `version-${baseVersion}`,
  };
}
