/**
 * Simulates what OpenKruise Rollout's Istio Lua scripts do to VirtualServices and
 * DestinationRules during a release, so the canary path can be explained before it starts.
 * The contract follows the v0.6.2 scripts (see docs: kruise-rollout-istio §3).
 */
import { Manifest, clone, indexManifests, namespaceOf } from '../manifest';
import { WellKnown } from '../well-known';

/** One releasable unit: a service, its network objects, the strategy and the workloads. */
export interface ReleaseUnit {
  /** The TrafficRouting or Rollout that defines it (`Kind/namespace/name`). */
  readonly source: string;
  readonly namespace: string;
  readonly service: string;
  /** The host canary traffic goes to: the service itself (subset canary) or `<service>-canary`. */
  readonly canaryService: string;
  readonly customNetworkRefs: Array<{ kind: string; name: string; apiVersion?: string }>;
  readonly matches: any[];
  /** Canary weight in percent, or -1 when none is given. */
  readonly weight: number;
  readonly requestHeaderModifier?: any;
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
  const ref = r.spec?.objectRef?.workloadRef ?? r.spec?.workloadRef;
  return ref?.name ? { kind: ref.kind ?? 'Deployment', name: ref.name } : undefined;
}

/** Every release unit in the manifests: one per TrafficRouting and per Rollout with its own trafficRoutings. */
export function releaseUnits(manifests: readonly unknown[]): ReleaseUnit[] {
  const index = indexManifests(manifests);
  const units: ReleaseUnit[] = [];
  for (const tr of index.trafficRoutings) {
    const ref = tr.spec?.objectRef?.[0];
    if (!ref?.service) continue;
    const ns = namespaceOf(tr);
    const strategy = tr.spec?.strategy ?? {};
    units.push({
      source: `TrafficRouting/${ns}/${tr.metadata.name}`,
      namespace: ns,
      service: ref.service,
      canaryService: ref.service,
      customNetworkRefs: ref.customNetworkRefs ?? [],
      matches: strategy.matches ?? [],
      weight: typeof strategy.weight === 'number' ? strategy.weight : -1,
      requestHeaderModifier: strategy.requestHeaderModifier,
      rollouts: index.rollouts.filter((r) => namespaceOf(r) === ns
        && r.metadata.annotations?.[WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION] === tr.metadata.name),
    });
  }
  for (const r of index.rollouts) {
    const canary = r.spec?.strategy?.canary ?? {};
    const ref = canary.trafficRoutings?.[0];
    if (!ref?.service) continue;
    const step = (canary.steps ?? []).find((s: any) => (s.matches?.length ?? 0) > 0 || s.traffic !== undefined || s.weight !== undefined) ?? {};
    const weight = step.traffic !== undefined ? parseInt(String(step.traffic), 10) : typeof step.weight === 'number' ? step.weight : -1;
    units.push({
      source: `Rollout/${namespaceOf(r)}/${r.metadata.name}`,
      namespace: namespaceOf(r),
      service: ref.service,
      canaryService: canary.disableGenerateCanaryService ? ref.service : `${ref.service}-canary`,
      customNetworkRefs: ref.customNetworkRefs ?? [],
      matches: step.matches ?? [],
      weight: Number.isNaN(weight) ? -1 : weight,
      requestHeaderModifier: step.requestHeaderModifier ?? canary.requestHeaderModifier,
      rollouts: [r],
    });
  }
  return units;
}

/**
 * The manifests as they are while the given services (or all) are released: VS and DR
 * rewritten as Kruise's scripts do, and a virtual `<deployment>-canary` workload per Rollout.
 */
export function simulateKruiseRelease(manifests: readonly unknown[], services: readonly string[] | 'all'): SimulatedRelease {
  const all = clone(indexManifests(manifests).all);
  const notes: string[] = [];
  const units = releaseUnits(all).filter((u) => services === 'all' || services.includes(u.service));
  if (services !== 'all') {
    for (const s of services) {
      if (!units.some((u) => u.service === s)) notes.push(`release ${s}: no TrafficRouting or Rollout routes service ${s}; nothing changes`);
    }
  }
  const done = new Set<string>();
  for (const u of units) {
    for (const ref of u.customNetworkRefs) {
      const obj = all.find((m) => m.kind === ref.kind && m.metadata.name === ref.name && namespaceOf(m) === u.namespace
        && m.apiVersion.startsWith('networking.istio.io/'));
      if (!obj) {
        notes.push(`${u.source}: ${ref.kind} ${ref.name} not found; Kruise would fail to initialise`);
      } else if (ref.kind === 'VirtualService') {
        notes.push(...rewriteVirtualService(obj, u));
      } else if (ref.kind === 'DestinationRule') {
        notes.push(...rewriteDestinationRule(obj, u));
      }
    }
    for (const r of u.rollouts) {
      if (done.has(`${namespaceOf(r)}/${r.metadata.name}`)) continue;
      done.add(`${namespaceOf(r)}/${r.metadata.name}`);
      notes.push(...addCanaryWorkload(all, r, u));
    }
  }
  return { manifests: all, released: [...new Set(units.map((u) => u.service))], notes };
}

function canaryDestination(u: ReleaseUnit): any {
  return u.canaryService === u.service ? { host: u.service, subset: WellKnown.KRUISE_CANARY_SUBSET } : { host: u.canaryService };
}

const STRING_MATCH: Record<string, string> = { Exact: 'exact', RegularExpression: 'regex', Prefix: 'prefix', PathPrefix: 'prefix' };

