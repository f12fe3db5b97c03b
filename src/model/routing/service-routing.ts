/**
 * The routing of one mesh service, as a small model that several constructs contribute to
 * (GrayService writes the versions, their subsets, the default route and the service's own
 * rules; TrafficLane adds lane subsets, lane rules and weighted lane entries), rendered at synth
 * into the DestinationRule's subsets and every VirtualService's `http`, `tcp` and `tls` lists.
 *
 * Rule order in `http`: lane rules (and the weighted lane entry) first, then the service's own
 * rules in the order given, then the default route, the only match-less rule, last. So a lane
 * keeps its meaning whatever the service's rules say, a request outside every lane gets the
 * service's default route (whatever split it is), and no rule is dead (lint GR005).
 *
 * The model is independent of Istio's shapes; the render methods write the generated Istio
 * types, and another routing API (Gateway API `HTTPRoute`) could be rendered from the same values.
 */
import { Match, renderMatch } from './match';
import { RoutePolicy } from './policy';
import { ServicePort, isHttpFamily, Protocol } from './protocol';
import { RouteDestination, RuleDraft, DraftContext, entryWeights, renderDraft, sortKeys } from './render-http';
import { Route } from './route';
import { TrafficPolicy, renderTrafficPolicy } from './traffic-policy';
import type { DestinationRuleSpecSubsets, DestinationRuleSpecSubsetsTrafficPolicy, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch, VirtualServiceSpecTcp, VirtualServiceSpecTls } from '../../../imports/istio-networking';
import { fail } from '../problem';

export type { RouteDestination } from './render-http';

/** One condition on a request header (Istio `StringMatch`). */
export type HeaderCondition = { readonly exact: string } | { readonly prefix: string } | { readonly regex: string };

/** Which VirtualServices of the service carry a rule. */
export enum RuleScope {
  /** Every VirtualService of the service (mesh and gateway-bound). */
  ALL = 'all',
  /** Only the VirtualServices bound to an ingress gateway. */
  GATEWAY = 'gateway',
  /** Only the mesh VirtualService (rules on the Service port or the calling pod). */
  MESH = 'mesh',
}

/** One HTTP rule ahead of the service's own rules (a lane's). */
export interface HttpRule {
  /** Rule name (`http[].name`), unique within the service. */
  readonly name: string;
  /** Header conditions, all of which must hold (AND). */
  readonly headers?: Readonly<Record<string, HeaderCondition>>;
  /**
   * Headers that must be absent: Istio `withoutHeaders` with an empty StringMatch `{}`, which
   * Istio 1.23 turns into an inverted `present_match` (pilot/pkg/networking/core/route/route.go
   * `canBeConvertedToPresentMatch`). A string match cannot express absence: Istio tests a missing
   * header as "" (`treat_missing_header_as_empty`), which `{regex: '.*'}` matches, so its inverted
   * form never matches a request WITHOUT the header (Envoy `HeaderUtility::matchHeaders`).
   */
  readonly withoutHeaders?: readonly string[];
  /** Destinations (weights as shares). Exactly one of `destinations` and `directResponse`. */
  readonly destinations?: readonly RouteDestination[];
  /** A fixed answer instead of a route (e.g. 503 when a fallback policy forbids one). */
  readonly directResponse?: { readonly status: number; readonly body: string };
  /** @default RuleScope.ALL */
  readonly scope?: RuleScope;
}

/** One of the service's own rules: requests matching any of `matches` take `route` (to versions). */
export interface ServiceRule {
  readonly name: string;
  readonly matches: readonly Match[];
  readonly route: Route;
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
  /** Conditions every rule is ANDed with (a gateway path route's). @default - none */
  readonly within?: readonly Match[];
  /** Port written on every destination. @default - none (the port the request came in on) */
  readonly destinationPort?: number;
  /** A policy between the service's and each rule's own (a gateway route's). @default - none */
  readonly policy?: RoutePolicy;
  /** Prefix of every rule name. @default - none */
  readonly namePrefix?: string;
  /** Collects conflicts between `within` and a rule's match. @default - not collected */
  readonly conflicts?: string[];
}

/** Options of a {@link ServiceRouting}. */
export interface ServiceRoutingOptions {
  /** The version the base subset serves. @default - the base subset's name */
  readonly baseVersion?: string;
  /** Name of the match-less default rule. @default 'base' */
  readonly defaultRuleName?: string;
}

/**
 * Name of the gateway rule that splits requests without a lane header between base and lanes
 * (not of the form `lane-<name>`, so no lane's rule can take it).
 */
export const ENTRY_RULE = 'weighted-lane-entry';

/** The rule list holds lane rules and, at the position of the first weighted entry, the entry rule. */
type RuleSlot = { readonly kind: 'rule'; readonly rule: HttpRule } | { readonly kind: 'entry' };

export class ServiceRouting {
  private readonly subsets: SubsetSpec[] = [];
  private readonly subsetPolicies = new Map<string, TrafficPolicy>();
  private readonly versionSubsets = new Map<string, string>();
  private readonly slots: RuleSlot[] = [];
  private readonly ownRules: ServiceRule[] = [];
  private readonly entries: WeightedEntry[] = [];
  private readonly declared: LaneDeclaration[] = [];
  private readonly defaultRuleName: string;
  private route: Route;
  private servicePolicy: RoutePolicy = {};
  private portList: readonly ServicePort[] = [];

