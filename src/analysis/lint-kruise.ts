/**
 * Lint rules on what Kruise's Istio scripts need from the objects a release names (GR010-GR013,
 * openkruise/rollouts v0.6.2 `lua_configuration/networking.istio.io/`).
 */
import { LintCheck, Report } from './lint-types';
import { releaseUnits } from '../model/kruise/istio-contract';
import { Manifest, ManifestIndex, formatRef, refOf } from '../model/manifest';
import { WellKnown } from '../model/well-known';

function checkKruiseRefs(index: ManifestIndex, report: Report): void {
  const byRef = new Map<string, Manifest>();
  for (const m of index.all) if (!byRef.has(formatRef(refOf(m)))) byRef.set(formatRef(refOf(m)), m);
  for (const u of releaseUnits(index.all)) {
    const owner = byRef.get(u.source);
    if (!owner) continue;
    for (const ref of u.customNetworkRefs) {
      const obj = byRef.get(`${ref.kind}/${u.namespace}/${ref.name}`);
      if (!obj) {
        report('GR013', owner, `customNetworkRefs ${ref.kind} ${ref.name} is not in the manifests (Kruise fails to initialise if it does not exist in namespace ${u.namespace})`);
      } else if (ref.kind === 'VirtualService' && index.views.virtualService(obj).http === undefined) {
        report('GR010', obj, `referenced by ${u.source}, but has no spec.http list; Kruise's VirtualService script fails ("bad argument #1 to 'insert'"); add an http route`);
      } else if (ref.kind === 'DestinationRule' && index.views.destinationRule(obj).subsets === undefined) {
        report('GR011', obj, `referenced by ${u.source}, but has no spec.subsets; Kruise's DestinationRule script fails; add a stable subset (e.g. version-base)`);
      } else if (ref.kind === 'DestinationRule' && (index.views.destinationRule(obj).subsets ?? []).some((s) => s.name === WellKnown.KRUISE_CANARY_SUBSET)) {
        report('GR012', obj, `referenced by ${u.source}, but already has a subset "canary"; Kruise appends another one (a duplicate Istio rejects); rename or remove it`);
      }
    }
  }
}

/** GR010-GR013. */
export const KRUISE_CHECK: LintCheck = {
  rules: {
    GR010: { severity: 'error', summary: 'Kruise customNetworkRefs VirtualService has no http list' },
    GR011: { severity: 'error', summary: 'Kruise customNetworkRefs DestinationRule has no subsets' },
    GR012: { severity: 'error', summary: 'Kruise customNetworkRefs DestinationRule already has a "canary" subset' },
    GR013: { severity: 'warning', summary: 'Kruise customNetworkRefs object is not in the manifests' },
  },
  check: checkKruiseRefs,
};
