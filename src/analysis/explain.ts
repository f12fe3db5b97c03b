/**
 * The route explainer: follows one request from an entry point through the gateway's coloring,
 * VirtualServices, subsets, workloads and the call graph, hop by hop, with Istio's semantics.
 * The result is a tree (explain-types.ts): every branch of a weighted rule, in order, with the
 * hops of the calls made under it.
 */
import { GatewayFilter, gatewayFilters, runColoring } from './coloring';
import { gatewayContext, GatewayContext } from './explain-gateway';
import { destinationPolicy, explainRule, routeShares, setHeaders, tcpRule } from './explain-rule';
import {
  EntryPoint, EXPLAIN_SCHEMA_VERSION, ExplainedDestination, ExplainedRequest, ExplainOptions, ExplainResult, Hop, WorkloadStep,
} from './explain-types';
import { LuaScripts } from './lua-vm';
import { RegexError, RequestInfo, applyHeaderOperations, firstMatchingRule } from './match';
import { IndexedRule, RoutingLookups, routingLookups } from './routing-index';
import { selectPods } from './subsets';
import { Destination, DynamicSubsetKey } from '../model/istio-views';
import { field, items } from '../model/json';
import { simulateKruiseRelease } from '../model/kruise/istio-contract';
import {
  DEFAULT_NAMESPACE, Manifest, ManifestIndex, annotationList, callsOf, findService, findServiceByFqdn, indexManifests, namespaceOf, serviceName,
} from '../model/manifest';
import { qualifyHost, resolveConfigHost } from '../model/matching';
import { WellKnown } from '../model/well-known';

export * from './explain-types';

/** What the explainer carries from hop to hop. */
interface Ctx {
  readonly index: ManifestIndex;
  readonly lookups: RoutingLookups;
  readonly opts: Omit<ExplainOptions, 'release'>;
  readonly warnings: string[];
  readonly maxDepth: number;
  readonly vm: LuaScripts;
}

/** Explains the path of a request through the manifests. */
export function explain(manifests: readonly unknown[], entry: EntryPoint, opts: ExplainOptions = {}): ExplainResult {
  if (!opts.release || (opts.release !== 'all' && opts.release.length === 0)) return explainIndexed(indexManifests(manifests), entry, opts);
  const sim = simulateKruiseRelease(manifests, opts.release);
  const result = explainIndexed(indexManifests(sim.manifests), entry, opts);
  return { ...result, release: sim.released, warnings: [...sim.notes, ...result.warnings] };
}

/**
 * {@link explain} over manifests already indexed, so that many requests can be explained over one
 * index (the lane report and the diff do); `release` is not applied here. Pass one `vm` to share
 * compiled Lua between calls.
 */
export function explainIndexed(index: ManifestIndex, entry: EntryPoint, opts: Omit<ExplainOptions, 'release'> = {}, vm = new LuaScripts()): ExplainResult {
  const ctx: Ctx = { index, lookups: routingLookups(index), opts, warnings: [], maxDepth: opts.maxDepth ?? 16, vm };
  const headers = lowerKeys(opts.headers ?? {});
  const method = (opts.method ?? 'GET').toUpperCase();
  const base = { schemaVersion: EXPLAIN_SCHEMA_VERSION, headers, release: [], warnings: ctx.warnings };
  if ('service' in entry) {
    const svc = ctx.lookups.servicesNamed(entry.service).find((s) => !entry.namespace || namespaceOf(s) === entry.namespace);
    const ns = entry.namespace ?? (svc ? namespaceOf(svc) : DEFAULT_NAMESPACE);
    const port = opts.port ?? (svc ? firstPort(svc) : undefined);
    const request: ExplainedRequest = { method, path: entry.path ?? '/', port, headers };
    const hop = meshHop(ctx, 'client', entry.service, { headers, path: request.path, method, port, sourceNamespace: ns }, ns, []);
    return { ...base, entry: `service ${entry.service}`, request, hops: [hop] };
  }
  const gw = gatewayContext(ctx.index, ctx.lookups, entry, opts.port, ctx.warnings);
  const request: ExplainedRequest = { method, path: entry.path ?? '/', port: gw.port, authority: gw.authority, headers };
  const hop = gatewayHop(ctx, gw, request);
  return { ...base, entry: `gateway ${gw.ref ?? '(none)'} host ${entry.host ?? '*'} path ${request.path}`, request, hops: [hop] };
}

