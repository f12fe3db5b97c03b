/**
 * The ingress coloring as Istio 1.23 applies it: which EnvoyFilters patch a Gateway's pods, which
 * Lua scripts they run on a request to one of its ports, and what those scripts do to the request.
 *
 * - Scope: an EnvoyFilter in the root namespace (`istio-system`) applies to every namespace; one in
 *   another namespace to the workloads of that namespace (the Gateway's namespace is taken as the
 *   namespace of its pods). `workloadSelector.labels` must be among the gateway pods' labels.
 * - The gateway pods' labels: the Gateway's selector, plus the label Istio's gateway chart puts
 *   next to it: pods are labelled `app: <name>` and `istio: <name without "istio-">`
 *   (istio/istio `manifests/charts/gateway/templates/_helpers.tpl`, `gateway.selectorLabels`;
 *   the default install names them `istio-ingressgateway` / `ingressgateway`).
 * - Patches read: `HTTP_FILTER` in context `GATEWAY` (or `ANY`) inserting an `envoy.lua` filter
 *   before the router (its `inlineCode` / `default_source_code` runs on every request of the
 *   listener), and `VIRTUAL_HOST` / `ROUTE_CONFIGURATION` merges giving that filter a per-route
 *   `LuaPerRoute.source_code` (matched to the server port through `routeConfiguration.portNumber`,
 *   as Istio does for gateways). A listener port is compared with the server port and with the
 *   default gateway Service's target port (server port + 8000: 80 → 8080, 443 → 8443).
 * - Order: filters sorted by `priority`, then namespace and name (Istio also uses creation time,
 *   which manifests do not carry).
 * Every other EnvoyFilter that patches the gateway's HTTP filters is reported as not modelled.
 */
import { LuaRequest, LuaRun, LuaScripts } from './lua-vm';
import { ConfigPatch, EnvoyFilterView, envoyFilterSpec } from '../model/istio-views';
import { field } from '../model/json';
import { Manifest, ManifestIndex, formatRef, namespaceOf, refOf } from '../model/manifest';
import { labelsMatch } from '../model/matching';

/** The namespace whose EnvoyFilters apply to every namespace (Istio's default root namespace). */
export const ROOT_NAMESPACE = 'istio-system';
/** Offset of the default ingress gateway Service's target ports over its ports (80 → 8080). */
const DEFAULT_TARGET_PORT_OFFSET = 8000;

/** What one EnvoyFilter does at a gateway port. */
export interface GatewayFilter {
  /** `EnvoyFilter/namespace/name`. */
  readonly filter: string;
  readonly manifest: Manifest;
  /** The Lua to run on a request (the filter's own script, or the per-route script for this port). */
  readonly script?: string;
  /** Why the filter is not run (a shape of EnvoyFilter the analysis does not model). */
  readonly notModelled?: string;
  /** Inserted with INSERT_FIRST: at the head of the filter chain, so it runs before the others. */
  readonly insertFirst?: boolean;
}

/** The label sets the pods of a Gateway may carry (its selector, and its chart's companion label). */
export function gatewayPodLabels(selector: Readonly<Record<string, string>> | undefined): Array<Record<string, string>> {
  const base = { ...(selector ?? {}) };
  const variants: Array<Record<string, string>> = [base];
  if (base.istio !== undefined && base.app === undefined) {
    variants.push({ ...base, app: `istio-${base.istio}` }, { ...base, app: base.istio });
  }
  if (base.app !== undefined && base.istio === undefined) variants.push({ ...base, istio: base.app.replace(/^istio-/, '') });
  return variants;
}

/** Whether an EnvoyFilter's scope (namespace, workloadSelector) includes the pods of a Gateway. */
export function filterSelectsGateway(index: ManifestIndex, ef: Manifest, gateway: Manifest): boolean {
  const ns = namespaceOf(ef);
  if (ns !== ROOT_NAMESPACE && ns !== namespaceOf(gateway)) return false;
  const selector = envoyFilterSpec(ef).workloadSelector?.labels;
  if (!selector || Object.keys(selector).length === 0) return true;
  return gatewayPodLabels(index.views.gateway(gateway).selector).some((pods) => labelsMatch(selector, pods));
}

const LUA_TYPES = /envoy\.(extensions\.filters\.http\.lua\.v3|config\.filter\.http\.lua\.v2)\.Lua$/;
const LUA_PER_ROUTE = /envoy\.extensions\.filters\.http\.lua\.v3\.LuaPerRoute$/;
const GATEWAY_CONTEXTS = new Set([undefined, 'GATEWAY', 'ANY']);

