/**
 * Security lint over any manifests (issue #16): lane entry a client chooses, colorings that reach
 * no gateway, claims nobody verifies, and calls outside the declared call graph where zero trust
 * or proxy scoping makes them fail. Self-contained: {@link lintSecurity} and
 * {@link SECURITY_LINT_RULES}; lint.ts runs them as {@link SECURITY_CHECK}.
 */
import { filterSelectsGateway } from './coloring';
import { findLanesIndexed } from './lanes';
import type { Finding, LintCheck, RuleInfo } from './lint-types';
import { envoyFilterSpec } from '../model/istio-views';
import { field, items, listOf, mapOf, str } from '../model/json';
import { Manifest, ManifestIndex, annotationList, callsOf, findService, formatRef, indexManifests, namespaceOf, refOf, workloadsOf } from '../model/manifest';
import { CLUSTER_DOMAIN, labelsMatch, qualifyHost } from '../model/matching';
import { WellKnown } from '../model/well-known';

// Typed reads of the fields these rules need (see ../model/json).
const stringMap = mapOf(str);
const strings = listOf(str);
/** `spec.<path...>` of a manifest. */
const at = (m: Manifest, ...path: string[]): unknown => path.reduce<unknown>((v, k) => field(v, k), m.spec);
const labelsAt = (m: Manifest, ...path: string[]): Record<string, string> | undefined => stringMap(at(m, ...path));

/** The rules: code → severity and summary. */
export const SECURITY_LINT_RULES: Readonly<Record<string, RuleInfo>> = {
  GR101: { severity: 'warning', summary: 'lane entered only by client-chosen rules (any client can enter it), not acknowledged' },
  GR102: { severity: 'warning', summary: 'ingress coloring EnvoyFilter selects no gateway of the manifests' },
  GR103: { severity: 'warning', summary: 'a workload calls a service of the manifests that is not in its declared calls' },
  GR104: { severity: 'error', summary: 'an undeclared call that zero trust denies or proxy scoping leaves without a route' },
  GR105: { severity: 'error', summary: 'a declared call the callee\'s AuthorizationPolicy does not allow' },
  GR106: { severity: 'error', summary: 'a declared call outside the caller\'s Sidecar egress hosts' },
  GR107: { severity: 'warning', summary: 'coloring reads JWT claims but no RequestAuthentication verifies tokens on its pods' },
};

const ROOT_NAMESPACE = 'istio-system';

type Report = (code: string, m: Manifest, message: string) => void;

/** The security rules over an index, in lint's table shape (lint.ts `LINT_CHECKS`). */
export const SECURITY_CHECK: LintCheck = {
  rules: SECURITY_LINT_RULES,
  check: (index, report) => {
    const colorings = index.envoyFilters.filter((ef) => items(at(ef, 'configPatches')).some((p) => str(field(field(p, 'match'), 'context')) === 'GATEWAY'));
    checkClientChosenEntry(index, report);
    checkColoringGateways(index, colorings, report);
    checkClaimIssuers(index, colorings, report);
    checkCalls(index, report);
  },
};

/** Runs the security rules; findings ordered by object, then code. */
export function lintSecurity(manifests: readonly unknown[]): Finding[] {
  const out: Finding[] = [];
  SECURITY_CHECK.check(indexManifests(manifests), (code, m, message) => out.push({ code, severity: SECURITY_LINT_RULES[code].severity, object: refOf(m), message }));
  const key = (f: Finding) => `${formatRef(f.object)}\u0000${f.code}`;
  return out.map((f, i) => ({ f, i })).sort((a, b) => (key(a.f) < key(b.f) ? -1 : key(a.f) > key(b.f) ? 1 : a.i - b.i)).map((x) => x.f);
}

