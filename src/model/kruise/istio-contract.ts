/**
 * Simulates what OpenKruise Rollout's Istio Lua scripts do to VirtualServices and
 * DestinationRules during a release, so the canary path can be explained before it starts.
 * The contract follows the v0.6.2 scripts (see docs: kruise-rollout-istio §3).
 *
 * Kruise's objects are read through typed views (./kruise-views); the routing objects are rewritten as
 * JSON, since Kruise's scripts change them as JSON too: whatever they do not touch stays as it was.
 */
import type {
  VirtualServiceSpecHttp, VirtualServiceSpecHttpHeadersRequest, VirtualServiceSpecHttpMatch, VirtualServiceSpecHttpMatchHeaders,
  VirtualServiceSpecHttpRouteDestination,
} from '../../../imports/istio-networking';
import { JsonObject, field, isJsonObject, items } from '../json';
import { Manifest, clone, indexManifests, namespaceOf } from '../manifest';
import { WellKnown } from '../well-known';
import {
  KruiseHeaderModifier, KruiseHeaderValue, KruiseMatch, KruiseTrafficRef, rolloutSpec, trafficRoutingSpec,
} from './kruise-views';

// ---- release units -------------------------------------------------------------------------------

/** One releasable unit: a service, its network objects, the strategy and the workloads. */
export interface ReleaseUnit {
  /** The TrafficRouting or Rollout that defines it (`Kind/namespace/name`). */
  readonly source: string;
  readonly namespace: string;
  readonly service: string;
  /** The host canary traffic goes to: the service itself (subset canary) or `<service>-canary`. */
  readonly canaryService: string;
  readonly customNetworkRefs: Array<{ kind: string; name: string; apiVersion?: string }>;
  readonly matches: KruiseMatch[];
  /** Canary weight in percent, or -1 when none is given. */
  readonly weight: number;
  readonly requestHeaderModifier?: KruiseHeaderModifier;
  /** The Rollouts whose workloads get canary pods. */
  readonly rollouts: Manifest[];
}

/** The rewritten manifests, the services released, and notes on what Kruise would do or fail. */
export interface SimulatedRelease {
  readonly manifests: Manifest[];
  readonly released: string[];
  readonly notes: string[];
}

/** The Deployment a Rollout releases (v1alpha1 `objectRef.workloadRef`, v1beta1 `workloadRef`). */
export function rolloutWorkload(r: Manifest): { kind: string; name: string } | undefined {
  const spec = rolloutSpec(r);
  const ref = spec.objectRef?.workloadRef ?? spec.workloadRef;
  return ref?.name ? { kind: ref.kind ?? 'Deployment', name: ref.name } : undefined;
}

function networkRefs(ref: KruiseTrafficRef): ReleaseUnit['customNetworkRefs'] {
  return (ref.customNetworkRefs ?? []).map((n) => ({ ...n, kind: n.kind ?? '', name: n.name ?? '' }));
}

/** Every release unit in the manifests: one per TrafficRouting and per Rollout with its own trafficRoutings. */
export function releaseUnits(manifests: readonly unknown[]): ReleaseUnit[] {
  const index = indexManifests(manifests);
  const units: ReleaseUnit[] = [];
  // Rollouts by the TrafficRouting their annotation names (one pass, not one per TrafficRouting).
  const byTrafficRouting = new Map<string, Manifest[]>();
  for (const r of index.rollouts) {
    const tr = r.metadata.annotations?.[WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION];
    if (tr === undefined) continue;
    const key = `${namespaceOf(r)}/${tr}`;
    const list = byTrafficRouting.get(key);
    if (list) list.push(r); else byTrafficRouting.set(key, [r]);
  }
  for (const tr of index.trafficRoutings) {
    const spec = trafficRoutingSpec(tr);
    const ref = spec.objectRef?.[0];
    if (!ref?.service) continue;
    const ns = namespaceOf(tr);
    const strategy = spec.strategy ?? {};
    units.push({
      source: `TrafficRouting/${ns}/${tr.metadata.name}`,
      namespace: ns,
      service: ref.service,
      canaryService: ref.service,
      customNetworkRefs: networkRefs(ref),
      matches: strategy.matches ?? [],
      weight: strategy.weight ?? -1,
      requestHeaderModifier: strategy.requestHeaderModifier,
      rollouts: byTrafficRouting.get(`${ns}/${tr.metadata.name}`) ?? [],
    });
  }
  for (const r of index.rollouts) {
    const canary = rolloutSpec(r).strategy?.canary ?? {};
    const ref = canary.trafficRoutings?.[0];
    if (!ref?.service) continue;
    const step = (canary.steps ?? []).find((s) => (s.matches?.length ?? 0) > 0 || s.traffic !== undefined || s.weight !== undefined) ?? {};
    const weight = step.traffic !== undefined ? parseInt(step.traffic, 10) : step.weight ?? -1;
    units.push({
      source: `Rollout/${namespaceOf(r)}/${r.metadata.name}`,
      namespace: namespaceOf(r),
      service: ref.service,
      canaryService: canary.disableGenerateCanaryService ? ref.service : `${ref.service}-canary`,
      customNetworkRefs: networkRefs(ref),
      matches: step.matches ?? [],
      weight: Number.isNaN(weight) ? -1 : weight,
      requestHeaderModifier: step.requestHeaderModifier,
      rollouts: [r],
    });
  }
  return units;
}

