/**
 * What happens to a request on a route besides where it goes: timeout, retries, fault
 * injection, mirroring, header changes and CORS (Istio 1.23 `HTTPRoute` fields).
 *
 * A service's policy applies to every rule the library writes for it; a rule's own policy
 * overrides it field by field ({@link mergePolicies}).
 */
import { RouteDuration, durationProblem, istioDuration } from './duration';
import { HttpMethod } from './match';
import type { VirtualServiceSpecHttp } from '../../../imports/istio-networking';
import { isHeaderName, isHeaderValue } from '../names';
import { ModelProblem, problem } from '../problem';

/** Conditions under which Envoy retries (Istio `retryOn`, besides HTTP status codes). */
export enum RetryOn {
  CONNECT_FAILURE = 'connect-failure',
  REFUSED_STREAM = 'refused-stream',
  UNAVAILABLE = 'unavailable',
  CANCELLED = 'cancelled',
  RETRIABLE_STATUS_CODES = 'retriable-status-codes',
  GATEWAY_ERROR = 'gateway-error',
  RESET = 'reset',
  SERVER_ERROR = '5xx',
  RETRIABLE_4XX = 'retriable-4xx',
  DEADLINE_EXCEEDED = 'deadline-exceeded',
  RESOURCE_EXHAUSTED = 'resource-exhausted',
  INTERNAL = 'internal',
}

/** How a failed request is tried again. */
export interface RetryPolicy {
  /** Retries after the first try; 0 turns off Istio's default retries (2). */
  readonly attempts: number;
  /**
   * Timeout of each try.
   * @default - the route's timeout
   */
  readonly perTryTimeout?: RouteDuration;
  /**
   * When to retry: conditions and HTTP status codes.
   * @default - Istio's: connect-failure, refused-stream, unavailable, cancelled, 503
   */
  readonly retryOn?: ReadonlyArray<RetryOn | number>;
}

/** How much of the traffic a fault or mirror applies to. */
export interface FaultOptions {
  /**
   * Percentage of requests (0-100, fractions allowed).
   * @default 100
   */
  readonly percent?: number;
}

/** Fault injection on a route (Istio `HTTPFaultInjection`), e.g. to test timeouts. */
export class Fault {
  /** Delays requests by `delay` before forwarding them. */
  public static delay(delay: RouteDuration, options: FaultOptions = {}): Fault {
    return new Fault({ duration: delay, percent: options.percent ?? 100 }, undefined);
  }

  /** Answers requests with `httpStatus` without forwarding them. */
  public static abort(httpStatus: number, options: FaultOptions = {}): Fault {
    return new Fault(undefined, { status: httpStatus, percent: options.percent ?? 100 });
  }

  private constructor(
    /** The delay, if any. */
    public readonly delay: { readonly duration: RouteDuration; readonly percent: number } | undefined,
    /** The abort, if any. */
    public readonly abort: { readonly status: number; readonly percent: number } | undefined,
  ) {}

  /** This fault and another (a delay and an abort together). */
  public and(other: Fault): Fault {
    return new Fault(other.delay ?? this.delay, other.abort ?? this.abort);
  }
}

/** A copy of the traffic sent to another version, whose answers are dropped. */
export interface Mirror {
  /** The version that gets the copies; not one the route serves from. */
  readonly version: string;
  /**
   * Percentage of requests copied (0-100).
   * @default 100
   */
  readonly percent?: number;
}

/** Changes to request or response headers. */
export interface HeaderOperations {
  /** Headers set, replacing any value. @default - none */
  readonly set?: Readonly<Record<string, string>>;
  /** Headers appended. @default - none */
  readonly add?: Readonly<Record<string, string>>;
  /** Headers removed. @default - none */
  readonly remove?: readonly string[];
}

/** Cross-origin resource sharing on a route (Istio `CorsPolicy`). */
export interface CorsPolicy {
  /** Origins allowed, compared exactly (e.g. `https://shop.example.com`). */
  readonly allowOrigins: readonly string[];
  /** @default - none */
  readonly allowMethods?: readonly HttpMethod[];
  /** @default - none */
  readonly allowHeaders?: readonly string[];
  /** @default - none */
  readonly exposeHeaders?: readonly string[];
  /** How long browsers may cache the preflight answer. @default - not sent */
  readonly maxAge?: RouteDuration;
  /** @default false */
  readonly allowCredentials?: boolean;
}

