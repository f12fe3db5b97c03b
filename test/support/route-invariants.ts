/**
 * Routing invariants of a set of manifests, checked from the manifests alone (independent of
 * src/). Istio would accept most violations silently and send traffic nowhere or somewhere else:
 *
 * 1. a weighted route (any destination has a weight) gives every destination a weight, and the
 *    weights sum to 100; a route with several destinations is weighted; a lone destination
 *    carries no weight or 100;
 * 2. no destination has weight 0 (a destination that can never be picked is a bug waiting: the
 *    issue #11 fault, a lane entered at 100% left the base with weight 0);
 * 3. every subset a route names exists in a DestinationRule for that host;
 * 4. every destination host is a Service in the manifests (or one of `externalHosts`).
 *
 * Hosts are compared fully qualified: in a rule of namespace `ns`, `web` is
 * `web.ns.svc.cluster.local`, `web.pay` is `web.pay.svc.cluster.local` (Istio's short-name rule).
 */

const DOMAIN = 'svc.cluster.local';
type Obj = any;

function namespaceOf(o: Obj, defaultNamespace: string): string {
  return o.metadata?.namespace ?? defaultNamespace;
}

/** `web` in `ns` → `web.ns.svc.cluster.local`; `web.pay` → `web.pay.svc.cluster.local`; longer names as given. */
export function fqdn(host: string, ns: string): string {
  const labels = host.split('.');
  if (labels.length === 1) return `${host}.${ns}.${DOMAIN}`;
  if (labels.length === 2) return `${host}.${DOMAIN}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

export interface InvariantOptions {
  /** Hosts outside the manifests that routes may name (ServiceEntries, external names). @default none */
  readonly externalHosts?: readonly string[];
  /** Namespace of objects without one. @default 'default' */
  readonly defaultNamespace?: string;
}

/** The broken invariants, one line each (empty when all hold). */
export function routeInvariantErrors(manifests: readonly Obj[], options: InvariantOptions = {}): string[] {
  const defaultNs = options.defaultNamespace ?? 'default';
  const services = new Set(manifests.filter((o) => o?.kind === 'Service').map((s) => fqdn(s.metadata.name, namespaceOf(s, defaultNs))));
  const external = new Set(options.externalHosts ?? []);
  const subsets = new Map<string, Set<string>>();
  for (const dr of manifests.filter((o) => o?.kind === 'DestinationRule')) {
    const host = fqdn(dr.spec.host, namespaceOf(dr, defaultNs));
    const names = subsets.get(host) ?? new Set<string>();
    for (const s of dr.spec.subsets ?? []) names.add(s.name);
    subsets.set(host, names);
  }

  const errors: string[] = [];
  for (const vs of manifests.filter((o) => o?.kind === 'VirtualService')) {
    const ns = namespaceOf(vs, defaultNs);
    for (const list of ['http', 'tcp', 'tls'] as const) {
      for (const [i, rule] of (vs.spec?.[list] ?? []).entries()) {
        const at = `VirtualService ${ns}/${vs.metadata.name} ${list}[${i}]${rule.name ? ` (${rule.name})` : ''}`;
        errors.push(...weightErrors(at, rule.route ?? []));
        for (const d of rule.route ?? []) {
          const host = d.destination?.host;
          if (typeof host !== 'string') {
            errors.push(`${at}: a destination without a host`);
            continue;
          }
          const full = fqdn(host, ns);
          if (!services.has(full) && !external.has(host) && !external.has(full)) errors.push(`${at}: destination host ${host} is no Service in the manifests`);
          const subset = d.destination.subset;
          if (subset !== undefined && !(subsets.get(full)?.has(subset))) errors.push(`${at}: subset ${subset} of ${host} is in no DestinationRule`);
        }
      }
    }
  }
  return errors;
}

function weightErrors(at: string, route: readonly Obj[]): string[] {
  const errors: string[] = [];
  const weights = route.map((d) => d.weight);
  for (const [j, w] of weights.entries()) {
    if (w === 0) errors.push(`${at}: destination ${j} (${route[j].destination?.host}/${route[j].destination?.subset ?? '-'}) has weight 0`);
  }
  const weighted = weights.some((w) => w !== undefined);
  if (route.length > 1 && !weighted) errors.push(`${at}: ${route.length} destinations without weights`);
  if (!weighted) return errors;
  if (weights.some((w) => typeof w !== 'number' || !Number.isInteger(w) || w < 0)) {
    errors.push(`${at}: weights ${JSON.stringify(weights)} are not all whole numbers`);
  } else {
    const sum = weights.reduce((a, b) => a + b, 0);
    if (sum !== 100) errors.push(`${at}: weights ${JSON.stringify(weights)} sum to ${sum}, not 100`);
  }
  return errors;
}
