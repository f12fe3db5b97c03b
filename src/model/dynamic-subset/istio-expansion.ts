/**
 * Compiles a dynamic-subset intent to static open-source Istio routing (a pure function).
 *
 * Upstream Istio cannot group endpoints by pod labels at run time, so the groups are taken from
 * the workloads the chart knows: one DestinationRule subset per label combination that exists
 * (never the product of all values), and VirtualService rules in this order:
 *
 * 1. For each selector, in order: one rule per existing group. A key's header must equal the
 *    group's value, or, when the key's `defaultValue` equals the group's value, be absent
 *    (`withoutHeaders: {h: {}}`). The alternatives of all keys are expanded into the rule's
 *    `match` list (OR of ANDs), so a rule has at most 2^(keys with a default) match blocks.
 * 2. After a selector's groups: its fallback rule, matching "this selector applies" = every key
 *    without a `defaultValue` has its header present (`headers: {h: {}}`). A selector whose keys
 *    all have defaults always applies: its fallback rule is the catch-all and ends the list.
 * 3. If no catch-all was written yet: a last rule with the top-level fallback policy.
 *
 * A request therefore takes the first selector whose keys are all present (header or default),
 * reaches its group if that group exists, and otherwise that selector's fallback; a request that
 * names a group which does not exist never reaches a neighbouring group.
 *
 * Fallbacks: DEFAULT_SUBSET → the `defaultSubset` subset; ANY_ENDPOINT → the host without a
 * subset; NO_FALLBACK → `directResponse` 503 `no healthy upstream` (what ASM answers).
 */
import { DynamicSubsetIntent, FallbackPolicy, POD_IP_KEY, SubsetSelector, effectiveFallback, policiesInUse } from './fallback-policy';
import type {
  DestinationRuleSpecSubsets,
  VirtualServiceSpecHttp,
  VirtualServiceSpecHttpMatch,
  VirtualServiceSpecHttpRouteDestination,
} from '../../../imports/istio-networking';
import { isDns1123Label } from '../names';
import { GrayReleaseError, ModelProblem } from '../problem';
import type { IWorkloadLabels } from '../workload';

/** Everything the expansion needs. */
export interface IstioExpansionInput extends DynamicSubsetIntent {
  /** The service's FQDN. */
  readonly host: string;
  /** The service port the routes send to. */
  readonly port: number;
  readonly workloads: readonly IWorkloadLabels[];
}

/** The compiled routing: DestinationRule subsets and VirtualService http rules, in order. */
export interface IstioExpansion {
  readonly subsets: DestinationRuleSpecSubsets[];
  readonly http: VirtualServiceSpecHttp[];
}


/** Body of the 503 written for NO_FALLBACK: the text Envoy (and so ASM) answers. */
export const NO_HEALTHY_UPSTREAM = 'no healthy upstream';

/** The distinct label combinations of `keys` among the workloads that carry all of them. */
export function existingGroups(keys: readonly string[], workloads: readonly IWorkloadLabels[]): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const w of workloads) {
    if (!keys.every((k) => w.podLabels[k] !== undefined)) continue;
    const group = Object.fromEntries(keys.map((k) => [k, w.podLabels[k]]));
    seen.set(JSON.stringify(keys.map((k) => group[k])), group);
  }
  // Groups are disjoint (each names different values), so their order carries no meaning:
  // sort it, so the output does not depend on the order the workloads were given in.
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** The subset name of a group: its values in key order, joined by `-`. */
export function subsetNameOf(keys: readonly string[], labels: { readonly [key: string]: string }): string {
  return keys.map((k) => labels[k]).join('-');
}

interface NamedSubset { readonly name: string; readonly labels: Record<string, string> }

function sameLabels(a: Record<string, string>, b: { readonly [k: string]: string }): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Plans all subsets, reporting names that are not DNS-1123 labels or that collide. */
function planSubsets(input: IstioExpansionInput): { groups: NamedSubset[][]; defaultSubset?: NamedSubset; problems: ModelProblem[] } {
  const problems: ModelProblem[] = [];
  const byName = new Map<string, NamedSubset>();
  const add = (prop: string, keys: readonly string[], labels: Record<string, string>): NamedSubset => {
    const name = subsetNameOf(keys, labels);
    const existing = byName.get(name);
    if (!isDns1123Label(name)) {
      problems.push({
        prop,
        what: `the label values ${JSON.stringify(labels)} cannot become an Istio subset name: ${JSON.stringify(name)} is not a DNS-1123 label`,
        fix: 'use lowercase letters, digits and "-" in the values of the selector keys (at most 63 characters joined), or use MeshTarget.ASM, which needs no subset names',
      });
    } else if (existing && !sameLabels(existing.labels, labels)) {
      problems.push({
        prop,
        what: `the groups ${JSON.stringify(existing.labels)} and ${JSON.stringify(labels)} both become the subset name ${JSON.stringify(name)}`,
        fix: 'give the selector keys distinct values, or use MeshTarget.ASM',
      });
    }
    const subset = existing && sameLabels(existing.labels, labels) ? existing : { name, labels };
    if (!existing) byName.set(name, subset);
    return subset;
  };
  const groups = input.selectors.map((s, i) => {
    if (s.keys.includes(POD_IP_KEY)) {
      problems.push({
        prop: `subsetSelectors[${i}].keys`,
        what: `the built-in key ${POD_IP_KEY} groups endpoints by pod IP, which is only known at run time, so it cannot be compiled to static Istio subsets`,
        fix: `use MeshTarget.ASM for ${POD_IP_KEY} selectors, or group by a pod label instead`,
      });
      return [];
    }
    return existingGroups(s.keys, input.workloads).map((g) => add(`subsetSelectors[${i}]`, s.keys, g));
  });
  let defaultSubset: NamedSubset | undefined;
  if (input.defaultSubset && policiesInUse(input).includes(FallbackPolicy.DEFAULT_SUBSET)) {
    const labels = { ...input.defaultSubset };
    const reuse = groups.flat().find((g) => sameLabels(g.labels, labels));
    defaultSubset = reuse ?? add('defaultSubset', Object.keys(labels), labels);
  }
  return { groups, defaultSubset, problems };
}

