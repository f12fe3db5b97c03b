/**
 * Proxy configuration size: the clusters and routes one sidecar receives, estimated from the
 * manifests by Istio 1.23's rules (notes: istio-envoy.md §5e), for the bench mesh of N services
 * without and with ProxyScoping (a Sidecar per service scoped to its declared calls).
 *
 *   ts-node --transpile-only bench/proxy-config.ts [--sizes 200,1000,2000] [--no-write]
 *
 * run.ts calls {@link proxyConfigSection}; run alone, this file prints the section and replaces it
 * in BENCHMARKS.md. The estimate reads manifests only (it imports nothing from src/ but the mesh
 * builder and ProxyScoping that produce them):
 *
 * - visible services: every Service, plus the control plane of a default install (istiod,
 *   istio-ingressgateway in istio-system), or, under a Sidecar, those its egress hosts cover;
 * - clusters: per visible Service and non-UDP port, one `outbound|port||host` plus one per
 *   subset of the host's DestinationRule (`cluster.go` `buildOutboundClusters`,
 *   `cluster_builder.go` `applyDestinationRule`), plus BlackHole, Passthrough and
 *   InboundPassthrough, one inbound cluster per distinct target port of the Services selecting the
 *   pod, and 4 bootstrap clusters;
 * - routes: one route configuration per distinct HTTP port (`"<port>"`; a port of unknown
 *   protocol gets its own `"<host>:<port>"`), one virtual host per Service on that port plus the
 *   catch-all, and in each virtual host the rules of the mesh VirtualService of the host (else one
 *   default route) (`httproute.go` `BuildSidecarOutboundVirtualHosts`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMesh, NAMESPACE, serviceName } from './mesh';
import { ProxyScoping } from '../src';

/** A Service port as the estimate reads it. */
interface Port { readonly number: number; readonly name: string; readonly protocol?: string; readonly targetPort?: number }
interface ServiceInfo { readonly fqdn: string; readonly namespace: string; readonly ports: readonly Port[]; readonly selector: Record<string, string> }

/** The control plane of a default install (istio/istio manifests/charts: istiod and istio-ingressgateway Services). */
const CONTROL_PLANE: ServiceInfo[] = [
  { fqdn: 'istiod.istio-system.svc.cluster.local', namespace: 'istio-system', selector: {}, ports: [
    { number: 15010, name: 'grpc-xds' }, { number: 15012, name: 'https-dns' }, { number: 443, name: 'https-webhook' }, { number: 15014, name: 'http-monitoring' },
  ] },
  { fqdn: 'istio-ingressgateway.istio-system.svc.cluster.local', namespace: 'istio-system', selector: {}, ports: [
    { number: 15021, name: 'status-port' }, { number: 80, name: 'http2' }, { number: 443, name: 'https' },
  ] },
];
const STATIC_CLUSTERS = 3 + 4; // BlackHole, Passthrough, InboundPassthrough; prometheus_stats, agent, sds-grpc, xds-grpc

/** Istio's protocol from the port name (`pkg/config/kube/conversion.go`): http-ish, tls/tcp, or unknown (sniffed). */
function protocolOf(p: Port): 'http' | 'other' | 'unknown' {
  const prefix = p.name.split('-')[0].toLowerCase();
  if (['http', 'http2', 'grpc', 'grpc-web', 'http_proxy'].includes(prefix) || p.name.toLowerCase().startsWith('grpc-web')) return 'http';
  if (['tcp', 'tls', 'https', 'mongo', 'redis', 'mysql', 'udp'].includes(prefix)) return 'other';
  return 'unknown';
}

const labelsMatch = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);

interface Estimate { readonly clusters: number; readonly routeConfigs: number; readonly virtualHosts: number; readonly routes: number }

/** The mesh's facts the estimate needs, indexed once. */
interface MeshIndex {
  readonly services: ServiceInfo[];
  readonly subsets: Map<string, number>;
  readonly rules: Map<string, number>;
  readonly sidecars: any[];
  readonly pods: Array<{ readonly namespace: string; readonly labels: Record<string, string>; readonly app: string }>;
}

