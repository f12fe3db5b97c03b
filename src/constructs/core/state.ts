/**
 * Per-app and per-chart state of the library, kept in constructs found with `node.tryFindChild`
 * (the CDK idiom), never in module-level registries:
 *
 * - {@link AppState} (a child of the app root): when the construct tree last changed, so that
 *   every validation runs once per synth although cdk8s validates the whole app once in
 *   `App.synth()` and again in every `Chart.toJson()`.
 * - {@link ChartState} (a child of each chart): the routing claims of the chart's constructs and
 *   an index of its objects, built once per synth for the uniqueness checks.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ModelProblem, Problems, problemText } from '../../model/problem';

const APP_STATE_ID = 'GrayReleaseAppState';
const CHART_STATE_ID = 'GrayReleaseChartState';

/**
 * When the app's construct tree last changed. A stamp taken at the start of each validation pass
 * (by a validation on the root, which cdk8s visits first) stays the same while nothing changes:
 * the number of constructs and the library's own mutations ({@link touch}). A check that also
 * reads state the library does not own (the labels of a cdk8s-plus Deployment) names it as
 * inputs to {@link addChecks}.
 */
export class AppState extends Construct {
  /** The state of the app `scope` belongs to, created on first use. */
  public static of(scope: IConstruct): AppState {
    const root = scope.node.root;
    return (root.node.tryFindChild(APP_STATE_ID) as AppState | undefined) ?? new AppState(root);
  }

  private mutations = 0;
  private passStamp = '';
  private readonly memos = new Map<string, { readonly stamp: string; readonly value: unknown }>();

  private constructor(root: IConstruct) {
    super(root as Construct, APP_STATE_ID);
    root.node.addValidation({ validate: () => { this.startPass(); return []; } });
  }

  /** Records a change the node count does not show (a call, a member, a header). */
  public touch(): void {
    this.mutations++;
  }

  /** The stamp of the current validation pass (taken now when no pass has started). */
  public get stamp(): string {
    if (!this.passStamp) this.startPass();
    return this.passStamp;
  }

  /**
   * A value computed once per validation pass (e.g. the app's call graph, read by every policy
   * object of a large app): recomputed when the stamp changes. Use it at synth only.
   */
  public memo<T>(key: string, produce: () => T): T {
    const stamp = this.stamp;
    const hit = this.memos.get(key);
    if (hit?.stamp === stamp) return hit.value as T;
    const value = produce();
    this.memos.set(key, { stamp, value });
    return value;
  }

  private startPass(): void {
    this.passStamp = `${this.node.root.node.findAll().length}:${this.mutations}`;
  }
}

/**
 * Adds a validation to `construct` whose problems are computed once per synth (see
 * {@link AppState}) and reported at the construct's path.
 *
 * @param inputs a key of any state the check reads that the library does not own; the check
 * runs again when it changes
 */
export function addChecks(construct: IConstruct, check: () => readonly ModelProblem[], inputs?: () => string): void {
  const state = AppState.of(construct);
  let cached: { readonly stamp: string; readonly errors: string[] } | undefined;
  construct.node.addValidation({
    validate: () => {
      const stamp = inputs ? `${state.stamp}|${inputs()}` : state.stamp;
      if (cached?.stamp !== stamp) cached = { stamp, errors: check().map(problemText) };
      return cached.errors;
    },
  });
}

/** A problem collector for `scope`'s construction. */
export function problemsAt(scope: IConstruct): Problems {
  return new Problems(scope.node.path || '<root>');
}

/** One routing a construct owns, e.g. the mesh routing of a service or a host on a gateway. */
export interface RoutingClaim {
  /** What is claimed; two claims with the same key conflict. */
  readonly key: string;
  /** A human description of the claim, used in the message. */
  readonly what: string;
  /** The prop that made the claim. */
  readonly prop: string;
  /** How to resolve the conflict. */
  readonly fix: string;
}

/** Kinds whose objects have no namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

/** Everything the uniqueness checks need from one chart, built in one pass over its constructs. */
interface ChartIndex {
  readonly stamp: string;
  readonly objectsByIdentity: Map<string, ApiObject[]>;
  readonly ownersByClaim: Map<string, IConstruct[]>;
}

