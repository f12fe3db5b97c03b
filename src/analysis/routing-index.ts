/**
 * Lookups of VirtualServices and Services over one manifest index, built once and kept with the
 * index: the mesh VirtualServices of a host, the VirtualServices bound to a gateway, Services by
 * name. With them every tool does work linear in the number of objects (no scan of all
 * VirtualServices per hop).
 */
import { HostLookup, hostLookup, remembered } from './host-lookup';
import { HttpRule } from '../model/istio-views';
import { Manifest, ManifestIndex, namespaceOf } from '../model/manifest';
import { hostCovers, resolveConfigHost } from '../model/matching';

/** An http rule of a VirtualService, with its index in `http`. */
export interface IndexedRule {
  readonly vs: Manifest;
  readonly rule: HttpRule;
  readonly index: number;
}

/** Lookups over one index. */
export interface RoutingLookups {
  /** The VirtualServices bound to the mesh (no `gateways`, or `mesh` among them) whose hosts cover `fqdn`, in input order. */
  meshVirtualServices(fqdn: string): Manifest[];
  /** The VirtualServices bound to the Gateway `namespace/name`, in input order. */
  gatewayVirtualServices(gatewayRef: string): readonly Manifest[];
  /** The Services named `name`, in input order. */
  servicesNamed(name: string): readonly Manifest[];
  /** The http rules of a VirtualService, each with its index. */
  rulesOf(vs: Manifest): readonly IndexedRule[];
}

const LOOKUPS = new WeakMap<ManifestIndex, RoutingLookups>();

/** The gateways a VirtualService binds to, as `namespace/name` (`mesh` stays `mesh`). */
export function boundGateways(index: ManifestIndex, vs: Manifest): string[] {
  const gws = index.views.virtualService(vs).gateways ?? [];
  return gws.map((g) => (g === 'mesh' || g.includes('/') ? g : `${namespaceOf(vs)}/${g}`));
}

/** Whether a VirtualService applies to sidecars (no `gateways`, or `mesh` among them). */
export function boundToMesh(index: ManifestIndex, vs: Manifest): boolean {
  const gws = index.views.virtualService(vs).gateways ?? [];
  return gws.length === 0 || gws.includes('mesh');
}

/** The lookups of an index (built at first use). */
export function routingLookups(index: ManifestIndex): RoutingLookups {
  return remembered(LOOKUPS, index, () => build(index));
}

function build(index: ManifestIndex): RoutingLookups {
  let mesh: HostLookup<Manifest> | undefined;
  const byGateway = new Map<string, Manifest[]>();
  for (const vs of index.virtualServices) {
    for (const g of new Set(boundGateways(index, vs))) {
      if (g === 'mesh') continue;
      const list = byGateway.get(g);
      if (list) list.push(vs); else byGateway.set(g, [vs]);
    }
  }
  const byName = new Map<string, Manifest[]>();
  for (const s of index.services) {
    const list = byName.get(s.metadata.name);
    if (list) list.push(s); else byName.set(s.metadata.name, [s]);
  }
  const rules = new Map<Manifest, IndexedRule[]>();
  return {
    meshVirtualServices: (fqdn) => {
      mesh ??= hostLookup(index.virtualServices.filter((vs) => boundToMesh(index, vs)).flatMap((vs) =>
        (index.views.virtualService(vs).hosts ?? []).map((h) => ({ host: resolveConfigHost(h, namespaceOf(vs)), value: vs }))));
      // Istio 1.23 (sidecar.go computeWildcardHostVirtualServiceIndex, MostSpecificHostMatch): an exact
      // host first, then the longest wildcard; input order among equals (stable sort).
      const specificity = (vs: Manifest) => Math.max(...(index.views.virtualService(vs).hosts ?? [])
        .map((h) => resolveConfigHost(h, namespaceOf(vs))).filter((h) => hostCovers(h, fqdn)).map((h) => (h === fqdn ? Infinity : h.length)));
      return mesh.all(fqdn).map((vs) => ({ vs, rank: specificity(vs) })).sort((a, b) => b.rank - a.rank).map((e) => e.vs);
    },
    gatewayVirtualServices: (ref) => byGateway.get(ref) ?? [],
    servicesNamed: (name) => byName.get(name) ?? [],
    rulesOf: (vs) => {
      const hit = rules.get(vs);
      if (hit) return hit;
      const made = (index.views.virtualService(vs).http ?? []).map((rule, i) => ({ vs, rule, index: i }));
      rules.set(vs, made);
      return made;
    },
  };
}