/** `{"<value>": ["client-chosen", ...]}` of a coloring, or undefined when absent or unreadable. */
function entryTrust(ef: Manifest): Record<string, string[]> | undefined {
  const raw = ef.metadata.annotations?.[WellKnown.ENTRY_TRUST_ANNOTATION];
  if (typeof raw !== 'string') return undefined;
  try {
    return mapOf(strings)(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

function checkClientChosenEntry(index: ManifestIndex, report: Report): void {
  for (const lane of findLanesIndexed(index)) {
    const setters = index.envoyFilters.filter((ef) => annotationList(ef, WellKnown.SETS_HEADERS_ANNOTATION).includes(lane.header));
    if (setters.some((ef) => entryTrust(ef) === undefined)) continue; // a coloring the library did not write: unknown rules
    const trusts = new Set(setters.flatMap((ef) => entryTrust(ef)![lane.value] ?? []));
    for (const vs of index.virtualServices) {
      const spec = index.views.virtualService(vs);
      if (!(spec.gateways ?? []).some((g) => g !== 'mesh')) continue;
      for (const rule of spec.http ?? []) {
        for (const r of rule.route ?? []) if (r.headers?.request?.set?.[lane.header] === lane.value) trusts.add('weight');
      }
    }
    if (trusts.size === 0 || [...trusts].some((t) => t !== 'client-chosen')) continue;
    const entering = setters.filter((ef) => (entryTrust(ef)![lane.value] ?? []).length > 0);
    if (entering.some((ef) => ef.metadata.annotations?.[WellKnown.CLIENT_CHOSEN_ENTRY_ANNOTATION])) continue;
    report('GR101', entering[0], `lane ${lane.name} (${lane.header}: ${lane.value}) is entered only by client-chosen rules (headers or cookies any client can send); enter it by a verified JWT claim, a source address or a sticky cohort on a verified key, or acknowledge it with acknowledgeClientChosenEntry`);
  }
}

function checkColoringGateways(index: ManifestIndex, colorings: Manifest[], report: Report): void {
  for (const ef of colorings) {
    const selector = envoyFilterSpec(ef).workloadSelector?.labels;
    if (!selector) continue; // GR008 reports a filter without a selector
    // The gateways explain runs this filter at (coloring.ts: namespace scope, the gateway chart's
    // companion labels): lint and explain agree on where a coloring runs.
    if (index.gateways.some((gw) => filterSelectsGateway(index, ef, gw))) continue;
    report('GR102', ef, `workloadSelector ${JSON.stringify(selector)} selects the pods of no Gateway in the manifests, so the coloring may run nowhere (requests keep the lane header the client sent) or on another tenant's gateway; bind the coloring to the app's IngressGateway (gateway prop)`);
  }
}

function checkClaimIssuers(index: ManifestIndex, colorings: Manifest[], report: Report): void {
  const ras = index.all.filter((m) => m.kind === 'RequestAuthentication' && m.apiVersion.startsWith('security.istio.io/'));
  for (const ef of colorings) {
    const trust = entryTrust(ef);
    if (!trust || !Object.values(trust).some((ts) => ts.includes('verified-claim'))) continue;
    const selector = envoyFilterSpec(ef).workloadSelector?.labels ?? {};
    const verified = ras.some((ra) => labelsMatch(labelsAt(ra, 'selector', 'matchLabels'), selector)
      && (namespaceOf(ra) === ROOT_NAMESPACE || namespaceOf(ra) === namespaceOf(ef)) && items(at(ra, 'jwtRules')).length > 0);
    if (!verified) report('GR107', ef, `its rules read verified JWT claims, but no RequestAuthentication selects the pods ${JSON.stringify(selector)}, so no token is verified and those rules never match; add a JwtIssuer for the gateway`);
  }
}

/** Principal path `ns/<ns>/sa/<sa>` of a Deployment's pods. */
function identityOf(d: Manifest): string {
  return `ns/${namespaceOf(d)}/sa/${str(at(d, 'template', 'spec', 'serviceAccountName')) ?? str(at(d, 'template', 'spec', 'serviceAccount')) ?? 'default'}`;
}

/** Whether an AuthorizationPolicy principal pattern (exact, `*`, `*suffix`, `prefix*`) matches `identity` in any trust domain. */
function principalMatches(pattern: string, identity: string): boolean {
  if (pattern === '*') return true;
  const full = `${pattern.split('/ns/')[0]}/${identity}`;
  if (pattern.startsWith('*')) return full.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return full.startsWith(pattern.slice(0, -1));
  return pattern === full;
}

/** ALLOW AuthorizationPolicies applying to `pods` of namespace `ns`. */
function allowPolicies(index: ManifestIndex, ns: string, pods: Record<string, string>): Manifest[] {
  const { allow } = byNamespace(index);
  const candidates = ns === ROOT_NAMESPACE ? allow.get(ns) ?? [] : [...(allow.get(ns) ?? []), ...(allow.get(ROOT_NAMESPACE) ?? [])];
  return candidates.filter((m) => labelsMatch(labelsAt(m, 'selector', 'matchLabels'), pods));
}

/** ALLOW AuthorizationPolicies and Sidecars by namespace, gathered once per index (a lookup per call, not a scan of all objects). */
interface ByNamespace {
  readonly allow: ReadonlyMap<string, Manifest[]>;
  readonly sidecars: ReadonlyMap<string, Manifest[]>;
}

const BY_NAMESPACE = new WeakMap<ManifestIndex, ByNamespace>();

function byNamespace(index: ManifestIndex): ByNamespace {
  const hit = BY_NAMESPACE.get(index);
  if (hit) return hit;
  const allow = new Map<string, Manifest[]>();
  const sidecars = new Map<string, Manifest[]>();
  const add = (map: Map<string, Manifest[]>, m: Manifest) => {
    const list = map.get(namespaceOf(m));
    if (list) list.push(m); else map.set(namespaceOf(m), [m]);
  };
  for (const m of index.all) {
    if (m.kind === 'AuthorizationPolicy' && (str(at(m, 'action')) ?? 'ALLOW') === 'ALLOW' && at(m, 'provider') === undefined) add(allow, m);
    else if (m.kind === 'Sidecar') add(sidecars, m);
  }
  const made = { allow, sidecars };
  BY_NAMESPACE.set(index, made);
  return made;
}

/** Whether the ALLOW policies let `identity` in (a rule with other conditions counts as allowing: we cannot evaluate it). */
function allowed(policies: Manifest[], identity: string): boolean {
  return policies.some((p) => items(at(p, 'rules')).some((rule) => {
    const from = items(field(rule, 'from'));
    return from.length === 0 || field(rule, 'to') !== undefined || field(rule, 'when') !== undefined || from.some((f) => {
      const principals = strings(field(field(f, 'source'), 'principals'));
      return principals === undefined || principals.some((x) => principalMatches(x, identity));
    });
  }));
}

/** The Sidecars whose workloadSelector selects `pods` of namespace `ns`. */
function sidecarsOf(index: ManifestIndex, ns: string, pods: Record<string, string>): Manifest[] {
  return (byNamespace(index).sidecars.get(ns) ?? []).filter((m) => labelsMatch(labelsAt(m, 'workloadSelector', 'labels'), pods));
}

/** Whether an egress host `namespace/dnsName` of a Sidecar in `sidecarNs` covers `fqdn` in namespace `ns`. */
function egressCovers(host: string, sidecarNs: string, fqdn: string, ns: string): boolean {
  const [hostNs, dns = ''] = host.split('/');
  const namespaceOk = hostNs === '*' || hostNs === ns || (hostNs === '.' && sidecarNs === ns);
  return namespaceOk && (dns === '*' || dns === fqdn || (dns.startsWith('*.') && fqdn.endsWith(dns.slice(1))));
}

/** Whether one of the Sidecars routes to `fqdn` of namespace `ns`. */
function scopedIn(sidecars: Manifest[], fqdn: string, ns: string): boolean {
  return sidecars.some((s) => items(at(s, 'egress')).some((e) => (strings(field(e, 'hosts')) ?? []).some((h) => egressCovers(h, namespaceOf(s), fqdn, ns))));
}

/** Whether the callee's pods have ALLOW policies that do not let `identity` in. */
function deniedTo(index: ManifestIndex, svc: Manifest, identity: string): boolean {
  return workloadPods(index, svc).some((p) => {
    const policies = allowPolicies(index, namespaceOf(svc), p);
    return policies.length > 0 && !allowed(policies, identity);
  });
}

/** Services an env value or argument names (`http://cart:8080/x`, `cart.shop.svc.cluster.local:80`). */
function referencedHosts(d: Manifest): string[] {
  const texts: string[] = [];
  for (const c of items(at(d, 'template', 'spec', 'containers'))) {
    for (const e of items(field(c, 'env'))) {
      const value = field(e, 'value');
      if (typeof value === 'string') texts.push(value);
    }
    texts.push(...(strings(field(c, 'args')) ?? []), ...(strings(field(c, 'command')) ?? []));
  }
  const hosts: string[] = [];
  for (const token of texts.flatMap((t) => t.split(/[\s,;]+/))) {
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)(?::\d+)?(?:\/.*)?$/i.exec(token);
    if (m && (token.includes('://') || /:\d+/.test(token))) hosts.push(m[1].toLowerCase());
  }
  return [...new Set(hosts)];
}

function checkCalls(index: ManifestIndex, report: Report): void {
  for (const d of index.deployments) {
    const ns = namespaceOf(d);
    const pods = index.views.podLabels(d);
    const declared = new Set(callsOf(d).map((h) => qualifyHost(h, ns)));
    const sidecars = sidecarsOf(index, ns, pods);
    for (const host of referencedHosts(d)) {
      const svc = findService(index, host, ns);
      if (!svc || labelsMatch(index.views.serviceSelector(svc), pods)) continue; // not a service of the manifests, or the workload's own
      const fqdn = `${svc.metadata.name}.${namespaceOf(svc)}.${CLUSTER_DOMAIN}`;
      if (declared.has(fqdn)) continue;
      const denied = deniedTo(index, svc, identityOf(d));
      if (denied || (sidecars.length > 0 && !scopedIn(sidecars, fqdn, namespaceOf(svc)))) {
        report('GR104', d, `calls ${host} (its configuration names it) but does not declare it in ${WellKnown.CALLS_ANNOTATION}; ${denied ? 'the callee\'s AuthorizationPolicy denies it (403)' : 'its Sidecar gives it no route (passthrough around every route and lane, or 502)'}; add the call to the service's calls`);
      } else {
        report('GR103', d, `calls ${host} (its configuration names it) but does not declare it in ${WellKnown.CALLS_ANNOTATION}; lanes, zero trust and proxy scoping rely on the declared graph: add the call to the service's calls`);
      }
    }
    for (const fqdn of declared) {
      const svc = findService(index, fqdn, ns);
      if (!svc) continue;
      if (deniedTo(index, svc, identityOf(d))) {
        report('GR105', d, `declares a call to ${fqdn}, but the AuthorizationPolicies of its pods do not allow ${identityOf(d)}: the call is denied (403); regenerate the policies from the call graph (ZeroTrust) or allow the caller`);
      }
      if (sidecars.length > 0 && !scopedIn(sidecars, fqdn, namespaceOf(svc))) {
        report('GR106', d, `declares a call to ${fqdn}, but its Sidecar's egress hosts do not include it: the proxy has no route (passthrough or 502); add "${namespaceOf(svc)}/${fqdn}" to the egress hosts (ProxyScoping does)`);
      }
    }
  }
}

/** Pod label sets of the Deployments a Service selects (the index's lookup, not a scan per call). */
function workloadPods(index: ManifestIndex, svc: Manifest): Record<string, string>[] {
  return workloadsOf(index, svc).map(index.views.podLabels);
}
