import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as asmApi from '../../../imports/asm-networking';
import * as istioApi from '../../../imports/istio-networking';
import { IstioApiVersion } from '../../model/api-versions';
import { asmDestinationRuleSpec, asmVirtualServiceSpec } from '../../model/dynamic-subset/asm';
import { DynamicSubsetIntent, FallbackPolicy, HeaderToSubsetKey, SubsetSelector } from '../../model/dynamic-subset/fallback-policy';
import { checkIntent, workloadProblems } from '../../model/dynamic-subset/intent-checks';
import { IstioExpansion, expandToIstio, istioExpansionProblems } from '../../model/dynamic-subset/istio-expansion';
import { MeshTarget } from '../../model/mesh-target';
import { requireDns1123Label, requireInt } from '../../model/names';
import { ModelProblem } from '../../model/problem';
import { IWorkloadLabels } from '../../model/workload';
import { addChecks, ChartState, problemsAt } from '../core/state';

/** The service whose endpoints are grouped. */
export interface DynamicSubsetService {
  /** The Kubernetes Service name (a DNS-1123 label). */
  readonly name: string;
  /**
   * The Service's namespace.
   * @default - the chart's namespace, else `default`
   */
  readonly namespace?: string;
  /** The Service port the routes send to (the seed's 8000). */
  readonly port: number;
}

/**
 * A workload whose pods the routing groups: a cdk8s-plus `Deployment` (its pod template labels
 * and replicas are read at synth), or anything exposing {@link IWorkloadLabels}.
 */
export type DynamicSubsetWorkload = IWorkloadLabels | {
  readonly name: string;
  readonly replicas?: number;
  readonly podMetadata: { toJson(): unknown };
};

/** Props of {@link DynamicSubsetRouting}. */
export interface DynamicSubsetRoutingProps {
  /**
   * The mesh to write for. No default: ASM-only fields would be rejected or silently dropped
   * by open-source Istio. `MeshTarget.ASM` writes ASM's `dynamicSubset` and
   * `headerToDynamicSubsetKey`; `MeshTarget.ISTIO` compiles the same intent to static subsets
   * and header-matching rules from the workloads given here.
   */
  readonly target: MeshTarget;
  /** The service whose endpoints are grouped. */
  readonly service: DynamicSubsetService;
  /**
   * Every workload behind the service. ASM groups pods itself and only needs them for
   * validation; the Istio target writes one subset per label combination among them.
   */
  readonly workloads: readonly DynamicSubsetWorkload[];
  /**
   * The subset selectors (ASM `subsetSelectors`). A request takes the first selector whose keys
   * all have a value (from the header or its `defaultValue`).
   * @see https://www.alibabacloud.com/help/en/asm/sidecar/dynamic-subset-routing
   */
  readonly subsetSelectors: readonly SubsetSelector[];
  /** Request header → selector key mappings (ASM `headerToDynamicSubsetKey`). */
  readonly headerMappings: readonly HeaderToSubsetKey[];
  /**
   * The fallback when no selector applies, and for selectors without their own.
   * @default - NO_FALLBACK (not written, as in ASM)
   */
  readonly fallbackPolicy?: FallbackPolicy;
  /**
   * The group DEFAULT_SUBSET falls back to, as pod labels. Must match a workload.
   * @default - none; required when any fallback policy is DEFAULT_SUBSET
   */
  readonly defaultSubset?: Readonly<Record<string, string>>;
  /**
   * The API version of the DestinationRule and VirtualService.
   * @default IstioApiVersion.V1BETA1
   */
  readonly apiVersion?: IstioApiVersion;
  /**
   * `metadata.name` of the DestinationRule and the VirtualService.
   * @default - the service name
   */
  readonly name?: string;
  /**
   * The `name` of the ASM http route.
   * @default 'default'
   */
  readonly routeName?: string;
}

/**
 * Routes requests to groups of a service's pods chosen by request headers: ASM dynamic subsets
 * on `MeshTarget.ASM`, a static expansion to DestinationRule subsets and VirtualService header
 * matches on `MeshTarget.ISTIO`. Writes one DestinationRule and one VirtualService for the host.
 */
export class DynamicSubsetRouting extends Construct {
  /** The service FQDN both objects are written for. */
  public readonly host: string;
  public readonly target: MeshTarget;
  /** The DestinationRule (escape hatch: `addJsonPatch`). */
  public readonly destinationRule: ApiObject;
  /** The VirtualService (escape hatch: `addJsonPatch`). */
  public readonly virtualService: ApiObject;
  /** The VirtualService, the construct's main object (the same as {@link virtualService}). */
  public readonly apiObject: ApiObject;
  private readonly intent: DynamicSubsetIntent;
  private readonly workloads: DynamicSubsetWorkload[];
  private readonly port: number;

