import { ApiObject, Chart, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkReleaseProps, checkServiceProps, gatewayHostsOf } from './gray-service-checks';
import { GrayServiceNames, GrayServiceProps, GrayServiceRef } from './gray-service-props';
import { IngressGateway } from './ingress-gateway';
import { KruiseRelease, NetworkRef } from './kruise-release';
import { meshObject } from './mesh-object';
import { addChecks, AppState, ChartState, problemsAt } from './state';
import { DestinationRuleSpecTrafficPolicyLoadBalancerSimple, toJson_DestinationRuleSpec, toJson_VirtualServiceSpec } from '../../imports/istio-networking';
import { IstioApiVersion, KruiseApiVersion, LoadBalancer } from '../model/api-versions';
import { CanaryStep, checkSteps } from '../model/kruise/canary-step';
import { labelsMatch } from '../model/matching';
import { isDns1123Label, requireDns1123Label, requireInt } from '../model/names';
import { fail, ModelProblem } from '../model/problem';
import { RenderContext, ServiceRouting } from '../model/routing/service-routing';
import { WellKnown } from '../model/well-known';
import { IWorkloadLabels } from '../model/workload';

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

/** Our enum to the generated one (the same values; the generated enum is not public API). */
const LOAD_BALANCER: Readonly<Record<LoadBalancer, DestinationRuleSpecTrafficPolicyLoadBalancerSimple>> = {
  [LoadBalancer.ROUND_ROBIN]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.ROUND_UNDERSCORE_ROBIN,
  [LoadBalancer.LEAST_REQUEST]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST,
  [LoadBalancer.RANDOM]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.RANDOM,
  [LoadBalancer.PASSTHROUGH]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.PASSTHROUGH,
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
  readonly props: GrayServiceProps;
}


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
  /** The base Deployment. */
  public readonly deployment: kplus.Deployment;
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
  /** The props the service was created with (lane Deployments start from them). */
  private readonly props: GrayServiceProps;

  private readonly calls = new Set<string>();
  private readonly deployments: kplus.Deployment[] = [];
  private readonly extraWorkloads: IWorkloadLabels[] = [];
  private readonly propagatedHeaders = new Set<string>();
  private readonly baseLabels: Record<string, string>;

  public constructor(scope: Construct, id: string, props: GrayServiceProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const problems = problemsAt(this);
    checkServiceProps(problems, this.name, props);
    this.props = props;
    this.host = this.name;
    this.namespace = props.namespace;
    this.port = props.port;
    this.versionLabel = props.versionLabel ?? WellKnown.VERSION_LABEL;
    this.baseVersion = props.baseVersion ?? 'base';
    this.istioApiVersion = props.istioApiVersion ?? IstioApiVersion.V1BETA1;
    this.names = {
      deployment: props.names?.deployment ?? `${this.name}-${this.baseVersion}`,
      destinationRule: props.names?.destinationRule ?? `dr-${this.name}`,
      virtualService: props.names?.virtualService ?? `vs-${this.name}`,
      gatewayVirtualService: props.names?.gatewayVirtualService ?? `vs-${this.name}-gateway`,
      rollout: props.names?.rollout ?? `rollouts-${this.name}`,
      trafficRouting: props.names?.trafficRouting ?? `${this.name}-tr`,
      baseSubset: props.names?.baseSubset ?? `version-${this.baseVersion}`,
    };
    // Every name is also a label value or subset name somewhere: DNS-1123 labels throughout.
    for (const [prop, value] of Object.entries(this.names)) requireDns1123Label(problems, `names.${prop}`, value);
    problems.throwIfAny();

    // Workload: the base Deployment. Its selector names the Deployment and never the version
    // label, which the Kruise canary copy overrides (the copy keeps the selector).
    this.baseLabels = {
      ...(props.podLabels ?? {}),
      [WellKnown.APP_LABEL]: this.name,
      [this.versionLabel]: this.baseVersion,
    };
    this.deployment = this.addDeployment('Deployment', this.names.deployment, {
      image: props.image,
      replicas: props.replicas ?? 1,
      labels: this.baseLabels,
      env: props.env,
      props,
    });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { app: this.name, service: this.name } },
      ports: [{ name: 'http', port: props.port, targetPort: props.containerPort ?? props.port }],
    });
    this.service.selectLabel(WellKnown.APP_LABEL, this.name);
    this.apiObject = ApiObject.of(this.service);

    // Routing: base subset, rendered into the DestinationRule and every VirtualService.
    this.routing = new ServiceRouting(this.host, { name: this.names.baseSubset, labels: { [this.versionLabel]: this.baseVersion } }, this.node.path);
    const loadBalancer = props.loadBalancer ?? LoadBalancer.ROUND_ROBIN;
    this.destinationRule = meshObject(this, 'DestinationRule', {
      apiVersion: this.istioApiVersion,
      kind: 'DestinationRule',
      metadata: { name: this.names.destinationRule, namespace: this.namespace },
      spec: () => toJson_DestinationRuleSpec({
        host: this.host,
        trafficPolicy: { loadBalancer: { simple: LOAD_BALANCER[loadBalancer] } },
        subsets: this.routing.renderSubsets(),
      }),
    });
    this.virtualService = meshObject(this, 'VirtualService', {
      apiVersion: this.istioApiVersion,
      kind: 'VirtualService',
      metadata: { name: this.names.virtualService, namespace: this.namespace },
      spec: () => toJson_VirtualServiceSpec({ hosts: [this.host], http: this.routing.renderHttp(this.renderContext(false)) }),
    });
    if (props.gateway) {
      this.gateway = props.gateway;
      const hosts = gatewayHostsOf(this, problems, props.gateway, this.namespace, props.gatewayHosts);
      for (const h of hosts) {
        ChartState.of(this).claim(this, {
          key: `gateway|${props.gateway.node.path}|${h}`,
          prop: 'gatewayHosts',
          what: `the host ${h} on the gateway ${props.gateway.name}`,
          fix: 'expose each host through one service (give the others gatewayHosts of their own), or route the paths of one host from one service',
        });
      }
      const gatewayRef = props.gateway.refFrom(this.namespace);
      this.gatewayVirtualService = meshObject(this, 'GatewayVirtualService', {
        apiVersion: this.istioApiVersion,
        kind: 'VirtualService',
        metadata: { name: this.names.gatewayVirtualService, namespace: this.namespace },
        spec: () => toJson_VirtualServiceSpec({ hosts: [...hosts], gateways: [gatewayRef], http: this.routing.renderHttp(this.renderContext(true)) }),
      });
    }

    // Progressive delivery.
    if (props.release) {
      const canaryVersion = props.release.canaryVersion ?? 'canary';
      checkReleaseProps(problems, props.release, { versionLabel: this.versionLabel, baseVersion: this.baseVersion, canaryVersion });
      if (this.names.baseSubset === WellKnown.KRUISE_CANARY_SUBSET) {
        problems.add('names.baseSubset', `"${WellKnown.KRUISE_CANARY_SUBSET}" is the subset Kruise appends during a release, so the DestinationRule would get it twice`, 'name the base subset otherwise (default "version-<baseVersion>")');
      }
      const steps = props.release.steps ?? [CanaryStep.replicas(1)];
      const stepProblem = checkSteps(steps, props.replicas ?? 1);
      if (stepProblem) problems.addAll([stepProblem]);
      problems.throwIfAny();
      this.canaryLabels = {
        [WellKnown.KRUISE_CANARY_LABEL]: WellKnown.KRUISE_CANARY_LABEL_VALUE,
        [this.versionLabel]: canaryVersion,
      };
      this.release = new KruiseRelease(this, 'Release', {
        deploymentName: this.names.deployment,
        serviceName: this.name,
        networkRefs: this.networkRefs(),
        steps,
        canaryLabels: this.canaryLabels,
        weight: props.release.weight,
        apiVersion: props.release.apiVersion ?? KruiseApiVersion.V1ALPHA1,
        rolloutName: this.names.rollout,
        trafficRoutingName: this.names.trafficRouting,
        namespace: this.namespace,
      });
      if (props.release.matches && props.release.matches.length > 0) this.release.addMatch(props.release.matches);
    } else {
      this.canaryLabels = {};
    }

    for (const c of props.calls ?? []) this.addCall(c);
    problems.throwIfAny();
    // Routing objects declare the lanes they implement (for the lane report), read at synth.
    const lanes = lazyString(() => this.routing.lanesAnnotation());
    for (const o of [this.virtualService, this.destinationRule, this.gatewayVirtualService]) o?.metadata.addAnnotation(WellKnown.LANES_ANNOTATION, lanes);
    ChartState.of(this).claim(this, {
      key: `mesh|${this.effectiveNamespace ?? 'default'}|${this.name}`,
      prop: 'name',
      what: `the mesh routing (DestinationRule, VirtualService) of the service ${this.name}`,
      fix: 'route each service from one construct: rename one of them, or put them in different namespaces',
    });
    addChecks(this, () => [...this.validateService(), ...ChartState.of(this).uniquenessProblems(this)]);
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
    if (this.propagatedHeaders.size === 0) this.deployments.forEach((d) => this.addPropagationEnv(d));
    this.propagatedHeaders.add(header);
    AppState.of(this).touch();
  }

  private addPropagationEnv(d: kplus.Deployment): void {
    d.containers[0].env.addVariable(WellKnown.PROPAGATE_HEADERS_ENV, kplus.EnvValue.fromValue(lazyString(() => this.headersToPropagate.join(','))));
  }

  /** Headers the application must propagate. */
  public get headersToPropagate(): readonly string[] {
    return [...this.propagatedHeaders].sort();
  }

  /** Every Deployment of the service, with the labels its pods carry. */
  public get workloads(): readonly IWorkloadLabels[] {
    return [
      { name: this.names.deployment, podLabels: { ...this.baseLabels, [WellKnown.WORKLOAD_LABEL]: this.names.deployment }, replicas: this.deployment.replicas ?? 1 },
      ...this.extraWorkloads,
    ];
  }

  /**
   * Adds another Deployment of this service (e.g. a static lane's version), sharing the base
   * container's settings unless overridden. Its pods carry `app` and the given labels.
   * @internal used by TrafficLane
   */
  public _addWorkload(id: string, options: WorkloadOptions): kplus.Deployment {
    const props = this.props;
    const problems = problemsAt(this);
    requireDns1123Label(problems, 'workload name', options.name);
    problems.throwIfAny();
    const labels = { ...(props.podLabels ?? {}), ...options.labels, [WellKnown.APP_LABEL]: this.name };
    const replicas = options.replicas ?? 1;
    const d = this.addDeployment(id, options.name, { image: options.image ?? props.image, replicas, labels, env: { ...(props.env ?? {}), ...(options.env ?? {}) }, props });
    this.extraWorkloads.push({ name: options.name, podLabels: { ...labels, [WellKnown.WORKLOAD_LABEL]: options.name }, replicas });
    return d;
  }

  /** References Kruise needs to the service's routing objects. */
  private networkRefs(): NetworkRef[] {
    const refs: NetworkRef[] = [{ apiVersion: this.istioApiVersion, kind: 'VirtualService', name: this.names.virtualService }];
    if (this.gateway) refs.push({ apiVersion: this.istioApiVersion, kind: 'VirtualService', name: this.names.gatewayVirtualService });
    refs.push({ apiVersion: this.istioApiVersion, kind: 'DestinationRule', name: this.names.destinationRule });
    return refs;
  }

  private addDeployment(id: string, name: string, o: DeploymentOptions): kplus.Deployment {
    const props = o.props;
    const problems = problemsAt(this);
    requireInt(problems, 'replicas', o.replicas, 0, 10000);
    problems.throwIfAny();
    const selector = { [WellKnown.APP_LABEL]: this.name, [WellKnown.WORKLOAD_LABEL]: name };
    const d = new kplus.Deployment(this, id, {
      metadata: { name, namespace: this.namespace, labels: { [WellKnown.APP_LABEL]: this.name } },
      replicas: o.replicas,
      select: false,
      podMetadata: { labels: { ...o.labels, ...selector } },
      automountServiceAccountToken: false,
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
    d.metadata.addAnnotation(WellKnown.CALLS_ANNOTATION, lazyString(() => this.callees.join(',') || undefined));
    d.metadata.addAnnotation(WellKnown.PROPAGATE_HEADERS_ANNOTATION, lazyString(() => this.headersToPropagate.join(',') || undefined));
    this.deployments.push(d);
    if (this.propagatedHeaders.size > 0) this.addPropagationEnv(d);
    return d;
  }

  /** What the VirtualServices need at synth besides the service's own routing. */
  private renderContext(gateway: boolean): RenderContext {
    return { gateway, laneHeaders: gateway && this.routing.weightedEntries.length > 0 ? this.laneHeaders() : [] };
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

/** A string produced at synth (cdk8s resolves Lazy values inside metadata and env). */
function lazyString(produce: () => string | undefined): string {
  return Lazy.any({ produce }) as unknown as string;
}

