/**
 * Request conditions of a route rule, built with static factories:
 *
 * ```ts
 * Match.header('end-user').exact('jason')
 * Match.uri.prefix('/static')
 * Match.method(HttpMethod.POST).and(Match.queryParam('debug').exact('1'))
 * ```
 *
 * A {@link Match} is one set of conditions that must all hold (Istio's `HTTPMatchRequest`); a
 * rule's list of matches holds when any one does. The model keeps the conditions as data, so
 * Istio's `match` is one rendering and a Gateway API `HTTPRouteMatch` could be another.
 */
import type { VirtualServiceSpecHttpMatch } from '../../../imports/istio-networking';
import { isHeaderName, isHeaderValue, isLabelKey, isLabelValue } from '../names';
import { ModelProblem, problem } from '../problem';
import { re2Problem } from '../regex';

/** HTTP request methods (Istio compares the method exactly). */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
  PATCH = 'PATCH',
  OPTIONS = 'OPTIONS',
  CONNECT = 'CONNECT',
  TRACE = 'TRACE',
}

/** What part of the request a condition tests. */
export enum MatchField {
  HEADER = 'header',
  URI = 'uri',
  METHOD = 'method',
  QUERY_PARAM = 'queryParam',
  PORT = 'port',
  SOURCE_LABELS = 'sourceLabels',
  JWT_CLAIM = 'jwtClaim',
}

/** How a string is compared. */
export enum StringOperator {
  EXACT = 'exact',
  PREFIX = 'prefix',
  /** RE2 regular expression over the whole value. */
  REGEX = 'regex',
  PRESENT = 'present',
  ABSENT = 'absent',
}

/** One condition on a request. */
export interface MatchCondition {
  readonly field: MatchField;
  /** Header, query parameter or claim path (claims: the segments joined by "."). */
  readonly name?: string;
  readonly operator?: StringOperator;
  readonly value?: string;
  /** The Service port (`MatchField.PORT`). */
  readonly port?: number;
  /** Labels of the calling pod (`MatchField.SOURCE_LABELS`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** The claim path, outermost first (`MatchField.JWT_CLAIM`). */
  readonly claim?: readonly string[];
}

/** Conditions on a request header. */
export interface HeaderMatcher {
  /** The header equals `value`. */
  exact(value: string): Match;
  /** The header starts with `value`. */
  prefix(value: string): Match;
  /** The whole header value matches the RE2 `pattern`. */
  regex(pattern: string): Match;
  /** The header is sent, with any value. */
  present(): Match;
  /** The header is not sent. */
  absent(): Match;
}

/** Conditions on the request path (Istio `uri`). */
export interface UriMatcher {
  exact(path: string): Match;
  prefix(path: string): Match;
  regex(pattern: string): Match;
}

/** Conditions on a query parameter (Istio supports no prefix match here). */
export interface QueryParamMatcher {
  exact(value: string): Match;
  regex(pattern: string): Match;
}

/** Conditions on a claim of the request's validated JWT (ingress gateways only). */
export interface ClaimMatcher {
  exact(value: string): Match;
  prefix(value: string): Match;
  regex(pattern: string): Match;
}

/** Header keys Istio ignores in `headers` (they have their own match fields). */
const PSEUDO_HEADERS: Readonly<Record<string, string>> = { uri: 'Match.uri', scheme: 'a scheme match', method: 'Match.method', authority: 'the VirtualService hosts' };
const QUERY_NAME = /^[A-Za-z0-9_.~-]+$/;
const CLAIM_SEGMENT = /^[A-Za-z0-9_:/+-]+$/;
const CLAIM_PREFIX = '@request.auth.claims';

/** A set of request conditions that must all hold. */
export class Match {
  /** Conditions on the request path. */
  public static readonly uri: UriMatcher = {
    exact: (path) => Match.one({ field: MatchField.URI, operator: StringOperator.EXACT, value: path }),
    prefix: (path) => Match.one({ field: MatchField.URI, operator: StringOperator.PREFIX, value: path }),
    regex: (pattern) => Match.one({ field: MatchField.URI, operator: StringOperator.REGEX, value: pattern }),
  };

