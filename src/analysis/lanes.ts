/**
 * The lane report: which lanes the manifests define (header values matched to a non-base
 * subset, or declared by annotation) and, per service, where each lane's requests land.
 */
import { Hop, ExplainedDestination, explainIndexed } from './explain';
import { renderTable } from './format';
import { simulateKruiseRelease } from '../model/kruise/istio-contract';
import { Manifest, ManifestIndex, annotationList, formatRef, indexManifests, namespaceOf, refOf } from '../model/manifest';
import { WellKnown } from '../model/well-known';

/** A lane: requests carrying `header: value`. */
export interface Lane {
  readonly name: string;
  readonly header: string;
  readonly value: string;
  /** The objects that route or declare it (`Kind/namespace/name`). */
  readonly declaredBy: string[];
}

/** Where one lane's requests land at one service. */
export interface LaneHop {
  readonly lane: string;
  readonly service: string;
  /** The version reached (subsets or workloads), or the error status. */
  readonly reaches: string;
  /** True when the lane reaches the same version as a request without lane headers. */
  readonly fallback: boolean;
  /** The headers the hop's matched rule tests ('' for the base route). */
  readonly headers: string[];
}

/** The lanes, the services in chain order, and one row per lane and service. */
export interface LaneReport {
  readonly lanes: Lane[];
  readonly services: string[];
  readonly rows: LaneHop[];
}

/** Parses `name=header:value` items of the {@link WellKnown.LANES_ANNOTATION} annotation. */
export function declaredLanes(m: Manifest): Array<{ name: string; header: string; value: string }> {
  return annotationList(m, WellKnown.LANES_ANNOTATION).flatMap((item) => {
    const hit = /^([^=]+)=([^:]+):(.*)$/.exec(item);
    return hit ? [{ name: hit[1].trim(), header: hit[2].trim().toLowerCase(), value: hit[3].trim() }] : [];
  });
}

/** The lanes in the manifests: VS header-exact matches routing to a non-base subset, plus declared ones. */
export function findLanes(manifests: readonly unknown[]): Lane[] {
  const index = indexManifests(manifests);
  const lanes = new Map<string, { name: string; header: string; value: string; declaredBy: Set<string> }>();
  const add = (header: string, value: string, by: Manifest, name?: string) => {
    const key = `${header}\u0000${value}`;
    const lane = lanes.get(key) ?? { name: name ?? `${header}=${value}`, header, value, declaredBy: new Set<string>() };
    if (name) lane.name = name;
    lane.declaredBy.add(formatRef(refOf(by)));
    lanes.set(key, lane);
  };
  for (const m of [...index.virtualServices, ...index.destinationRules]) {
    declaredLanes(m).forEach((l) => add(l.header, l.value, m, l.name));
  }
  for (const vs of index.virtualServices) {
    const http = index.views.virtualService(vs).http ?? [];
    const catchAll = http.find((r) => !r.match || r.match.length === 0);
    const baseSubsets = new Set((catchAll?.route ?? []).map((d) => d.destination?.subset));
    for (const rule of http) {
      const subsets = (rule.route ?? []).flatMap((d) => (d.destination?.subset === undefined ? [] : [d.destination.subset]));
      if (!subsets.some((s) => !baseSubsets.has(s))) continue;
      for (const m of rule.match ?? []) {
        for (const [name, sm] of Object.entries(m.headers ?? {})) {
          if (sm.exact !== undefined) add(name.toLowerCase(), sm.exact, vs);
        }
      }
    }
  }
  return [...lanes.values()].map((l) => ({ ...l, declaredBy: [...l.declaredBy] }));
}

function reached(d: ExplainedDestination[]): string {
  return d.map((x) => {
    if (x.status) return `${x.status}`;
    const what = x.subset ?? (x.workloads.map((w) => w.name).join('+') || '-');
    return x.share < 1 ? `${what} ${Math.round(x.share * 100)}%` : what;
  }).join(', ');
}

/** Per service, what a request with `headers` reaches: first along the gateways' chains, else entering at the service. */
function reachMap(index: ManifestIndex, headers: Record<string, string>): Map<string, { reaches: string; headers: string[] }> {
  const map = new Map<string, { reaches: string; headers: string[] }>();
  const visit = (hop: Hop) => {
    const byService = new Map<string, ExplainedDestination[]>();
    hop.destinations.forEach((d) => d.service && byService.set(d.service, [...(byService.get(d.service) ?? []), d]));
    if (hop.destinations.length === 0 && hop.service) byService.set(hop.service, []);
    for (const [svc, ds] of byService) {
      if (!map.has(svc)) map.set(svc, { reaches: ds.length ? reached(ds) : `${hop.status ?? hop.outcome}`, headers: hop.rule?.headerNames ?? [] });
    }
    hop.destinations.forEach((d) => d.workloads.forEach((w) => w.calls.forEach(visit)));
  };
  for (const gw of index.gateways) explainIndexed(index, { gateway: `${namespaceOf(gw)}/${gw.metadata.name}` }, { headers }).hops.forEach(visit);
  for (const svc of index.services) {
    const key = `${svc.metadata.name}.${namespaceOf(svc)}`;
    if (!map.has(key)) explainIndexed(index, { service: svc.metadata.name, namespace: namespaceOf(svc) }, { headers, maxDepth: 0 }).hops.forEach(visit);
  }
  return map;
}

/** For each lane and each service, the version the lane's requests reach there. */
export function laneReport(input: readonly unknown[], opts: { release?: readonly string[] | 'all' } = {}): LaneReport {
  const manifests = opts.release ? simulateKruiseRelease(input, opts.release).manifests : input;
  const lanes = findLanes(manifests);
  const index = indexManifests(manifests);
  const base = reachMap(index, {});
  const services = [...base.keys()];
  const rows: LaneHop[] = [];
  for (const lane of lanes) {
    const reach = reachMap(index, { [lane.header]: lane.value });
    for (const service of services) {
      const r = reach.get(service) ?? { reaches: 'not reached', headers: [] };
      const fallback = r.reaches === base.get(service)?.reaches;
      rows.push({ lane: lane.name, service, reaches: r.reaches, fallback, headers: fallback ? [] : r.headers });
    }
  }
  return { lanes, services, rows };
}

/** The lane report as a table. */
export function formatLaneReport(r: LaneReport): string {
  if (r.lanes.length === 0) return 'no lanes found (no header-exact route to a non-base subset, no gray-release.io/lanes annotation)';
  const lanes = renderTable(['LANE', 'HEADER', 'VALUE', 'DECLARED BY'], r.lanes.map((l) => [l.name, l.header, l.value, l.declaredBy.join(', ')]));
  const rows = renderTable(['LANE', 'SERVICE', 'REACHES', 'VIA', 'HEADER NEEDED'],
    r.rows.map((x) => [x.lane, x.service, x.reaches, x.fallback ? 'base (fallback)' : 'lane', x.headers.join(', ') || '-']));
  return `${lanes}\n\n${rows}`;
}
