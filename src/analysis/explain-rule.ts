/**
 * What `explain` says about a matched rule: its match in words, its policy (timeout, retries,
 * fault, mirrors, as Istio 1.23 translates them), and the shares of its destinations.
 */
import { ExplainedFault, ExplainedMirror, ExplainedRule } from './explain-types';
import { describeMatch, matchHeaderNames } from './match';
import { Destination, HeaderOperations, HttpRouteDestination, HttpRule, L4Rule, Percentage } from '../model/istio-views';
import { field, isJsonObject, items } from '../model/json';
import { Manifest } from '../model/manifest';

/**
 * A fault's share in percent. Istio passes `percentage` (or the deprecated integer `percent`) to
 * Envoy's fault filter; when neither is given the fraction is Envoy's default, 0
 * (pilot/pkg/networking/core/route/route.go `TranslateFault`, istio 1.23.6).
 */
function faultPercent(percentage: Percentage | undefined, percent: number | undefined): number {
  return percentage?.value ?? percent ?? 0;
}

function fault(rule: HttpRule): ExplainedFault | undefined {
  const f = rule.fault;
  if (!f || (!f.delay && !f.abort)) return undefined;
  const delay = f.delay ? { percent: faultPercent(f.delay.percentage, f.delay.percent), ...(f.delay.fixedDelay ? { fixedDelay: f.delay.fixedDelay } : {}) } : undefined;
  const a = f.abort;
  const abort = a
    ? { percent: faultPercent(a.percentage, undefined), ...(a.httpStatus !== undefined ? { httpStatus: a.httpStatus } : {}), ...(a.grpcStatus ? { grpcStatus: a.grpcStatus } : {}) }
    : undefined;
  return { ...(delay ? { delay } : {}), ...(abort ? { abort } : {}) };
}

function mirror(d: Destination | undefined, percentage: Percentage | undefined): ExplainedMirror[] {
  // Absent mirrorPercentage means 100%; an explicit 0 means no mirror (route.go `MirrorPercent`).
  if (!d?.host) return [];
  return [{ host: d.host, ...(d.subset ? { subset: d.subset } : {}), percent: percentage?.value ?? 100 }];
}

/** The matched rule, for the explanation. */
export function explainRule(rule: HttpRule, index: number): ExplainedRule {
  const mirrors = [...mirror(rule.mirror, rule.mirrorPercentage), ...(rule.mirrors ?? []).flatMap((m) => mirror(m.destination, m.percentage))];
  const f = fault(rule);
  return {
    index,
    ...(rule.name ? { name: rule.name } : {}),
    match: describeMatch(rule),
    headerNames: matchHeaderNames(rule),
    ...(rule.timeout ? { timeout: rule.timeout } : {}),
    ...(rule.retries ? { retries: rule.retries } : {}),
    ...(f ? { fault: f } : {}),
    mirrors,
  };
}

/** The share of each destination (0..1): weights as shares of their sum; equal shares when all are 0. */
export function routeShares(routes: readonly HttpRouteDestination[]): { readonly shares: number[]; readonly equal: boolean } {
  if (routes.length === 1) return { shares: [1], equal: false };
  const total = routes.reduce((s, r) => s + (r.weight || 0), 0);
  if (total === 0) return { shares: routes.map(() => 1 / routes.length), equal: true };
  return { shares: routes.map((r) => (r.weight || 0) / total), equal: false };
}

/** The headers a branch sets (`headers.request.set` of the rule, then of the route), or undefined. */
export function setHeaders(rule: HeaderOperations | undefined, route: HeaderOperations | undefined): Record<string, string> | undefined {
  const sets = { ...(rule?.set ?? {}), ...(route?.set ?? {}) };
  return Object.keys(sets).length > 0 ? Object.fromEntries(Object.entries(sets).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
}

/** The first `tcp` rule for a connection to `port`: a match-less rule, or one whose entry names the port (and the caller). */
export function tcpRule(
  rules: readonly L4Rule[], req: { readonly port?: number; readonly sourceLabels?: Record<string, string>; readonly sourceNamespace?: string },
): { readonly index: number; readonly rule: L4Rule; readonly match: string } | undefined {
  for (const [index, rule] of rules.entries()) {
    const entries = rule.match ?? [];
    if (entries.length === 0) return { index, rule, match: 'any connection' };
    const hit = entries.find((m) => (m.port === undefined || m.port === req.port)
      && (!m.sourceNamespace || m.sourceNamespace === req.sourceNamespace)
      && Object.entries(m.sourceLabels ?? {}).every(([k, v]) => req.sourceLabels?.[k] === v));
    if (hit) return { index, rule, match: hit.port !== undefined ? `port ${hit.port}` : 'any connection' };
  }
  return undefined;
}

/** Leaf values of a JSON object by dotted path (`connectionPool.tcp.maxConnections`), arrays as JSON. */
function flatten(value: unknown, prefix: string, out: Record<string, string | number | boolean>): void {
  if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out[prefix] = value;
  } else if (Array.isArray(value)) {
    out[prefix] = JSON.stringify(value);
  }
}

/**
 * The traffic policy requests to a destination get: the DestinationRule's `trafficPolicy`, with the
 * subset's own `trafficPolicy` over it (Istio merges them field by field), as dotted paths.
 */
export function destinationPolicy(dr: Manifest, subset: string | undefined): Record<string, string | number | boolean> | undefined {
  const out: Record<string, string | number | boolean> = {};
  flatten(field(dr.spec, 'trafficPolicy'), '', out);
  const own = items(field(dr.spec, 'subsets')).find((s) => field(s, 'name') === subset);
  flatten(field(own, 'trafficPolicy'), '', out);
  return Object.keys(out).length > 0 ? out : undefined;
}
