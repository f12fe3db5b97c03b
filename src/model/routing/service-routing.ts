/**
 * The routing of one mesh service, as a small model that several constructs contribute to
 * (GrayService writes the base subset and route, TrafficLane adds lane subsets and rules, and
 * weighted lane entries), rendered at synth into the DestinationRule's subsets and every
 * VirtualService's `http` list. Rendering keeps the invariants Kruise's scripts and Istio need:
 * the match-less base route is last, subset and rule names are unique, and no subset is named
 * `canary`.
 *
 * The model is independent of Istio's shapes; {@link ServiceRouting.renderHttp} and
 * {@link ServiceRouting.renderSubsets} write the generated Istio types, and another routing API
 * (Gateway API `HTTPRoute`) could be rendered from the same values.
 */
import type { DestinationRuleSpecSubsets, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch, VirtualServiceSpecHttpRoute } from '../../../imports/istio-networking';
import { fail } from '../problem';

/** One condition on a request header (Istio `StringMatch`). */
export type HeaderCondition = { readonly exact: string } | { readonly prefix: string } | { readonly regex: string };

/** Where a route sends a share of the traffic. */
export interface RouteDestination {
  /** Subset of the service host; none means every pod of the Service. */
  readonly subset?: string;
  /** Share, when the rule has several destinations. */
  readonly weight?: number;
  /** Request headers set when this destination is picked (Istio `headers.request.set`). */
  readonly setRequestHeaders?: Readonly<Record<string, string>>;
}

/** Which VirtualServices of the service carry a rule. */
export enum RuleScope {
  /** Every VirtualService of the service (mesh and gateway-bound). */
  ALL = 'all',
  /** Only the VirtualServices bound to an ingress gateway. */
  GATEWAY = 'gateway',
}

/** One HTTP rule ahead of the base route. */
export interface HttpRule {
  /** Rule name (`http[].name`), unique within the service. */
  readonly name: string;
  /** Header conditions, all of which must hold (AND). */
  readonly headers?: Readonly<Record<string, HeaderCondition>>;
  /** Headers that must be absent (Istio `withoutHeaders`, with a `regex: '.*'` presence match). */
  readonly withoutHeaders?: readonly string[];
  /** Destinations (weights as shares). Exactly one of `destinations` and `directResponse`. */
  readonly destinations?: readonly RouteDestination[];
  /** A fixed answer instead of a route (e.g. 503 when a fallback policy forbids one). */
  readonly directResponse?: { readonly status: number; readonly body: string };
  /** @default RuleScope.ALL */
  readonly scope?: RuleScope;
}

/** A DestinationRule subset. */
export interface SubsetSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A lane as the routing objects of a member declare it. */
export interface LaneDeclaration {
  readonly name: string;
  readonly header: string;
  readonly value: string;
}

/** One lane's share of the gateway traffic of a service. */
export interface WeightedEntry {
  readonly lane: LaneDeclaration;
  /** The lane's subset at this service. */
  readonly subset: string;
  /** Percentage of the requests without a lane header sent into the lane. */
  readonly percent: number;
}

/** What rendering needs besides the model: facts only known for the whole app at synth. */
export interface RenderContext {
  /** Render for a VirtualService bound to an ingress gateway (else the mesh one). */
  readonly gateway: boolean;
  /** Every header any lane of the app uses (the weighted entry skips requests carrying one). */
  readonly laneHeaders: readonly string[];
}

/**
 * Name of the gateway rule that splits requests without a lane header between base and lanes
 * (not of the form `lane-<name>`, so no lane's rule can take it).
 */
export const ENTRY_RULE = 'weighted-lane-entry';

/** The rule list holds user rules and, at the position of the first weighted entry, the entry rule. */
type RuleSlot = { readonly kind: 'rule'; readonly rule: HttpRule } | { readonly kind: 'entry' };

export class ServiceRouting {
  private readonly subsets: SubsetSpec[] = [];
  private readonly slots: RuleSlot[] = [];
  private readonly entries: WeightedEntry[] = [];
  private readonly declared: LaneDeclaration[] = [];
  private readonly baseRoute: readonly RouteDestination[];

  /**
   * @param host the service host routes point to (the bare Service name, as Kruise writes it)
   * @param baseSubset the subset of the base version
   * @param path the construct path of the owner, named in errors
   */
  public constructor(public readonly host: string, baseSubset: SubsetSpec, private readonly path: string) {
    this.subsets.push(baseSubset);
    this.baseRoute = [{ subset: baseSubset.name }];
  }

  /** The name of the base subset. */
  public get baseSubset(): string {
    return this.subsets[0].name;
  }

  /** Adds a subset; throws a `GrayReleaseError` if the name is taken. */
  public addSubset(subset: SubsetSpec): void {
    if (this.subsets.some((s) => s.name === subset.name)) {
      fail(this.path, 'routing.addSubset', `the subset ${subset.name} of ${this.host} is defined twice`, 'give every subset of a service its own name');
    }
    this.subsets.push(subset);
  }