  /** Conditions on a request header (lowercase name). */
  public static header(name: string): HeaderMatcher {
    const c = (operator: StringOperator, value?: string) => Match.one({ field: MatchField.HEADER, name, operator, value });
    return {
      exact: (v) => c(StringOperator.EXACT, v),
      prefix: (v) => c(StringOperator.PREFIX, v),
      regex: (p) => c(StringOperator.REGEX, p),
      present: () => c(StringOperator.PRESENT),
      absent: () => c(StringOperator.ABSENT),
    };
  }

  /** The request method. */
  public static method(method: HttpMethod): Match {
    return Match.one({ field: MatchField.METHOD, operator: StringOperator.EXACT, value: method });
  }

  /** Conditions on a query parameter. */
  public static queryParam(name: string): QueryParamMatcher {
    return {
      exact: (v) => Match.one({ field: MatchField.QUERY_PARAM, name, operator: StringOperator.EXACT, value: v }),
      regex: (p) => Match.one({ field: MatchField.QUERY_PARAM, name, operator: StringOperator.REGEX, value: p }),
    };
  }

  /**
   * The Service port the request was sent to. Such rules apply in the mesh only: at an ingress
   * gateway the port would be the gateway's.
   */
  public static port(port: number): Match {
    return Match.one({ field: MatchField.PORT, port });
  }

  /**
   * The calling workload's pod labels (Istio `sourceLabels`, decided per proxy when Istio
   * writes its configuration). Such rules apply in the mesh only.
   */
  public static sourceLabels(labels: Readonly<Record<string, string>>): Match {
    return Match.one({ field: MatchField.SOURCE_LABELS, labels: { ...labels } });
  }

  /**
   * A claim of the request's JWT, as Istio routes on it (`@request.auth.claims.<name>`): only at an
   * ingress gateway, and only with a RequestAuthentication there. Nested claims give each segment:
   * `Match.jwtClaim('org', 'team')`. A list claim matches when any element does.
   * @see https://istio.io/v1.23/docs/tasks/security/authentication/jwt-route/
   */
  public static jwtClaim(...path: string[]): ClaimMatcher {
    const c = (operator: StringOperator, value: string) => Match.one({ field: MatchField.JWT_CLAIM, name: path.join('.'), claim: [...path], operator, value });
    return { exact: (v) => c(StringOperator.EXACT, v), prefix: (v) => c(StringOperator.PREFIX, v), regex: (p) => c(StringOperator.REGEX, p) };
  }

  /** Every condition of every match (AND). */
  public static all(...matches: Match[]): Match {
    return new Match(matches.flatMap((m) => m.conditions));
  }

  private static one(condition: MatchCondition): Match {
    return new Match([condition]);
  }

  private constructor(
    /** The conditions, all of which must hold. */
    public readonly conditions: readonly MatchCondition[],
  ) {}

  /** This match and the others' conditions (AND). */
  public and(...others: Match[]): Match {
    return Match.all(this, ...others);
  }

  /** Whether a condition needs an ingress gateway (a JWT claim). */
  public get needsGateway(): boolean {
    return this.conditions.some((c) => c.field === MatchField.JWT_CLAIM);
  }

  /** Whether a condition only makes sense in the mesh (a Service port, the calling pod). */
  public get meshOnly(): boolean {
    return this.conditions.some((c) => c.field === MatchField.PORT || c.field === MatchField.SOURCE_LABELS);
  }

  /** The conditions in words, e.g. `header end-user exact "jason" and method GET`. */
  public get describe(): string {
    return this.conditions.map(describeCondition).join(' and ');
  }
}

function describeCondition(c: MatchCondition): string {
  switch (c.field) {
    case MatchField.PORT: return `port ${c.port}`;
    case MatchField.SOURCE_LABELS: return `from ${Object.entries(c.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}`;
    case MatchField.METHOD: return `method ${c.value}`;
    case MatchField.URI: return `uri ${c.operator} ${JSON.stringify(c.value)}`;
    default: return `${c.field} ${c.name} ${c.operator}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`;
  }
}

/** The key a condition occupies in one Istio match block (two conditions may not share one). */
function slotOf(c: MatchCondition): string {
  if (c.field === MatchField.HEADER || c.field === MatchField.JWT_CLAIM) return `header:${headerKey(c)}`;
  if (c.field === MatchField.QUERY_PARAM) return `query:${c.name}`;
  return c.field;
}

