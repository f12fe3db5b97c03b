/**
 * Rendering of one service's rules into Istio `http` rules: matches (optionally ANDed with a
 * gateway route's conditions), destinations (optionally with a port) and the merged policy.
 * Pure functions over plain values; {@link ServiceRouting} decides which rules to render.
 */
import { andBlocks } from './match';
import { MirrorTarget, RoutePolicy, mergePolicies, renderPolicy } from './policy';
import type { VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch, VirtualServiceSpecHttpRoute } from '../../../imports/istio-networking';

/** Where a route sends a share of the traffic. */
export interface RouteDestination {
  /** Subset of the service host; none means every pod of the Service. */
  readonly subset?: string;
  /** Share, when the rule has several destinations. */
  readonly weight?: number;
  /** Request headers set when this destination is picked (Istio `headers.request.set`). */
  readonly setRequestHeaders?: Readonly<Record<string, string>>;
}

/** A rule ready to render: its match blocks (none: match-less), destinations and own policy. */
export interface RuleDraft {
  readonly name: string;
  readonly blocks?: readonly VirtualServiceSpecHttpMatch[];
  readonly destinations?: readonly RouteDestination[];
  readonly directResponse?: { readonly status: number; readonly body: string };
  /** The rule's own policy (the service's and the context's apply under it). */
  readonly policy?: RoutePolicy;
}

/** How drafts become Istio rules in one VirtualService. */
export interface DraftContext {
  readonly host: string;
  /** Blocks every rule's match is ANDed with (a gateway route's conditions). */
  readonly within?: readonly VirtualServiceSpecHttpMatch[];
  /** Port written on every destination. */
  readonly port?: number;
  /** The service's policy, then the context's, then the rule's own. */
  readonly policies: readonly RoutePolicy[];
  readonly namePrefix?: string;
  /** Maps a version to where its mirror copies go. */
  readonly mirrorTarget: (version: string) => MirrorTarget;
  /** Collects fields a rule and the context both set (one block cannot hold both). */
  readonly conflicts?: string[];
}

/** One Istio http rule from a draft. */
export function renderDraft(d: RuleDraft, ctx: DraftContext): VirtualServiceSpecHttp {
  const blocks = crossBlocks(ctx.within, d.blocks, (field) => ctx.conflicts?.push(`${d.name}: ${field}`));
  const policy = mergePolicies(...ctx.policies, d.policy);
  return {
    name: ctx.namePrefix ? `${ctx.namePrefix}-${d.name}` : d.name,
    match: blocks,
    directResponse: d.directResponse ? { status: d.directResponse.status, body: { string: d.directResponse.body } } : undefined,
    route: d.directResponse ? undefined : (d.destinations ?? []).map((x) => renderDestination(ctx.host, x, ctx.port)),
    ...(d.directResponse ? {} : renderPolicy(policy, ctx.mirrorTarget)),
  };
}

function crossBlocks(
  outer: readonly VirtualServiceSpecHttpMatch[] | undefined,
  inner: readonly VirtualServiceSpecHttpMatch[] | undefined,
  onConflict: (field: string) => void,
): VirtualServiceSpecHttpMatch[] | undefined {
  if (!outer || outer.length === 0) return inner && inner.length > 0 ? [...inner] : undefined;
  if (!inner || inner.length === 0) return [...outer];
  return outer.flatMap((o) => inner.map((i) => {
    const { block, conflict } = andBlocks(o, i);
    if (conflict) onConflict(conflict);
    return block;
  }));
}

/** One destination of the service host. */
export function renderDestination(host: string, d: RouteDestination, port?: number): VirtualServiceSpecHttpRoute {
  return {
    destination: { host, subset: d.subset, port: port === undefined ? undefined : { number: port } },
    weight: d.weight,
    headers: d.setRequestHeaders && Object.keys(d.setRequestHeaders).length > 0 ? { request: { set: sortKeys(d.setRequestHeaders) } } : undefined,
  };
}

/**
 * The weights of the weighted lane entry: the lanes' percentages, and the rest split over the
 * default route's destinations as the default route splits it. Whole percentages when they come
 * out whole (the single-version case: `100 - lanes`), else the exact shares in lowest terms
 * (Istio divides by the sum, istio-asm.md §4).
 */
export function entryWeights(defaults: readonly { readonly subset: string; readonly weight: number }[], lanes: readonly number[]): { defaults: number[]; lanes: number[] } {
  const rest = 100 - lanes.reduce((s, p) => s + p, 0);
  const totalDefault = defaults.reduce((s, d) => s + d.weight, 0) || 1;
  // Scaled by totalDefault so every share is an integer: default i gets rest * w_i, lane j p_j * total.
  const scaledDefaults = defaults.map((d) => Math.max(rest, 0) * d.weight);
  const scaledLanes = lanes.map((p) => p * totalDefault);
  if (scaledDefaults.every((v) => v % totalDefault === 0)) {
    return { defaults: scaledDefaults.map((v) => v / totalDefault), lanes: [...lanes] };
  }
  const g = [...scaledDefaults, ...scaledLanes].filter((v) => v > 0).reduce(gcd, 0) || 1;
  return { defaults: scaledDefaults.map((v) => v / g), lanes: scaledLanes.map((v) => v / g) };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export function sortKeys<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