// ---- the simulation ------------------------------------------------------------------------------

/**
 * The manifests as they are while the given services (or all) are released: VS and DR
 * rewritten as Kruise's scripts do, and a virtual `<deployment>-canary` workload per Rollout.
 */
export function simulateKruiseRelease(manifests: readonly unknown[], services: readonly string[] | 'all'): SimulatedRelease {
  // A shallow copy: every rewrite below builds new objects (spreads, a clone of the stable
  // workload) and never changes an input object, so the objects it does not touch are shared
  // with the input instead of deep-copied (the copy of every object was most of the cost at scale).
  const all = [...indexManifests(manifests).all];
  const notes: string[] = [];
  const units = releaseUnits(all).filter((u) => services === 'all' || services.includes(u.service));
  if (services !== 'all') {
    for (const s of services) {
      if (!units.some((u) => u.service === s)) notes.push(`release ${s}: no TrafficRouting or Rollout routes service ${s}; nothing changes`);
    }
  }
  const done = new Set<string>();
  const table = objectTable(all);
  for (const u of units) {
    for (const ref of u.customNetworkRefs) {
      const i = table.istio.get(`${ref.kind}/${u.namespace}/${ref.name}`) ?? -1;
      const rewrite = i < 0 ? undefined : REWRITES[ref.kind];
      if (i < 0) {
        notes.push(`${u.source}: ${ref.kind} ${ref.name} not found; Kruise would fail to initialise`);
      } else if (rewrite) {
        const result = rewrite(all[i], u);
        all[i] = result.manifest;
        notes.push(...result.notes);
      }
    }
    for (const r of u.rollouts) {
      if (done.has(`${namespaceOf(r)}/${r.metadata.name}`)) continue;
      done.add(`${namespaceOf(r)}/${r.metadata.name}`);
      notes.push(...addCanaryWorkload(all, table, r, u));
    }
  }
  return { manifests: all, released: [...new Set(units.map((u) => u.service))], notes };
}

/** A routing object as Kruise's script leaves it, and what went wrong. */
interface Rewrite {
  readonly manifest: Manifest;
  readonly notes: string[];
}

/** Kruise's Istio scripts, by the kind of object they rewrite. */
const REWRITES: Readonly<Record<string, (m: Manifest, u: ReleaseUnit) => Rewrite>> = {
  VirtualService: rewriteVirtualService,
  DestinationRule: rewriteDestinationRule,
};

function canaryDestination(u: ReleaseUnit): VirtualServiceSpecHttpRouteDestination {
  return u.canaryService === u.service ? { host: u.service, subset: WellKnown.KRUISE_CANARY_SUBSET } : { host: u.canaryService };
}

/** Kruise's match types as Istio StringMatch operators. */
const STRING_MATCH: Readonly<Record<string, 'exact' | 'regex' | 'prefix'>> = { Exact: 'exact', RegularExpression: 'regex', Prefix: 'prefix', PathPrefix: 'prefix' };

function stringMatch(type: string, value: string | undefined): VirtualServiceSpecHttpMatchHeaders {
  const op = STRING_MATCH[type] ?? 'exact';
  return op === 'regex' ? { regex: value } : op === 'prefix' ? { prefix: value } : { exact: value };
}

