/**
 * Test support: where one HTTP (or TCP) request goes at one hop, computed from synthesized
 * manifests only, with Istio 1.23's documented semantics. Written independently of src/ (no
 * import from it): it is the oracle the Bookinfo tables are checked against.
 *
 * - Mesh entry (`to: <service>`): the Service's port gives the protocol (appProtocol, else the
 *   name's prefix); HTTP-family ports take the mesh VirtualService's `http` rules whose match has
 *   no port or this port, TCP ports its `tcp` rules; first rule that matches wins; no
 *   VirtualService → every pod of the Service.
 * - Gateway entry (`to: 'gateway'`): the Gateway server on the port whose hosts cover the Host;
 *   an HTTPS redirect answers 301; the gateway-bound VirtualServices' rules; no rule → 404.
 * - Matches: headers / withoutHeaders (exact, prefix, anchored regex, `{}` = present), uri,
 *   method, queryParams, port, sourceLabels; all fields of a block must hold, any block may.
 * - Destinations: weights are shares of their sum (zero weights skipped); a subset selects the
 *   DestinationRule subset's labels among the Service's pods; each Deployment's share follows
 *   its replicas; an unknown subset is 503. Fault abort at 100% answers its status.
 * - Traffic policy: the DestinationRule's, with the subset's top-level fields replacing it
 *   (Istio merges subset policies per field), flattened to `a.b.c` paths.
 */

export interface EvalRequest {
  readonly to: string;
  readonly port?: number;
  readonly host?: string;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly sourceLabels?: Readonly<Record<string, string>>;
}

export interface EvalResult {
  readonly status?: number;
  readonly reaches?: Record<string, number>;
  readonly delay?: string;
  readonly timeout?: string;
  readonly mirror?: Record<string, number>;
  readonly trafficPolicy?: Record<string, unknown>;
}

type Obj = any;

const HTTP_PROTOCOLS = ['http', 'http2', 'grpc', 'kubernetes.io/h2c', 'grpc-web'];

function protocolOf(port: Obj): 'http' | 'tcp' | 'tls' {
  const declared = String(port.appProtocol ?? String(port.name ?? '').split('-')[0]).toLowerCase();
  if (HTTP_PROTOCOLS.includes(declared)) return 'http';
  if (declared === 'tls' || declared === 'https') return 'tls';
  return 'tcp';
}

function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

function stringMatches(m: Obj, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m?.exact !== undefined) return value === m.exact;
  if (m?.prefix !== undefined) return value.startsWith(m.prefix);
  if (m?.regex !== undefined) return fullMatch(m.regex, value);
  return true; // {}: the header is present
}

interface Req {
  readonly port: number;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly sourceLabels: Readonly<Record<string, string>>;
}

function blockHolds(b: Obj, r: Req): boolean {
  for (const key of Object.keys(b)) {
    if (!['headers', 'withoutHeaders', 'uri', 'method', 'queryParams', 'port', 'sourceLabels', 'name'].includes(key)) {
      throw new Error(`match field ${key} is not modelled by the test evaluator`);
    }
  }
  const headersOk = Object.entries<Obj>(b.headers ?? {}).every(([h, m]) => {
    if (h.startsWith('@')) throw new Error('JWT claim matches are not modelled by the test evaluator');
    return stringMatches(m, r.headers[h]);
  });
  // Envoy inverts the matcher; Istio 1.23 adds treat_missing_header_as_empty to an inverted string
  // match (not to presence: {} or regex "*"), so an absent header is tested as "" (route.go TranslateRouteMatch).
  const withoutOk = Object.entries<Obj>(b.withoutHeaders ?? {}).every(([h, m]) => {
    const presence = m?.exact === undefined && m?.prefix === undefined && (m?.regex === undefined || m.regex === '*');
    if (r.headers[h] === undefined) return presence || !stringMatches(m, '');
    return presence ? false : !stringMatches(m, r.headers[h]);
  });
  const uriOk = b.uri === undefined || stringMatches(b.uri, r.path);
  const methodOk = b.method === undefined || stringMatches(b.method, r.method);
  const queryOk = Object.entries<Obj>(b.queryParams ?? {}).every(([q, m]) => stringMatches(m, r.query[q]));
  const portOk = b.port === undefined || b.port === r.port;
  const sourceOk = Object.entries<Obj>(b.sourceLabels ?? {}).every(([k, v]) => r.sourceLabels[k] === v);
  return headersOk && withoutOk && uriOk && methodOk && queryOk && portOk && sourceOk;
}

