/**
 * The routing diff: for every entry point (each Service, and each gateway host and port) and every
 * request class any rule of either version tells apart (diff-classes.ts), where the request goes
 * before and after, with and without the Kruise releases of the manifests running; only what
 * changed is kept.
 *
 * What is compared at one entry is one hop: at a gateway, what the coloring does and where the
 * gateway routes; at a Service, where its sidecar route sends a request. The calls the reached pods
 * make are entries of their own, so a change deeper in a chain shows at the service that changed.
 * The outcome compared: the branches (service, subset, share, headers set, workloads reached),
 * or the status that ends the request, and the rule's fault and mirrors.
 */
import { GatewayFilter, describeEdits, gatewayFilters, runColoring } from './coloring';
import { probeColoring } from './coloring-probe';
import { PLAIN, RequestClass, describeClass, requestClasses } from './diff-classes';
import { Hop, explainCall, explainIndexed } from './explain';
import { exampleHost, gatewayRef } from './explain-gateway';
import { LuaScripts } from './lua-vm';
import { routingLookups } from './routing-index';
import { HttpRule } from '../model/istio-views';
import { releaseUnits, simulateKruiseRelease } from '../model/kruise/istio-contract';
import { Manifest, ManifestIndex, indexManifests, namespaceOf, serviceName } from '../model/manifest';
import { hostCovers, qualifyHost } from '../model/matching';
import { WellKnown } from '../model/well-known';

/** The version of the JSON shape of {@link RoutingDiff}. */
export const DIFF_SCHEMA_VERSION = 1;

/** Whether Kruise's releases are running. */
export type ReleaseState = 'stable' | 'release';

/** One request class whose outcome changed at one entry point. */
export interface DiffRow {
  /** The entry point: `service NAME.NAMESPACE`, or `gateway NS/NAME host H port P`. */
  readonly entry: string;
  /** The service the row is grouped under (`NAME.NAMESPACE`; for a gateway entry, the gateway). */
  readonly group: string;
  readonly state: ReleaseState;
  /** The request class in words (`my-request-id: canary`, `GET /productpage`, `(plain request)`). */
  readonly request: string;
  readonly before: string;
  readonly after: string;
}

/** The diff of two versions. */
export interface RoutingDiff {
  readonly schemaVersion: number;
  /** The rows whose outcome changed, grouped by `group`, then entry, state, request. */
  readonly changed: DiffRow[];
  /** How much was compared. */
  readonly compared: { readonly entries: number; readonly classes: number; readonly states: ReleaseState[] };
  /** What could not be compared (a regex without a literal witness, a cap on classes). */
  readonly notes: string[];
}

/** One version of the manifests, indexed in each release state. */
interface Version {
  readonly states: ReadonlyMap<ReleaseState, ManifestIndex>;
}

function version(manifests: readonly unknown[], states: readonly ReleaseState[]): Version {
  const map = new Map<ReleaseState, ManifestIndex>([['stable', indexManifests(manifests)]]);
  if (states.includes('release')) map.set('release', indexManifests(simulateKruiseRelease(manifests, 'all').manifests));
  return { states: map };
}

/** An entry point, the rules it can see in any version, and how to explain one class there. */
interface Entry {
  readonly id: string;
  readonly group: string;
  readonly rules: (index: ManifestIndex) => HttpRule[];
  readonly outcome: (index: ManifestIndex, c: RequestClass, vm: LuaScripts) => string;
  readonly extraHeaders: (index: ManifestIndex, vm: LuaScripts) => Array<readonly [string, string]>;
}

const isSimulated = (m: Manifest) => m.metadata.annotations?.[WellKnown.SIMULATED_CANARY_ANNOTATION] !== undefined;