/** The inline Lua of a Lua filter's typed_config (`inlineCode`, `inline_code`, `default_source_code`). */
function inlineScript(typedConfig: unknown): string | undefined {
  for (const k of ['inlineCode', 'inline_code']) {
    const v = field(typedConfig, k);
    if (typeof v === 'string') return v;
  }
  for (const k of ['default_source_code', 'defaultSourceCode']) {
    const source = field(typedConfig, k);
    const v = field(source, 'inline_string') ?? field(source, 'inlineString');
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function typeOf(v: unknown): string {
  const t = field(v, '@type');
  return typeof t === 'string' ? t : '';
}

/** A patch inserting an HTTP filter at a gateway, with the filter's name and typed config. */
function httpFilterPatch(p: ConfigPatch): { readonly name: string; readonly config: unknown; readonly operation: string } | undefined {
  if (p.applyTo !== 'HTTP_FILTER' || !GATEWAY_CONTEXTS.has(p.match?.context)) return undefined;
  const value = p.patch?.value;
  const name = field(value, 'name');
  return { name: typeof name === 'string' ? name : '', config: field(value, 'typed_config') ?? field(value, 'typedConfig'), operation: p.patch?.operation ?? '' };
}

function listenerPortMatches(p: ConfigPatch, port: number | undefined): boolean {
  const want = p.match?.listener?.portNumber;
  return want === undefined || port === undefined || want === port || want === port + DEFAULT_TARGET_PORT_OFFSET;
}

/** The per-route Lua a route-configuration patch gives filter `filterName` on `port`, if any. */
function perRouteScript(p: ConfigPatch, filterName: string, port: number | undefined, gatewayRef: string): string | undefined {
  if (p.applyTo !== 'VIRTUAL_HOST' && p.applyTo !== 'ROUTE_CONFIGURATION') return undefined;
  if (!GATEWAY_CONTEXTS.has(p.match?.context)) return undefined;
  const rc = p.match?.routeConfiguration;
  if (rc?.portNumber !== undefined && port !== undefined && rc.portNumber !== port) return undefined;
  if (rc?.gateway !== undefined && rc.gateway !== gatewayRef) return undefined;
  const perFilter = field(field(p.patch?.value, 'typed_per_filter_config'), filterName);
  if (!LUA_PER_ROUTE.test(typeOf(perFilter))) return undefined;
  const source = field(field(perFilter, 'source_code'), 'inline_string');
  return typeof source === 'string' ? source : undefined;
}

/** What one EnvoyFilter does at a gateway port (undefined: it patches no HTTP filter there). */
function filterAt(ef: Manifest, spec: EnvoyFilterView, port: number | undefined, gatewayRef: string): GatewayFilter | undefined {
  const ref = formatRef(refOf(ef));
  const patches = spec.configPatches ?? [];
  const inserts = patches.flatMap((p) => {
    const h = httpFilterPatch(p);
    return h && listenerPortMatches(p, port) ? [h] : [];
  });
  if (inserts.length === 0) return undefined;
  const lua = inserts.find((h) => LUA_TYPES.test(typeOf(h.config)));
  if (!lua) return { filter: ref, manifest: ef, notModelled: `inserts ${inserts.map((h) => h.name || '(unnamed filter)').join(', ')}, which the analysis does not run` };
  if (lua.operation === 'INSERT_AFTER' || lua.operation === 'INSERT_LAST') {
    return { filter: ref, manifest: ef, notModelled: `inserts its Lua filter with ${lua.operation}: after the router it may never run` };
  }
  const first = lua.operation === 'INSERT_FIRST' ? { insertFirst: true } : {};
  const inline = inlineScript(lua.config);
  if (inline !== undefined) return { filter: ref, manifest: ef, script: inline, ...first };
  const perRoute = patches.map((p) => perRouteScript(p, lua.name, port, gatewayRef)).find((s) => s !== undefined);
  if (perRoute !== undefined) return { filter: ref, manifest: ef, script: perRoute, ...first };
  return undefined;
}

const priorityOf = (ef: Manifest): number => {
  const p = field(ef.spec, 'priority');
  return typeof p === 'number' ? p : 0;
};

/** Istio 1.23 push_context.go `EnvoyFilters`: priority, then root-namespace filters first, then `name.namespace`. */
const rootFirst = (ef: Manifest): number => (namespaceOf(ef) === ROOT_NAMESPACE ? 0 : 1);
const nameKey = (ef: Manifest): string => `${ef.metadata.name}.${namespaceOf(ef)}`;

/** The EnvoyFilters that act on requests to `gateway` on `port`, in the order they run. */
export function gatewayFilters(index: ManifestIndex, gateway: Manifest, port: number | undefined): GatewayFilter[] {
  const gatewayRef = `${namespaceOf(gateway)}/${gateway.metadata.name}`;
  const applied = index.envoyFilters
    .filter((ef) => filterSelectsGateway(index, ef, gateway))
    .sort((a, b) => priorityOf(a) - priorityOf(b) || rootFirst(a) - rootFirst(b) || nameKey(a).localeCompare(nameKey(b)))
    .flatMap((ef) => {
      const f = filterAt(ef, envoyFilterSpec(ef), port, gatewayRef);
      return f ? [f] : [];
    });
  // Patches apply in that order; each INSERT_FIRST goes to the head of the chain, so the last one
  // applied runs first, and all of them before the filters inserted before the router.
  return [...applied.filter((f) => f.insertFirst).reverse(), ...applied.filter((f) => !f.insertFirst)];
}

/** Whether an EnvoyFilter runs Lua at gateways (a coloring, as far as the analysis can tell). */
export function isGatewayLuaFilter(ef: Manifest): boolean {
  return (envoyFilterSpec(ef).configPatches ?? []).some((p) => {
    const h = httpFilterPatch(p);
    return h !== undefined && LUA_TYPES.test(typeOf(h.config));
  });
}

/** What the coloring did to one request at the gateway. */
export interface ColoringStep {
  /** `EnvoyFilter/namespace/name`. */
  readonly filter: string;
  /** `ran`; `error` (a Lua error: edits before it stay, as in Envoy); `responded` (a local reply); `not-modelled`. */
  readonly outcome: 'ran' | 'error' | 'responded' | 'not-modelled';
  /** Header edits, in order. */
  readonly edits: LuaRun['edits'];
  /** The error, the reason it was not run, or the status of a local reply. */
  readonly message?: string;
  readonly status?: number;
  /** Names the script looked up that Envoy 1.31 does not have (nil there too). */
  readonly unknownApi: string[];
  /** Stream properties the script read (client address, dynamic metadata). */
  readonly streamReads: string[];
  /** Request header names the script read. */
  readonly reads: string[];
}

/** The request after the coloring, and what each filter did. */
export interface Colored {
  readonly headers: Record<string, string>;
  readonly steps: ColoringStep[];
  /** Set when a filter answered the request itself. */
  readonly respond?: { readonly filter: string; readonly status: number };
}

/** Runs the filters in order on the request's headers (pseudo-headers included). */
export function runColoring(vm: LuaScripts, filters: readonly GatewayFilter[], request: LuaRequest): Colored {
  let headers: Record<string, string> = { ...request.headers };
  const steps: ColoringStep[] = [];
  for (const f of filters) {
    if (f.script === undefined) {
      steps.push({ filter: f.filter, outcome: 'not-modelled', edits: [], message: f.notModelled, unknownApi: [], streamReads: [], reads: [] });
      continue;
    }
    const run = vm.run(f.script, { ...request, headers });
    headers = run.ran || run.edits.length > 0 ? run.headers : headers;
    const base = { filter: f.filter, edits: run.edits, unknownApi: run.unknownApi, streamReads: run.streamReads, reads: run.reads };
    if (run.respond) {
      steps.push({ ...base, outcome: 'responded', status: run.respond.status, message: `answers ${run.respond.status} itself` });
      return { headers, steps, respond: { filter: f.filter, status: run.respond.status } };
    }
    const message = run.error ?? (run.ran ? undefined : 'the script defines no envoy_on_request: Envoy runs nothing');
    steps.push({ ...base, outcome: run.error ? 'error' : 'ran', ...(message ? { message } : {}) });
  }
  return { headers, steps };
}

/** `my-request-id=canary`, `my-request-id removed`, `no header changed`: a step's edits in words. */
export function describeEdits(step: ColoringStep): string {
  if (step.edits.length === 0) return 'no header changed';
  const last = new Map<string, string>();
  for (const e of step.edits) last.set(e.name, e.op === 'remove' ? `${e.name} removed` : `${e.name}${e.op === 'add' ? '+=' : '='}${e.value ?? ''}`);
  return [...last.values()].join(', ');
}
