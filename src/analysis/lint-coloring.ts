/**
 * Lint rules on the ingress coloring, read by running the colorings' Lua (coloring-probe.ts):
 * - GR016: a progressive release (Kruise header matches) of a service reachable from a Gateway
 *   where nothing sets the matched header: only clients that send it themselves reach the canary;
 * - GR017: a gateway rule that needs a header absent, while a coloring of that gateway sets the
 *   header on every request (a default value): the rule, e.g. a weighted lane entry, never matches;
 * A coloring EnvoyFilter whose selector selects no Gateway of the manifests is GR102 (#16's
 * lint-security.ts), which uses the same selection (coloring.ts `filterSelectsGateway`).
 */
import { GatewayFilter, gatewayFilters } from './coloring';
import { ColoringProbe, probeColoring } from './coloring-probe';
import { exampleHost, gatewayRef } from './explain-gateway';
import { LintCheck, Report } from './lint-types';
import { LuaScripts } from './lua-vm';
import { matchString } from './match';
import { routingLookups } from './routing-index';
import { releaseUnits } from '../model/kruise/istio-contract';
import { Manifest, ManifestIndex, callsOf, findService, formatRef, namespaceOf, refOf, workloadsOf } from '../model/manifest';

/** What each Gateway's coloring does (probed once per gateway). */
interface GatewayColoring {
  readonly gateway: Manifest;
  readonly filters: GatewayFilter[];
  readonly probe: ColoringProbe;
}

function colorings(index: ManifestIndex, vm: LuaScripts): GatewayColoring[] {
  return index.gateways.map((gateway) => {
    const filters = gatewayFilters(index, gateway, undefined);
    const hosts = (index.views.gateway(gateway).servers ?? []).flatMap((s) => s.hosts ?? []);
    return { gateway, filters, probe: probeColoring(vm, filters, exampleHost(hosts)) };
  });
}

/** The Services (by object) requests from a Gateway can reach: its routes, then the call graph. */
function reachable(index: ManifestIndex, gateway: Manifest): Set<Manifest> {
  const seen = new Set<Manifest>();
  const queue: Manifest[] = [];
  const visit = (host: string | undefined, ns: string) => {
    const svc = host ? findService(index, host, ns) : undefined;
    if (svc && !seen.has(svc)) { seen.add(svc); queue.push(svc); }
  };
  for (const vs of routingLookups(index).gatewayVirtualServices(gatewayRef(gateway))) {
    for (const rule of index.views.virtualService(vs).http ?? []) for (const r of rule.route ?? []) visit(r.destination?.host, namespaceOf(vs));
  }
  for (let i = 0; i < queue.length; i++) {
    for (const d of workloadsOf(index, queue[i])) for (const host of callsOf(d)) visit(host, namespaceOf(d));
  }
  return seen;
}

/** Headers a gateway's routes set themselves (`headers.request.set`, as a weighted entry does). */
function routeSets(index: ManifestIndex, gateway: Manifest): Set<string> {
  const out = new Set<string>();
  for (const vs of routingLookups(index).gatewayVirtualServices(gatewayRef(gateway))) {
    for (const rule of index.views.virtualService(vs).http ?? []) {
      Object.keys(rule.headers?.request?.set ?? {}).forEach((h) => out.add(h.toLowerCase()));
      for (const r of rule.route ?? []) Object.keys(r.headers?.request?.set ?? {}).forEach((h) => out.add(h.toLowerCase()));
    }
  }
  return out;
}

function checkUncoloredReleases(index: ManifestIndex, all: readonly GatewayColoring[], report: Report): void {
  const units = releaseUnits(index.all).filter((u) => u.matches.some((m) => (m.headers ?? []).length > 0));
  if (units.length === 0) return;
  const byRef = new Map(index.all.map((m) => [formatRef(refOf(m)), m] as const));
  const reach = all.map((c) => ({ ...c, services: reachable(index, c.gateway), sets: new Set([...c.probe.sets, ...routeSets(index, c.gateway)]) }));
  for (const u of units) {
    const svc = findService(index, u.service, u.namespace);
    const owner = byRef.get(u.source);
    if (!svc || !owner) continue;
    const headers = [...new Set(u.matches.flatMap((m) => (m.headers ?? []).map((h) => (h.name ?? '').toLowerCase())))];
    const uncolored = reach.filter((g) => g.services.has(svc) && !headers.some((h) => g.sets.has(h)));
    for (const g of uncolored) {
      report('GR016', owner, `the release of ${u.service} sends requests with header ${headers.join(' or ')} to the canary, and ${u.service} is reachable from Gateway ${gatewayRef(g.gateway)}, `
        + `where nothing sets that header (${g.filters.length === 0 ? 'no Lua EnvoyFilter selects the gateway' : `the filters ${g.filters.map((f) => f.filter).join(', ')} do not set it`}; no gateway route sets it): `
        + 'only clients that send the header themselves reach the canary, and any client can; add a TrafficColoring for that gateway, or record why with the lint-ignore annotation');
    }
  }
}

function checkDeadAbsenceRules(index: ManifestIndex, all: readonly GatewayColoring[], report: Report): void {
  for (const c of all) {
    const defaults = Object.entries(c.probe.defaults);
    if (defaults.length === 0) continue;
    const setter = c.filters.map((f) => f.filter).join(', ');
    for (const vs of routingLookups(index).gatewayVirtualServices(gatewayRef(c.gateway))) {
      (index.views.virtualService(vs).http ?? []).forEach((rule, i) => {
        const entries = rule.match ?? [];
        if (entries.length === 0) return;
        // Dead when every entry requires one of the defaulted headers to be absent (or not to match its value).
        const blocked = entries.map((m) => defaults.find(([h, v]) => Object.entries(m.withoutHeaders ?? {}).some(([n, sm]) => n.toLowerCase() === h && matchString(sm, v))));
        if (blocked.some((b) => b === undefined)) return;
        const [h, v] = blocked[0]!;
        const weighted = (rule.route ?? []).length > 1 ? ' (a weighted entry)' : '';
        report('GR017', vs, `http[${i}]${rule.name ? ` (${rule.name})` : ''}${weighted} matches only requests without header ${h}, but ${setter} sets ${h}=${v} on every request no coloring rule matches (a default value), `
          + `so after the coloring every request carries ${h} and the rule never matches; remove the coloring's default, or the rule`);
      });
    }
  }
}

/** GR016, GR017 (a coloring that selects no gateway is GR102, lint-security.ts, with the same selection as here). */
export const COLORING_CHECK: LintCheck = {
  rules: {
    GR016: { severity: 'warning', summary: 'progressive release reachable from a Gateway where nothing sets its header (no coloring)' },
    GR017: { severity: 'warning', summary: 'gateway rule needs a header absent that the coloring always sets (a default plus a weighted entry)' },
  },
  check: (index, report) => {
    if (index.gateways.length === 0) return;
    const all = colorings(index, new LuaScripts());
    checkUncoloredReleases(index, all, report);
    checkDeadAbsenceRules(index, all, report);
  },
};