function namedMatches(list: ReadonlyArray<{ name?: string; type?: string; value?: string }> | undefined): Record<string, VirtualServiceSpecHttpMatchHeaders> | undefined {
  const named = (list ?? []).flatMap((m) => (m.name === undefined ? [] : [[m.name, stringMatch(m.type ?? 'Exact', m.value)] as const]));
  return named.length > 0 ? Object.fromEntries(named) : undefined;
}

function toIstioMatch(m: KruiseMatch): VirtualServiceSpecHttpMatch {
  const headers = namedMatches(m.headers);
  const queryParams = namedMatches(m.queryParams);
  return {
    ...(headers ? { headers } : {}),
    ...(queryParams ? { queryParams } : {}),
    ...(m.path ? { uri: stringMatch(m.path.type ?? 'PathPrefix', m.path.value ?? '/') } : {}),
  };
}

function headerModifier(m: KruiseHeaderModifier): VirtualServiceSpecHttpHeadersRequest {
  const pairs = (list: readonly KruiseHeaderValue[]) =>
    Object.fromEntries(list.flatMap((p) => (p.name === undefined || p.value === undefined ? [] : [[p.name, p.value] as const])));
  return {
    ...(m.set ? { set: pairs(m.set) } : {}),
    ...(m.add ? { add: pairs(m.add) } : {}),
    ...(m.remove ? { remove: m.remove } : {}),
  };
}

function canaryRule(m: KruiseMatch, u: ReleaseUnit): VirtualServiceSpecHttp {
  const rule: VirtualServiceSpecHttp = { match: [toIstioMatch(m)], route: [{ destination: canaryDestination(u) }] };
  return u.requestHeaderModifier ? { ...rule, headers: { request: headerModifier(u.requestHeaderModifier) } } : rule;
}

/** Route lists Kruise's weight mode rescales. */
const ROUTE_LISTS = ['http', 'tcp', 'tls'] as const;

function rewriteVirtualService(vs: Manifest, u: ReleaseUnit): Rewrite {
  const spec: JsonObject = isJsonObject(vs.spec) ? vs.spec : {};
  if (u.matches.length > 0) {
    if (!Array.isArray(spec.http)) return { manifest: vs, notes: [`${u.source}: VirtualService ${vs.metadata.name} has no http list; Kruise's script would fail`] };
    // The script inserts one rule per match at the top, in turn (`table.insert(spec.http, 1, route)`,
    // VirtualService/trafficRouting.lua v0.6.2): the last match ends up first.
    const rules = u.matches.map((m) => canaryRule(m, u)).reverse();
    return { manifest: { ...vs, spec: { ...spec, http: [...rules, ...spec.http] } }, notes: [] };
  }
  const canaryWeight = u.weight === -1 ? 100 : u.weight;
  const lists = ROUTE_LISTS.filter((l) => Array.isArray(spec[l])).map((l) => [l, items(spec[l]).map((rule) => withCanaryWeight(rule, u, canaryWeight))]);
  return { manifest: { ...vs, spec: { ...spec, ...Object.fromEntries(lists) } }, notes: [] };
}

/**
 * Weight mode: every destination of a match-less rule routing to the service is rescaled
 * (`floor(w * stable / 100)`, or `floor(stable / n)` without a weight) and the canary is appended
 * at its weight (`CalculateWeight`, VirtualService/trafficRouting.lua v0.6.2).
 */
function withCanaryWeight(rule: unknown, u: ReleaseUnit, canaryWeight: number): unknown {
  if (!isJsonObject(rule) || rule.match || !Array.isArray(rule.route)) return rule;
  const route: unknown[] = rule.route;
  if (!route.some((r) => String(field(field(r, 'destination'), 'host') ?? '').split('.')[0] === u.service)) return rule;
  const stableWeight = 100 - canaryWeight;
  const rescaled = route.map((r) => {
    const w = field(r, 'weight');
    const weight = typeof w === 'number' ? Math.floor((w * stableWeight) / 100) : Math.floor(stableWeight / route.length);
    return isJsonObject(r) ? { ...r, weight } : r;
  });
  return { ...rule, route: [...rescaled, { destination: canaryDestination(u), weight: canaryWeight }] };
}

