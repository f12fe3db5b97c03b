/**
 * The declared call graph as the security objects read it: which service a called host names,
 * who calls whom, and the mesh identities (SPIFFE principals) of callers.
 *
 * A call is declared with `calls` on a GrayService (`cart`, `cart.shop`,
 * `cart.shop.svc.cluster.local`); Istio resolves a short host in the caller's namespace, and so
 * does this resolution (matching.ts `qualifyHost`).
 */
import { CLUSTER_DOMAIN, qualifyHost } from '../matching';

/** Istio's default trust domain. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** The default ingress gateway's identity in a default install (`istio-ingressgateway-service-account` in istio-system). */
export function defaultIngressPrincipal(trustDomain: string = DEFAULT_TRUST_DOMAIN): string {
  return principal(trustDomain, 'istio-system', 'istio-ingressgateway-service-account');
}

/** A workload's mesh identity as AuthorizationPolicy `source.principals` names it. */
export function principal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** One service of the graph. */
export interface GraphService {
  readonly name: string;
  /** Effective namespace (`default` when none is set). */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Hosts it calls, as declared. */
  readonly calls: readonly string[];
}

/** The fully qualified host of a Service. */
export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** A call whose host is no service of the graph. */
export interface UnresolvedCall {
  readonly caller: GraphService;
  readonly host: string;
  /** The host qualified from the caller's namespace. */
  readonly fqdn: string;
}

/** Callers by callee, and the calls that name no service of the graph. */
export interface ResolvedGraph {
  /** Callee FQDN → its callers (each once, in input order). */
  readonly callers: ReadonlyMap<string, readonly GraphService[]>;
  /** Caller → the FQDNs it calls that are services of the graph. */
  readonly callees: ReadonlyMap<GraphService, readonly string[]>;
  readonly unresolved: readonly UnresolvedCall[];
}

/** Resolves every declared call against the services (linear: one map lookup per call). */
export function resolveCallGraph(services: readonly GraphService[]): ResolvedGraph {
  const byFqdn = new Map(services.map((s) => [serviceFqdn(s.name, s.namespace), s]));
  const callers = new Map<string, GraphService[]>();
  const callees = new Map<GraphService, string[]>();
  const unresolved: UnresolvedCall[] = [];
  for (const caller of services) {
    const mine: string[] = [];
    for (const host of caller.calls) {
      const fqdn = qualifyHost(host, caller.namespace);
      if (!byFqdn.has(fqdn)) {
        unresolved.push({ caller, host, fqdn });
        continue;
      }
      mine.push(fqdn);
      const list = callers.get(fqdn) ?? [];
      if (!list.includes(caller)) list.push(caller);
      callers.set(fqdn, list);
    }
    callees.set(caller, [...new Set(mine)]);
  }
  return { callers, callees, unresolved };
}
