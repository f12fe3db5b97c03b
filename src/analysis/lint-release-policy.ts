/**
 * Lint rule GR015: what a route's policy loses
 * while a Kruise release runs in match mode.
 *
 * Kruise's Istio script (openkruise/rollouts v0.6.2
 * `lua_configuration/networking.istio.io/VirtualService/trafficRouting.lua`,
 * `GenerateRoutesWithMatches`; kruise.md §4) builds the canary rule from scratch: only `match`,
 * one destination without weight or port, and optionally `headers.request` from the step's
 * requestHeaderModifier. It inserts it first (`table.insert(spec.http, 1, route)`, Lua's index
 * 1), so a request matching the release skips every rule of the VirtualService, and with them
 * their timeout, retries, fault, mirror, CORS, header changes, rewrite and destination port.
 * (Weight mode edits the match-less rules in place and keeps all of that.)
 */
import type { Finding, LintCheck } from './lint-types';
import { field, items } from '../model/json';
import { ReleaseUnit, releaseUnits } from '../model/kruise/istio-contract';
import { rolloutSpec } from '../model/kruise/kruise-views';
import { Manifest, ManifestIndex, indexManifests, namespaceOf, refOf } from '../model/manifest';

/** The rule's `LINT_RULES` entry. */
export const RELEASE_POLICY_RULE = {
  code: 'GR015',
  severity: 'warning' as const,
  summary: 'Kruise\'s match-mode canary rule drops the policy (timeout, retries, fault, ...) of the routes it bypasses',
};

/** Rule fields Kruise's canary rule does not copy. */
const RULE_FIELDS = ['timeout', 'retries', 'fault', 'mirror', 'mirrors', 'corsPolicy', 'headers', 'rewrite'] as const;

/** The findings of GR015 over manifests. */
export function releasePolicyFindings(manifests: readonly unknown[]): Finding[] {
  const out: Finding[] = [];
  checkReleasePolicy(indexManifests(manifests), (code, m, message) => out.push({ code, severity: RELEASE_POLICY_RULE.severity, object: refOf(m), message }));
  return out;
}

/** GR015 in lint's form: `checkReleasePolicy(index, report)`. */
export function checkReleasePolicy(index: ManifestIndex, report: (code: string, m: Manifest, message: string) => void): void {
  for (const u of releaseUnits(index.all).filter(inMatchMode)) {
    for (const ref of u.customNetworkRefs.filter((r) => r.kind === 'VirtualService')) {
      const vs = virtualServicesByRef(index).get(`${u.namespace}/${ref.name}`);
      if (!vs) continue;
      const lost = lostPolicies(vs, u.service);
      if (lost.length === 0) continue;
      report(RELEASE_POLICY_RULE.code, vs, `while ${u.source} releases ${u.service} by header match, Kruise puts its canary rule first, with none of ${lost.join('; ')}: `
        + 'canary requests run without them (Istio\'s defaults: no timeout, 2 retries); release by weight to keep them, or accept the difference');
    }
  }
}

const VS_BY_REF = new WeakMap<ManifestIndex, Map<string, Manifest>>();

/** The first VirtualService of each `namespace/name`, gathered once per index (a lookup per reference, not a scan). */
function virtualServicesByRef(index: ManifestIndex): Map<string, Manifest> {
  let map = VS_BY_REF.get(index);
  if (!map) {
    map = new Map();
    for (const v of index.virtualServices) if (!map.has(`${namespaceOf(v)}/${v.metadata.name}`)) map.set(`${namespaceOf(v)}/${v.metadata.name}`, v);
    VS_BY_REF.set(index, map);
  }
  return map;
}

/** Whether the unit's release matches headers at some step (Kruise's match mode). */
function inMatchMode(u: ReleaseUnit): boolean {
  if (u.matches.length > 0) return true;
  return u.rollouts.some((r) => (rolloutSpec(r).strategy?.canary?.steps ?? []).some((s) => (s.matches?.length ?? 0) > 0));
}

/**
 * For each rule that routes to the stable host: the fields the canary rule lacks. The raw spec is
 * read (the typed views keep only what routing reads, not the policy fields).
 */
function lostPolicies(vs: Manifest, service: string): string[] {
  const out: string[] = [];
  items(field(vs.spec, 'http')).forEach((rule, i) => {
    const routes = items(field(rule, 'route'));
    if (!routes.some((r) => String(field(field(r, 'destination'), 'host') ?? '').split('.')[0] === service)) return;
    const fields: string[] = RULE_FIELDS.filter((f) => field(rule, f) !== undefined);
    if (routes.some((r) => field(field(r, 'destination'), 'port') !== undefined)) fields.push('destination port');
    if (routes.some((r) => field(r, 'headers') !== undefined)) fields.push('destination headers');
    const name = field(rule, 'name');
    if (fields.length > 0) out.push(`http[${i}]${typeof name === 'string' ? ` (${name})` : ''}: ${fields.join(', ')}`);
  });
  return out;
}

/** GR015 in lint's table shape (lint.ts `LINT_CHECKS`). */
export const RELEASE_POLICY_CHECK: LintCheck = {
  rules: { [RELEASE_POLICY_RULE.code]: { severity: RELEASE_POLICY_RULE.severity, summary: RELEASE_POLICY_RULE.summary } },
  check: checkReleasePolicy,
};