function rewriteDestinationRule(dr: Manifest, u: ReleaseUnit): Rewrite {
  const spec = isJsonObject(dr.spec) ? dr.spec : {};
  if (!Array.isArray(spec.subsets)) return { manifest: dr, notes: [`${u.source}: DestinationRule ${dr.metadata.name} has no subsets; Kruise's script would fail`] };
  const notes = spec.subsets.some((s) => field(s, 'name') === WellKnown.KRUISE_CANARY_SUBSET)
    ? [`${u.source}: DestinationRule ${dr.metadata.name} already has a subset "canary"; Kruise appends a duplicate`] : [];
  const canary = { name: WellKnown.KRUISE_CANARY_SUBSET, labels: { [WellKnown.KRUISE_CANARY_LABEL]: WellKnown.KRUISE_CANARY_LABEL_VALUE } };
  return { manifest: { ...dr, spec: { ...spec, subsets: [...spec.subsets, canary] } }, notes };
}

function objectOrEmpty(v: unknown): JsonObject {
  return isJsonObject(v) ? v : {};
}

/**
 * Where objects are in the list the simulation rewrites: Istio objects by `Kind/namespace/name`
 * (the first of each), any object likewise: one lookup per reference instead of a scan of all.
 */
interface ObjectTable {
  readonly istio: Map<string, number>;
  readonly any: Map<string, number>;
}

function objectTable(all: readonly Manifest[]): ObjectTable {
  const istio = new Map<string, number>();
  const any = new Map<string, number>();
  all.forEach((m, i) => {
    const key = `${m.kind}/${namespaceOf(m)}/${m.metadata.name}`;
    if (!any.has(key)) any.set(key, i);
    if (m.apiVersion.startsWith('networking.istio.io/') && !istio.has(key)) istio.set(key, i);
  });
  return { istio, any };
}

function addCanaryWorkload(all: Manifest[], table: ObjectTable, r: Manifest, u: ReleaseUnit): string[] {
  const ref = rolloutWorkload(r);
  const ns = namespaceOf(r);
  const source = `Rollout/${ns}/${r.metadata.name}`;
  const at = ref ? table.any.get(`${ref.kind}/${ns}/${ref.name}`) : undefined;
  const stable = at === undefined ? undefined : all[at];
  if (!stable) return [`${source}: workload ${ref?.name ?? '(none)'} not found; no canary pods simulated`];
  const patch = rolloutSpec(r).strategy?.canary?.patchPodTemplateMetadata ?? {};
  const copy = clone(stable);
  const spec = objectOrEmpty(copy.spec);
  const template = objectOrEmpty(spec.template);
  const podMetadata = objectOrEmpty(template.metadata);
  const labels: JsonObject = { ...objectOrEmpty(podMetadata.labels), ...patch.labels, [WellKnown.SIMULATED_CANARY_LABEL]: stable.metadata.name };
  const annotations: JsonObject = { ...objectOrEmpty(podMetadata.annotations), ...patch.annotations };
  all.push({
    ...copy,
    metadata: {
      ...copy.metadata,
      name: `${stable.metadata.name}-canary`,
      annotations: { ...copy.metadata.annotations, [WellKnown.SIMULATED_CANARY_ANNOTATION]: stable.metadata.name },
    },
    spec: { ...spec, template: { ...template, metadata: { ...podMetadata, labels, annotations } } },
  });
  const notes: string[] = [];
  if (labels[WellKnown.KRUISE_CANARY_LABEL] !== WellKnown.KRUISE_CANARY_LABEL_VALUE && u.canaryService === u.service) {
    notes.push(`${source}: canary pods lack ${WellKnown.KRUISE_CANARY_LABEL}=${WellKnown.KRUISE_CANARY_LABEL_VALUE} (patchPodTemplateMetadata.labels); the canary subset selects none`);
  }
  if (u.canaryService !== u.service && !table.any.has(`Service/${ns}/${u.canaryService}`)) {
    table.any.set(`Service/${ns}/${u.canaryService}`, all.length);
    all.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: u.canaryService, namespace: ns, annotations: { [WellKnown.SIMULATED_CANARY_ANNOTATION]: stable.metadata.name } },
      spec: { selector: { [WellKnown.SIMULATED_CANARY_LABEL]: stable.metadata.name } },
    });
  }
  return notes;
}