  public constructor(scope: Construct, id: string, props: DynamicSubsetRoutingProps) {
    super(scope, id);
    const p = problemsAt(this);
    if (props.target !== MeshTarget.ASM && props.target !== MeshTarget.ISTIO) {
      p.add('target', `${JSON.stringify(props.target)} is not a mesh target`, 'choose MeshTarget.ASM or MeshTarget.ISTIO explicitly');
    }
    const apiVersion = props.apiVersion ?? IstioApiVersion.V1BETA1;
    if (props.target === MeshTarget.ASM && apiVersion !== IstioApiVersion.V1BETA1) {
      p.add('apiVersion', `the ASM flavour of the CRDs serves dynamicSubset in networking.istio.io/v1beta1 (and v1alpha3) only, not ${apiVersion}`, 'leave apiVersion unset (v1beta1) with MeshTarget.ASM');
    }
    requireDns1123Label(p, 'service.name', props.service.name);
    const namespace = props.service.namespace ?? Chart.of(this).namespace ?? 'default';
    requireDns1123Label(p, 'service.namespace', namespace);
    requireInt(p, 'service.port', props.service.port, 1, 65535);
    const name = props.name ?? props.service.name;
    requireDns1123Label(p, 'name', name);
    if (!props.workloads || props.workloads.length === 0) {
      p.add('workloads', 'no workload given', 'pass the Deployments (or IWorkloadLabels) behind the service');
    }
    p.throwIfAny();
    this.intent = {
      selectors: props.subsetSelectors.map((s) => ({ keys: [...s.keys], fallbackPolicy: s.fallbackPolicy })),
      mappings: props.headerMappings.map((m) => ({ ...m })),
      fallbackPolicy: props.fallbackPolicy,
      defaultSubset: props.defaultSubset ? { ...props.defaultSubset } : undefined,
    };
    checkIntent(p, props.target, this.intent);
    p.throwIfAny();

    this.target = props.target;
    this.workloads = [...props.workloads];
    this.port = props.service.port;
    this.host = `${props.service.name}.${namespace}.svc.cluster.local`;
    const metadata = { name, namespace };
    const routeName = props.routeName ?? 'default';

    this.destinationRule = new ApiObject(this, 'DestinationRule', {
      apiVersion,
      kind: 'DestinationRule',
      metadata,
      spec: Lazy.any({
        produce: () => props.target === MeshTarget.ASM
          ? asmApi.toJson_DestinationRuleSpec(asmDestinationRuleSpec(this.host, this.intent))
          : istioApi.toJson_DestinationRuleSpec({ host: this.host, subsets: this.expandToIstio().subsets }),
      }),
    });
    this.virtualService = new ApiObject(this, 'VirtualService', {
      apiVersion,
      kind: 'VirtualService',
      metadata,
      spec: Lazy.any({
        produce: () => props.target === MeshTarget.ASM
          ? asmApi.toJson_VirtualServiceSpec(asmVirtualServiceSpec(this.host, this.port, routeName, this.intent))
          : istioApi.toJson_VirtualServiceSpec({ hosts: [this.host], http: this.expandToIstio().http }),
      }),
    });

    this.apiObject = this.virtualService;
    ChartState.of(this).claim(this, {
      key: `mesh|${namespace}|${props.service.name}`,
      prop: 'service.name',
      what: `the mesh routing (DestinationRule, VirtualService) of the service ${props.service.name}`,
      fix: 'route each service from one construct: drop one of them, or name another service',
    });
    // The workloads' labels may change through cdk8s-plus after construction: they are inputs.
    addChecks(this, () => [...this.synthProblems(), ...ChartState.of(this).uniquenessProblems(this)], () => JSON.stringify(this.workloadLabels()));
  }

  /** The workloads' current pod labels (read now, so labels added after construction count). */
  public workloadLabels(): IWorkloadLabels[] {
    return this.workloads.map(readWorkload);
  }

  /**
   * The static Istio routing for the current workloads (what `MeshTarget.ISTIO` writes); also
   * useful to report rule counts on the ASM target. Throws when the intent cannot be compiled.
   */
  public expandToIstio(): IstioExpansion {
    return expandToIstio({ ...this.intent, host: this.host, port: this.port, workloads: this.workloadLabels() }, this.node.path);
  }

  private synthProblems(): ModelProblem[] {
    const workloads = this.workloadLabels();
    const found = workloadProblems(this.intent, workloads, this.host);
    if (this.target === MeshTarget.ISTIO && found.length === 0) {
      found.push(...istioExpansionProblems({ ...this.intent, host: this.host, port: this.port, workloads }));
    }
    return found;
  }
}

function readWorkload(w: DynamicSubsetWorkload): IWorkloadLabels {
  if ('podLabels' in w) return { name: w.name, podLabels: { ...w.podLabels } };
  const metadata = w.podMetadata.toJson() as { labels?: Record<string, string> } | undefined;
  return { name: w.name, podLabels: { ...(metadata?.labels ?? {}) } };
}