/** Everything a route does to a request besides choosing its destination. */
export interface RoutePolicy {
  /**
   * Timeout of the whole request, retries included.
   * @default - none (Istio's default: disabled)
   */
  readonly timeout?: RouteDuration;
  /** @default - Istio's default retry policy (2 attempts) */
  readonly retries?: RetryPolicy;
  /** @default - none */
  readonly fault?: Fault;
  /** @default - none */
  readonly mirror?: Mirror;
  /** @default - none */
  readonly requestHeaders?: HeaderOperations;
  /** @default - none */
  readonly responseHeaders?: HeaderOperations;
  /** @default - none */
  readonly cors?: CorsPolicy;
}

const POLICY_KEYS: ReadonlyArray<keyof RoutePolicy> = ['timeout', 'retries', 'fault', 'mirror', 'requestHeaders', 'responseHeaders', 'cors'];

/** The policies merged, later ones overriding earlier ones field by field. */
export function mergePolicies(...policies: ReadonlyArray<RoutePolicy | undefined>): RoutePolicy {
  const out: Record<string, unknown> = {};
  for (const p of policies) {
    for (const k of POLICY_KEYS) if (p?.[k] !== undefined) out[k] = p[k];
  }
  return out as RoutePolicy;
}

/** Whether the policy sets anything. */
export function isEmptyPolicy(p: RoutePolicy): boolean {
  return POLICY_KEYS.every((k) => p[k] === undefined);
}

/** What is wrong with a policy (not the mirror's version, which the route checks). */
export function policyProblems(prop: string, p: RoutePolicy | undefined): ModelProblem[] {
  if (!p) return [];
  const out: ModelProblem[] = [];
  const add = (x: ModelProblem | undefined) => x && out.push(x);
  add(durationProblem(`${prop}.timeout`, p.timeout));
  if (p.retries) {
    const r = p.retries;
    if (r.attempts === undefined || !Number.isInteger(r.attempts) || r.attempts < 0 || r.attempts > 100) {
      out.push(problem(`${prop}.retries.attempts`, r.attempts === undefined ? 'retries are given without attempts' : `${r.attempts} is not a number of retries`, 'give attempts: an integer from 0 (no retries) to 100'));
    }
    add(durationProblem(`${prop}.retries.perTryTimeout`, r.perTryTimeout));
    for (const on of r.retryOn ?? []) {
      const ok = typeof on === 'number' ? Number.isInteger(on) && on >= 100 && on <= 599 : Object.values(RetryOn).includes(on);
      if (!ok) out.push(problem(`${prop}.retries.retryOn`, `${JSON.stringify(on)} is not a retry condition`, 'use RetryOn values or HTTP status codes (100-599)'));
    }
  }
  if (p.fault !== undefined) out.push(...faultProblems(`${prop}.fault`, p.fault));
  if (p.mirror !== undefined) add(percentProblem(`${prop}.mirror.percent`, p.mirror.percent));
  out.push(...headerProblems(`${prop}.requestHeaders`, p.requestHeaders), ...headerProblems(`${prop}.responseHeaders`, p.responseHeaders));
  if (p.cors) out.push(...corsProblems(`${prop}.cors`, p.cors));
  return out;
}

function faultProblems(prop: string, f: Fault): ModelProblem[] {
  if (!(f instanceof Fault)) return [problem(prop, 'not a Fault', 'use Fault.delay(...) or Fault.abort(...)')];
  const out = [durationProblem(`${prop}.delay`, f.delay?.duration), percentProblem(`${prop}.percent`, f.delay?.percent), percentProblem(`${prop}.percent`, f.abort?.percent)];
  if (f.abort && !(Number.isInteger(f.abort.status) && f.abort.status >= 200 && f.abort.status <= 599)) {
    out.push(problem(`${prop}.abort`, `${f.abort.status} is not an HTTP status to abort with`, 'give a status from 200 to 599, e.g. 500 or 503'));
  }
  return out.filter((x): x is ModelProblem => x !== undefined);
}

function percentProblem(prop: string, percent: number | undefined): ModelProblem | undefined {
  if (percent === undefined || (typeof percent === 'number' && percent >= 0 && percent <= 100)) return undefined;
  return problem(prop, `${percent} is not a percentage`, 'give a number from 0 to 100');
}