function firstRule(rules: Obj[], r: Req): Obj | undefined {
  return rules.find((rule) => !Array.isArray(rule.match) || rule.match.length === 0 || rule.match.some((b: Obj) => blockHolds(b, r)));
}

function labelsCover(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Deployments of the Service `name` (selected by its selector) with their pod labels and replicas. */
function deploymentsOf(all: Obj[], service: Obj): Array<{ name: string; labels: Record<string, string>; replicas: number }> {
  return all.filter((o) => o.kind === 'Deployment')
    .map((d) => ({ name: d.metadata.name, labels: d.spec?.template?.metadata?.labels ?? {}, replicas: d.spec?.replicas ?? 1 }))
    .filter((d) => labelsCover(service.spec?.selector ?? {}, d.labels));
}

function sharesOf(deployments: Array<{ name: string; replicas: number }>, percent: number, into: Record<string, number>): void {
  const total = deployments.reduce((s, d) => s + d.replicas, 0);
  for (const d of deployments) into[d.name] = (into[d.name] ?? 0) + (percent * d.replicas) / total;
}

function flatten(o: Obj, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o ?? {})) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

interface Target { readonly service: Obj; readonly dr?: Obj }

function targetOf(all: Obj[], host: string): Target | undefined {
  const name = host.split('.')[0];
  const service = all.find((o) => o.kind === 'Service' && o.metadata.name === name);
  if (!service) return undefined;
  return { service, dr: all.find((o) => o.kind === 'DestinationRule' && String(o.spec?.host).split('.')[0] === name) };
}

/** Where the rule's destinations lead, with the rule's fault, timeout, mirror and policy. */
function follow(all: Obj[], rule: Obj): EvalResult {
  const abort = rule.fault?.abort;
  if (abort && (abort.percentage?.value ?? 100) >= 100) return { status: abort.httpStatus };
  const routes: Obj[] = (rule.route ?? []).filter((d: Obj) => (rule.route.length === 1 ? true : (d.weight ?? 0) > 0));
  const total = routes.length === 1 ? 1 : routes.reduce((s, d) => s + (d.weight ?? 0), 0);
  const reaches: Record<string, number> = {};
  let policy: Record<string, unknown> | undefined;
  for (const d of routes) {
    const share = routes.length === 1 ? 100 : (100 * (d.weight ?? 0)) / total;
    const t = targetOf(all, d.destination.host);
    if (!t) return { status: 503 };
    const subset = subsetOf(t, d.destination.subset);
    if (subset === null) return { status: 503 };
    sharesOf(deploymentsOf(all, t.service).filter((x) => labelsCover(subset?.labels ?? {}, x.labels)), share, reaches);
    if (routes.length === 1) policy = flatten({ ...(t.dr?.spec?.trafficPolicy ?? {}), ...(subset?.trafficPolicy ?? {}) });
  }
  let mirror: Record<string, number> | undefined;
  if (rule.mirror) {
    const t = targetOf(all, rule.mirror.host)!;
    mirror = {};
    sharesOf(deploymentsOf(all, t.service).filter((x) => labelsCover(subsetOf(t, rule.mirror.subset)?.labels ?? {}, x.labels)), rule.mirrorPercentage?.value ?? 100, mirror);
  }
  return { reaches, delay: rule.fault?.delay?.fixedDelay, timeout: rule.timeout, mirror, trafficPolicy: policy };
}

