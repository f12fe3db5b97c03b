import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkCanaryVersion, checkServiceProps } from './checks';
import { CallerGraph, callerGraph } from './propagation';
import { GrayServiceNames, GrayServiceProps, GrayServiceRef } from './props';
import { releaseChecks } from './release-checks';
import { ServiceRoutingObjects } from './routing-objects';
import { buildRouting, planRouting } from './routing-setup';
import { VersionWorkloadProps, WorkloadInfo } from './workload-props';
import { lazyString, ServiceWorkloads, WorkloadOptions } from './workloads';
import type { VirtualServiceSpecHttp } from '../../../imports/istio-networking';
import { IstioApiVersion, LoadBalancer } from '../../model/api-versions';
import { checkRelease, releaseOf } from '../../model/kruise/release-rules';
import { labelsMatch } from '../../model/matching';
import { isDns1123Label, requireDns1123Label } from '../../model/names';
import { fail, ModelProblem, Problems } from '../../model/problem';
import { isHttpFamily, ServicePort } from '../../model/routing/protocol';
import { ServicePlan, ServiceVersion } from '../../model/routing/service-plan';
import { RenderContext, ServiceRouting } from '../../model/routing/service-routing';
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
 * - a Deployment per version (the seed's single `base`, or `versions`: `<service>-<version>`,
 *   pods labelled `app` and `version: <version>`);
 * - a Service selecting `app` only (all versions) on a port named `http` (or `ports`);
 * - a DestinationRule with a subset per version and the traffic policies;
 * - a mesh VirtualService (lane rules, the service's `routes`, the default route last), and
 *   optionally a VirtualService bound to an ingress gateway;
 * - optionally a Kruise `Rollout` and `TrafficRouting` for progressive delivery.
 *
 * The construct keeps the invariants Kruise's Istio scripts rely on: canary pods get
 * `istio.service.tag: gray` and a different version label, so a canary pod is never in the
 * base subset; the DestinationRule has subsets and none named `canary`; every VirtualService
 * of a service with an HTTP port has an `http` list whose last, match-less rule is the default
 * route (the base subset unless `defaultRoute` says otherwise).
 */
export class GrayService extends Construct {
  /** Service name, `app` label and mesh host. */
  public readonly name: string;
  /** Host other services call this one by (the bare Service name). */
  public readonly host: string;
  /** The `namespace` prop, if given (see {@link effectiveNamespace}). */
  public readonly namespace?: string;
  /** Service port: the first HTTP-family port (the first port when there is none). */
  public readonly port: number;
  /** The Service's ports, each with its protocol. */
  public readonly ports: readonly ServicePort[];
  /** The versions the service runs (the seed's single base version unless `versions` is given). */
  public readonly versions: readonly ServiceVersion[];
  /** Pod label telling versions apart. */
  public readonly versionLabel: string;
  /**
   * The version of the base Deployment (and of a Kruise release): `baseVersion`, or with
   * `versions` the default route's version (the first version when the default route splits).
   */
  public readonly baseVersion: string;
  /** Object names. */
  public readonly names: Required<GrayServiceNames>;
  /**
   * The base version's Deployment. A change made through it reaches the base version only: use
   * {@link onEachWorkload} (or the recipe props) for every version and lane.
   */
  public readonly deployment: kplus.Deployment;
  /** The Deployment of each version, by version name. */
  public readonly versionDeployments: Readonly<Record<string, kplus.Deployment>>;
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
    this.versionLabel = props.versionLabel ?? WellKnown.VERSION_LABEL;
    this.istioApiVersion = props.istioApiVersion ?? IstioApiVersion.V1BETA1;
    const plan = planRouting(problems, this.name, this.versionLabel, props);
    this.baseVersion = plan.primary.name;
    this.versions = plan.versions;
    this.ports = plan.ports;
    this.port = (plan.ports.find((p) => isHttpFamily(p.protocol)) ?? plan.ports[0]).port;
    this.names = namesOf(this.name, this.baseVersion, props.names, plan.explicitVersions);
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
      // The seed's one unnamed port, or the service's named ports (the same on every workload).
      ports: plan.explicitPorts ? plan.ports.map((p) => ({ name: p.name, number: p.targetPort })) : [{ number: plan.ports[0].targetPort }],
      callees: () => this.callees,
      baseOverrides: props.versions?.find((v) => v.name === plan.primary.name),
    });
    this.deployment = this.workloadSet.base;
    this.serviceAccountName = this.workloadSet.serviceAccountName;
    this.versionDeployments = this.addVersionDeployments(props, plan);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { app: this.name, service: this.name } },
      ports: plan.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
    });
    this.service.selectLabel(WellKnown.APP_LABEL, this.name);
    this.apiObject = ApiObject.of(this.service);
    // Istio reads a port's protocol from appProtocol first (notes §5f); cdk8s-plus has no field for it.
    if (plan.explicitPorts) plan.ports.forEach((p, i) => this.apiObject.addJsonPatch(JsonPatch.add(`/spec/ports/${i}/appProtocol`, p.appProtocol)));

    // Routing: versions' subsets, default route, own rules, rendered into the DestinationRule and every VirtualService.
    this.routing = buildRouting(this.host, this.node.path, { versionLabel: this.versionLabel, baseVersion: this.baseVersion, baseSubset: this.names.baseSubset }, props, plan);
    const objects = new ServiceRoutingObjects(this, problems, this.routing, {
      host: this.host,
      namespace: this.namespace,
      apiVersion: this.istioApiVersion,
      names: this.names,
      loadBalancer: props.loadBalancer ?? LoadBalancer.ROUND_ROBIN,
      trafficPolicy: props.trafficPolicy,
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
    // Last: chart-wide constructs (ZeroTrust, ProxyScoping) add this service's objects.
    ChartState.of(this).addService(this);
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

  /**
   * The service's http rules as a gateway path route renders them: each rule's match ANDed with
   * `options.within`, destinations on `options.port`, `options.policy` between the service's
   * policy and each rule's own.
   * @internal used by GatewayRoutes
   */
  public _gatewayHttp(options: Omit<RenderContext, 'gateway' | 'laneHeaders'>): VirtualServiceSpecHttp[] {
    return this.routing.renderHttp({
      ...options,
      gateway: true,
      laneHeaders: this.routing.weightedEntries.length > 0 ? this.laneHeaders() : [],
      destinationPort: this.ports.length > 1 ? options.destinationPort : undefined,
    }) ?? [];
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

  /** Every other version's Deployment (through ServiceWorkloads.addVersion, from the same pod recipe). */
  private addVersionDeployments(props: GrayServiceProps, plan: ServicePlan): Record<string, kplus.Deployment> {
    const out: Record<string, kplus.Deployment> = { [plan.primary.name]: this.deployment };
    for (const v of props.versions ?? []) {
      if (v.name !== plan.primary.name) out[v.name] = this._addVersion(v);
    }
    return out;
  }

  private addRelease(problems: Problems, props: GrayServiceProps): KruiseRelease {
    const { release, problems: formProblems } = releaseOf(props.release!);
    problems.addAll(formProblems);
    const canaryVersion = release.options.canaryVersion ?? 'canary';
    checkCanaryVersion(problems, { versionLabel: this.versionLabel, baseVersion: this.baseVersion, canaryVersion });
    if (this.names.baseSubset === WellKnown.KRUISE_CANARY_SUBSET) {
      problems.add('names.baseSubset', `"${WellKnown.KRUISE_CANARY_SUBSET}" is the subset Kruise appends during a release, so the DestinationRule would get it twice`, 'name the base subset otherwise (default "version-<baseVersion>")');
    }
    problems.addAll(checkRelease(release));
    if (props.autoscaling) problems.addAll(autoscaledStepProblems(release.steps.map((s) => ({ replicas: s.effectiveReplicas, weight: s.trafficPercent })), undefined));
    // Kruise's weight mode rescales every destination of the match-less rule and appends one canary
    // destination per stable-host destination it finds (kruise.md §4, verified bug).
    const weighted = (release.options as { readonly weight?: number }).weight !== undefined || release.steps.some((st) => st.trafficPercent !== undefined);
    if (weighted && this.routing.defaultRoute.destinations.filter((d) => d.weight > 0).length > 1) {
      problems.add('release', `the default route splits ${this.name} (${this.routing.defaultRoute.describe}), and Kruise's weight mode would add one canary destination per version in it`,
        'release with header matches only, or route by default to one version while the release runs');
    }
    problems.throwIfAny();
    const kruise = new KruiseRelease(this, 'Release', {
      deploymentName: this.names.deployment,
      serviceName: this.name,
      networkRefs: this.networkRefs(),
      release,
      canaryLabels: { [WellKnown.KRUISE_CANARY_LABEL]: WellKnown.KRUISE_CANARY_LABEL_VALUE, [this.versionLabel]: canaryVersion },
      rolloutName: this.names.rollout,
      trafficRoutingName: this.names.trafficRouting,
      namespace: this.namespace,
    });
    addChecks(this, () => releaseChecks(this, kruise, this.callers()));
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
    return this.allServices().flatMap((s) => s.routing.lanes.map((l) => l.header));
  }

  /** Callee → callers over every GrayService of the app (built once per validation pass). */
  private callers(): CallerGraph<GrayService> {
    return AppState.of(this).memo('gray-service-callers', () => callerGraph(this.allServices()));
  }

  /** Every GrayService of the app, in construct-tree order (gathered once per validation pass). */
  private allServices(): readonly GrayService[] {
    const state = AppState.of(this);
    return state.memo('gray-services', () => state.constructs.filter((c): c is GrayService => c instanceof GrayService));
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
    return errors;
  }
}

/** The object names of a service, each defaulting from the service name. */
function namesOf(name: string, baseVersion: string, given: GrayServiceNames = {}, explicitVersions = false): Required<GrayServiceNames> {
  return {
    deployment: given.deployment ?? `${name}-${baseVersion}`,
    destinationRule: given.destinationRule ?? `dr-${name}`,
    virtualService: given.virtualService ?? `vs-${name}`,
    gatewayVirtualService: given.gatewayVirtualService ?? `vs-${name}-gateway`,
    rollout: given.rollout ?? `rollouts-${name}`,
    trafficRouting: given.trafficRouting ?? `${name}-tr`,
    baseSubset: given.baseSubset ?? (explicitVersions ? baseVersion : `version-${baseVersion}`),
  };
}