function pathOf(c: RequestClass): string {
  const q = Object.entries(c.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return q ? `${c.path}?${q}` : c.path;
}

function serviceEntry(name: string, namespace: string): Entry {
  const id = `service ${name}.${namespace}`;
  return {
    id,
    group: `${name}.${namespace}`,
    rules: (index) => routingLookups(index).meshVirtualServices(qualifyHost(name, namespace)).slice(0, 1).flatMap((vs) => index.views.virtualService(vs).http ?? []),
    outcome: (index, c, vm) => signature(explainCall(index, {
      namespace, host: name, headers: { ...c.headers }, path: pathOf(c), method: c.method, port: c.port, sourceLabels: c.source,
    }, vm)),
    extraHeaders: () => [],
  };
}

function gatewayEntry(ref: string, host: string, port: number | undefined): Entry {
  const find = (index: ManifestIndex) => index.gateways.find((g) => gatewayRef(g) === ref);
  const bound = (index: ManifestIndex) => routingLookups(index).gatewayVirtualServices(ref)
    .filter((vs) => (index.views.virtualService(vs).hosts ?? []).some((h) => h === host || (host !== '*' && hostCovers(h, host))));
  return {
    id: `gateway ${ref} host ${host}${port !== undefined ? ` port ${port}` : ''}`,
    group: `gateway ${ref}`,
    rules: (index) => bound(index).flatMap((vs) => index.views.virtualService(vs).http ?? []),
    outcome: (index, c, vm) => {
      const result = explainIndexed(index, { gateway: ref, host: host === '*' ? undefined : host, path: pathOf(c) },
        { headers: { ...c.headers }, method: c.method, port: c.port ?? port, maxDepth: 0 }, vm);
      return signature(result.hops[0]);
    },
    extraHeaders: (index, vm) => {
      const gw = find(index);
      return gw ? coloringValues(vm, gatewayFilters(index, gw, port), host === '*' ? exampleHost(['*']) : host) : [];
    },
  };
}

/** Header values (of the headers the coloring reads) that change what the coloring does. */
function coloringValues(vm: LuaScripts, filters: readonly GatewayFilter[], authority: string): Array<readonly [string, string]> {
  if (filters.length === 0) return [];
  const probe = probeColoring(vm, filters, authority);
  const run = (headers: Record<string, string>) => JSON.stringify(runColoring(vm, filters, {
    headers: { ':authority': authority, ':path': '/', ':method': 'GET', ':scheme': 'http', ...headers }, clientAddress: '192.0.2.10:40000', localAddress: '0.0.0.0:8080',
  }).headers);
  const plain = run({});
  const out: Array<readonly [string, string]> = [];
  let runs = 0;
  for (const h of [...probe.reads].filter((r) => !r.startsWith(':')).sort()) {
    for (const v of probe.literals) {
      if (++runs > 64) return out;
      if (run({ [h]: v }) !== plain) out.push([h, v]);
    }
  }
  return out;
}

/** The outcome of one hop, as compared: coloring, branches or status, fault and mirrors. */
export function signature(hop: Hop): string {
  const parts: string[] = [];
  const colored = (hop.coloring ?? []).filter((c) => c.edits.length > 0 || c.outcome !== 'ran').map((c) => (c.outcome === 'ran' ? describeEdits(c) : `${c.outcome}`));
  if (colored.length > 0) parts.push(`colored ${colored.join('; ')}`);
  if (hop.destinations.length === 0) {
    parts.push(`${hop.status ?? ''} ${hop.outcome}`.trim());
  } else {
    parts.push(hop.destinations.map((d) => {
      const target = `${d.service ?? d.host}${d.subset ? `/${d.subset}` : ''}`;
      const share = hop.destinations.length > 1 ? ` ${Math.round(d.share * 1000) / 10}%` : '';
      const sets = d.sets ? ` sets ${Object.entries(d.sets).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
      const reach = d.status ? `${d.status}` : d.workloads.map((w) => w.name).join('+') || '-';
      return `${target}${share}${sets} → ${reach}`;
    }).join(' | '));
  }
  const r = hop.rule;
  if (r?.fault?.abort) parts.push(`abort ${r.fault.abort.httpStatus ?? r.fault.abort.grpcStatus ?? '?'} ${r.fault.abort.percent}%`);
  if (r?.fault?.delay) parts.push(`delay ${r.fault.delay.fixedDelay ?? '?'} ${r.fault.delay.percent}%`);
  for (const m of r?.mirrors ?? []) parts.push(`mirror ${m.host}${m.subset ? `/${m.subset}` : ''} ${m.percent}%`);
  return parts.join('; ');
}

/** The entry points of every version: each Service, each gateway host and port. */
function entries(versions: readonly Version[]): Entry[] {
  const services = new Map<string, Entry>();
  const gateways = new Map<string, Entry>();
  for (const v of versions) {
    const index = v.states.get('stable')!;
    for (const s of index.services) {
      if (!isSimulated(s) && !services.has(serviceName(s))) services.set(serviceName(s), serviceEntry(s.metadata.name, namespaceOf(s)));
    }
    for (const gw of index.gateways) {
      const ref = gatewayRef(gw);
      const servers = index.views.gateway(gw).servers ?? [];
      const hosts = new Set(routingLookups(index).gatewayVirtualServices(ref).flatMap((vs) => index.views.virtualService(vs).hosts ?? []));
      for (const host of [...hosts].sort()) {
        const ports = servers.filter((s) => (s.hosts ?? []).some((h) => host === '*' || hostCovers(h, host))).map((s) => s.port?.number);
        for (const port of [...new Set(ports)]) {
          const e = gatewayEntry(ref, host, port);
          if (!gateways.has(e.id)) gateways.set(e.id, e);
        }
      }
    }
  }
  return [...gateways.values(), ...services.values()];
}

/** Compares the routing of two versions of the manifests. */
export function diffRouting(before: readonly unknown[], after: readonly unknown[]): RoutingDiff {
  const released = releaseUnits(before).length > 0 || releaseUnits(after).length > 0;
  const states: ReleaseState[] = released ? ['stable', 'release'] : ['stable'];
  const versions = [version(before, states), version(after, states)];
  const vm = new LuaScripts();
  const changed: DiffRow[] = [];
  const notes = new Set<string>();
  let classes = 0;
  const all = entries(versions);
  for (const e of all) {
    const indexes = versions.flatMap((v) => [...v.states.values()]);
    const rules = indexes.flatMap((i) => e.rules(i));
    const extra = versions.flatMap((v) => e.extraHeaders(v.states.get('stable')!, vm));
    const found = requestClasses(rules, extra, PLAIN);
    found.notes.forEach((n) => notes.add(`${e.id}: ${n}`));
    classes += found.classes.length;
    for (const state of states) {
      const [a, b] = versions.map((v) => v.states.get(state)!);
      for (const c of found.classes) {
        const was = e.outcome(a, c, vm);
        const is = e.outcome(b, c, vm);
        if (was !== is) changed.push({ entry: e.id, group: e.group, state, request: describeClass(c), before: was, after: is });
      }
    }
  }
  const order: Record<ReleaseState, number> = { stable: 0, release: 1 };
  changed.sort((x, y) => x.group.localeCompare(y.group) || x.entry.localeCompare(y.entry) || order[x.state] - order[y.state] || x.request.localeCompare(y.request));
  return { schemaVersion: DIFF_SCHEMA_VERSION, changed, compared: { entries: all.length, classes, states }, notes: [...notes].sort() };
}