function toIstioMatch(m: any): any {
  const out: any = {};
  for (const h of m.headers ?? []) {
    out.headers = { ...out.headers, [h.name]: { [STRING_MATCH[h.type ?? 'Exact'] ?? 'exact']: h.value } };
  }
  for (const q of m.queryParams ?? []) {
    out.queryParams = { ...out.queryParams, [q.name]: { [STRING_MATCH[q.type ?? 'Exact'] ?? 'exact']: q.value } };
  }
  if (m.path) out.uri = { [STRING_MATCH[m.path.type ?? 'PathPrefix'] ?? 'prefix']: m.path.value ?? '/' };
  return out;
}

function rewriteVirtualService(vs: any, u: ReleaseUnit): string[] {
  const spec = vs.spec ?? (vs.spec = {});
  if (u.matches.length > 0) {
    if (!Array.isArray(spec.http)) return [`${u.source}: VirtualService ${vs.metadata.name} has no http list; Kruise's script would fail`];
    for (const m of u.matches) {
      const rule: any = { match: [toIstioMatch(m)], route: [{ destination: canaryDestination(u) }] };
      if (u.requestHeaderModifier) rule.headers = { request: headerModifier(u.requestHeaderModifier) };
      spec.http.unshift(rule);
    }
    return [];
  }
  const canaryWeight = u.weight === -1 ? 100 : u.weight;
  const stableWeight = 100 - canaryWeight;
  for (const proto of ['http', 'tcp', 'tls']) {
    for (const rule of spec[proto] ?? []) {
      if (rule.match || !Array.isArray(rule.route)) continue;
      if (!rule.route.some((r: any) => String(r.destination?.host ?? '').split('.')[0] === u.service)) continue;
      const n = rule.route.length;
      for (const r of rule.route) {
        r.weight = typeof r.weight === 'number' ? Math.floor((r.weight * stableWeight) / 100) : Math.floor(stableWeight / n);
      }
      rule.route.push({ destination: canaryDestination(u), weight: canaryWeight });
    }
  }
  return [];
}

function headerModifier(m: any): any {
  const pairs = (list: any[]) => Object.fromEntries((list ?? []).map((p: any) => [p.name, p.value]));
  const out: any = {};
  if (m.set) out.set = pairs(m.set);
  if (m.add) out.add = pairs(m.add);
  if (m.remove) out.remove = m.remove;
  return out;
}

function rewriteDestinationRule(dr: any, u: ReleaseUnit): string[] {
  if (!Array.isArray(dr.spec?.subsets)) return [`${u.source}: DestinationRule ${dr.metadata.name} has no subsets; Kruise's script would fail`];
  const notes = dr.spec.subsets.some((s: any) => s?.name === WellKnown.KRUISE_CANARY_SUBSET)
    ? [`${u.source}: DestinationRule ${dr.metadata.name} already has a subset "canary"; Kruise appends a duplicate`] : [];
  dr.spec.subsets.push({ name: WellKnown.KRUISE_CANARY_SUBSET, labels: { [WellKnown.KRUISE_CANARY_LABEL]: WellKnown.KRUISE_CANARY_LABEL_VALUE } });
  return notes;
}

function addCanaryWorkload(all: any[], r: Manifest, u: ReleaseUnit): string[] {
  const ref = rolloutWorkload(r);
  const ns = namespaceOf(r);
  const source = `Rollout/${ns}/${r.metadata.name}`;
  const stable = ref && all.find((m) => m.kind === ref.kind && m.metadata.name === ref.name && namespaceOf(m) === ns);
  if (!stable) return [`${source}: workload ${ref?.name ?? '(none)'} not found; no canary pods simulated`];
  const patch = r.spec?.strategy?.canary?.patchPodTemplateMetadata ?? {};
  const canary = clone(stable);
  const name = `${stable.metadata.name}-canary`;
  canary.metadata = {
    ...canary.metadata,
    name,
    annotations: { ...canary.metadata.annotations, [WellKnown.SIMULATED_CANARY_ANNOTATION]: stable.metadata.name },
  };
  const tpl = canary.spec.template ?? (canary.spec.template = {});
  tpl.metadata = tpl.metadata ?? {};
  tpl.metadata.labels = { ...tpl.metadata.labels, ...patch.labels, [WellKnown.SIMULATED_CANARY_LABEL]: stable.metadata.name };
  tpl.metadata.annotations = { ...tpl.metadata.annotations, ...patch.annotations };
  all.push(canary);
  const notes: string[] = [];
  if (tpl.metadata.labels[WellKnown.KRUISE_CANARY_LABEL] !== WellKnown.KRUISE_CANARY_LABEL_VALUE && u.canaryService === u.service) {
    notes.push(`${source}: canary pods lack ${WellKnown.KRUISE_CANARY_LABEL}=${WellKnown.KRUISE_CANARY_LABEL_VALUE} (patchPodTemplateMetadata.labels); the canary subset selects none`);
  }
  if (u.canaryService !== u.service && !all.some((m) => m.kind === 'Service' && m.metadata.name === u.canaryService && namespaceOf(m) === ns)) {
    all.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: u.canaryService, namespace: ns, annotations: { [WellKnown.SIMULATED_CANARY_ANNOTATION]: stable.metadata.name } },
      spec: { selector: { [WellKnown.SIMULATED_CANARY_LABEL]: stable.metadata.name } },
    });
  }
  return notes;
}
