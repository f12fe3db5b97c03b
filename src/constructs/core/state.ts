/**
 * Per-app and per-chart state of the library, kept in constructs found with `node.tryFindChild`
 * (the CDK idiom), never in module-level registries:
 *
 * - {@link AppState} (a child of the app root): when the construct tree last changed, so that
 *   every validation runs once per synth although cdk8s validates the whole app once in
 *   `App.synth()` and again in every `Chart.toJson()`; and the constructs of the app as the
 *   current validation pass found them (one tree walk per pass, shared by the checks).
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
 *
 * The library's own state constructs (this one and each {@link ChartState}) are not counted: a
 * ChartState first asked for inside a check (an Argo CD Application's chart) is created during a
 * pass, and counting it would make the next pass run every check of the app again.
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
  private walk?: TreeWalk;

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

  /**
   * The app's constructs as the current validation pass found them (taken now when no pass has
   * started), in `node.findAll()` order, without the library's state constructs. The pass walks
   * the tree once for its stamp; checks that need every construct read this list instead of
   * walking the tree again (each walk of a 2,000-service app costs about 15 ms).
   */
  public get constructs(): readonly IConstruct[] {
    if (!this.walk) this.startPass();
    return this.walk!.constructs;
  }

  /** The constructs under `chart` (itself and nested charts included), as {@link constructs} lists them. */
  public constructsOf(chart: Chart): readonly IConstruct[] {
    const all = this.constructs;
    const range = this.walk!.charts.get(chart);
    return range ? all.slice(range[0], range[1]) : chart.node.findAll();
  }

  private startPass(): void {
    this.walk = walkTree(this.node.root);
    this.passStamp = `${this.walk.constructs.length}:${this.mutations}`;
  }
}

/** One walk of the construct tree. */
interface TreeWalk {
  /** Preorder (the order of `node.findAll()`), without the library's state constructs. */
  readonly constructs: IConstruct[];
  /** Where the subtree of each chart starts and ends in `constructs`. */
  readonly charts: Map<IConstruct, readonly [number, number]>;
}

/** Walks the tree under `root` once, leaving out the library's state constructs (see {@link AppState}). */
function walkTree(root: IConstruct): TreeWalk {
  const constructs: IConstruct[] = [];
  const charts = new Map<IConstruct, readonly [number, number]>();
  const visit = (c: IConstruct): void => {
    if (c instanceof AppState || c instanceof ChartState) return;
    const start = constructs.length;
    constructs.push(c);
    for (const child of c.node.children) visit(child);
    if (Chart.isChart(c)) charts.set(c, [start, constructs.length]);
  };
  visit(root);
  return { constructs, charts };
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
  /** The objects sharing an identity with another, by identity (empty when all are unique). */
  readonly duplicateObjects: Map<string, ApiObject[]>;
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
    // Walk the owner's objects only when the chart has a duplicate at all (rare: it is an error).
    for (const o of index.duplicateObjects.size > 0 ? owner.node.findAll() : []) {
      if (!(o instanceof ApiObject)) continue;
      const group = index.duplicateObjects.get(this.identity(o));
      if (!group) continue;
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
    const app = AppState.of(this);
    const stamp = app.stamp;
    if (this.index?.stamp === stamp) return this.index;
    // One object per identity is the rule: keep the first, and lists only for duplicates.
    const firstByIdentity = new Map<string, ApiObject>();
    const duplicateObjects = new Map<string, ApiObject[]>();
    const ownersByClaim = new Map<string, IConstruct[]>();
    for (const c of app.constructsOf(this.chart)) {
      if (c instanceof ApiObject) {
        const id = this.identity(c);
        const first = firstByIdentity.get(id);
        if (!first) firstByIdentity.set(id, c);
        else addTo(duplicateObjects, id, c, first);
      }
      const claims = this.claims.get(c);
      if (claims) for (const claim of claims) addTo(ownersByClaim, claim.key, c);
    }
    this.index = { stamp, duplicateObjects, ownersByClaim };
    return this.index;
  }

  private identity(o: ApiObject): string {
    const slash = o.apiVersion.indexOf('/');
    const group = slash >= 0 ? o.apiVersion.slice(0, slash) : '';
    const namespace = CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata.namespace ?? this.chart.namespace ?? '';
    return `${group}|${o.kind}|${namespace}|${o.metadata.name}`;
  }

  private describe(o: ApiObject): string {
    const namespace = o.metadata.namespace ?? this.chart.namespace;
    return `the ${o.kind} "${o.metadata.name}"${namespace ? ` in namespace ${namespace}` : ''}`;
  }
}

/** Appends `value` to the list of `key` (in place), starting the list with `first` if given. */
function addTo<K, V>(map: Map<K, V[]>, key: K, value: V, first?: V): void {
  const list = map.get(key);
  if (list) list.push(value); else map.set(key, first === undefined ? [value] : [first, value]);
}
