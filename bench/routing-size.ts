/**
 * Routing size: for every host of a generated mesh, the VirtualService rules and DestinationRule
 * subsets the library wrote, against the minimum the routing needs (from {@link meshPlan}):
 *
 * - a GrayService: its routed subsets (base + one per lane it is a member of) and, in each
 *   VirtualService, one rule per lane subset plus one base route;
 * - a dynamic-subset host on Istio: one subset per existing group (plus the default subset when
 *   it is not one of them) and one rule per group plus the fallback.
 *
 * It also checks that every subset is routed to by some rule (no dead subset).
 */
import { HostMinimum } from './mesh';

export interface RoutingSizeRow {
  readonly kind: HostMinimum['kind'];
  readonly hosts: number;
  readonly virtualServices: number;
  /** Sum over the VirtualServices of `spec.http.length`. */
  readonly rules: number;
  readonly minRules: number;
  readonly subsets: number;
  readonly minSubsets: number;
  /** Hosts with more rules or subsets than the minimum. */
  readonly hostsOverMinimum: number;
  /** Subsets no rule of the host routes to. */
  readonly unroutedSubsets: number;
  /** Problems (missing objects, fewer than the minimum: the mesh would be broken). */
  readonly problems: string[];
}

/** Counts rules and subsets per kind of host in `objects` (synthesized manifests). */
export function routingSize(objects: readonly any[], plan: readonly HostMinimum[]): RoutingSizeRow[] {
  const byKey = new Map<string, any>();
  for (const o of objects) {
    if (o?.apiVersion?.startsWith('networking.istio.io/')) byKey.set(`${o.kind}/${o.metadata?.name}`, o);
  }
  const rows = new Map<HostMinimum['kind'], { hosts: number; vs: number; rules: number; minRules: number; subsets: number; minSubsets: number; over: number; unrouted: number; problems: string[] }>();
  for (const h of plan) {
    const row = rows.get(h.kind) ?? { hosts: 0, vs: 0, rules: 0, minRules: 0, subsets: 0, minSubsets: 0, over: 0, unrouted: 0, problems: [] };
    rows.set(h.kind, row);
    row.hosts++;
    const dr = byKey.get(`DestinationRule/${h.destinationRule}`);
    if (!dr) {
      row.problems.push(`${h.host}: no DestinationRule ${h.destinationRule}`);
      continue;
    }
    const subsetNames: string[] = (dr.spec?.subsets ?? []).map((s: any) => s.name);
    const routed = new Set<string>();
    let over = subsetNames.length > h.minSubsets;
    if (subsetNames.length < h.minSubsets) row.problems.push(`${h.host}: ${subsetNames.length} subsets, fewer than the ${h.minSubsets} it needs`);
    row.subsets += subsetNames.length;
    row.minSubsets += h.minSubsets;
    for (const name of h.virtualServices) {
      const vs = byKey.get(`VirtualService/${name}`);
      if (!vs) {
        row.problems.push(`${h.host}: no VirtualService ${name}`);
        continue;
      }
      const http: any[] = vs.spec?.http ?? [];
      row.vs++;
      row.rules += http.length;
      row.minRules += h.minRules;
      if (http.length > h.minRules) over = true;
      if (http.length < h.minRules) row.problems.push(`${h.host}: ${name} has ${http.length} rules, fewer than the ${h.minRules} it needs`);
      for (const rule of http) for (const r of rule.route ?? []) if (r.destination?.subset) routed.add(r.destination.subset);
    }
    row.unrouted += subsetNames.filter((s) => !routed.has(s)).length;
    if (over) row.over++;
  }
  return [...rows.entries()].map(([kind, r]) => ({
    kind,
    hosts: r.hosts,
    virtualServices: r.vs,
    rules: r.rules,
    minRules: r.minRules,
    subsets: r.subsets,
    minSubsets: r.minSubsets,
    hostsOverMinimum: r.over,
    unroutedSubsets: r.unrouted,
    problems: r.problems,
  }));
}

/** Whether every row is at its minimum (and nothing is missing or unrouted). */
export function atMinimum(rows: readonly RoutingSizeRow[]): boolean {
  return rows.every((r) => r.rules === r.minRules && r.subsets === r.minSubsets && r.hostsOverMinimum === 0 && r.unroutedSubsets === 0 && r.problems.length === 0);
}
