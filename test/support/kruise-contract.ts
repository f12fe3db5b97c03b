/**
 * What Kruise does to the routing objects during a release, re-created from the documented
 * contract of its Istio Lua scripts (shared/reference/kruise-rollout-istio.md §3), and a small
 * first-match router to check where requests go afterwards. Test support only.
 */

type Obj = any;

/**
 * Applies a release of every Rollout in `objects` (or of `only`): returns new objects. `mode`
 * `weight` re-creates the weight mode (the TrafficRouting's `strategy.weight`, no matches): each
 * match-less rule routing to the service gets its weights rescaled to `100 - weight` and the
 * canary destination with `weight` appended.
 */
export function simulateRelease(objects: readonly Obj[], only?: readonly string[], mode: 'match' | 'weight' = 'match'): Obj[] {
  const out: Obj[] = JSON.parse(JSON.stringify(objects));
  const find = (kind: string, name: string) => out.find((o) => o.kind === kind && o.metadata.name === name);
  for (const rollout of objects.filter((o) => o.kind === 'Rollout')) {
    const trName = rollout.metadata.annotations?.['rollouts.kruise.io/trafficrouting'];
    const tr = find('TrafficRouting', trName);
    const ref = tr.spec.objectRef[0];
    if (only && !only.includes(ref.service)) continue;
    // The canary Deployment: a copy of the workload with the patched pod template labels.
    const workloadName = rollout.spec.objectRef?.workloadRef?.name ?? rollout.spec.workloadRef?.name;
    const canary = JSON.parse(JSON.stringify(find('Deployment', workloadName)));
    canary.metadata.name = `${workloadName}-canary`;
    Object.assign(canary.spec.template.metadata.labels, rollout.spec.strategy.canary.patchPodTemplateMetadata.labels);
    out.push(canary);
    for (const net of ref.customNetworkRefs) {
      const target = find(net.kind, net.name);
      if (net.kind === 'DestinationRule') {
        // `table.insert(spec.subsets, ...)` fails on a DR without subsets.
        if (!Array.isArray(target.spec.subsets)) throw new Error(`Kruise script error: ${net.name} has no subsets`);
        target.spec.subsets.push({ name: 'canary', labels: { 'istio.service.tag': 'gray' } });
      } else {
        if (!Array.isArray(target.spec.http)) throw new Error(`Kruise script error: ${net.name} has no http list`);
        if (mode === 'weight') {
          const canaryWeight = tr.spec.strategy.weight;
          for (const rule of target.spec.http.filter((r: Obj) => !r.match && r.route.some((d: Obj) => d.destination.host.split('.')[0] === ref.service))) {
            const n = rule.route.length;
            rule.route = rule.route.map((d: Obj) => ({ ...d, weight: d.weight === undefined ? Math.floor((100 - canaryWeight) / n) : Math.floor((d.weight * (100 - canaryWeight)) / 100) }));
            rule.route.push({ destination: { host: ref.service, subset: 'canary' }, weight: canaryWeight });
          }
          continue;
        }
        for (const m of tr.spec.strategy.matches ?? []) {
          const headers = Object.fromEntries(m.headers.map((h: Obj) => [h.name, h.type === 'RegularExpression' ? { regex: h.value } : { exact: h.value }]));
          target.spec.http.unshift({ match: [{ headers }], route: [{ destination: { host: ref.service, subset: 'canary' } }] });
        }
      }
    }
  }
  return out;
}

function matches(rule: Obj, headers: Record<string, string>): boolean {
  if (!rule.match) return true;
  return rule.match.some((m: Obj) => Object.entries(m.headers ?? {}).every(([name, cond]: [string, any]) => {
    const v = headers[name];
    if (v === undefined) return false;
    if (cond.exact !== undefined) return v === cond.exact;
    if (cond.prefix !== undefined) return v.startsWith(cond.prefix);
    return new RegExp(`^(?:${cond.regex})$`).test(v);
  }) && Object.keys(m.withoutHeaders ?? {}).every((name) => headers[name] === undefined));
}

/**
 * The Deployments a request with `headers` reaches through the VirtualService named `vsName`
 * (first matching rule; every destination of it).
 */
export function reach(objects: readonly Obj[], vsName: string, headers: Record<string, string>): string[] {
  const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === vsName);
  const rule = vs.spec.http.find((r: Obj) => matches(r, headers));
  if (!rule) return [];
  const result: string[] = [];
  for (const dest of rule.route) {
    const host = dest.destination.host;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === host);
    const dr = objects.find((o) => o.kind === 'DestinationRule' && o.spec.host === host);
    const subset = dest.destination.subset ? dr.spec.subsets.find((s: Obj) => s.name === dest.destination.subset) : { labels: {} };
    if (!subset) throw new Error(`subset ${dest.destination.subset} not defined for ${host}`);
    const selector = { ...service.spec.selector, ...subset.labels };
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const labels = d.spec.template.metadata.labels;
      if (Object.entries(selector).every(([k, v]) => labels[k] === v)) result.push(d.metadata.name);
    }
  }
  return result.sort();
}

/**
 * A canary release (the Rollout's own `trafficRoutings`) at step `step` (1-based), re-created
 * from the documented behaviour of Kruise v0.6.2 (notes kruise.md §2.1, §3, §4), independently
 * of src/:
 *
 * - the canary Deployment is a copy of the workload with `patchPodTemplateMetadata.labels`
 *   (canary style); pods of the two revisions differ by `pod-template-hash`, modelled here as the
 *   values `stable` and `canary` of that label;
 * - unless `disableGenerateCanaryService`, Kruise creates `<service>-canary` (the stable
 *   Service's selector plus the canary hash) and adds the stable hash to the stable Service;
 * - the VirtualService script starts from the original objects: match mode inserts one rule per
 *   match at the top (`{host: <service>-canary}`, or `{host: <service>, subset: canary}`), with
 *   `headers.request` from the step's requestHeaderModifier; weight mode rescales every
 *   destination of each match-less rule routing to the service and appends the canary
 *   destination; the DestinationRule script appends subset `canary`;
 * - a step with neither traffic nor matches leaves (restores) the original routing and Services.
 */
