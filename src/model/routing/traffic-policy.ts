/**
 * How a service's (or one version's) upstream connections behave: load balancing, connection
 * pool, outlier detection and TLS (Istio 1.23 DestinationRule `trafficPolicy`).
 */
import { RouteDuration, durationProblem, istioDuration } from './duration';
import type {
  DestinationRuleSpecTrafficPolicy, DestinationRuleSpecTrafficPolicyConnectionPool, DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash,
  DestinationRuleSpecTrafficPolicyLoadBalancerSimple, DestinationRuleSpecTrafficPolicyOutlierDetection, DestinationRuleSpecTrafficPolicyTlsMode,
} from '../../../imports/istio-networking';
import { LoadBalancer } from '../api-versions';
import { isDns1123Subdomain, isHeaderName } from '../names';
import { ModelProblem, problem } from '../problem';

type HashKey =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'cookie'; readonly name: string; readonly ttl?: RouteDuration; readonly path?: string }
  | { readonly kind: 'sourceIp' }
  | { readonly kind: 'queryParameter'; readonly name: string };

/** How requests are spread over a version's pods. */
export class LoadBalancing {
  /** A simple algorithm (round robin, least request, random, passthrough). */
  public static simple(algorithm: LoadBalancer): LoadBalancing {
    return new LoadBalancing(algorithm, undefined);
  }

  /** Requests with the same value of a header reach the same pod (while it lives). */
  public static consistentHashByHeader(header: string): LoadBalancing {
    return new LoadBalancing(undefined, { kind: 'header', name: header });
  }

  /**
   * Requests with the same cookie reach the same pod. With a `ttl`, Envoy sets the cookie when
   * the request has none.
   */
  public static consistentHashByCookie(name: string, options: { readonly ttl?: RouteDuration; readonly path?: string } = {}): LoadBalancing {
    return new LoadBalancing(undefined, { kind: 'cookie', name, ttl: options.ttl, path: options.path });
  }

  /** Requests from the same client address reach the same pod. */
  public static consistentHashBySourceIp(): LoadBalancing {
    return new LoadBalancing(undefined, { kind: 'sourceIp' });
  }

  /** Requests with the same value of a query parameter reach the same pod. */
  public static consistentHashByQueryParameter(name: string): LoadBalancing {
    return new LoadBalancing(undefined, { kind: 'queryParameter', name });
  }

  private constructor(
    /** The simple algorithm, if chosen. */
    public readonly algorithm: LoadBalancer | undefined,
    /** The consistent-hash key, if chosen. @internal */
    public readonly _hash: HashKey | undefined,
  ) {}
}

/** Limits on connections and requests to each pod of a version (Istio `connectionPool`). */
export interface ConnectionPool {
  /** TCP limits. @default - Istio's defaults */
  readonly tcp?: {
    /** @default - 2^32-1 */
    readonly maxConnections?: number;
    /** @default 10s */
    readonly connectTimeout?: RouteDuration;
  };
  /** HTTP limits. @default - Istio's defaults */
  readonly http?: {
    /** Requests queued while waiting for a connection. @default - 2^32-1 */
    readonly http1MaxPendingRequests?: number;
    /** Concurrent requests to a pod. @default - 2^32-1 */
    readonly http2MaxRequests?: number;
    /** Requests per connection; 1 disables keep-alive. @default - unlimited */
    readonly maxRequestsPerConnection?: number;
    /** Concurrent retries. @default - 2^32-1 */
    readonly maxRetries?: number;
    /** @default 1h */
    readonly idleTimeout?: RouteDuration;
  };
}

/** Ejecting pods that keep failing (Istio `outlierDetection`). */
export interface OutlierDetection {
  /** 5xx answers in a row before a pod is ejected. @default 5 */
  readonly consecutive5xxErrors?: number;
  /** 502/503/504 answers in a row before a pod is ejected. @default - off */
  readonly consecutiveGatewayErrors?: number;
  /** Time between sweeps. @default 10s */
  readonly interval?: RouteDuration;
  /** Minimum ejection time (grows with each ejection). @default 30s */
  readonly baseEjectionTime?: RouteDuration;
  /** @default 10 */
  readonly maxEjectionPercent?: number;
  /** @default 0 */
  readonly minHealthPercent?: number;
}

