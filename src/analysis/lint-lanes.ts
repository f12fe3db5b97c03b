/**
 * Lint rules on lane entry: an EnvoyFilter without a workload selector (GR008), and a lane
 * header nothing at the ingress sets (GR009).
 */
import { findLanesIndexed } from './lanes';
import { LintCheck, Report } from './lint-types';
import { envoyFilterSpec } from '../model/istio-views';
import { Manifest, ManifestIndex, annotationList, formatRef, refOf } from '../model/manifest';
import { WellKnown } from '../model/well-known';

function checkLaneHeaders(index: ManifestIndex, report: Report): void {
  // Without an ingress Gateway, requests come from clients inside the mesh that send their
  // headers themselves (e.g. ASM dynamic subsets): there is no ingress that could color them.
  if (!index.all.some((m) => m.kind === 'Gateway')) return;
  const lanes = findLanesIndexed(index);
  if (lanes.length === 0) return;
  const set = new Set<string>();
  index.envoyFilters.forEach((ef) => annotationList(ef, WellKnown.SETS_HEADERS_ANNOTATION).forEach((h) => set.add(h.toLowerCase())));
  for (const spec of index.virtualServices.map(index.views.virtualService).filter((v) => (v.gateways ?? []).some((g) => g !== 'mesh'))) {
    for (const rule of spec.http ?? []) {
      Object.keys(rule.headers?.request?.set ?? {}).forEach((h) => set.add(h.toLowerCase()));
      for (const r of rule.route ?? []) Object.keys(r.headers?.request?.set ?? {}).forEach((h) => set.add(h.toLowerCase()));
    }
  }
  const byRef = new Map<string, Manifest>();
  for (const m of index.all) if (!byRef.has(formatRef(refOf(m)))) byRef.set(formatRef(refOf(m)), m);
  for (const lane of lanes) {
    if (set.has(lane.header)) continue;
    const owner = byRef.get(lane.declaredBy[0]) ?? index.all[0];
    report('GR009', owner, `lane ${lane.name} routes on header "${lane.header}", which no ingress EnvoyFilter (${WellKnown.SETS_HEADERS_ANNOTATION}) or gateway VirtualService (headers.request.set) sets; clients must send it themselves`);
  }
}

/** GR008, GR009. */
export const LANES_CHECK: LintCheck = {
  rules: {
    GR008: { severity: 'warning', summary: 'EnvoyFilter without workloadSelector applies to every workload in its namespace' },
    GR009: { severity: 'warning', summary: 'lane header is not set by the ingress' },
  },
  check: (index, report) => {
    index.envoyFilters.filter((ef) => !envoyFilterSpec(ef).workloadSelector).forEach((ef) =>
      report('GR008', ef, 'no spec.workloadSelector: the filter patches every proxy in the namespace (all gateways and sidecars if istio-system); add workloadSelector.labels'));
    checkLaneHeaders(index, report);
  },
};
