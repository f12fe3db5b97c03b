/**
 * Lint rules on routing objects: subsets (GR001-GR003), matches (GR004, GR014), rule order
 * (GR005), weights (GR006) and Gateway hosts (GR007).
 */
import { LintCheck, Report } from './lint-types';
import { re2Problem } from './match';
import { destinationRuleFor } from './subsets';
import { Destination, HttpMatch, StringMatch } from '../model/istio-views';
import { field, items } from '../model/json';
import { Manifest, ManifestIndex, findService, namespaceOf, workloadsOf } from '../model/manifest';
import { labelsMatch } from '../model/matching';
import { isDns1123Label } from '../model/names';

function checkVirtualServices(index: ManifestIndex, report: Report): void {
  for (const vs of index.virtualServices) {
    const http = index.views.virtualService(vs).http ?? [];
    const catchAll = http.findIndex((r) => !r.match || r.match.length === 0);
    if (catchAll >= 0 && catchAll < http.length - 1) {
      report('GR005', vs, `http[${catchAll}] has no match, so http[${catchAll + 1}..${http.length - 1}] never apply; move the catch-all rule last`);
    }
    http.forEach((rule, i) => {
      (rule.match ?? []).forEach((m, j) => checkMatch(vs, `http[${i}].match[${j}]`, m, report));
      const routes = rule.route ?? [];
      if (routes.length > 1 && routes.reduce((s, r) => s + (r.weight || 0), 0) === 0) {
        report('GR006', vs, `http[${i}] routes to ${routes.length} destinations with a total weight of 0; give weights that sum above 0`);
      }
      routes.forEach((r, k) => checkDestination(index, vs, `http[${i}].route[${k}]`, r.destination, report));
    });
  }
}

function checkMatch(vs: Manifest, where: string, m: HttpMatch, report: Report): void {
  for (const kind of ['headers', 'withoutHeaders'] as const) {
    for (const name of Object.keys(m[kind] ?? {})) {
      if (name !== name.toLowerCase()) report('GR004', vs, `${where}.${kind} "${name}" is not lowercase; use "${name.toLowerCase()}"`);
    }
  }
  for (const [at, sm] of stringMatches(m)) {
    const problem = sm.regex !== undefined ? re2Problem(sm.regex) : undefined;
    if (problem) report('GR014', vs, `${where}.${at} regex ${JSON.stringify(sm.regex)}: ${problem}`);
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
  // as a caller in the VirtualService's namespace sees it (its own rules, then the Service's, then the root's)
  const dr = destinationRuleFor(index, svc, namespaceOf(vs));
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

/** GR001-GR007, GR014. */
export const ROUTING_CHECK: LintCheck = {
  rules: {
    GR001: { severity: 'error', summary: 'route to a subset no DestinationRule of the host defines' },
    GR002: { severity: 'warning', summary: 'DestinationRule subset selects no pods of the service' },
    GR003: { severity: 'error', summary: 'subset name is not a DNS-1123 label' },
    GR004: { severity: 'warning', summary: 'header match name is not lowercase' },
    GR005: { severity: 'warning', summary: 'http rule after a match-less rule is unreachable' },
    GR006: { severity: 'error', summary: 'total route weight is 0' },
    GR007: { severity: 'error', summary: 'Gateway server host is not in [namespace/]host form' },
    GR014: { severity: 'error', summary: 'regex is not RE2-compatible' },
  },
  check: (index, report) => {
    checkVirtualServices(index, report);
    checkDestinationRules(index, report);
    checkGateways(index, report);
  },
};
