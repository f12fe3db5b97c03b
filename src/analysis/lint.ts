/**
 * Lint: cross-object and semantic checks a schema cannot make, over any manifests.
 * Every finding has a stable code; see {@link LINT_RULES}.
 */
import { findLanes } from './lanes';
import { checkSubsetPorts, PORT_RULES } from './lint-ports';
import { checkReleasePolicy, RELEASE_POLICY_RULES } from './lint-release-policy';
import { lintSecurity, SECURITY_LINT_RULES } from './lint-security';
import { re2Problem } from './match';
import { destinationRuleFor } from './subsets';
import { Destination, HttpMatch, StringMatch, envoyFilterSpec } from '../model/istio-views';
import { field, items } from '../model/json';
import { releaseUnits } from '../model/kruise/istio-contract';
import {
  Manifest, ManifestIndex, ObjectRef, annotationList, findService, formatRef, indexManifests, namespaceOf, refOf, workloadsOf,
} from '../model/manifest';
import { labelsMatch } from '../model/matching';
import { isDns1123Label } from '../model/names';
import { WellKnown } from '../model/well-known';

export type Severity = 'error' | 'warning';

/** One problem found. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly object: ObjectRef;
  readonly message: string;
}

/** The rules: code → severity and summary. Codes are stable; new rules get new codes. */
export const LINT_RULES: Record<string, { severity: Severity; summary: string }> = {
  GR001: { severity: 'error', summary: 'route to a subset no DestinationRule of the host defines' },
  GR002: { severity: 'warning', summary: 'DestinationRule subset selects no pods of the service' },
  GR003: { severity: 'error', summary: 'subset name is not a DNS-1123 label' },
  GR004: { severity: 'warning', summary: 'header match name is not lowercase' },
  GR005: { severity: 'warning', summary: 'http rule after a match-less rule is unreachable' },
  GR006: { severity: 'error', summary: 'total route weight is 0' },
  GR007: { severity: 'error', summary: 'Gateway server host is not in [namespace/]host form' },
  GR008: { severity: 'warning', summary: 'EnvoyFilter without workloadSelector applies to every workload in its namespace' },
  GR009: { severity: 'warning', summary: 'lane header is not set by the ingress' },
  GR010: { severity: 'error', summary: 'Kruise customNetworkRefs VirtualService has no http list' },
  GR011: { severity: 'error', summary: 'Kruise customNetworkRefs DestinationRule has no subsets' },
  GR012: { severity: 'error', summary: 'Kruise customNetworkRefs DestinationRule already has a "canary" subset' },
  GR013: { severity: 'warning', summary: 'Kruise customNetworkRefs object is not in the manifests' },
  GR014: { severity: 'error', summary: 'regex is not RE2-compatible' },
  ...PORT_RULES,
  ...RELEASE_POLICY_RULES,
  ...SECURITY_LINT_RULES,
};

/** Runs every rule; findings are ordered by object then code. */
export function lint(manifests: readonly unknown[]): Finding[] {
  const index = indexManifests(manifests);
  const out: Finding[] = [];
  const report = (code: string, m: Manifest, message: string) =>
    out.push({ code, severity: LINT_RULES[code].severity, object: refOf(m), message });
  checkVirtualServices(index, report);
  checkDestinationRules(index, report);
  checkGateways(index, report);
  index.envoyFilters.filter((ef) => !envoyFilterSpec(ef).workloadSelector).forEach((ef) =>
    report('GR008', ef, 'no spec.workloadSelector: the filter patches every proxy in the namespace (all gateways and sidecars if istio-system); add workloadSelector.labels'));
  checkLaneHeaders(index, report);
  checkKruiseRefs(index, report);
  checkSubsetPorts(index, report);
  checkReleasePolicy(index, report);
  out.push(...lintSecurity(manifests));
  // Ordered by object, then code (stable within one code: the order the checks found them).
  const key = (f: Finding) => `${formatRef(f.object)}\u0000${f.code}`;
  return out.map((f, i) => ({ f, i })).sort((a, b) => (key(a.f) < key(b.f) ? -1 : key(a.f) > key(b.f) ? 1 : a.i - b.i)).map((x) => x.f);
}

type Report = (code: string, m: Manifest, message: string) => void;

function checkVirtualServices(index: ManifestIndex, report: Report): void {
  for (const vs of index.virtualServices) {
    const http = index.views.virtualService(vs).http ?? [];
    const catchAll = http.findIndex((r) => !r.match || r.match.length === 0);
    if (catchAll >= 0 && catchAll < http.length - 1) {
      report('GR005', vs, `http[${catchAll}] has no match, so http[${catchAll + 1}..${http.length - 1}] never apply; move the catch-all rule last`);
    }
    http.forEach((rule, i) => {
      (rule.match ?? []).forEach((m, j) => {
        for (const kind of ['headers', 'withoutHeaders'] as const) {
          for (const name of Object.keys(m[kind] ?? {})) {
            if (name !== name.toLowerCase()) report('GR004', vs, `http[${i}].match[${j}].${kind} "${name}" is not lowercase; use "${name.toLowerCase()}"`);
          }
        }
        for (const [where, sm] of stringMatches(m)) {
          const problem = sm.regex !== undefined ? re2Problem(sm.regex) : undefined;
          if (problem) report('GR014', vs, `http[${i}].match[${j}].${where} regex ${JSON.stringify(sm.regex)}: ${problem}`);
        }
      });
      const routes = rule.route ?? [];
      if (routes.length > 1 && routes.reduce((s, r) => s + (r.weight || 0), 0) === 0) {
        report('GR006', vs, `http[${i}] routes to ${routes.length} destinations with a total weight of 0; give weights that sum above 0`);
      }
      routes.forEach((r, k) => checkDestination(index, vs, `http[${i}].route[${k}]`, r.destination, report));
    });
  }
}