/**
 * Chart-wide uniqueness: two objects of one kind with the same name in one namespace would
 * overwrite each other when applied (the last one wins, silently), and two constructs routing
 * the same host would write DestinationRules or VirtualServices Istio merges or picks from
 * unpredictably. cdk8s checks neither. The scope is the chart (one file, applied as a whole);
 * separate charts may hold alternatives meant to be applied one at a time (examples/dynamic-subset).
 */
export class ChartState extends Construct {
  /** The state of the chart `scope` belongs to, created on first use. */
  public static of(scope: IConstruct): ChartState {
    const chart = Chart.of(scope);
    return (chart.node.tryFindChild(CHART_STATE_ID) as ChartState | undefined) ?? new ChartState(chart);
  }

  private readonly claims = new Map<IConstruct, RoutingClaim[]>();
  private readonly services: IConstruct[] = [];
  private readonly serviceObservers: Array<(service: IConstruct) => void> = [];
  private index?: ChartIndex;

  private constructor(private readonly chart: Chart) {
    super(chart, CHART_STATE_ID);
  }

  /** Records that `owner` writes the routing described by `claim`. */
  public claim(owner: IConstruct, claim: RoutingClaim): void {
    this.claims.set(owner, [...(this.claims.get(owner) ?? []), claim]);
    AppState.of(owner).touch();
  }

  /**
   * Records a service of the chart (a GrayService, at the end of its construction) and tells
   * every observer, so chart-wide constructs (ZeroTrust, ProxyScoping) cover services created
   * before and after them alike.
   */
  public addService(service: IConstruct): void {
    this.services.push(service);
    for (const observe of this.serviceObservers) observe(service);
    AppState.of(service).touch();
  }

  /** Calls `observe` for every service of the chart, present and future, in creation order. */
  public onService(observe: (service: IConstruct) => void): void {
    this.serviceObservers.push(observe);
    for (const s of [...this.services]) observe(s);
  }

  /**
   * Problems of `owner`'s objects and claims against everything else in its chart: objects of
   * the same group, kind, namespace and name, and routing claims with the same key. Each side of
   * a conflict reports it, so every construct involved names the other.
   */
  public uniquenessProblems(owner: IConstruct): ModelProblem[] {
    const index = this.indexNow();
    const out: ModelProblem[] = [];
    for (const o of owner.node.findAll()) {
      if (!(o instanceof ApiObject)) continue;
      const group = index.objectsByIdentity.get(this.identity(o)) ?? [];
      if (group.length < 2) continue;
      const others = group.filter((g) => g !== o).map((g) => g.node.path);
      out.push({
        prop: 'names',
        what: `${this.describe(o)} is also written by ${others.join(', ')}, so applying the manifests would keep only one of them`,
        fix: 'give each object its own name (the name prop, or names.* of a GrayService), or put the services in different namespaces',
      });
    }
    for (const claim of this.claims.get(owner) ?? []) {
      const rivals = (index.ownersByClaim.get(claim.key) ?? []).filter((c) => c !== owner);
      if (rivals.length > 0) {
        out.push({ prop: claim.prop, what: `${claim.what} is also written by ${rivals.map((r) => r.node.path).join(', ')}; Istio would merge or pick between them unpredictably`, fix: claim.fix });
      }
    }
    return out;
  }

  /** The index for the current pass, built once per pass. */
  private indexNow(): ChartIndex {
    const stamp = AppState.of(this).stamp;
    if (this.index?.stamp === stamp) return this.index;
    const objectsByIdentity = new Map<string, ApiObject[]>();
    const ownersByClaim = new Map<string, IConstruct[]>();
    for (const c of this.chart.node.findAll()) {
      if (c instanceof ApiObject) {
        const id = this.identity(c);
        objectsByIdentity.set(id, [...(objectsByIdentity.get(id) ?? []), c]);
      }
      for (const claim of this.claims.get(c) ?? []) ownersByClaim.set(claim.key, [...(ownersByClaim.get(claim.key) ?? []), c]);
    }
    this.index = { stamp, objectsByIdentity, ownersByClaim };
    return this.index;
  }

  private identity(o: ApiObject): string {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    const namespace = CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata.namespace ?? this.chart.namespace ?? '';
    return `${group}|${o.kind}|${namespace}|${o.metadata.name}`;
  }

  private describe(o: ApiObject): string {
    const namespace = o.metadata.namespace ?? this.chart.namespace;
    return `the ${o.kind} "${o.metadata.name}"${namespace ? ` in namespace ${namespace}` : ''}`;
  }
}
