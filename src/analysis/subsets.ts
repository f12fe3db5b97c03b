/**
 * Which pods a route destination reaches: all pods of the Service, a DestinationRule subset
 * (a label selector), or an ASM dynamic subset chosen from request headers with its fallback.
 */
import { HostLookup, hostLookup, remembered } from './host-lookup';
import { FallbackPolicy } from '../model/dynamic-subset/fallback-policy';
import { DynamicSubset, DynamicSubsetKey } from '../model/istio-views';
import { field, items } from '../model/json';
import { Manifest, ManifestIndex, namespaceOf, workloadsOf } from '../model/manifest';
import { labelsMatch, qualifyHost, resolveConfigHost } from '../model/matching';

/** The pods one destination reaches. */
export interface PodSelection {
  /** The Deployments whose pods are reached (empty: no healthy upstream). */
  readonly workloads: Manifest[];
  /** How the pods were chosen, in words. */
  readonly selection: string;
  /** The DestinationRule consulted, if any. */
  readonly destinationRule?: Manifest;
  /** Set when nothing is reached: the reason Envoy answers 503. */
  readonly noHealthyUpstream?: string;
  /** The pod IP when a `%ip%` key chose a single pod. */
  readonly podIp?: string;
}

/** Options that stand in for what manifests cannot tell. */
export interface PodIpOptions {
  /** Known pod IPs per Deployment name, for the ASM `%ip%` key. */
  readonly podIps?: Record<string, string[]>;
}

/** The root (config) namespace of Istio's default mesh config. */
const ROOT_NAMESPACE = 'istio-system';

/**
 * The DestinationRule a proxy in `proxyNamespace` uses for a Service, as Istio 1.23 chooses it
 * (pilot/pkg/model/push_context.go `destinationRule`): a rule of the proxy's namespace, else one of
 * the Service's namespace exported to the proxy, else one of the root namespace exported to it;
 * within a namespace the most specific host (`MostSpecificHostMatch`: exact, then the longest
 * wildcard), the first given among equals. Rules of any other namespace are not used.
 */
export function destinationRuleFor(index: ManifestIndex, svc: Manifest, proxyNamespace = namespaceOf(svc)): Manifest | undefined {
  const byNs = remembered(DR_LOOKUPS, index, () => {
    const pairs = new Map<string, Array<{ host: string; value: Manifest }>>();
    for (const dr of index.destinationRules) {
      const host = index.views.destinationRule(dr).host;
      if (host === undefined) continue;
      const ns = namespaceOf(dr);
      pairs.set(ns, [...(pairs.get(ns) ?? []), { host: resolveConfigHost(host, ns), value: dr }]);
    }
    return new Map([...pairs].map(([ns, list]) => [ns, hostLookup(list)]));
  });
  const fqdn = qualifyHost(svc.metadata.name, namespaceOf(svc));
  const inNs = (ns: string, exported: boolean) => {
    const hits = (byNs.get(ns)?.all(fqdn) ?? []).filter((dr) => !exported || exportedTo(dr, proxyNamespace));
    const host = (dr: Manifest) => resolveConfigHost(index.views.destinationRule(dr).host ?? '', ns);
    return hits.find((dr) => host(dr) === fqdn) ?? [...hits].sort((a, b) => host(b).length - host(a).length)[0];
  };
  return (proxyNamespace !== ROOT_NAMESPACE ? inNs(proxyNamespace, false) : undefined)
    ?? inNs(namespaceOf(svc), true) ?? inNs(ROOT_NAMESPACE, true);
}

/** Whether a rule's `exportTo` (default: every namespace) lets a proxy in `ns` see it. */
function exportedTo(dr: Manifest, ns: string): boolean {
  const to = items(field(dr.spec, 'exportTo')).filter((x): x is string => typeof x === 'string');
  return to.length === 0 || to.includes('*') || to.includes(ns) || (to.includes('.') && namespaceOf(dr) === ns);
}

const DR_LOOKUPS = new WeakMap<ManifestIndex, Map<string, HostLookup<Manifest>>>();