function indexMesh(objects: any[]): MeshIndex {
  const ns = (o: any) => o.metadata?.namespace ?? 'default';
  const fq = (host: string, namespace: string) => (host.includes('.') ? host : `${host}.${namespace}.svc.cluster.local`);
  const services: ServiceInfo[] = objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1').map((o) => ({
    fqdn: `${o.metadata.name}.${ns(o)}.svc.cluster.local`, namespace: ns(o), selector: o.spec?.selector ?? {},
    ports: (o.spec?.ports ?? []).map((p: any) => ({ number: p.port, name: p.name ?? '', protocol: p.protocol, targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port })),
  }));
  const subsets = new Map<string, number>();
  for (const dr of objects.filter((o) => o.kind === 'DestinationRule')) subsets.set(fq(dr.spec.host, ns(dr)), (dr.spec.subsets ?? []).length);
  const rules = new Map<string, number>();
  for (const vs of objects.filter((o) => o.kind === 'VirtualService' && (!o.spec.gateways || o.spec.gateways.includes('mesh')))) {
    for (const h of vs.spec.hosts ?? []) rules.set(fq(h, ns(vs)), (vs.spec.http ?? []).length);
  }
  const pods = objects.filter((o) => o.kind === 'Deployment').map((d) => ({ namespace: ns(d), labels: d.spec.template.metadata.labels ?? {}, app: d.spec.template.metadata.labels?.app }));
  return { services, subsets, rules, sidecars: objects.filter((o) => o.kind === 'Sidecar'), pods };
}

/** Whether a Sidecar egress host `namespace/dnsName` (Sidecar in `sidecarNs`) covers a service. */
function covers(host: string, sidecarNs: string, s: ServiceInfo): boolean {
  const [hostNs, dns] = host.split('/');
  const nsOk = hostNs === '*' || hostNs === s.namespace || (hostNs === '.' && sidecarNs === s.namespace);
  return nsOk && (dns === '*' || dns === s.fqdn || (dns.startsWith('*.') && s.fqdn.endsWith(dns.slice(1))));
}

/** The estimate for one pod, with or without its Sidecar. */
function estimate(mesh: MeshIndex, pod: MeshIndex['pods'][number], scoped: boolean): Estimate {
  const all = [...mesh.services, ...CONTROL_PLANE];
  const sidecar = scoped ? mesh.sidecars.find((s) => (s.metadata.namespace ?? 'default') === pod.namespace && labelsMatch(s.spec.workloadSelector?.labels ?? {}, pod.labels)) : undefined;
  const hosts: string[] = sidecar ? sidecar.spec.egress.flatMap((e: any) => e.hosts) : [];
  const visible = sidecar ? all.filter((s) => hosts.some((h) => covers(h, sidecar.metadata.namespace ?? 'default', s))) : all;
  let clusters = STATIC_CLUSTERS;
  const inbound = new Set(mesh.services.filter((s) => s.namespace === pod.namespace && Object.keys(s.selector).length > 0 && labelsMatch(s.selector, pod.labels)).flatMap((s) => s.ports.map((p) => p.targetPort)));
  clusters += inbound.size;
  const httpPorts = new Map<number, ServiceInfo[]>();
  let sniffed = 0;
  let sniffedRoutes = 0;
  for (const s of visible) {
    for (const p of s.ports.filter((x) => x.protocol !== 'UDP')) {
      clusters += 1 + (mesh.subsets.get(s.fqdn) ?? 0);
      const proto = protocolOf(p);
      if (proto === 'http') httpPorts.set(p.number, [...(httpPorts.get(p.number) ?? []), s]);
      if (proto === 'unknown') {
        sniffed++;
        sniffedRoutes += (mesh.rules.get(s.fqdn) ?? 1) + 1;
      }
    }
  }
  let virtualHosts = sniffed * 2;
  let routes = sniffedRoutes;
  for (const list of httpPorts.values()) {
    virtualHosts += list.length + 1;
    routes += list.reduce((sum, s) => sum + (mesh.rules.get(s.fqdn) ?? 1), 0) + 1;
  }
  return { clusters, routeConfigs: httpPorts.size + sniffed, virtualHosts, routes };
}