/** TLS from the caller's sidecar to the upstream pods. */
export enum UpstreamTlsMode {
  /** Plain text. */
  DISABLE = 'DISABLE',
  /** TLS to an upstream that presents a certificate. */
  SIMPLE = 'SIMPLE',
  /** Mutual TLS with a client certificate from `credentialName`. */
  MUTUAL = 'MUTUAL',
  /** Istio's mutual TLS with the mesh's certificates. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/** TLS settings to the upstream. */
export interface UpstreamTls {
  readonly mode: UpstreamTlsMode;
  /** Secret with the client certificate (MUTUAL) or CA (SIMPLE). @default - none */
  readonly credentialName?: string;
  /** SNI sent to the upstream. @default - none */
  readonly sni?: string;
  /** @default - none */
  readonly subjectAltNames?: readonly string[];
}

/** Upstream behaviour of a service or of one version's subset. */
export interface TrafficPolicy {
  /** @default - the service's `loadBalancer` (round robin) */
  readonly loadBalancer?: LoadBalancing;
  /** @default - Istio's defaults */
  readonly connectionPool?: ConnectionPool;
  /** @default - none */
  readonly outlierDetection?: OutlierDetection;
  /** @default - Istio's automatic mutual TLS */
  readonly tls?: UpstreamTls;
}

const COUNT_MAX = 4294967295;

/** What is wrong with a traffic policy. */
export function trafficPolicyProblems(prop: string, t: TrafficPolicy | undefined): ModelProblem[] {
  if (!t) return [];
  const out: Array<ModelProblem | undefined> = [];
  const count = (name: string, v: number | undefined, min = 0, max = COUNT_MAX) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) out.push(problem(`${prop}.${name}`, `${v} is not an integer from ${min} to ${max}`, `give an integer from ${min} to ${max}`));
  };
  if (t.loadBalancer !== undefined && !(t.loadBalancer instanceof LoadBalancing)) out.push(problem(`${prop}.loadBalancer`, 'not a LoadBalancing', 'use LoadBalancing.simple(...) or LoadBalancing.consistentHashBy...(...)'));
  const hash = t.loadBalancer?._hash;
  if (hash && (hash.kind === 'header' || hash.kind === 'queryParameter') && !isHeaderName(hash.name)) {
    out.push(problem(`${prop}.loadBalancer`, `${JSON.stringify(hash.name)} is not a ${hash.kind === 'header' ? 'lowercase header' : 'query parameter'} name`, 'use a lowercase token of [a-z0-9-_]'));
  }
  if (hash?.kind === 'cookie') {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(hash.name)) out.push(problem(`${prop}.loadBalancer`, `${JSON.stringify(hash.name)} is not a cookie name`, 'use an HTTP token, e.g. "session"'));
    out.push(durationProblem(`${prop}.loadBalancer.ttl`, hash.ttl));
  }
  const pool = t.connectionPool;
  count('connectionPool.tcp.maxConnections', pool?.tcp?.maxConnections, 1);
  out.push(durationProblem(`${prop}.connectionPool.tcp.connectTimeout`, pool?.tcp?.connectTimeout));
  count('connectionPool.http.http1MaxPendingRequests', pool?.http?.http1MaxPendingRequests, 1);
  count('connectionPool.http.http2MaxRequests', pool?.http?.http2MaxRequests, 1);
  count('connectionPool.http.maxRequestsPerConnection', pool?.http?.maxRequestsPerConnection, 0);
  count('connectionPool.http.maxRetries', pool?.http?.maxRetries, 0);
  out.push(durationProblem(`${prop}.connectionPool.http.idleTimeout`, pool?.http?.idleTimeout));
  const od = t.outlierDetection;
  count('outlierDetection.consecutive5xxErrors', od?.consecutive5xxErrors, 0);
  count('outlierDetection.consecutiveGatewayErrors', od?.consecutiveGatewayErrors, 0);
  out.push(durationProblem(`${prop}.outlierDetection.interval`, od?.interval), durationProblem(`${prop}.outlierDetection.baseEjectionTime`, od?.baseEjectionTime));
  count('outlierDetection.maxEjectionPercent', od?.maxEjectionPercent, 0, 100);
  count('outlierDetection.minHealthPercent', od?.minHealthPercent, 0, 100);
  if (t.tls) out.push(...tlsProblems(`${prop}.tls`, t.tls));
  return out.filter((x): x is ModelProblem => x !== undefined);
}