/** The subset (undefined: no subset named; null: named but not defined). */
function subsetOf(t: Target, name: string | undefined): Obj | undefined | null {
  if (name === undefined) return undefined;
  return (t.dr?.spec?.subsets ?? []).find((s: Obj) => s.name === name) ?? null;
}

function parse(req: EvalRequest, port: number): Req {
  const [path, q] = (req.path ?? '/').split('?');
  // Envoy parseQueryString: no percent-decoding, the value after the first "=", the first of a repeated name
  const query: Record<string, string> = Object.create(null);
  for (const kv of (q ?? '').split('&').filter((x) => x)) {
    const eq = kv.indexOf('=');
    const k = eq < 0 ? kv : kv.slice(0, eq);
    if (!(k in query)) query[k] = eq < 0 ? '' : kv.slice(eq + 1);
  }
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { port, path, query, method: req.method ?? 'GET', headers, sourceLabels: req.sourceLabels ?? {} };
}

function hostCovers(pattern: string, host: string): boolean {
  const p = pattern.includes('/') ? pattern.split('/')[1] : pattern;
  if (p === '*') return true;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return p === host;
}

/** Evaluates one request at one hop (see the file comment). */
export function evaluateRequest(all: Obj[], req: EvalRequest): EvalResult {
  if (req.to === 'gateway') return atGateway(all, req);
  const service = all.find((o) => o.kind === 'Service' && o.metadata.name === req.to);
  if (!service) throw new Error(`no Service ${req.to}`);
  const portSpec = req.port === undefined ? service.spec.ports[0] : service.spec.ports.find((p: Obj) => p.port === req.port);
  if (!portSpec) throw new Error(`Service ${req.to} has no port ${req.port}`);
  const r = parse(req, portSpec.port);
  const vs = all.find((o) => o.kind === 'VirtualService' && (o.spec?.hosts ?? []).some((h: string) => h.split('.')[0] === req.to)
    && (!o.spec.gateways || o.spec.gateways.includes('mesh')));
  if (!vs) {
    const reaches: Record<string, number> = {};
    sharesOf(deploymentsOf(all, service), 100, reaches);
    return { reaches };
  }
  const protocol = protocolOf(portSpec);
  if (protocol === 'http') {
    const rule = firstRule(vs.spec.http ?? [], r);
    return rule ? follow(all, rule) : { status: 404 };
  }
  const l4 = (vs.spec[protocol] ?? []).find((rule: Obj) => !rule.match || rule.match.some((m: Obj) => m.port === undefined || m.port === r.port));
  return l4 ? follow(all, l4) : { reaches: Object.fromEntries(deploymentsOf(all, service).map((d) => [d.name, 100])) };
}

function atGateway(all: Obj[], req: EvalRequest): EvalResult {
  const host = req.host ?? '';
  const port = req.port ?? 8443;
  const gateways = all.filter((o) => o.kind === 'Gateway');
  const gw = gateways.find((g) => (g.spec.servers ?? []).some((s: Obj) => s.port.number === port && s.hosts.some((h: string) => hostCovers(h, host))));
  if (!gw) throw new Error(`no Gateway server on port ${port} for ${host}`);
  const server = gw.spec.servers.find((s: Obj) => s.port.number === port);
  if (server.tls?.httpsRedirect) return { status: 301 };
  const bound = all.filter((o) => o.kind === 'VirtualService' && (o.spec.gateways ?? []).some((g: string) => g.split('/').pop() === gw.metadata.name)
    && (o.spec.hosts ?? []).some((h: string) => hostCovers(h, host)));
  const rule = firstRule(bound.flatMap((vs) => vs.spec.http ?? []), parse(req, port));
  return rule ? follow(all, rule) : { status: 404 };
}