function stringMatches(m: HttpMatch): Array<[string, StringMatch]> {
  const out: Array<[string, StringMatch]> = [];
  for (const f of ['uri', 'method', 'authority', 'scheme'] as const) {
    const sm = m[f];
    if (sm) out.push([f, sm]);
  }
  for (const f of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    for (const [n, sm] of Object.entries(m[f] ?? {})) out.push([`${f}.${n}`, sm]);
  }
  return out;
}

function checkDestination(index: ManifestIndex, vs: Manifest, where: string, dest: Destination | undefined, report: Report): void {
  const subset = dest?.subset;
  if (subset === undefined) return;
  if (!isDns1123Label(subset)) report('GR003', vs, `${where}.destination.subset "${subset}" is not a DNS-1123 label`);
  const svc = findService(index, dest?.host ?? '', namespaceOf(vs));
  if (!svc) return;
  const dr = destinationRuleFor(index, svc);
  const subsets = dr ? index.views.destinationRule(dr).subsets ?? [] : [];
  if (!subsets.some((s) => s.name === subset)) {
    report('GR001', vs, `${where} routes to subset "${subset}" of ${dest?.host}, but ${dr ? `DestinationRule ${dr.metadata.name} does not define it` : 'no DestinationRule exists for that host'} (Envoy answers 503)`);
  }
}

function checkDestinationRules(index: ManifestIndex, report: Report): void {
  for (const dr of index.destinationRules) {
    const spec = index.views.destinationRule(dr);
    const svc = spec.host !== undefined ? findService(index, spec.host, namespaceOf(dr)) : undefined;
    const pods = svc ? workloadsOf(index, svc) : [];
    (spec.subsets ?? []).forEach((s, i) => {
      if (!isDns1123Label(s.name ?? '')) report('GR003', dr, `subsets[${i}].name "${s.name}" is not a DNS-1123 label`);
      if (svc && pods.length > 0 && !pods.some((d) => labelsMatch(s.labels, index.views.podLabels(d)))) {
        report('GR002', dr, `subset "${s.name}" (${JSON.stringify(s.labels ?? {})}) selects none of the pods of Service ${svc.metadata.name} (${pods.map((d) => d.metadata.name).join(', ')})`);
      }
    });
  }
}

const GATEWAY_HOST = /^(\*|\.|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/i;
const PLAIN_HOST = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/i;

function checkGateways(index: ManifestIndex, report: Report): void {
  for (const gw of index.gateways) {
    // Read as written, not through the view: the rule reports hosts of the wrong type as well.
    items(field(gw.spec, 'servers')).forEach((s, i) => {
      const hosts = items(field(s, 'hosts'));
      if (hosts.length === 0) report('GR007', gw, `servers[${i}] has no hosts; give at least one [namespace/]host`);
      for (const h of hosts) {
        const ok = typeof h === 'string' && (h.includes('/') ? GATEWAY_HOST.test(h) : PLAIN_HOST.test(h));
        if (!ok) report('GR007', gw, `servers[${i}].hosts ${JSON.stringify(h)} is not in [namespace/]host form (e.g. "*", "shop/app.example.com", "*/*.example.com")`);
      }
    });
  }
}

function checkLaneHeaders(index: ManifestIndex, report: Report): void {
  // Without an ingress Gateway, requests come from clients inside the mesh that send their
  // headers themselves (e.g. ASM dynamic subsets): there is no ingress that could color them.
  if (!index.all.some((m) => m.kind === 'Gateway')) return;
  const lanes = findLanes(index.all);
  if (lanes.length === 0) return;
  const set = new Set<string>();
  index.envoyFilters.forEach((ef) => annotationList(ef, WellKnown.SETS_HEADERS_ANNOTATION).forEach((h) => set.add(h.toLowerCase())));
  for (const spec of index.virtualServices.map(index.views.virtualService).filter((v) => (v.gateways ?? []).some((g) => g !== 'mesh'))) {
    for (const rule of spec.http ?? []) {
      Object.keys(rule.headers?.request?.set ?? {}).forEach((h) => set.add(h.toLowerCase()));
      for (const r of rule.route ?? []) Object.keys(r.headers?.request?.set ?? {}).forEach((h) => set.add(h.toLowerCase()));
    }
  }
  for (const lane of lanes) {
    if (set.has(lane.header)) continue;
    const owner = index.all.find((m) => `${m.kind}/${namespaceOf(m)}/${m.metadata.name}` === lane.declaredBy[0]) ?? index.all[0];
    report('GR009', owner, `lane ${lane.name} routes on header "${lane.header}", which no ingress EnvoyFilter (${WellKnown.SETS_HEADERS_ANNOTATION}) or gateway VirtualService (headers.request.set) sets; clients must send it themselves`);
  }
}

function checkKruiseRefs(index: ManifestIndex, report: Report): void {
  for (const u of releaseUnits(index.all)) {
    const owner = index.all.find((m) => `${m.kind}/${namespaceOf(m)}/${m.metadata.name}` === u.source)!;
    for (const ref of u.customNetworkRefs) {
      const obj = index.all.find((m) => m.kind === ref.kind && m.metadata.name === ref.name && namespaceOf(m) === u.namespace);
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

/** Whether any finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
