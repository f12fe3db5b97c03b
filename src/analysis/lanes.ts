/**
 * The lane report: which lanes the manifests define (header values matched to a non-base
 * subset, or declared by annotation) and, per service, where each lane's requests land.
 *
 * Requests are taken as already in the lane when they pass the ingress (the coloring is not run:
 * `explain` shows how a request gets there). Each lane walks the call graph once, from the
 * gateways' routes and then from every Service not reached that way, visiting each call (caller,
 * callee, headers) once: the report costs time linear in the objects, per lane.
 */
import { ExplainedDestination, Hop, explainCall, explainIndexed } from './explain';
import { renderTable } from './format';
import { LuaScripts } from './lua-vm';
import { simulateKruiseRelease } from '../model/kruise/istio-contract';
import { Manifest, ManifestIndex, annotationList, formatRef, indexManifests, namespaceOf, refOf, serviceName } from '../model/manifest';
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
  /** What the hop reaches: subsets or workloads with their shares, or the error status. */
  readonly reaches: string;
  /**
   * True when the lane's requests reach what requests outside every lane reach (the service's
   * default route, whatever split it is): the lane does not change this service.
   */
  readonly fallback: boolean;
  /** The headers the hop's matched rule tests ('' for the default route). */
  readonly headers: string[];
}

/** The lanes, the services in the order they were reached, and one row per lane and service. */
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
  return findLanesIndexed(indexManifests(manifests));
}

/** {@link findLanes} over an index. */
export function findLanesIndexed(index: ManifestIndex): Lane[] {
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

/** `v1 50%, v3 50%`, `canary`, `503`: what the branches of a hop reach. */
function reached(d: readonly ExplainedDestination[]): string {
  return d.map((x) => {
    if (x.status) return `${x.status}`;
    const what = x.subset ?? (x.workloads.map((w) => w.name).join('+') || '-');
    return x.share < 1 ? `${what} ${Math.round(x.share * 100)}%` : what;
  }).join(', ');
}

interface Reach { readonly reaches: string; readonly headers: string[] }

/** Per service (`name.namespace`), what requests with `headers` reach there, walking each call once. */
function reachMap(index: ManifestIndex, headers: Record<string, string>, vm: LuaScripts): Map<string, Reach> {
  const map = new Map<string, Reach>();
  const deployments = new Map(index.deployments.map((d) => [`${namespaceOf(d)}/${d.metadata.name}`, d] as const));
  const seen = new Set<string>();
  const queue: Hop[] = [];
  const record = (hop: Hop) => {
    const byService = new Map<string, ExplainedDestination[]>();
    hop.destinations.forEach((d) => d.service && byService.set(d.service, [...(byService.get(d.service) ?? []), d]));
    if (hop.destinations.length === 0 && hop.service) byService.set(hop.service, []);
    for (const [svc, ds] of byService) {
      if (!map.has(svc)) map.set(svc, { reaches: ds.length ? reached(ds) : `${hop.status ?? hop.outcome}`, headers: hop.rule?.headerNames ?? [] });
    }
    queue.push(hop);
  };
  for (const gw of index.gateways) {
    explainIndexed(index, { gateway: `${namespaceOf(gw)}/${gw.metadata.name}` }, { headers, maxDepth: 0, skipColoring: true }, vm).hops.forEach(record);
  }
  const drain = () => {
    for (let i = 0; i < queue.length; i++) {
      for (const d of queue[i].destinations) {
        for (const w of d.workloads) {
          const caller = deployments.get(`${w.namespace}/${w.name}`);
          for (const call of w.calls) {
            const key = `${w.namespace}/${w.name}\u0000${call.host}\u0000${JSON.stringify(call.headers)}`;
            if (seen.has(key)) continue;
            seen.add(key);
            record(explainCall(index, { caller, namespace: w.namespace, host: call.host, headers: call.headers }, vm));
          }
        }
      }
    }
    queue.length = 0;
  };
  drain();
  for (const svc of index.services) {
    if (map.has(serviceName(svc))) continue;
    record(explainCall(index, { namespace: namespaceOf(svc), host: svc.metadata.name, headers }, vm));
    drain();
  }
  return map;
}

/** For each lane and each service, what the lane's requests reach there. */
export function laneReport(input: readonly unknown[], opts: { release?: readonly string[] | 'all' } = {}): LaneReport {
  const manifests = opts.release ? simulateKruiseRelease(input, opts.release).manifests : input;
  const index = indexManifests(manifests);
  const lanes = findLanesIndexed(index);
  const vm = new LuaScripts();
  const base = reachMap(index, {}, vm);
  const services = [...base.keys()];
  const rows: LaneHop[] = [];
  for (const lane of lanes) {
    const reach = reachMap(index, { [lane.header]: lane.value }, vm);
    for (const service of services) {
      const r = reach.get(service) ?? { reaches: 'not reached', headers: [] };
      const fallback = r.reaches === base.get(service)?.reaches;
      rows.push({ lane: lane.name, service, reaches: r.reaches, fallback, headers: fallback ? [] : r.headers });
    }
  }
  return { lanes, services, rows };
}

/** Rows up to which the report prints every service without `verbose`. */
export const LANE_ROWS_IN_FULL = 60;

function declaredBy(l: Lane, verbose: boolean): string {
  if (verbose || l.declaredBy.length <= 3) return l.declaredBy.join(', ');
  const kinds = new Map<string, number>();
  for (const d of l.declaredBy) kinds.set(d.split('/')[0], (kinds.get(d.split('/')[0]) ?? 0) + 1);
  return `${l.declaredBy.length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`;
}

/** The lane report as tables: every service when small or `verbose`, else counts per lane. */
export function formatLaneReport(r: LaneReport, opts: { readonly verbose?: boolean } = {}): string {
  if (r.lanes.length === 0) return 'no lanes found (no header-exact route to a non-base subset, no gray-release.io/lanes annotation)';
  const verbose = opts.verbose ?? false;
  const lanes = renderTable(['LANE', 'HEADER', 'VALUE', 'DECLARED BY'], r.lanes.map((l) => [l.name, l.header, l.value, declaredBy(l, verbose)]));
  if (verbose || r.rows.length <= LANE_ROWS_IN_FULL) {
    const rows = renderTable(['LANE', 'SERVICE', 'REACHES', 'VIA', 'HEADER NEEDED'],
      r.rows.map((x) => [x.lane, x.service, x.reaches, x.fallback ? 'default route (as outside the lane)' : 'lane route', x.headers.join(', ') || '-']));
    return `${lanes}\n\n${rows}`;
  }
  const counts = renderTable(['LANE', 'SERVICES ON A LANE ROUTE', 'ON THE DEFAULT ROUTE', 'NOT REACHED'], r.lanes.map((l) => {
    const mine = r.rows.filter((x) => x.lane === l.name);
    return [l.name, String(mine.filter((x) => !x.fallback).length), String(mine.filter((x) => x.fallback).length), String(mine.filter((x) => x.reaches === 'not reached').length)];
  }));
  return `${lanes}\n\n${counts}\n\n${r.services.length} services; --verbose lists every service and object.`;
}