  /**
   * @param host the service host routes point to (the bare Service name, as Kruise writes it)
   * @param baseSubset the subset of the base version
   * @param path the construct path of the owner, named in errors
   */
  public constructor(public readonly host: string, baseSubset: SubsetSpec, private readonly path: string, options: ServiceRoutingOptions = {}) {
    this.subsets.push(baseSubset);
    const base = options.baseVersion ?? baseSubset.name;
    this.versionSubsets.set(base, baseSubset.name);
    this.route = Route.to(base);
    this.defaultRuleName = options.defaultRuleName ?? 'base';
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

  /** Adds a version served by its own subset. */
  public addVersion(version: string, subset: SubsetSpec): void {
    this.addSubset(subset);
    this.versionSubsets.set(version, subset.name);
  }

  /** Sets the traffic policy of one subset (its version's connection pool, TLS, ...). */
  public setSubsetPolicy(subset: string, policy: TrafficPolicy): void {
    this.subsetPolicies.set(subset, policy);
  }

  /** The versions, in the order they were added (base first). */
  public get versions(): readonly string[] {
    return [...this.versionSubsets.keys()];
  }

  /** The subset serving `version`, if any. */
  public subsetOf(version: string): string | undefined {
    return this.versionSubsets.get(version);
  }

  /** Where requests go that match no rule (the match-less rule, last). */
  public get defaultRoute(): Route {
    return this.route;
  }

  /** Sets the default route (the construct has checked it). */
  public setDefaultRoute(route: Route): void {
    this.route = route;
  }

  /** The policy applied to every rule of the service. */
  public get policy(): RoutePolicy {
    return this.servicePolicy;
  }

  /** Sets the policy applied to every rule of the service (the construct has checked it). */
  public setPolicy(policy: RoutePolicy): void {
    this.servicePolicy = policy;
  }

  /** The service's ports (tcp and tls routes are written for the non-HTTP ones). */
  public get ports(): readonly ServicePort[] {
    return this.portList;
  }

  public setPorts(ports: readonly ServicePort[]): void {
    this.portList = [...ports];
  }

  /** Whether http rules route the service: it has an HTTP-family port (or no port list, the seed). */
  public get routesHttp(): boolean {
    return this.portList.length === 0 || this.portList.some((p) => isHttpFamily(p.protocol));
  }

  /**
   * Adds a lane-level rule, ahead of the service's own rules; throws a `GrayReleaseError` if the
   * name is taken. Rules keep the order they were added in: it is routing order (Istio takes the
   * first rule that matches), so it is never sorted.
   */
  public addRule(rule: HttpRule): void {
    this.requireFreeName(rule.name, 'routing.addRule');
    this.slots.push({ kind: 'rule', rule });
  }

  /** Adds one of the service's own rules, after every lane rule and before the default route. */
  public addServiceRule(rule: ServiceRule): void {
    this.requireFreeName(rule.name, 'routes');
    this.ownRules.push(rule);
  }

  /** The service's own rules, in routing order. */
  public get serviceRules(): readonly ServiceRule[] {
    return [...this.ownRules];
  }

  /**
   * Sends `entry.percent` of the gateway requests that carry no lane header into a lane, setting
   * the lane header on that share so the next hops see it. One gateway rule holds every lane's
   * share (a second rule would never see the requests the first one took); requests that already
   * carry a lane header skip it, so they keep their lane and are never re-split. The rule sits
   * where the first entry was added; the share the lanes leave takes the default route.
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

  /** The lane-level rules (without the weighted entry), in routing order. */
  public get rules(): readonly HttpRule[] {
    return this.slots.flatMap((s) => (s.kind === 'rule' ? [s.rule] : []));
  }

  /**
   * DestinationRule `spec.subsets`: the versions' subsets in the order given (base first), then
   * the others by name (their order carries no meaning, so the output does not depend on the
   * order lanes were declared in).
   */
  public renderSubsets(): DestinationRuleSpecSubsets[] {
    const ofVersions = new Set(this.versionSubsets.values());
    const versions = this.subsets.filter((s) => ofVersions.has(s.name));
    const others = this.subsets.filter((s) => !ofVersions.has(s.name)).sort((a, b) => compare(a.name, b.name));
    return [...versions, ...others].map((s) => ({
      name: s.name,
      labels: sortKeys(s.labels),
      trafficPolicy: renderTrafficPolicy(this.subsetPolicies.get(s.name)) as DestinationRuleSpecSubsetsTrafficPolicy | undefined,
    }));
  }

  /** VirtualService `spec.http` for a mesh or gateway-bound VirtualService (undefined without an HTTP port). */
  public renderHttp(context: RenderContext): VirtualServiceSpecHttp[] | undefined {
    if (!this.routesHttp) return undefined;
    const drafts: RuleDraft[] = [];
    for (const slot of this.slots) {
      if (slot.kind === 'entry') {
        if (context.gateway) drafts.push(toDraft(this.entryRule(context.laneHeaders)));
      } else if (inScope(slot.rule.scope, context.gateway)) {
        drafts.push(toDraft(slot.rule));
      }
    }
    for (const r of this.ownRules.filter((x) => inScope(x.scope, context.gateway))) {
      drafts.push({ name: r.name, blocks: r.matches.map(renderMatch), destinations: this.destinationsOf(r.route), policy: r.route.policy });
    }
    drafts.push({ name: this.defaultRuleName, destinations: this.destinationsOf(this.route), policy: this.route.policy });
    const ctx: DraftContext = {
      host: this.host,
      within: context.within?.map(renderMatch),
      port: context.destinationPort,
      policies: [this.servicePolicy, context.policy ?? {}],
      namePrefix: context.namePrefix,
      mirrorTarget: (version) => ({ host: this.host, subset: this.subsetOf(version), port: context.destinationPort === undefined ? undefined : { number: context.destinationPort } }),
      conflicts: context.conflicts,
    };
    return drafts.map((d) => renderDraft(d, ctx));
  }

  /** VirtualService `spec.tcp`: each TCP port to the default route's versions. */
  public renderTcp(): VirtualServiceSpecTcp[] | undefined {
    const tcp = this.portList.filter((p) => p.protocol === Protocol.TCP);
    return tcp.length === 0 ? undefined : tcp.map((p) => ({ match: [{ port: p.port }], route: this.l4Route(p.port) }));
  }

  /** VirtualService `spec.tls`: each TLS port (by SNI = the service host) to the default route's versions. */
  public renderTls(): VirtualServiceSpecTls[] | undefined {
    const tls = this.portList.filter((p) => p.protocol === Protocol.TLS);
    return tls.length === 0 ? undefined : tls.map((p) => ({ match: [{ port: p.port, sniHosts: [this.host] }], route: this.l4Route(p.port) }));
  }

  /** The `gray-release.io/lanes` annotation value: `name=header:value`, sorted, comma-separated. */
  public lanesAnnotation(): string | undefined {
    if (this.declared.length === 0) return undefined;
    return this.declared.map((l) => `${l.name}=${l.header}:${l.value}`).sort().join(',');
  }

  private l4Route(port: number): Array<{ destination: { host: string; subset?: string; port: { number: number } }; weight?: number }> {
    return this.destinationsOf(this.route).map((d) => ({ destination: { host: this.host, subset: d.subset, port: { number: port } }, weight: d.weight }));
  }

  private destinationsOf(route: Route): RouteDestination[] {
    return route.destinations.filter((d) => !route.isSplit || d.weight > 0)
      .map((d) => ({ subset: this.subsetOf(d.version), weight: route.isSplit ? d.weight : undefined }));
  }

  private requireFreeName(name: string, prop: string): void {
    if (name === ENTRY_RULE || name === this.defaultRuleName || this.rules.some((r) => r.name === name) || this.ownRules.some((r) => r.name === name)) {
      fail(this.path, prop, `the rule ${name} of ${this.host} is defined twice`, `give every rule of a service its own name (${ENTRY_RULE} and ${this.defaultRuleName} are the library's)`);
    }
  }

  /** The weighted entry as a rule: the default route keeps what the lanes do not take. */
  private entryRule(laneHeaders: readonly string[]): HttpRule {
    const defaults = this.route.destinations.map((d) => ({ subset: this.subsetOf(d.version) ?? this.baseSubset, weight: d.weight }));
    const weights = entryWeights(defaults, this.entries.map((e) => e.percent));
    const base: RouteDestination[] = defaults.map((d, i) => ({ subset: d.subset, weight: weights.defaults[i] })).filter((d) => d.weight > 0);
    return {
      name: ENTRY_RULE,
      scope: RuleScope.GATEWAY,
      withoutHeaders: [...new Set(laneHeaders)].sort(),
      destinations: [...base, ...this.entries.map((e, i) => ({ subset: e.subset, weight: weights.lanes[i], setRequestHeaders: { [e.lane.header]: e.lane.value } }))],
    };
  }
}

function inScope(scope: RuleScope | undefined, gateway: boolean): boolean {
  const s = scope ?? RuleScope.ALL;
  return s === RuleScope.ALL || (gateway ? s === RuleScope.GATEWAY : s === RuleScope.MESH);
}

/** A lane-level rule as a draft: its header conditions as one match block. */
function toDraft(rule: HttpRule): RuleDraft {
  const match: VirtualServiceSpecHttpMatch = {
    headers: rule.headers && Object.keys(rule.headers).length > 0 ? sortKeys(rule.headers) : undefined,
    withoutHeaders: rule.withoutHeaders && rule.withoutHeaders.length > 0
      ? Object.fromEntries([...rule.withoutHeaders].sort().map((h) => [h, {}]))
      : undefined,
  };
  const hasMatch = match.headers !== undefined || match.withoutHeaders !== undefined;
  return { name: rule.name, blocks: hasMatch ? [match] : undefined, destinations: rule.destinations, directResponse: rule.directResponse };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