function headerProblems(prop: string, ops: HeaderOperations | undefined): ModelProblem[] {
  if (!ops) return [];
  const names = [...Object.keys(ops.set ?? {}), ...Object.keys(ops.add ?? {}), ...(ops.remove ?? [])];
  const values = [...Object.values(ops.set ?? {}), ...Object.values(ops.add ?? {})];
  return [
    ...names.filter((n) => !isHeaderName(n)).map((n) => problem(prop, `${JSON.stringify(n)} is not a lowercase header name`, 'use a lowercase token of [a-z0-9-_]')),
    ...values.filter((v) => !isHeaderValue(v)).map((v) => problem(prop, `${JSON.stringify(v)} is not a safe header value`, 'use printable ASCII without "%" (Envoy reads %...% as a command)')),
  ];
}

function corsProblems(prop: string, c: CorsPolicy): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (!c.allowOrigins || c.allowOrigins.length === 0) out.push(problem(`${prop}.allowOrigins`, 'no origin is allowed', 'list the origins, e.g. ["https://shop.example.com"]'));
  for (const o of c.allowOrigins ?? []) {
    if (!/^(\*|[a-z][a-z0-9+.-]*:\/\/[^\s/]+)$/.test(o)) out.push(problem(`${prop}.allowOrigins`, `${JSON.stringify(o)} is not an origin`, 'give scheme://host[:port], e.g. "https://shop.example.com"'));
  }
  for (const m of c.allowMethods ?? []) {
    if (!Object.values(HttpMethod).includes(m)) out.push(problem(`${prop}.allowMethods`, `${JSON.stringify(m)} is not an HTTP method`, 'use HttpMethod values'));
  }
  const maxAge = durationProblem(`${prop}.maxAge`, c.maxAge);
  if (maxAge) out.push(maxAge);
  return out;
}

/** Where a mirror's copies go, as the renderer resolves a version. */
export type MirrorTarget = { readonly host: string; readonly subset?: string; readonly port?: { readonly number: number } };

/** The Istio fields of a policy (only those set). */
export function renderPolicy(p: RoutePolicy, mirrorTarget: (version: string) => MirrorTarget): Partial<VirtualServiceSpecHttp> {
  const out: { -readonly [K in keyof VirtualServiceSpecHttp]?: VirtualServiceSpecHttp[K] } = {};
  if (p.timeout) out.timeout = istioDuration(p.timeout);
  if (p.retries) {
    const r = p.retries;
    out.retries = {
      attempts: r.attempts,
      perTryTimeout: r.perTryTimeout ? istioDuration(r.perTryTimeout) : undefined,
      retryOn: r.retryOn && r.retryOn.length > 0 ? r.retryOn.map(String).join(',') : undefined,
    };
  }
  if (p.fault) {
    const { delay, abort } = p.fault;
    out.fault = {
      delay: delay ? { fixedDelay: istioDuration(delay.duration), percentage: { value: delay.percent } } : undefined,
      abort: abort ? { httpStatus: abort.status, percentage: { value: abort.percent } } : undefined,
    };
  }
  if (p.mirror) {
    out.mirror = { ...mirrorTarget(p.mirror.version) };
    out.mirrorPercentage = { value: p.mirror.percent ?? 100 };
  }
  if (p.requestHeaders || p.responseHeaders) {
    out.headers = { request: renderHeaderOps(p.requestHeaders), response: renderHeaderOps(p.responseHeaders) };
  }
  if (p.cors) {
    const c = p.cors;
    out.corsPolicy = {
      allowOrigins: c.allowOrigins.map((o) => ({ exact: o })),
      allowMethods: c.allowMethods ? [...c.allowMethods] : undefined,
      allowHeaders: c.allowHeaders ? [...c.allowHeaders] : undefined,
      exposeHeaders: c.exposeHeaders ? [...c.exposeHeaders] : undefined,
      maxAge: c.maxAge ? istioDuration(c.maxAge) : undefined,
      allowCredentials: c.allowCredentials,
    };
  }
  return out;
}

function renderHeaderOps(ops: HeaderOperations | undefined): { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] } | undefined {
  if (!ops) return undefined;
  const sortedKeys = (o?: Readonly<Record<string, string>>) => (o && Object.keys(o).length > 0 ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])) : undefined);
  return { set: sortedKeys(ops.set), add: sortedKeys(ops.add), remove: ops.remove && ops.remove.length > 0 ? [...ops.remove].sort() : undefined };
}