/** What stops the intent from compiling to Istio (empty when it compiles). */
export function istioExpansionProblems(input: IstioExpansionInput): ModelProblem[] {
  return planSubsets(input).problems;
}

/**
 * Compiles the intent; throws a `GrayReleaseError` at `path` (the construct asking) on the
 * problems listed above.
 */
export function expandToIstio(input: IstioExpansionInput, path = '<expansion>'): IstioExpansion {
  const plan = planSubsets(input);
  if (plan.problems.length > 0) throw new GrayReleaseError(plan.problems.map((p) => ({ path, ...p })));
  const mapping = new Map(input.mappings.map((m) => [m.key, m]));
  const destination = (subset?: string): VirtualServiceSpecHttpRouteDestination =>
    ({ host: input.host, port: { number: input.port }, subset });
  const fallbackRule = (name: string, policy: FallbackPolicy, match?: VirtualServiceSpecHttpMatch[]): VirtualServiceSpecHttp => {
    switch (policy) {
      case FallbackPolicy.DEFAULT_SUBSET:
        return { name, match, route: [{ destination: destination(plan.defaultSubset!.name) }] };
      case FallbackPolicy.ANY_ENDPOINT:
        return { name, match, route: [{ destination: destination() }] };
      default:
        return { name, match, directResponse: { status: 503, body: { string: NO_HEALTHY_UPSTREAM } } };
    }
  };

  const http: VirtualServiceSpecHttp[] = [];
  for (const [i, selector] of input.selectors.entries()) {
    for (const group of plan.groups[i]) {
      http.push({ name: group.name, match: groupMatches(selector, group.labels, mapping), route: [{ destination: destination(group.name) }] });
    }
    const required = selector.keys.filter((k) => mapping.get(k)?.defaultValue === undefined);
    const policy = effectiveFallback(input, selector);
    if (required.length === 0) {
      // This selector applies to every request that gets here: its fallback is the catch-all.
      http.push(fallbackRule(input.selectors.length > 1 ? `selector-${i}-fallback` : 'fallback', policy));
      return finish(http, plan);
    }
    const present = Object.fromEntries(required.map((k) => [mapping.get(k)!.header, {}]));
    http.push(fallbackRule(`selector-${i}-fallback`, policy, [{ headers: present }]));
  }
  http.push(fallbackRule('fallback', effectiveFallback(input)));
  return finish(http, plan);
}

function finish(http: VirtualServiceSpecHttp[], plan: ReturnType<typeof planSubsets>): IstioExpansion {
  const subsets = new Map<string, DestinationRuleSpecSubsets>();
  for (const s of [...plan.groups.flat(), ...(plan.defaultSubset ? [plan.defaultSubset] : [])]) {
    subsets.set(s.name, { name: s.name, labels: s.labels });
  }
  return { subsets: [...subsets.values()], http };
}

/**
 * The match blocks (OR) that send a request to `group`: per key, the header equals the value,
 * or the header is absent and the key's default equals the value.
 */
function groupMatches(
  selector: SubsetSelector,
  group: Record<string, string>,
  mapping: Map<string, { header: string; defaultValue?: string }>,
): VirtualServiceSpecHttpMatch[] {
  type Block = { headers: Record<string, { exact?: string }>; withoutHeaders: Record<string, {}> };
  let blocks: Block[] = [{ headers: {}, withoutHeaders: {} }];
  for (const key of selector.keys) {
    const { header, defaultValue } = mapping.get(key)!;
    const next: Block[] = [];
    for (const b of blocks) {
      next.push({ headers: { ...b.headers, [header]: { exact: group[key] } }, withoutHeaders: b.withoutHeaders });
      if (defaultValue === group[key]) {
        next.push({ headers: b.headers, withoutHeaders: { ...b.withoutHeaders, [header]: {} } });
      }
    }
    blocks = next;
  }
  return blocks.map((b) => ({
    headers: Object.keys(b.headers).length > 0 ? b.headers : undefined,
    withoutHeaders: Object.keys(b.withoutHeaders).length > 0 ? b.withoutHeaders : undefined,
  }));
}