export function simulateCanaryStep(objects: readonly Obj[], rolloutName: string, step: number): Obj[] {
  const out: Obj[] = JSON.parse(JSON.stringify(objects));
  const find = (kind: string, name: string) => out.find((o) => o.kind === kind && o.metadata.name === name);
  const rollout = find('Rollout', rolloutName);
  const canary = rollout.spec.strategy.canary;
  const s = canary.steps[step - 1];
  if (!s) throw new Error(`no step ${step}`);
  const ref = canary.trafficRoutings[0];
  const service = ref.service;
  const canaryHost = canary.disableGenerateCanaryService ? service : `${service}-canary`;
  const workloadName = rollout.spec.objectRef?.workloadRef?.name ?? rollout.spec.workloadRef?.name;
  const stable = find('Deployment', workloadName);
  const copy = JSON.parse(JSON.stringify(stable));
  copy.metadata.name = `${workloadName}-canary`;
  Object.assign(copy.spec.template.metadata.labels, canary.patchPodTemplateMetadata?.labels ?? {}, { 'pod-template-hash': 'canary' });
  stable.spec.template.metadata.labels['pod-template-hash'] = 'stable';
  out.push(copy);
  const traffic = s.traffic !== undefined ? Number(String(s.traffic).replace('%', '')) : s.weight;
  const stepMatches = s.matches ?? [];
  if (traffic === undefined && stepMatches.length === 0) return out;
  if (!canary.disableGenerateCanaryService) {
    const svc = find('Service', service);
    const canarySvc = JSON.parse(JSON.stringify(svc));
    canarySvc.metadata = { name: canaryHost, namespace: svc.metadata.namespace };
    canarySvc.spec.selector = { ...svc.spec.selector, 'pod-template-hash': 'canary' };
    svc.spec.selector = { ...svc.spec.selector, 'pod-template-hash': 'stable' };
    out.push(canarySvc);
  }
  const destination = canaryHost === service ? { host: service, subset: 'canary' } : { host: canaryHost };
  for (const net of ref.customNetworkRefs) {
    const target = find(net.kind, net.name);
    if (net.kind === 'DestinationRule') {
      target.spec.subsets.push({ name: 'canary', labels: { 'istio.service.tag': 'gray' } });
    } else if (stepMatches.length > 0) {
      for (const m of stepMatches) {
        const headers = Object.fromEntries(m.headers.map((h: Obj) => [h.name, h.type === 'RegularExpression' ? { regex: h.value } : { exact: h.value }]));
        const rule: Obj = { match: [{ headers }], route: [{ destination }] };
        const mod = s.requestHeaderModifier;
        if (mod) {
          rule.headers = { request: {} };
          if (mod.set) rule.headers.request.set = Object.fromEntries(mod.set.map((p: Obj) => [p.name, p.value]));
          if (mod.add) rule.headers.request.add = Object.fromEntries(mod.add.map((p: Obj) => [p.name, p.value]));
          if (mod.remove) rule.headers.request.remove = mod.remove;
        }
        target.spec.http.unshift(rule);
      }
    } else {
      for (const kind of ['http', 'tcp', 'tls']) {
        for (const rule of (target.spec[kind] ?? []).filter((r: Obj) => !r.match && r.route.some((d: Obj) => d.destination.host.split('.')[0] === service))) {
          const n = rule.route.length;
          rule.route = rule.route.map((d: Obj) => ({ ...d, weight: d.weight === undefined ? Math.floor((100 - traffic) / n) : Math.floor((d.weight * (100 - traffic)) / 100) }));
          rule.route.push({ destination, weight: traffic });
        }
      }
    }
  }
  return out;
}

/**
 * Where requests with `headers` go through the VirtualService `vsName`, as a share per
 * Deployment (weights of the first matching rule's destinations; Deployments a destination
 * selects share its weight equally).
 */
export function shares(objects: readonly Obj[], vsName: string, headers: Record<string, string>): Record<string, number> {
  const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === vsName);
  const rule = vs.spec.http.find((r: Obj) => matches(r, headers));
  const out: Record<string, number> = {};
  if (!rule) return out;
  const total = rule.route.reduce((sum: number, d: Obj) => sum + (d.weight ?? (rule.route.length === 1 ? 100 : 0)), 0);
  for (const dest of rule.route) {
    const weight = dest.weight ?? (rule.route.length === 1 ? 100 : 0);
    const host = dest.destination.host;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === host);
    if (!service) throw new Error(`no Service ${host}`);
    const dr = objects.find((o) => o.kind === 'DestinationRule' && o.spec.host === host);
    const subset = dest.destination.subset ? dr?.spec.subsets.find((x: Obj) => x.name === dest.destination.subset) : { labels: {} };
    if (!subset) throw new Error(`subset ${dest.destination.subset} not defined for ${host}`);
    const selector = { ...service.spec.selector, ...subset.labels };
    const selected = objects.filter((o) => o.kind === 'Deployment' && Object.entries(selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
    for (const d of selected) out[d.metadata.name] = (out[d.metadata.name] ?? 0) + (100 * weight) / total / selected.length;
  }
  return out;
}
