/**
 * Istio's request matching for `http` rules: rules in order, first match wins; within a rule the
 * `match` entries are ORed and the fields of one entry are ANDed. Regexes are RE2, full match.
 */

/** The request as seen at one hop. Header names are compared in lowercase. */
export interface RequestInfo {
  /** Request headers (any case; looked up lowercase). */
  readonly headers: Record<string, string>;
  /** Path with optional query string. @default "/" */
  readonly path?: string;
  /** The authority (Host header). */
  readonly authority?: string;
  /** HTTP method. @default "GET" */
  readonly method?: string;
  /** The port the request is sent to (for `match.port`); unknown ports do not restrict. */
  readonly port?: number;
  /** `mesh` for a sidecar hop, the gateway name (`ns/name`) at the ingress. */
  readonly gateway?: string;
  /** Pod labels of the caller, for `sourceLabels`. */
  readonly sourceLabels?: Record<string, string>;
  /** Namespace of the caller, for `sourceNamespace`. */
  readonly sourceNamespace?: string;
}

import { HeaderOperations, HttpMatch, HttpRule, StringMatch } from '../model/istio-views';
import { re2Problem, stripCaseFlag } from '../model/regex';

export { re2Problem };

/** Thrown for a regex that RE2 (Envoy) would reject or treat differently from JavaScript. */
export class RegexError extends Error {
  public constructor(public readonly pattern: string, reason: string) {
    super(`regex ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'RegexError';
  }
}

const regexCache = new Map<string, RegExp>();

/** Compiles an Istio regex as a full (anchored) match; throws {@link RegexError} for non-RE2 syntax. */
export function compileIstioRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  const problem = re2Problem(pattern);
  if (problem) throw new RegexError(pattern, problem);
  const { body, flags } = stripCaseFlag(pattern);
  const re = new RegExp(`^(?:${body.replace(/\(\?P</g, '(?<')})$`, flags);
  regexCache.set(pattern, re);
  return re;
}

/**
 * Whether Istio turns a header `StringMatch` into Envoy's `present_match`: `{}` (or none) and the
 * regex `*` (istio 1.23.6 pilot/pkg/networking/core/route/route.go `canBeConvertedToPresentMatch`).
 */
export function isPresenceMatch(m: StringMatch | undefined): boolean {
  return m === undefined || (m.exact === undefined && m.prefix === undefined && (m.regex === undefined || m.regex === '*'));
}

/**
 * A `withoutHeaders` entry as Istio 1.23 renders it and Envoy evaluates it: an inverted
 * HeaderMatcher (source/common/http/header_utility.cc `matchHeaders`); for a string match Istio also
 * sets `treat_missing_header_as_empty` (pilot/pkg/networking/core/route/route.go
 * `TranslateRouteMatch`), so a missing header is tested as "" and the inverted match usually holds.
 */
export function withoutHeaderHolds(m: StringMatch | undefined, value: string | undefined): boolean {
  if (isPresenceMatch(m)) return value === undefined;
  return !matchString(m, value ?? '');
}

/** Istio `StringMatch`: exactly one of exact / prefix / regex; `{}` (or none, or regex `*`) means "present". */
export function matchString(m: StringMatch | undefined, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (isPresenceMatch(m)) return true;
  if (m?.exact !== undefined) return value === m.exact;
  if (m?.prefix !== undefined) return value.startsWith(m.prefix);
  if (m?.regex !== undefined) return compileIstioRegex(m.regex).test(value);
  return true;
}

function header(req: RequestInfo, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.toLowerCase() === want) return v;
  }
  return undefined;
}

function pathAndQuery(req: RequestInfo): { path: string; query: Map<string, string> } {
  const raw = req.path ?? '/';
  const i = raw.indexOf('?');
  const query = new Map<string, string>();
  if (i >= 0) {
    // Envoy's QueryParamsMulti::parseQueryString: not percent-decoded, value after the first `=`,
    // and a matcher reads the first value of a repeated name (getFirstValue).
    for (const pair of raw.slice(i + 1).split('&')) {
      const eq = pair.indexOf('=');
      const k = eq >= 0 ? pair.slice(0, eq) : pair;
      if (k && !query.has(k)) query.set(k, eq >= 0 ? pair.slice(eq + 1) : '');
    }
  }
  return { path: i >= 0 ? raw.slice(0, i) : raw, query };
}

function gatewayMatches(gateways: string[], req: RequestInfo): boolean {
  const gw = req.gateway ?? 'mesh';
  return gateways.some((g) => g === gw || (gw.includes('/') && g === gw.split('/')[1]));
}

/** Whether one `HTTPMatchRequest` matches the request (all its fields must hold). */
export function matchRequest(m: HttpMatch, req: RequestInfo): boolean {
  const { path, query } = pathAndQuery(req);
  if (m.uri) {
    // Envoy ignores `case_sensitive` (ignoreUriCase) for safe_regex paths (route.proto RouteMatch).
    const fold = m.ignoreUriCase === true && m.uri.regex === undefined;
    const p = fold ? path.toLowerCase() : path;
    const u = fold ? lowerMatch(m.uri) : m.uri;
    if (!matchString(u, p)) return false;
  }
  if (m.method && !matchString(m.method, req.method ?? 'GET')) return false;
  if (m.port !== undefined && req.port !== undefined && m.port !== req.port) return false;
  if (m.authority && !matchString(m.authority, req.authority ?? header(req, 'host'))) return false;
  for (const [name, sm] of Object.entries(m.headers ?? {})) {
    if (!matchString(sm, header(req, name))) return false;
  }
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {})) {
    if (!withoutHeaderHolds(sm, header(req, name))) return false;
  }
  for (const [name, sm] of Object.entries(m.queryParams ?? {})) {
    if (!matchString(sm, query.get(name))) return false;
  }
  if (m.sourceLabels && !Object.entries(m.sourceLabels).every(([k, v]) => req.sourceLabels?.[k] === v)) return false;
  if (m.sourceNamespace && m.sourceNamespace !== req.sourceNamespace) return false;
  if (Array.isArray(m.gateways) && m.gateways.length > 0 && !gatewayMatches(m.gateways, req)) return false;
  return true;
}

function lowerMatch(sm: StringMatch): StringMatch {
  if (sm.exact !== undefined) return { exact: sm.exact.toLowerCase() };
  if (sm.prefix !== undefined) return { prefix: sm.prefix.toLowerCase() };
  return sm;
}

/** The part of an `http` rule that decides whether it applies. */
export type RuleMatch = Pick<HttpRule, 'match'>;

/** Whether an `http` rule applies: no `match` (catch-all), or any of its entries matches. */
export function ruleMatches(rule: RuleMatch, req: RequestInfo): boolean {
  const matches = rule.match;
  if (!matches || matches.length === 0) return true;
  return matches.some((m) => matchRequest(m, req));
}

/** The first rule that applies, with its index, or undefined (Envoy answers 404). */
export function firstMatchingRule<T extends RuleMatch>(rules: readonly T[], req: RequestInfo): { index: number; rule: T } | undefined {
  for (let i = 0; i < rules.length; i++) {
    if (ruleMatches(rules[i], req)) return { index: i, rule: rules[i] };
  }
  return undefined;
}

/** A short human reading of a rule's match, e.g. `headers[my-request-id] exact "canary"`. */
export function describeMatch(rule: RuleMatch): string {
  const matches = rule.match;
  if (!matches || matches.length === 0) return 'any request';
  return matches.map(describeEntry).join(' OR ');
}

/** `exact "v1"`, `prefix "/api"`, `regex "..."`: the operator the match names first, or `present`. */
function describeStringMatch(v: StringMatch): string {
  const [op] = Object.entries(v).filter(([k, x]) => ['exact', 'prefix', 'regex'].includes(k) && x !== undefined);
  return op ? `${op[0]} ${JSON.stringify(op[1])}` : 'present';
}

function describeEntry(m: HttpMatch): string {
  const parts: string[] = [];
  if (m.uri) parts.push(`uri ${describeStringMatch(m.uri)}`);
  for (const [n, v] of Object.entries(m.headers ?? {})) parts.push(`${n} ${describeStringMatch(v)}`);
  for (const [n, v] of Object.entries(m.withoutHeaders ?? {})) parts.push(`NOT ${n} ${describeStringMatch(v)}`);
  for (const [n, v] of Object.entries(m.queryParams ?? {})) parts.push(`?${n} ${describeStringMatch(v)}`);
  if (m.sourceLabels) parts.push(`from ${Object.entries(m.sourceLabels).map(([k, v]) => `${k}=${v}`).join(',')}`);
  if (m.method) parts.push(`method ${describeStringMatch(m.method)}`);
  if (m.authority) parts.push(`authority ${describeStringMatch(m.authority)}`);
  if (m.port !== undefined) parts.push(`port ${m.port}`);
  if (m.sourceNamespace) parts.push(`from namespace ${m.sourceNamespace}`);
  if (m.gateways && m.gateways.length > 0) parts.push(`gateways ${m.gateways.join(',')}`);
  return parts.length ? parts.join(' AND ') : 'any request';
}

/** Applies a rule's `headers.request` set/add/remove to the headers sent upstream. */
export function applyHeaderOperations(headers: Record<string, string>, ops: HeaderOperations | undefined): Record<string, string> {
  if (!ops) return headers;
  const out: Record<string, string> = {};
  const removed = new Set((ops.remove ?? []).map((n) => n.toLowerCase()));
  for (const [k, v] of Object.entries(headers)) {
    if (!removed.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  }
  for (const [k, v] of Object.entries(ops.add ?? {})) {
    const key = k.toLowerCase();
    out[key] = out[key] === undefined ? v : `${out[key]},${v}`;
  }
  for (const [k, v] of Object.entries(ops.set ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** The header names a rule's matches test (headers and withoutHeaders), lowercase, deduplicated. */
export function matchHeaderNames(rule: RuleMatch): string[] {
  const names = (rule.match ?? []).flatMap((m) => [...Object.keys(m.headers ?? {}), ...Object.keys(m.withoutHeaders ?? {})]);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}
