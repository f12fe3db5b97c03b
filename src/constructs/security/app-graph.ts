/**
 * The app's declared call graph, read at synth from every GrayService of the app (callers may
 * live in other charts), and every Kubernetes Service the app writes (hosts a call may name).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GraphService, resolveCallGraph, ResolvedGraph, serviceFqdn } from '../../model/security/call-graph';
import { AppState } from '../core/state';
import { GrayService } from '../service/gray-service';

/** The namespace a service's objects land in (`default` when none is set, as kubectl applies them). */
export function namespaceOfService(s: GrayService): string {
  return s.effectiveNamespace ?? 'default';
}

/** The graph node of a GrayService. */
export function graphServiceOf(s: GrayService): GraphService {
  return { name: s.name, namespace: namespaceOfService(s), serviceAccount: s.serviceAccountName, calls: s.callees };
}

/** The app's graph: every GrayService, resolved. */
export interface AppGraph {
  readonly graph: ResolvedGraph;
  readonly nodes: ReadonlyMap<GrayService, GraphService>;
}

/** Graph and hosts of the app, built once per synth (AppState.memo) however many objects read them. */
function cached(scope: IConstruct): { readonly graph: AppGraph; readonly hosts: Set<string> } {
  return AppState.of(scope).memo('security.app-graph', () => build(scope));
}

function build(scope: IConstruct): { readonly graph: AppGraph; readonly hosts: Set<string> } {
  const all = scope.node.root.node.findAll();
  const services = all.filter((c): c is GrayService => c instanceof GrayService);
  const nodes = new Map(services.map((s) => [s, graphServiceOf(s)]));
  const hosts = new Set<string>();
  for (const c of all) {
    if (c instanceof ApiObject && c.kind === 'Service' && c.apiVersion === 'v1') hosts.add(serviceFqdn(c.name, c.metadata.namespace ?? Chart.of(c).namespace ?? 'default'));
  }
  return { graph: { graph: resolveCallGraph([...nodes.values()]), nodes }, hosts };
}

/** The graph of every GrayService of the app `scope` belongs to. */
export function appGraph(scope: IConstruct): AppGraph {
  return cached(scope).graph;
}

/** FQDNs of every `v1` Service object of the app (GrayServices, and plain Services such as dynamic-subset hosts). */
export function appServiceHosts(scope: IConstruct): ReadonlySet<string> {
  return cached(scope).hosts;
}