function headerKey(c: MatchCondition): string {
  if (c.field !== MatchField.JWT_CLAIM) return c.name ?? '';
  const path = c.claim ?? [];
  return path.length === 1 ? `${CLAIM_PREFIX}.${path[0]}` : `${CLAIM_PREFIX}${path.map((s) => `[${s}]`).join('')}`;
}

/** What is wrong with one match (empty when Istio would take it as meant). */
export function matchProblems(prop: string, m: Match): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (!(m instanceof Match) || m.conditions.length === 0) {
    return [problem(prop, 'a match without conditions would match every request', 'give conditions with the Match factories, e.g. Match.header("end-user").exact("jason")')];
  }
  const seen = new Set<string>();
  for (const c of m.conditions) {
    const slot = slotOf(c);
    if (seen.has(slot)) {
      out.push(problem(prop, `two conditions on the same ${slot.replace(':', ' ')} in one match (${m.describe}); Istio keeps one condition per field`, 'give alternatives as separate matches (any of them holds), or combine them into one regex'));
    }
    seen.add(slot);
    const bad = conditionProblem(c);
    if (bad) out.push(problem(prop, bad.what, bad.fix));
  }
  return out;
}

type Issue = { what: string; fix: string } | undefined;

const CONDITION_CHECKS: Readonly<Record<MatchField, (c: MatchCondition) => Issue>> = {
  [MatchField.HEADER]: (c) => {
    const name = c.name ?? '';
    if (!isHeaderName(name)) return { what: `${JSON.stringify(name)} is not a lowercase header name`, fix: 'use a lowercase token of [a-z0-9-_] (Istio matches header names in lowercase)' };
    if (PSEUDO_HEADERS[name]) return { what: `Istio ignores the header key "${name}"`, fix: `use ${PSEUDO_HEADERS[name]} instead` };
    return valueIssue(c);
  },
  [MatchField.URI]: (c) => {
    if (c.operator !== StringOperator.REGEX && !String(c.value ?? '').startsWith('/')) return { what: `the path ${JSON.stringify(c.value)} does not start with "/"`, fix: 'give a path such as "/productpage"' };
    return valueIssue(c);
  },
  [MatchField.METHOD]: (c) => (Object.values(HttpMethod).includes(c.value as HttpMethod) ? undefined : { what: `${JSON.stringify(c.value)} is not an HTTP method`, fix: 'use HttpMethod.GET, POST, ...' }),
  [MatchField.QUERY_PARAM]: (c) => (QUERY_NAME.test(c.name ?? '') ? valueIssue(c) : { what: `${JSON.stringify(c.name)} is not a query parameter name`, fix: 'use letters, digits and "_.~-"' }),
  [MatchField.PORT]: (c) => (Number.isInteger(c.port) && c.port! >= 1 && c.port! <= 65535 ? undefined : { what: `${c.port} is not a port`, fix: 'give a port from 1 to 65535' }),
  [MatchField.SOURCE_LABELS]: (c) => {
    const entries = Object.entries(c.labels ?? {});
    if (entries.length === 0) return { what: 'sourceLabels without labels would match every caller', fix: 'give the labels of the calling pods, e.g. { app: "productpage" }' };
    const bad = entries.find(([k, v]) => !isLabelKey(k) || !isLabelValue(v));
    return bad ? { what: `${bad[0]}=${JSON.stringify(bad[1])} is not a valid label`, fix: 'use Kubernetes label keys and values' } : undefined;
  },
  [MatchField.JWT_CLAIM]: (c) => {
    const path = c.claim ?? [];
    if (path.length === 0 || !path.every((s) => CLAIM_SEGMENT.test(s))) return { what: `the claim path ${JSON.stringify(path)} cannot be written as a route key`, fix: 'give each claim name as its own argument, using letters, digits and "_:/+-"' };
    return valueIssue(c);
  },
};

function conditionProblem(c: MatchCondition): Issue {
  const check = CONDITION_CHECKS[c.field];
  return check ? check(c) : { what: `unknown match field ${JSON.stringify(c.field)}`, fix: 'build matches with the Match factories' };
}