/** A call made by a workload (or a client in a namespace), for {@link explainCall}. */
export interface Call {
  /** The caller's Deployment (its pod labels count for `sourceLabels`), or undefined for a client. */
  readonly caller?: Manifest;
  /** Pod labels of a caller without a Deployment in the manifests. */
  readonly sourceLabels?: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly host: string;
  readonly headers: Record<string, string>;
  /** Path with optional query string. @default "/" */
  readonly path?: string;
  /** @default "GET" */
  readonly method?: string;
  /** @default - the Service's first port */
  readonly port?: number;
}

/**
 * One mesh hop, the calls of the pods it reaches listed but not followed (outcome `not-followed`,
 * with the headers they forward): for tools that walk the call graph themselves and visit each
 * call once (the lane report).
 */
export function explainCall(index: ManifestIndex, call: Call, vm = new LuaScripts()): Hop {
  const ctx: Ctx = { index, lookups: routingLookups(index), opts: {}, warnings: [], maxDepth: 0, vm };
  const sourceLabels = call.caller ? index.views.podLabels(call.caller) : call.sourceLabels;
  const req: RequestInfo = {
    headers: lowerKeys(call.headers),
    method: call.method ?? 'GET',
    path: call.path,
    port: call.port,
    sourceNamespace: call.namespace,
    ...(sourceLabels ? { sourceLabels: { ...sourceLabels } } : {}),
  };
  return meshHop(ctx, call.caller?.metadata.name ?? 'client', call.host, req, call.namespace, []);
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The first port number of a Service. */
export function firstPort(svc: Manifest): number | undefined {
  const p = field(items(field(svc.spec, 'ports'))[0], 'port');
  return typeof p === 'number' ? p : undefined;
}

const PSEUDO = { authority: ':authority', path: ':path', method: ':method', scheme: ':scheme' } as const;

function gatewayHop(ctx: Ctx, gw: GatewayContext, request: ExplainedRequest): Hop {
  const base = { host: gw.host ?? '*', port: gw.port, headers: request.headers, destinations: [] };
  if (!gw.gateway || !gw.ref) return { ...base, from: 'gateway', outcome: 'not-found', status: 404, message: gw.notFound };
  const from = `gateway ${gw.ref}`;
  const filters: GatewayFilter[] = ctx.opts.skipColoring ? [] : gatewayFilters(ctx.index, gw.gateway, gw.port);
  const colored = runColoring(ctx.vm, filters, {
    headers: { ...request.headers, [PSEUDO.authority]: gw.authority, [PSEUDO.path]: request.path, [PSEUDO.method]: request.method, [PSEUDO.scheme]: 'http' },
    clientAddress: clientAddress(ctx.opts.clientAddress),
    localAddress: `0.0.0.0:${gw.port ?? 80}`,
    dynamicMetadata: ctx.opts.dynamicMetadata,
  });
  const coloring = colored.steps;
  const headers = Object.fromEntries(Object.entries(colored.headers).filter(([k]) => !k.startsWith(':')));
  if (colored.respond) {
    return { ...base, from, coloring, headers, outcome: 'local-reply', status: colored.respond.status, message: `${colored.respond.filter} answers ${colored.respond.status} itself` };
  }
  if (gw.httpsRedirect) {
    return { ...base, from, coloring, headers, outcome: 'redirect', status: 301, message: 'the HTTP server redirects every request to HTTPS (tls.httpsRedirect)' };
  }
  const path = colored.headers[PSEUDO.path] ?? request.path;
  const authority = colored.headers[PSEUDO.authority] ?? gw.authority;
  if (gw.virtualServices.length === 0) {
    return { ...base, from, coloring, headers, outcome: 'not-found', status: 404, message: `no VirtualService bound to ${gw.ref} for host ${gw.host ?? '*'}` };
  }
  const rules = gw.virtualServices.flatMap((vs) => ctx.lookups.rulesOf(vs));
  const req: RequestInfo = {
    headers,
    path,
    authority: gw.host === undefined ? undefined : authority,
    method: request.method,
    port: gw.port,
    gateway: gw.ref,
    sourceLabels: ctx.index.views.gateway(gw.gateway).selector,
    sourceNamespace: namespaceOf(gw.gateway),
  };
  return { ...routeHop(ctx, from, gw.host ?? '*', undefined, rules, req, []), coloring };
}

function clientAddress(a: string | undefined): string {
  if (!a) return '192.0.2.10:40000';
  return a.includes(':') && !a.includes('::') ? a : a.includes(']') ? a : `${a.includes(':') ? `[${a}]` : a}:40000`;
}

function meshHop(ctx: Ctx, from: string, host: string, req: RequestInfo, callerNs: string, path: string[]): Hop {
  const fqdn = qualifyHost(host, callerNs);
  const svc = findService(ctx.index, host, callerNs);
  const port = req.port ?? (svc ? firstPort(svc) : undefined);
  const vs = ctx.lookups.meshVirtualServices(fqdn);
  if (vs.length > 1) ctx.warnings.push(`several mesh VirtualServices for ${host}; Istio uses one (${vs.map((v) => v.metadata.name).join(', ')}); explained with the first`);
  if (vs.length === 0) {
    if (!svc) {
      return { from, host, port, headers: req.headers, outcome: 'no-service', status: 503, message: `no Service or VirtualService for host ${host}`, destinations: [] };
    }
    const dest = destination(ctx, { host }, { share: 1, asRequested: true }, undefined, callerNs, req.headers, path, callerNs);
    return { from, host, port, service: serviceName(svc), headers: req.headers, outcome: 'route', destinations: [dest] };
  }
  if (ctx.opts.tcp) return tcpHop(ctx, { from, host, svc, vs: vs[0] }, { ...req, port }, callerNs, path);
  return routeHop(ctx, from, host, svc, ctx.lookups.rulesOf(vs[0]), { ...req, port, gateway: 'mesh' }, path);
}

/**
 * A TCP connection: the first `tcp` rule whose match names its port (or that has no match); with
 * no rule, the Service's own cluster, i.e. every pod (Istio builds the listener's default route so).
 */
function tcpHop(ctx: Ctx, at: { from: string; host: string; svc?: Manifest; vs: Manifest }, req: RequestInfo, callerNs: string, path: string[]): Hop {
  const base = { from: at.from, host: at.host, port: req.port, service: at.svc ? serviceName(at.svc) : undefined, headers: {}, virtualService: `${namespaceOf(at.vs)}/${at.vs.metadata.name}` };
  const hit = tcpRule(ctx.index.views.virtualService(at.vs).tcp ?? [], req);
  if (!hit) return { ...base, outcome: 'route', destinations: [destination(ctx, { host: at.host }, { share: 1, asRequested: true }, undefined, callerNs, {}, path, callerNs)] };
  const shares = routeShares(hit.rule.route ?? []);
  const destinations = (hit.rule.route ?? []).map((r, i) => destination(ctx, r.destination ?? {}, { share: shares.shares[i], weight: r.weight }, undefined, namespaceOf(at.vs), {}, path, callerNs));
  return { ...base, rule: { index: hit.index, match: hit.match, headerNames: [], mirrors: [] }, outcome: 'route', destinations };
}

function routeHop(ctx: Ctx, from: string, host: string, svc: Manifest | undefined, rules: readonly IndexedRule[], req: RequestInfo, path: string[]): Hop {
  const base = { from, host, port: req.port, service: svc ? serviceName(svc) : undefined, headers: req.headers };
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
  const at = { ...base, virtualService: `${namespaceOf(vs)}/${vs.metadata.name}`, rule: explainRule(rule, index) };
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
  const shares = routeShares(routes);
  if (shares.equal) ctx.warnings.push(`${at.virtualService} rule ${index}: total weight is 0; shares shown as equal`);
  const upstream = applyHeaderOperations(req.headers, rule.headers?.request);
  const destinations = routes.map((r, i) => {
    const headers = applyHeaderOperations(upstream, r.headers?.request);
    const sets = setHeaders(rule.headers?.request, r.headers?.request);
    return destination(ctx, r.destination ?? {}, { share: shares.shares[i], weight: r.weight, sets }, rule.headerToDynamicSubsetKey, namespaceOf(vs), headers, path, req.sourceNamespace);
  });
  return { ...at, outcome: 'route', destinations };
}

interface Branch {
  readonly share: number;
  readonly weight?: number;
  readonly sets?: Record<string, string>;
  /** The host is the one requested (resolved as the client's DNS does), not a `destination.host`. */
  readonly asRequested?: boolean;
}

function destination(
  ctx: Ctx, dest: Destination, branch: Branch, dynamicKeys: readonly DynamicSubsetKey[] | undefined, ruleNs: string,
  headers: Record<string, string>, path: string[], proxyNs: string | undefined,
): ExplainedDestination {
  const host = dest.host ?? '';
  const svc = branch.asRequested ? findService(ctx.index, host, ruleNs) : findServiceByFqdn(ctx.index, resolveConfigHost(host, ruleNs));
  const base = {
    host,
    subset: dest.subset,
    port: dest.port?.number,
    share: branch.share,
    ...(branch.weight !== undefined ? { weight: branch.weight } : {}),
    ...(branch.sets ? { sets: branch.sets } : {}),
  };
  if (!svc) {
    return { ...base, selection: 'no Service for this host in the manifests', workloads: [], status: 503, message: `no Service ${host}` };
  }
  const sel = selectPods(ctx.index, svc, dest.subset, dynamicKeys, headers, ctx.opts, proxyNs);
  const policy = sel.destinationRule ? destinationPolicy(sel.destinationRule, dest.subset) : undefined;
  const at = { ...base, service: serviceName(svc), ...(policy ? { trafficPolicy: policy } : {}), selection: sel.selection };
  if (sel.noHealthyUpstream) return { ...at, workloads: [], status: 503, message: `no healthy upstream: ${sel.noHealthyUpstream}` };
  return { ...at, workloads: sel.workloads.map((d) => workloadStep(ctx, d, branch.share > 0 ? headers : undefined, path, sel.podIp)) };
}

function workloadStep(ctx: Ctx, d: Manifest, headers: Record<string, string> | undefined, path: string[], podIp?: string): WorkloadStep {
  const ns = namespaceOf(d);
  const canary = d.metadata.annotations?.[WellKnown.SIMULATED_CANARY_ANNOTATION] !== undefined;
  const step = { name: d.metadata.name, namespace: ns, canary, ...(podIp !== undefined ? { podIp } : {}) };
  if (!headers) return { ...step, calls: [] };
  const keep = annotationList(d, WellKnown.PROPAGATE_HEADERS_ANNOTATION).map((h) => h.toLowerCase());
  const forwarded = keep.length === 0 ? headers : Object.fromEntries(Object.entries(headers).filter(([k]) => keep.includes(k)));
  const calls = callsOf(d).map((host): Hop => {
    const key = `${ns}/${d.metadata.name}->${qualifyHost(host, ns)}`;
    if (path.includes(key)) return { from: d.metadata.name, host, headers: forwarded, outcome: 'cycle', message: 'call cycle; not followed again', destinations: [] };
    if (path.length >= ctx.maxDepth) return { from: d.metadata.name, host, headers: forwarded, outcome: 'not-followed', message: `stopped after ${ctx.maxDepth} hops`, destinations: [] };
    const req: RequestInfo = { headers: forwarded, method: 'GET', sourceLabels: ctx.index.views.podLabels(d), sourceNamespace: ns };
    return meshHop(ctx, d.metadata.name, host, req, ns, [...path, key]);
  });
  return { ...step, calls };
}