function tlsProblems(prop: string, tls: UpstreamTls): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (!Object.values(UpstreamTlsMode).includes(tls.mode)) out.push(problem(`${prop}.mode`, `${JSON.stringify(tls.mode)} is not a TLS mode`, 'use UpstreamTlsMode values'));
  if (tls.credentialName !== undefined && !isDns1123Subdomain(tls.credentialName)) out.push(problem(`${prop}.credentialName`, `${JSON.stringify(tls.credentialName)} is not a Secret name`, 'give the name of a Secret (a DNS-1123 subdomain)'));
  if (tls.mode === UpstreamTlsMode.MUTUAL && tls.credentialName === undefined) out.push(problem(`${prop}.credentialName`, 'MUTUAL TLS needs the client certificate', 'give credentialName: the Secret with the client key and certificate'));
  if ((tls.mode === UpstreamTlsMode.ISTIO_MUTUAL || tls.mode === UpstreamTlsMode.DISABLE) && (tls.credentialName || tls.sni || tls.subjectAltNames)) {
    out.push(problem(prop, `${tls.mode} takes no credentialName, sni or subjectAltNames`, 'drop them, or use UpstreamTlsMode.SIMPLE or MUTUAL'));
  }
  return out;
}

/**
 * The Istio `trafficPolicy` (only the fields set; `undefined` when nothing is). The same shape
 * serves the DestinationRule and its subsets.
 */
export function renderTrafficPolicy(t: TrafficPolicy | undefined, defaultAlgorithm?: LoadBalancer): DestinationRuleSpecTrafficPolicy | undefined {
  const lb = t?.loadBalancer;
  const algorithm = lb ? lb.algorithm : defaultAlgorithm;
  const out: DestinationRuleSpecTrafficPolicy = {
    loadBalancer: lb?._hash ? { consistentHash: renderHash(lb._hash) } : algorithm ? { simple: algorithm as string as DestinationRuleSpecTrafficPolicyLoadBalancerSimple } : undefined,
    connectionPool: t?.connectionPool ? renderPool(t.connectionPool) : undefined,
    outlierDetection: t?.outlierDetection ? renderOutlier(t.outlierDetection) : undefined,
    tls: t?.tls ? {
      mode: t.tls.mode as string as DestinationRuleSpecTrafficPolicyTlsMode,
      credentialName: t.tls.credentialName,
      sni: t.tls.sni,
      subjectAltNames: t.tls.subjectAltNames ? [...t.tls.subjectAltNames] : undefined,
    } : undefined,
  };
  return Object.values(out).some((v) => v !== undefined) ? out : undefined;
}

const dur = (d: RouteDuration | undefined) => (d ? istioDuration(d) : undefined);

function renderHash(h: HashKey): DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash {
  switch (h.kind) {
    case 'header': return { httpHeaderName: h.name };
    case 'cookie': return { httpCookie: { name: h.name, path: h.path, ttl: dur(h.ttl) } };
    case 'sourceIp': return { useSourceIp: true };
    default: return { httpQueryParameterName: h.name };
  }
}

function renderPool(p: ConnectionPool): DestinationRuleSpecTrafficPolicyConnectionPool {
  return {
    tcp: p.tcp ? { maxConnections: p.tcp.maxConnections, connectTimeout: dur(p.tcp.connectTimeout) } : undefined,
    http: p.http ? {
      http1MaxPendingRequests: p.http.http1MaxPendingRequests,
      http2MaxRequests: p.http.http2MaxRequests,
      maxRequestsPerConnection: p.http.maxRequestsPerConnection,
      maxRetries: p.http.maxRetries,
      idleTimeout: dur(p.http.idleTimeout),
    } : undefined,
  };
}

function renderOutlier(o: OutlierDetection): DestinationRuleSpecTrafficPolicyOutlierDetection {
  return {
    consecutive5XxErrors: o.consecutive5xxErrors,
    consecutiveGatewayErrors: o.consecutiveGatewayErrors,
    interval: dur(o.interval),
    baseEjectionTime: dur(o.baseEjectionTime),
    maxEjectionPercent: o.maxEjectionPercent,
    minHealthPercent: o.minHealthPercent,
  };
}