  /**
   * Adds a rule ahead of the base route; throws a `GrayReleaseError` if the name is taken.
   * Rules keep the order they were added in: it is routing order (Istio takes the first rule
   * that matches), so it is never sorted.
   */
  public addRule(rule: HttpRule): void {
    if (rule.name === ENTRY_RULE || this.rules.some((r) => r.name === rule.name)) {
      fail(this.path, 'routing.addRule', `the rule ${rule.name} of ${this.host} is defined twice`, `give every rule of a service its own name (${ENTRY_RULE} is the weighted lane entry's)`);
    }
    this.slots.push({ kind: 'rule', rule });
  }

  /**
   * Sends `entry.percent` of the gateway requests that carry no lane header into a lane, setting
   * the lane header on that share so the next hops see it. One gateway rule holds every lane's
   * share (a second rule would never see the requests the first one took); requests that already
   * carry a lane header skip it, so they keep their lane and are never re-split. The rule sits
   * where the first entry was added.
   */
  public addWeightedEntry(entry: WeightedEntry): void {
    if (this.entries.length === 0) this.slots.push({ kind: 'entry' });
    this.entries.push(entry);
  }

  /** Declares a lane the routing implements (for the `gray-release.io/lanes` annotation). */
  public declareLane(lane: LaneDeclaration): void {
    this.declared.push(lane);
  }

  /** The lanes declared, in the order they were added. */
  public get lanes(): readonly LaneDeclaration[] {
    return [...this.declared];
  }

  /** The weighted lane entries, in the order they were added. */
  public get weightedEntries(): readonly WeightedEntry[] {
    return [...this.entries];
  }

  /** The subsets, in the order they were added (base first). */
  public get subsetSpecs(): readonly SubsetSpec[] {
    return [...this.subsets];
  }

  /** The rules ahead of the base route (without the weighted entry), in routing order. */
  public get rules(): readonly HttpRule[] {
    return this.slots.flatMap((s) => (s.kind === 'rule' ? [s.rule] : []));
  }

  /**
   * DestinationRule `spec.subsets`: the base subset first, then the others by name (their order
   * carries no meaning, so the output does not depend on the order lanes were declared in).
   */
  public renderSubsets(): DestinationRuleSpecSubsets[] {
    const [base, ...others] = this.subsets;
    return [base, ...[...others].sort((a, b) => compare(a.name, b.name))].map((s) => ({ name: s.name, labels: sortKeys(s.labels) }));
  }

  /** VirtualService `spec.http` for a mesh or gateway-bound VirtualService. */
  public renderHttp(context: RenderContext): VirtualServiceSpecHttp[] {
    const out: VirtualServiceSpecHttp[] = [];
    for (const slot of this.slots) {
      if (slot.kind === 'entry') {
        if (context.gateway) out.push(this.renderRule(this.entryRule(context.laneHeaders)));
      } else if ((slot.rule.scope ?? RuleScope.ALL) === RuleScope.ALL || context.gateway) {
        out.push(this.renderRule(slot.rule));
      }
    }
    out.push({ name: 'base', route: this.baseRoute.map((d) => this.renderDestination(d)) });
    return out;
  }

  /** The `gray-release.io/lanes` annotation value: `name=header:value`, sorted, comma-separated. */
  public lanesAnnotation(): string | undefined {
    if (this.declared.length === 0) return undefined;
    return this.declared.map((l) => `${l.name}=${l.header}:${l.value}`).sort().join(',');
  }

  /** The weighted entry as a rule: the base keeps what the lanes do not take. */
  private entryRule(laneHeaders: readonly string[]): HttpRule {
    const lanes = this.entries.reduce((sum, e) => sum + e.percent, 0);
    const base: RouteDestination[] = lanes < 100 ? [{ subset: this.baseSubset, weight: 100 - lanes }] : [];
    return {
      name: ENTRY_RULE,
      scope: RuleScope.GATEWAY,
      withoutHeaders: [...new Set(laneHeaders)].sort(),
      destinations: [...base, ...this.entries.map((e) => ({ subset: e.subset, weight: e.percent, setRequestHeaders: { [e.lane.header]: e.lane.value } }))],
    };
  }

  private renderRule(rule: HttpRule): VirtualServiceSpecHttp {
    const match: VirtualServiceSpecHttpMatch = {
      headers: rule.headers && Object.keys(rule.headers).length > 0 ? sortKeys(rule.headers) : undefined,
      withoutHeaders: rule.withoutHeaders && rule.withoutHeaders.length > 0
        ? Object.fromEntries([...rule.withoutHeaders].sort().map((h) => [h, { regex: '.*' }]))
        : undefined,
    };
    const hasMatch = match.headers !== undefined || match.withoutHeaders !== undefined;
    return {
      name: rule.name,
      match: hasMatch ? [match] : undefined,
      directResponse: rule.directResponse ? { status: rule.directResponse.status, body: { string: rule.directResponse.body } } : undefined,
      route: rule.directResponse ? undefined : (rule.destinations ?? []).map((d) => this.renderDestination(d)),
    };
  }

  private renderDestination(d: RouteDestination): VirtualServiceSpecHttpRoute {
    return {
      destination: d.subset ? { host: this.host, subset: d.subset } : { host: this.host },
      weight: d.weight,
      headers: d.setRequestHeaders && Object.keys(d.setRequestHeaders).length > 0 ? { request: { set: sortKeys(d.setRequestHeaders) } } : undefined,
    };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