function valueIssue(c: MatchCondition): Issue {
  if (c.operator === StringOperator.PRESENT || c.operator === StringOperator.ABSENT) return undefined;
  const value = String(c.value ?? '');
  if (c.operator === StringOperator.REGEX) {
    const re2 = re2Problem(value);
    return re2 ? { what: `the regex ${JSON.stringify(value)}: ${re2}`, fix: 'use RE2 syntax (Envoy\'s regex engine)' } : undefined;
  }
  if (c.field === MatchField.URI || c.field === MatchField.QUERY_PARAM ? /[\x00-\x1f\x7f]/.test(value) : !isHeaderValue(value)) {
    return { what: `${JSON.stringify(value)} is not a value a request can carry`, fix: 'use printable ASCII without "%"' };
  }
  return undefined;
}

type StringMatchJson = { exact?: string; prefix?: string; regex?: string };

function stringMatch(c: MatchCondition): StringMatchJson {
  switch (c.operator) {
    case StringOperator.EXACT: return { exact: c.value };
    case StringOperator.PREFIX: return { prefix: c.value };
    case StringOperator.REGEX: return { regex: c.value };
    default: return {}; // present / absent: Istio's empty StringMatch tests presence
  }
}

/** One Istio match block from a {@link Match} (keys sorted, so output is stable). */
export function renderMatch(m: Match): VirtualServiceSpecHttpMatch {
  const headers: Record<string, StringMatchJson> = {};
  const without: Record<string, StringMatchJson> = {};
  const query: Record<string, StringMatchJson> = {};
  const out: { -readonly [K in keyof VirtualServiceSpecHttpMatch]: VirtualServiceSpecHttpMatch[K] } = {};
  for (const c of m.conditions) {
    if (c.field === MatchField.HEADER || c.field === MatchField.JWT_CLAIM) {
      (c.operator === StringOperator.ABSENT ? without : headers)[headerKey(c)] = stringMatch(c);
    } else if (c.field === MatchField.QUERY_PARAM) {
      query[c.name!] = stringMatch(c);
    } else if (c.field === MatchField.URI) {
      out.uri = stringMatch(c);
    } else if (c.field === MatchField.METHOD) {
      out.method = { exact: c.value };
    } else if (c.field === MatchField.PORT) {
      out.port = c.port;
    } else if (c.field === MatchField.SOURCE_LABELS) {
      out.sourceLabels = sorted(c.labels ?? {});
    }
  }
  if (Object.keys(headers).length > 0) out.headers = sorted(headers);
  if (Object.keys(without).length > 0) out.withoutHeaders = sorted(without);
  if (Object.keys(query).length > 0) out.queryParams = sorted(query);
  return out;
}

/** Every combination of one match from `outer` and one from `inner` (AND), in order. */
export function crossMatches(outer: readonly Match[], inner: readonly Match[]): Match[] {
  if (outer.length === 0) return [...inner];
  if (inner.length === 0) return [...outer];
  return outer.flatMap((o) => inner.map((i) => o.and(i)));
}

function sorted<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/**
 * Two Istio match blocks as one (both must hold), or the field both set, which one block
 * cannot say (e.g. two different paths).
 */
export function andBlocks(a: VirtualServiceSpecHttpMatch, b: VirtualServiceSpecHttpMatch): { block: VirtualServiceSpecHttpMatch; conflict?: string } {
  const out: Record<string, unknown> = { ...a };
  let conflict: string | undefined;
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const mine = (a as Record<string, unknown>)[k];
    if (mine === undefined) {
      out[k] = v;
    } else if (k === 'headers' || k === 'withoutHeaders' || k === 'queryParams' || k === 'sourceLabels') {
      const merged: Record<string, unknown> = { ...(mine as object) };
      for (const [n, x] of Object.entries(v as object)) {
        if (n in merged && JSON.stringify(merged[n]) !== JSON.stringify(x)) conflict ??= `${k}.${n}`;
        merged[n] = x;
      }
      out[k] = sorted(merged);
    } else if (JSON.stringify(mine) !== JSON.stringify(v)) {
      conflict ??= k;
    }
  }
  return { block: out as VirtualServiceSpecHttpMatch, conflict };
}
