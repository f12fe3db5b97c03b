/**
 * The route explainer: follows one request from an entry point through VirtualServices,
 * subsets, workloads and the call graph, hop by hop, with Istio's semantics.
 */
import { RegexError, RequestInfo, applyHeaderOperations, describeMatch, firstMatchingRule, matchHeaderNames } from './match';
import { PodIpOptions, selectPods } from './subsets';
import { Destination, DynamicSubsetKey, HttpRule } from '../model/istio-views';
import { simulateKruiseRelease } from '../model/kruise/istio-contract';
import {
  DEFAULT_NAMESPACE, Manifest, ManifestIndex, annotationList, callsOf, findService, indexManifests, namespaceOf, serviceName,
} from '../model/manifest';
import { hostCovers, qualifyHost } from '../model/matching';
import { WellKnown } from '../model/well-known';

/** Where the request enters: the ingress gateway (with host and path), or a Service. */
export type EntryPoint =
  | { readonly gateway: true | string; readonly host?: string; readonly path?: string }
  | { readonly service: string; readonly namespace?: string; readonly path?: string };

/** What to explain besides the entry point. */
export interface ExplainOptions extends PodIpOptions {
  /** Request headers at the entry point. @default {} */
  readonly headers?: Record<string, string>;
  /** Explain the mesh as Kruise rewrites it while these services (or all) are released. */
  readonly release?: readonly string[] | 'all';
  /** Maximum number of hops in a chain. @default 16 */
  readonly maxDepth?: number;
}

/** How a hop ended. */
export type HopOutcome = 'route' | 'direct-response' | 'redirect' | 'not-found' | 'no-service' | 'unsupported' | 'cycle' | 'error';

/** One hop: a request for a host, the rule that matched, and where it went. */
export interface Hop {
  /** The caller: `gateway <ns/name>`, `client`, or a Deployment name. */
  readonly from: string;
  /** The host requested (as the caller wrote it). */
  readonly host: string;
  /** The Service the host names (`name.namespace`), if found. */
  readonly service?: string;
  /** The VirtualService that routed it (`namespace/name`), if any. */
  readonly virtualService?: string;
  /** The rule that matched: index in `http`, its name, and its match in words. */
  readonly rule?: { readonly index: number; readonly name?: string; readonly match: string; readonly headerNames: string[] };
  readonly outcome: HopOutcome;
  /** HTTP status for outcomes that end the request (404, 503, a direct response...). */
  readonly status?: number;
  readonly message?: string;
  /** The request headers seen at this hop. */
  readonly headers: Record<string, string>;
  readonly destinations: ExplainedDestination[];
}

/** One destination of the matched rule. */
export interface ExplainedDestination {
  readonly host: string;
  readonly service?: string;
  readonly subset?: string;
  /** Share of the rule's traffic, 0..1 (weights are shares of their sum). */
  readonly share: number;
  /** How the pods were chosen, in words. */
  readonly selection: string;
  readonly workloads: WorkloadStep[];
  /** 503 when no pod is reached ('no healthy upstream'). */
  readonly status?: number;
  readonly message?: string;
}

/** A Deployment whose pods the destination reaches, and the hops of the calls they make. */
export interface WorkloadStep {
  readonly name: string;
  readonly namespace: string;
  /** True for the virtual `<deployment>-canary` workload of a simulated Kruise release. */
  readonly canary: boolean;
  readonly podIp?: string;
  readonly calls: Hop[];
}

/** The whole explanation. */
export interface ExplainResult {
  readonly entry: string;
  readonly headers: Record<string, string>;
  readonly release: string[];
  readonly hops: Hop[];
  readonly warnings: string[];
}

interface Ctx {
  readonly index: ManifestIndex;
  readonly opts: Omit<ExplainOptions, 'release'>;
  readonly warnings: string[];
  readonly maxDepth: number;
}

/** Explains the path of a request through the manifests. */
export function explain(manifests: readonly unknown[], entry: EntryPoint, opts: ExplainOptions = {}): ExplainResult {
  if (!opts.release || (opts.release !== 'all' && opts.release.length === 0)) return explainIndexed(indexManifests(manifests), entry, opts);
  const sim = simulateKruiseRelease(manifests, opts.release);
  const result = explainIndexed(indexManifests(sim.manifests), entry, opts);
  return { ...result, release: sim.released, warnings: [...sim.notes, ...result.warnings] };
}

/**
 * {@link explain} over manifests already indexed, so that many requests can be explained over
 * one index (the lane report does); `release` is not applied here.
 */
