/**
 * Test support: which pods does one request reach, computed from synthesized manifests only.
 * Deliberately small (no weights, regex, ports or delegation): the product's explain feature is
 * written elsewhere. Two semantics:
 *
 * - `istio`: VirtualService http rules in order, first match wins (headers exact / presence,
 *   withoutHeaders exact / absence); directResponse; destination subset → DestinationRule
 *   subset labels → pods whose labels contain them; no subset → all pods; no rule → 404.
 * - `asm`: the route's headerToDynamicSubsetKey builds the request metadata (header, else
 *   defaultValue, else the key is absent); the first subset selector whose keys are all present
 *   is chosen; its group (pods equal on every key; `%ip%` is the pod IP) if not empty, else its
 *   fallback (selector's, else the top-level one, else NO_FALLBACK); no selector → top-level.
 */

/** A pod of the service, as the evaluator sees it. */
export interface Pod {
  readonly name: string;
  readonly ip: string;
  readonly labels: Record<string, string>;
}

/** 503 for a failed route (no healthy upstream), 404 when no rule matches. */
export type Outcome = { readonly status: 200; readonly pods: string[] } | { readonly status: number };

/** Expands Deployments selected by the Service `service` into pods `<deployment>-<i>`. */
export function podsOf(manifests: any[], service: string, ips: Record<string, string> = {}): Pod[] {
  const svc = manifests.find((m) => m.kind === 'Service' && m.metadata.name === service);
  if (!svc) throw new Error(`no Service ${service}`);
  const selector: Record<string, string> = svc.spec.selector ?? {};
  const pods: Pod[] = [];
  for (const d of manifests.filter((m) => m.kind === 'Deployment')) {
    const labels: Record<string, string> = d.spec.template.metadata?.labels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    for (let i = 0; i < (d.spec.replicas ?? 1); i++) {
      const name = `${d.metadata.name}-${i}`;
      pods.push({ name, ip: ips[name] ?? `10.0.0.${pods.length + 1}`, labels });
    }
  }
  return pods;
}

type Headers = Record<string, string>;

function stringMatch(m: any, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) throw new Error('regex matches are not supported by the test evaluator');
  return true; // {}: presence
}

function blockMatches(block: any, req: Headers): boolean {
  const withH = Object.entries(block.headers ?? {}).every(([h, m]) => stringMatch(m, req[h]));
  // Envoy inverts the header matcher; Istio 1.23 adds treat_missing_header_as_empty to an inverted
  // string match, so an absent header is tested as "" (route.go TranslateRouteMatch).
  const without = Object.entries(block.withoutHeaders ?? {}).every(([h, m]: [string, any]) =>
    (req[h] === undefined ? !stringMatch(m, '') || (m.exact === undefined && m.prefix === undefined) : !stringMatch(m, req[h])));
  const other = Object.keys(block).filter((k) => k !== 'headers' && k !== 'withoutHeaders' && k !== 'name');
  if (other.length > 0) throw new Error(`match fields ${other.join(', ')} are not supported by the test evaluator`);
  return withH && without;
}

function firstRule(vs: any, req: Headers): any | undefined {
  return (vs.spec.http ?? []).find((r: any) => !r.match || r.match.some((b: any) => blockMatches(b, req)));
}

const sorted = (pods: Pod[]): Outcome => (pods.length === 0 ? { status: 503 } : { status: 200, pods: pods.map((p) => p.name).sort() });
const matchesLabels = (p: Pod, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => p.labels[k] === v);

/** Open-source Istio semantics over a DestinationRule and VirtualService. */
export function evalIstio(dr: any, vs: any, pods: Pod[], req: Headers): Outcome {
  const rule = firstRule(vs, req);
  if (!rule) return { status: 404 };
  if (rule.headerToDynamicSubsetKey) throw new Error('headerToDynamicSubsetKey is ASM-only');
  if (rule.directResponse) return { status: rule.directResponse.status };
  const dest = rule.route[0].destination;
  if (!dest.subset) return sorted(pods);
  const subset = (dr.spec.subsets ?? []).find((s: any) => s.name === dest.subset);
  if (!subset) return { status: 503 };
  return sorted(pods.filter((p) => matchesLabels(p, subset.labels ?? {})));
}

/** ASM dynamic-subset semantics over a DestinationRule and VirtualService. */
export function evalAsm(dr: any, vs: any, pods: Pod[], req: Headers): Outcome {
  const rule = firstRule(vs, req);
  if (!rule) return { status: 404 };
  if (rule.directResponse) return { status: rule.directResponse.status };
  const lb = dr.spec.trafficPolicy?.loadBalancer?.dynamicSubset;
  if (!lb) return evalIstio(dr, vs, pods, req);
  const metadata: Record<string, string> = {};
  for (const m of rule.headerToDynamicSubsetKey ?? []) {
    const value = req[m.header] ?? m.defaultValue;
    if (value !== undefined) metadata[m.key] = value;
  }
  const keyOf = (p: Pod, k: string) => (k === '%ip%' ? p.ip : p.labels[k]);
  const policy = (p?: string) => (p && p !== 'UNSPECIFIED' ? p : undefined);
  const fallback = (p: string): Outcome => {
    if (p === 'ANY_ENDPOINT') return sorted(pods);
    if (p === 'DEFAULT_SUBSET') return sorted(pods.filter((x) => matchesLabels(x, lb.defaultSubset ?? {})));
    return { status: 503 };
  };
  const top = policy(lb.fallbackPolicy) ?? 'NO_FALLBACK';
  const selector = (lb.subsetSelectors ?? []).find((s: any) => s.keys.every((k: string) => metadata[k] !== undefined));
  if (!selector) return fallback(top);
  const group = pods.filter((p) => selector.keys.every((k: string) => keyOf(p, k) === metadata[k]));
  return group.length > 0 ? sorted(group) : fallback(policy(selector.fallbackPolicy) ?? top);
}