/** The pods a destination reaches for a request, following Istio and ASM semantics. */
export function selectPods(
  index: ManifestIndex, svc: Manifest, subset: string | undefined,
  dynamicKeys: readonly DynamicSubsetKey[] | undefined, headers: Record<string, string>, opts: PodIpOptions = {}, proxyNamespace?: string,
): PodSelection {
  const all = workloadsOf(index, svc);
  const dr = destinationRuleFor(index, svc, proxyNamespace);
  const spec = dr && index.views.destinationRule(dr);
  if (subset !== undefined) {
    const def = (spec?.subsets ?? []).find((s) => s.name === subset);
    if (!dr || !def) {
      return { workloads: [], selection: `subset ${subset}`, destinationRule: dr, noHealthyUpstream: `no DestinationRule defines subset "${subset}"` };
    }
    const workloads = all.filter((d) => labelsMatch(def.labels, index.views.podLabels(d)));
    return {
      workloads,
      selection: `subset ${subset} (${formatLabels(def.labels)})`,
      destinationRule: dr,
      noHealthyUpstream: workloads.length === 0 ? `subset "${subset}" selects no pods of the service` : undefined,
    };
  }
  const dyn = spec?.trafficPolicy?.loadBalancer?.dynamicSubset;
  if (dr && dyn && dynamicKeys && dynamicKeys.length > 0) {
    return dynamicSelection(index, all, dr, dyn, dynamicKeys, headers, opts);
  }
  if (dr && dyn) {
    return fallback(index, all, dr, dyn, dyn.fallbackPolicy, 'the route maps no header to a dynamic subset key');
  }
  return {
    workloads: all,
    selection: 'all pods of the service',
    destinationRule: dr,
    noHealthyUpstream: all.length === 0 ? 'the Service selects no pods' : undefined,
  };
}

function dynamicSelection(
  index: ManifestIndex, all: Manifest[], dr: Manifest, dyn: DynamicSubset, keys: readonly DynamicSubsetKey[], headers: Record<string, string>, opts: PodIpOptions,
): PodSelection {
  const values: Record<string, string> = {};
  for (const k of keys) {
    const v = headerValue(headers, k.header ?? '') ?? k.defaultValue;
    if (k.key !== undefined && v !== undefined) values[k.key] = v;
  }
  for (const sel of dyn.subsetSelectors ?? []) {
    const selKeys = (sel.keys ?? []).filter((k) => values[k] !== undefined);
    if (selKeys.length === 0) continue;
    const wanted = Object.fromEntries(selKeys.map((k) => [k, values[k]]));
    const desc = `dynamic subset ${formatLabels(wanted)}`;
    const ip = wanted['%ip%'];
    const labelKeys = selKeys.filter((k) => k !== '%ip%');
    let workloads = all.filter((d) => labelKeys.every((k) => index.views.podLabels(d)[k] === wanted[k]));
    if (ip !== undefined) {
      if (!opts.podIps) {
        return { workloads, selection: `${desc}: selects one pod by IP ${ip} (pod IPs unknown; pass podIps)`, destinationRule: dr, podIp: ip };
      }
      const podIps = opts.podIps;
      workloads = workloads.filter((d) => (podIps[d.metadata.name] ?? []).includes(ip));
    }
    if (workloads.length > 0) return { workloads, selection: desc, destinationRule: dr, podIp: ip };
    return fallback(index, all, dr, dyn, sel.fallbackPolicy ?? dyn.fallbackPolicy, `${desc} has no pods`);
  }
  return fallback(index, all, dr, dyn, dyn.fallbackPolicy, 'no subset selector has a value for its keys');
}

/** ASM's fallback policies by name; UNSPECIFIED, absent or unknown is NO_FALLBACK. */
const POLICIES: Readonly<Record<string, FallbackPolicy>> = {
  ANY_ENDPOINT: FallbackPolicy.ANY_ENDPOINT,
  DEFAULT_SUBSET: FallbackPolicy.DEFAULT_SUBSET,
};

function fallback(index: ManifestIndex, all: Manifest[], dr: Manifest, dyn: DynamicSubset, policy: string | undefined, why: string): PodSelection {
  const p = POLICIES[policy ?? ''] ?? FallbackPolicy.NO_FALLBACK;
  if (p === FallbackPolicy.ANY_ENDPOINT) {
    return { workloads: all, selection: `${why}; ANY_ENDPOINT: any pod of the service`, destinationRule: dr, noHealthyUpstream: all.length ? undefined : 'the Service selects no pods' };
  }
  if (p === FallbackPolicy.DEFAULT_SUBSET) {
    const def = dyn.defaultSubset ?? {};
    const workloads = all.filter((d) => labelsMatch(def, index.views.podLabels(d)));
    return {
      workloads,
      selection: `${why}; DEFAULT_SUBSET ${formatLabels(def)}`,
      destinationRule: dr,
      noHealthyUpstream: workloads.length ? undefined : `the default subset ${formatLabels(def)} has no pods`,
    };
  }
  return { workloads: [], selection: `${why}; NO_FALLBACK`, destinationRule: dr, noHealthyUpstream: `${why} and the fallback policy is NO_FALLBACK` };
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const want = name.toLowerCase();
  const hit = Object.keys(headers).find((k) => k.toLowerCase() === want);
  return hit === undefined ? undefined : headers[hit];
}

/** `{a: 1, b: 2}` → `a=1,b=2`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}
