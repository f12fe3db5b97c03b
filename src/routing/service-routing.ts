/**
 * The routing of one mesh service, as a small model that several constructs contribute to
 * (GrayService writes the base subset and route, TrafficLane adds lane subsets and rules), and
 * that is rendered at synth into the DestinationRule's subsets and every VirtualService's
 * `http` list. Rendering keeps the invariants Kruise's scripts and Istio need: the match-less
 * base route is last, subset names are unique, and no subset is named `canary`.
 */

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

export class ServiceRouting {
  private readonly subsets: SubsetSpec[] = [];
  private readonly rules: HttpRule[] = [];
  private readonly baseRoute: readonly RouteDestination[];

  /**
   * @param host the service host routes point to (the bare Service name, as Kruise writes it)
   * @param baseSubset the subset of the base version
   */
  public constructor(public readonly host: string, baseSubset: SubsetSpec) {
    this.subsets.push(baseSubset);
    this.baseRoute = [{ subset: baseSubset.name }];
  }

  /** Adds a subset; returns an error message if the name is taken. */
  public addSubset(subset: SubsetSpec): string | undefined {
    if (this.subsets.some((s) => s.name === subset.name)) return `subset ${subset.name} is defined twice`;
    this.subsets.push(subset);
    return undefined;
  }

  /**
   * Adds a rule ahead of the base route. Rules keep the order they were added in: it is routing
   * order (Istio takes the first rule that matches), so it is never sorted.
   */
  public addRule(rule: HttpRule): string | undefined {
    if (this.rules.some((r) => r.name === rule.name)) return `rule ${rule.name} is defined twice`;
    this.rules.push(rule);
    return undefined;
  }

  /** The subsets, in the order they were added (base first). */
  public get subsetSpecs(): readonly SubsetSpec[] {
    return [...this.subsets];
  }

  /**
   * DestinationRule `spec.subsets`: the base subset first, then the others by name (their order
   * carries no meaning, so the output does not depend on the order lanes were declared in).
   */
  public renderSubsets(): Array<{ name: string; labels: Record<string, string> }> {
    const [base, ...others] = this.subsets;
    return [base, ...[...others].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))].map((s) => ({ name: s.name, labels: sortKeys(s.labels) }));
  }

  /** VirtualService `spec.http` for a mesh or gateway-bound VirtualService. */
  public renderHttp(gateway: boolean): unknown[] {
    const rules = this.rules.filter((r) => (r.scope ?? RuleScope.ALL) === RuleScope.ALL || gateway);
    return [
      ...rules.map((r) => this.renderRule(r)),
      { name: 'base', route: this.baseRoute.map((d) => this.renderDestination(d)) },
    ];
  }

  private renderRule(rule: HttpRule): unknown {
    const match: Record<string, unknown> = {};
    if (rule.headers && Object.keys(rule.headers).length > 0) match.headers = sortKeys(rule.headers);
    if (rule.withoutHeaders && rule.withoutHeaders.length > 0) {
      match.withoutHeaders = Object.fromEntries([...rule.withoutHeaders].sort().map((h) => [h, { regex: '.*' }]));
    }
    const out: Record<string, unknown> = { name: rule.name };
    if (Object.keys(match).length > 0) out.match = [match];
    if (rule.directResponse) {
      out.directResponse = { status: rule.directResponse.status, body: { string: rule.directResponse.body } };
    } else {
      out.route = (rule.destinations ?? []).map((d) => this.renderDestination(d));
    }
    return out;
  }

  private renderDestination(d: RouteDestination): unknown {
    const out: Record<string, unknown> = { destination: d.subset ? { host: this.host, subset: d.subset } : { host: this.host } };
    if (d.weight !== undefined) out.weight = d.weight;
    if (d.setRequestHeaders && Object.keys(d.setRequestHeaders).length > 0) {
      out.headers = { request: { set: sortKeys(d.setRequestHeaders) } };
    }
    return out;
  }
}

function sortKeys<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