/** One row: the mean estimate over the mesh's GrayService proxies, without and with scoping. */
export interface ProxyConfigRow {
  readonly n: number;
  readonly proxies: number;
  readonly without: Estimate;
  readonly with: Estimate;
}

function mean(list: Estimate[]): Estimate {
  const avg = (f: (e: Estimate) => number) => list.reduce((s, e) => s + f(e), 0) / list.length;
  return { clusters: avg((e) => e.clusters), routeConfigs: avg((e) => e.routeConfigs), virtualHosts: avg((e) => e.virtualHosts), routes: avg((e) => e.routes) };
}

/** Builds the bench mesh of `n` services with ProxyScoping and estimates its service proxies. */
export function measureProxyConfig(n: number): ProxyConfigRow {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gray-release-proxy-'));
  try {
    const mesh = buildMesh(n, outdir);
    new ProxyScoping(mesh.chart, 'scoping');
    const index = indexMesh(mesh.chart.toJson());
    const apps = new Set(Array.from({ length: n }, (_, i) => serviceName(i)));
    const pods = index.pods.filter((p) => p.namespace === NAMESPACE && apps.has(p.app));
    const seen = new Set<string>();
    const proxies = pods.filter((p) => !seen.has(p.app) && seen.add(p.app)); // one proxy per service
    return { n, proxies: proxies.length, without: mean(proxies.map((p) => estimate(index, p, false))), with: mean(proxies.map((p) => estimate(index, p, true))) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const f1 = (x: number) => x.toFixed(1);
const times = (a: number, b: number) => `${(a / b).toFixed(0)}×`;

/** The BENCHMARKS.md section for `sizes` (those of 200 services and more). */
export function proxyConfigSection(sizes: readonly number[]): string[] {
  const rows = sizes.filter((n) => n >= 200).map(measureProxyConfig);
  const lines = [
    '## Proxy configuration per sidecar',
    '',
    'What one service\'s sidecar receives, estimated from the manifests by Istio 1.23\'s rules (bench/proxy-config.ts; mean over the',
    'N service proxies): without scoping every proxy gets every Service of the mesh (plus the default control plane); with',
    '`ProxyScoping` (a Sidecar per service, egress = its declared calls + `istio-system/*`) only what it calls.',
    '',
    '| N services | clusters without / with scoping | fewer | route configs without / with | virtual hosts without / with | routes without / with | fewer |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.n} | ${f1(r.without.clusters)} / ${f1(r.with.clusters)} | ${times(r.without.clusters, r.with.clusters)} | ${f1(r.without.routeConfigs)} / ${f1(r.with.routeConfigs)} | ${f1(r.without.virtualHosts)} / ${f1(r.with.virtualHosts)} | ${f1(r.without.routes)} / ${f1(r.with.routes)} | ${times(r.without.routes, r.with.routes)} |`),
    '',
  ];
  const big = rows.find((r) => r.n === 2000);
  if (big) {
    const c = big.without.clusters / big.with.clusters;
    const r = big.without.routes / big.with.routes;
    lines.push(`- at 2,000 services, at least 100× fewer clusters and routes per proxy with scoping: clusters ${c.toFixed(0)}×, routes ${r.toFixed(0)}× ${c >= 100 && r >= 100 ? 'PASS' : 'MISS'}`, '');
  }
  return lines;
}

/** Replaces (or appends before the fixes) the section in BENCHMARKS.md. */
function writeSection(lines: string[]): void {
  const file = path.join(__dirname, '..', 'BENCHMARKS.md');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf('## Proxy configuration per sidecar');
  const next = (from: number) => {
    const m = /\n## |\n_Run took/.exec(text.slice(from + 1));
    return m ? from + 1 + m.index + 1 : text.length;
  };
  const at = start >= 0 ? start : text.indexOf('## Fixes') >= 0 ? text.indexOf('## Fixes') : text.length;
  const end = start >= 0 ? next(start) : at;
  fs.writeFileSync(file, `${text.slice(0, at)}${lines.join('\n')}\n${text.slice(end)}`);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--sizes');
  const sizes = i >= 0 ? argv[i + 1].split(',').map(Number) : [200, 1000, 2000];
  const lines = proxyConfigSection(sizes);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!argv.includes('--no-write')) writeSection(lines);
}