export function explainIndexed(index: ManifestIndex, entry: EntryPoint, opts: Omit<ExplainOptions, 'release'> = {}): ExplainResult {
  const warnings: string[] = [];
  const ctx: Ctx = { index, opts, warnings, maxDepth: opts.maxDepth ?? 16 };
  const headers = lowerKeys(opts.headers ?? {});
  if ('service' in entry) {
    const svc = ctx.index.services.find((s) => s.metadata.name === entry.service);
    const ns = entry.namespace ?? (svc ? namespaceOf(svc) : DEFAULT_NAMESPACE);
    const hop = meshHop(ctx, 'client', entry.service, { headers, path: entry.path, sourceNamespace: ns }, ns, []);
    return { entry: `service ${entry.service}`, headers, release: [], hops: [hop], warnings };
  }
  const hop = gatewayHop(ctx, entry, headers);
  return { entry: `gateway ${hop.from.replace(/^gateway /, '')} host ${entry.host ?? '*'} path ${entry.path ?? '/'}`, headers, release: [], hops: [hop], warnings };
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function gatewayRef(gw: Manifest): string {
  return `${namespaceOf(gw)}/${gw.metadata.name}`;
}

function boundTo(ctx: Ctx, vs: Manifest, gw: Manifest): boolean {
  return (ctx.index.views.virtualService(vs).gateways ?? []).some((g) => {
    const full = g.includes('/') ? g : `${namespaceOf(vs)}/${g}`;
    return full === gatewayRef(gw);
  });
}

function gatewayHop(ctx: Ctx, entry: { gateway: true | string; host?: string; path?: string }, headers: Record<string, string>): Hop {
  const want = entry.gateway === true ? undefined : entry.gateway;
  const gateways = ctx.index.gateways.filter((g) => !want || g.metadata.name === want || gatewayRef(g) === want);
  const host = entry.host;
  const serves = (g: Manifest) => !host || (ctx.index.views.gateway(g).servers ?? []).some((s) =>
    (s.hosts ?? []).some((h) => hostCovers(h, host)));
  const gw = gateways.find(serves);
  const base = { host: host ?? '*', headers, destinations: [] };
  if (!gw) {
    const what = want ? `Gateway ${want}` : 'any Gateway';
    return { ...base, from: 'gateway', outcome: 'not-found', status: 404, message: `${what} serving host ${host ?? '*'} not found in the manifests` };
  }
  if (gateways.length > 1 && !want) ctx.warnings.push(`several Gateways; explained through ${gatewayRef(gw)} (pass a gateway name to choose)`);
  const from = `gateway ${gatewayRef(gw)}`;
  const vss = ctx.index.virtualServices.filter((vs) => boundTo(ctx, vs, gw)
    && (!host || (ctx.index.views.virtualService(vs).hosts ?? []).some((h) => hostCovers(h, host))));
  const req: RequestInfo = { headers, path: entry.path, authority: host, gateway: gatewayRef(gw), sourceLabels: ctx.index.views.gateway(gw).selector, sourceNamespace: namespaceOf(gw) };
  if (vss.length === 0) {
    return { ...base, from, outcome: 'not-found', status: 404, message: `no VirtualService bound to ${gatewayRef(gw)} for host ${host ?? '*'}` };
  }
  const rules = vss.flatMap((vs) => rulesOf(ctx, vs));
  return routeHop(ctx, from, host ?? '*', undefined, rules, req, []);
}

function meshHop(ctx: Ctx, from: string, host: string, req: RequestInfo, callerNs: string, path: string[]): Hop {
  const fqdn = qualifyHost(host, callerNs);
  const svc = findService(ctx.index, host, callerNs);
  const vs = ctx.index.virtualServices.filter((v) => {
    const spec = ctx.index.views.virtualService(v);
    const gws = spec.gateways ?? [];
    return (gws.length === 0 || gws.includes('mesh'))
      && (spec.hosts ?? []).some((h) => hostCovers(qualifyHost(h, namespaceOf(v)), fqdn));
  });
  if (vs.length > 1) ctx.warnings.push(`several mesh VirtualServices for ${host}; Istio uses one (${vs.map((v) => v.metadata.name).join(', ')}); explained with the first`);
  if (vs.length === 0) {
    if (!svc) {
      return { from, host, headers: req.headers, outcome: 'no-service', status: 503, message: `no Service or VirtualService for host ${host}`, destinations: [] };
    }
    const dest = destination(ctx, { host }, 1, undefined, callerNs, req.headers, path);
    return { from, host, service: serviceName(svc), headers: req.headers, outcome: 'route', destinations: [dest] };
  }
  return routeHop(ctx, from, host, svc, rulesOf(ctx, vs[0]), { ...req, gateway: 'mesh' }, path);
}

/** An http rule of a VirtualService, with its index in `http`. */
interface IndexedRule {
  readonly vs: Manifest;
  readonly rule: HttpRule;
  readonly index: number;
}

function rulesOf(ctx: Ctx, vs: Manifest): IndexedRule[] {
  return (ctx.index.views.virtualService(vs).http ?? []).map((rule, index) => ({ vs, rule, index }));
}

function routeHop(
  ctx: Ctx, from: string, host: string, svc: Manifest | undefined,
  rules: readonly IndexedRule[], req: RequestInfo, path: string[],
): Hop {
  const base = { from, host, service: svc ? serviceName(svc) : undefined, headers: req.headers };
  let hit;
  try {
    hit = firstMatchingRule(rules.map((r) => r.rule), req);
  } catch (e) {
    if (e instanceof RegexError) return { ...base, outcome: 'error', message: e.message, destinations: [] };
    throw e;
  }
  const vsNames = [...new Set(rules.map((r) => `${namespaceOf(r.vs)}/${r.vs.metadata.name}`))].join(', ');
  if (!hit) {
    return { ...base, virtualService: vsNames, outcome: 'not-found', status: 404, message: 'no rule matches the request (Envoy answers 404)', destinations: [] };
  }
  const { vs, rule, index } = rules[hit.index];
  const at = { ...base, virtualService: `${namespaceOf(vs)}/${vs.metadata.name}`, rule: { index, name: rule.name, match: describeMatch(rule), headerNames: matchHeaderNames(rule) } };
  if (rule.directResponse) {
    return { ...at, outcome: 'direct-response', status: rule.directResponse.status, message: `directResponse ${rule.directResponse.status}`, destinations: [] };
  }
  if (rule.redirect) {
    return { ...at, outcome: 'redirect', status: rule.redirect.redirectCode ?? 301, message: `redirect to ${JSON.stringify(rule.redirect)}`, destinations: [] };
  }
  if (rule.delegate) {
    return { ...at, outcome: 'unsupported', message: `delegates to ${rule.delegate.name}; delegation is not followed`, destinations: [] };
  }
  const routes = rule.route ?? [];
  if (routes.length === 0) return { ...at, outcome: 'error', message: 'the rule has no route, redirect or directResponse', destinations: [] };
  const total = routes.reduce((s, r) => s + (r.weight || 0), 0);
  const upstream = applyHeaderOperations(req.headers, rule.headers?.request);
  const destinations = routes.map((r) => {
    const share = routes.length === 1 ? 1 : total > 0 ? (r.weight || 0) / total : 1 / routes.length;
    const headers = applyHeaderOperations(upstream, r.headers?.request);
    return destination(ctx, r.destination ?? {}, share, rule.headerToDynamicSubsetKey, namespaceOf(vs), headers, path);
  });
  if (total === 0 && routes.length > 1) ctx.warnings.push(`${at.virtualService} rule ${index}: total weight is 0; shares shown as equal`);
  return { ...at, outcome: 'route', destinations };
}

function destination(
  ctx: Ctx, dest: Destination, share: number, dynamicKeys: readonly DynamicSubsetKey[] | undefined, ruleNs: string,
  headers: Record<string, string>, path: string[],
): ExplainedDestination {
  const host = dest.host ?? '';
  const svc = findService(ctx.index, host, ruleNs);
  const base = { host, subset: dest.subset, share };
  if (!svc) {
    return { ...base, selection: 'no Service for this host in the manifests', workloads: [], status: 503, message: `no Service ${host}` };
  }
  const sel = selectPods(ctx.index, svc, dest.subset, dynamicKeys, headers, ctx.opts);
  if (sel.noHealthyUpstream) {
    return { ...base, service: serviceName(svc), selection: sel.selection, workloads: [], status: 503, message: `no healthy upstream: ${sel.noHealthyUpstream}` };
  }
  const workloads = sel.workloads.map((d) => workloadStep(ctx, d, share > 0 ? headers : undefined, path, sel.podIp));
  return { ...base, service: serviceName(svc), selection: sel.selection, workloads };
}

function workloadStep(ctx: Ctx, d: Manifest, headers: Record<string, string> | undefined, path: string[], podIp?: string): WorkloadStep {
  const ns = namespaceOf(d);
  const canary = d.metadata.annotations?.[WellKnown.SIMULATED_CANARY_ANNOTATION] !== undefined;
  const step = { name: d.metadata.name, namespace: ns, canary, podIp };
  if (!headers) return { ...step, calls: [] };
  const keep = annotationList(d, WellKnown.PROPAGATE_HEADERS_ANNOTATION).map((h) => h.toLowerCase());
  const forwarded = keep.length === 0 ? headers : Object.fromEntries(Object.entries(headers).filter(([k]) => keep.includes(k)));
  const calls = callsOf(d).map((host) => {
    const key = `${ns}/${d.metadata.name}->${qualifyHost(host, ns)}`;
    if (path.includes(key) || path.length >= ctx.maxDepth) {
      return { from: d.metadata.name, host, headers: forwarded, outcome: 'cycle' as const, message: path.includes(key) ? 'call cycle; not followed again' : `stopped after ${ctx.maxDepth} hops`, destinations: [] };
    }
    const req: RequestInfo = { headers: forwarded, sourceLabels: ctx.index.views.podLabels(d), sourceNamespace: ns };
    return meshHop(ctx, d.metadata.name, host, req, ns, [...path, key]);
  });
  return { ...step, calls };
}
