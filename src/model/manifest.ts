/**
 * Manifests as plain objects, from a chart or from YAML the library may not have written, and an
 * index over them that the Kruise contract and the analysis share. Specs are read through typed
 * views (./istio-views, ../kruise/istio-contract; ./json says how a view is read).
 */
import {
  DestinationRuleView, GatewayView, VirtualServiceView, destinationRuleSpec, gatewaySpec, virtualServiceSpec,
} from './istio-views';
import { JsonObject, field, isJsonObject, mapOf, record, str } from './json';
import { CLUSTER_DOMAIN, labelsMatch, qualifyHost } from './matching';
import { WellKnown } from './well-known';

/**
 * One Kubernetes object as it appears in a manifest. The spec is whatever the input says: read it
 * through a view (`virtualServiceSpec`, `destinationRuleSpec`, `rolloutSpec`, ...).
 */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ManifestMetadata;
  readonly spec?: unknown;
  readonly [key: string]: unknown;
}

/** The metadata fields the analysis reads. */
export interface ManifestMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A manifest's identity as printed in findings and tables: kind, namespace and name. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The objects the analysis reads, grouped by kind. Every list keeps the input order. */
export interface ManifestIndex {
  readonly all: Manifest[];
  readonly services: Manifest[];
  readonly deployments: Manifest[];
  readonly virtualServices: Manifest[];
  readonly destinationRules: Manifest[];
  readonly gateways: Manifest[];
  readonly envoyFilters: Manifest[];
  readonly trafficRoutings: Manifest[];
  readonly rollouts: Manifest[];
  /** The typed views of these manifests, each read once. */
  readonly views: SpecViews;
}

/**
 * Typed views of an index's manifests, each read at its first use and kept as long as the index:
 * what a tool reads many times (a route per hop, a DestinationRule per destination) is read once.
 * Like the index itself, it assumes the manifests do not change while it is in use.
 */
export interface SpecViews {
  readonly virtualService: (m: Manifest) => VirtualServiceView;
  readonly destinationRule: (m: Manifest) => DestinationRuleView;
  readonly gateway: (m: Manifest) => GatewayView;
  readonly serviceSelector: (m: Manifest) => Record<string, string> | undefined;
  readonly podLabels: (m: Manifest) => Record<string, string>;
}

function remembered<V>(read: (m: Manifest) => V): (m: Manifest) => V {
  const seen = new Map<Manifest, { readonly view: V }>();
  return (m) => {
    const hit = seen.get(m);
    if (hit) return hit.view;
    const view = read(m);
    seen.set(m, { view });
    return view;
  };
}

/** Views of manifests that read each manifest once. */
export function specViews(): SpecViews {
  return {
    virtualService: remembered(virtualServiceSpec),
    destinationRule: remembered(destinationRuleSpec),
    gateway: remembered(gatewaySpec),
    serviceSelector: remembered(serviceSelector),
    podLabels: remembered(podLabels),
  };
}

/** The namespace of objects that do not name one (as `kubectl apply` would place them). */
export const DEFAULT_NAMESPACE = 'default';

const stringMap = mapOf(str);
const METADATA = record<Omit<ManifestMetadata, 'name'>>({ namespace: str, labels: stringMap, annotations: stringMap });

const isStringOrAbsent = (v: unknown) => v === undefined || typeof v === 'string';
const isStringMapOrAbsent = (v: unknown) => v === undefined || (isJsonObject(v) && Object.values(v).every((x) => typeof x === 'string'));

/**
 * Whether a value is a manifest whose metadata has the types {@link ManifestMetadata} declares:
 * the one place where an object read from YAML is taken as a {@link Manifest}.
 */
export function isManifest(value: unknown): value is Manifest {
  if (!isJsonObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') return false;
  const md = value.metadata;
  return isJsonObject(md) && typeof md.name === 'string'
    && isStringOrAbsent(md.namespace) && isStringMapOrAbsent(md.labels) && isStringMapOrAbsent(md.annotations);
}

/** Metadata with namespace, labels and annotations read as text (or left out); other fields as they are. */
function readMetadata(raw: JsonObject, name: string): ManifestMetadata {
  const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => !['name', 'namespace', 'labels', 'annotations'].includes(k)));
  return { ...rest, ...METADATA(raw), name };
}

/**
 * Keeps objects that look like manifests (apiVersion, kind, metadata.name); flattens `List`s. An
 * object whose namespace, labels or annotations have the wrong type is kept as a copy with them
 * read as text (or left out); every other object is kept as it is.
 */
export function collectManifests(value: unknown, out: Manifest[]): void {
  if (!isJsonObject(value)) return;
  const { apiVersion, kind, metadata, items: listItems } = value;
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(listItems)) {
    listItems.forEach((i) => collectManifests(i, out));
  } else if (isManifest(value)) {
    out.push(value);
  } else if (typeof apiVersion === 'string' && typeof kind === 'string' && isJsonObject(metadata) && typeof metadata.name === 'string') {
    out.push({ ...value, apiVersion, kind, metadata: readMetadata(metadata, metadata.name) });
  }
}

/** Groups manifests by kind. Accepts any objects; ignores those that are not manifests. */
export function indexManifests(manifests: readonly unknown[]): ManifestIndex {
  const all: Manifest[] = [];
  manifests.forEach((m) => collectManifests(m, all));
  const ofKind = (kind: string, group?: string) =>
    all.filter((m) => m.kind === kind && (!group || m.apiVersion.split('/')[0] === group));
  return {
    all,
    services: ofKind('Service', 'v1').filter((m) => m.apiVersion === 'v1'),
    deployments: ofKind('Deployment', 'apps'),
    virtualServices: ofKind('VirtualService', 'networking.istio.io'),
    destinationRules: ofKind('DestinationRule', 'networking.istio.io'),
    gateways: ofKind('Gateway', 'networking.istio.io'),
    envoyFilters: ofKind('EnvoyFilter', 'networking.istio.io'),
    trafficRoutings: ofKind('TrafficRouting', 'rollouts.kruise.io'),
    rollouts: ofKind('Rollout', 'rollouts.kruise.io'),
    views: specViews(),
  };
}

/** The namespace of a manifest, or {@link DEFAULT_NAMESPACE}. */
export function namespaceOf(m: Manifest): string {
  return m.metadata.namespace || DEFAULT_NAMESPACE;
}

/** The reference printed for a manifest. */
export function refOf(m: Manifest): ObjectRef {
  return { kind: m.kind, namespace: namespaceOf(m), name: m.metadata.name };
}

/** `Kind/namespace/name`. */
export function formatRef(r: ObjectRef): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

/** A comma-separated annotation as a list of trimmed, non-empty items. */
export function annotationList(m: Manifest, key: string): string[] {
  const v = m.metadata.annotations?.[key];
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [];
}

/** The Service a host names, resolved from namespace `ns`, or undefined (a map lookup: linear overall). */
export function findService(index: ManifestIndex, host: string, ns: string): Manifest | undefined {
  return lookupsOf(index).serviceByFqdn.get(qualifyHost(host, ns));
}

/** The Service whose fully qualified name is `fqdn` (no short-name resolution), or undefined. */
export function findServiceByFqdn(index: ManifestIndex, fqdn: string): Manifest | undefined {
  return lookupsOf(index).serviceByFqdn.get(fqdn);
}

/** The short `name.namespace` form of a Service, used in tables. */
export function serviceName(svc: Manifest): string {
  return `${svc.metadata.name}.${namespaceOf(svc)}`;
}

/** The pod selector of a Service (`spec.selector`), or undefined. */
export function serviceSelector(svc: Manifest): Record<string, string> | undefined {
  return stringMap(field(svc.spec, 'selector'));
}

/** The pod template labels of a Deployment (`spec.template.metadata.labels`). */
export function podLabels(d: Manifest): Record<string, string> {
  return stringMap(field(field(field(d.spec, 'template'), 'metadata'), 'labels')) ?? {};
}

/**
 * The Deployments in the Service's namespace whose pods the Service selects, in input order.
 * Looked up through an index of pod labels (built once per index), so asking for every Service
 * costs time linear in the objects, not services × deployments.
 */
export function workloadsOf(index: ManifestIndex, svc: Manifest): Manifest[] {
  const lookups = lookupsOf(index);
  const hit = lookups.workloads.get(svc);
  if (hit) return hit;
  const found = selectWorkloads(index, lookups, svc);
  lookups.workloads.set(svc, found);
  return found;
}

function selectWorkloads(index: ManifestIndex, lookups: Lookups, svc: Manifest): Manifest[] {
  const sel = index.views.serviceSelector(svc);
  if (!sel || Object.keys(sel).length === 0) return [];
  const ns = namespaceOf(svc);
  // The deployments carrying the rarest of the selector's labels, then the whole selector.
  let candidates: readonly Manifest[] | undefined;
  for (const [k, v] of Object.entries(sel)) {
    const list = lookups.podsByLabel().get(labelKey(ns, k, String(v))) ?? [];
    if (!candidates || list.length < candidates.length) candidates = list;
  }
  return (candidates ?? []).filter((d) => labelsMatch(sel, index.views.podLabels(d)));
}

/** Lookup tables over one index, built at first use and kept as long as the index. */
interface Lookups {
  /** The first Service of each fully qualified name (`name.namespace.svc.cluster.local`). */
  readonly serviceByFqdn: ReadonlyMap<string, Manifest>;
  /** Deployments by `namespace, label key, value` of their pod template, in input order. */
  readonly podsByLabel: () => ReadonlyMap<string, readonly Manifest[]>;
  /** {@link workloadsOf}, remembered per Service. */
  readonly workloads: Map<Manifest, Manifest[]>;
}

const LOOKUPS = new WeakMap<ManifestIndex, Lookups>();

function labelKey(ns: string, key: string, value: string): string {
  return `${ns}\u0000${key}\u0000${value}`;
}

function lookupsOf(index: ManifestIndex): Lookups {
  const hit = LOOKUPS.get(index);
  if (hit) return hit;
  const serviceByFqdn = new Map<string, Manifest>();
  for (const s of index.services) {
    const fqdn = `${s.metadata.name}.${namespaceOf(s)}.${CLUSTER_DOMAIN}`;
    if (!serviceByFqdn.has(fqdn)) serviceByFqdn.set(fqdn, s);
  }
  let pods: Map<string, Manifest[]> | undefined;
  const podsByLabel = () => {
    if (pods) return pods;
    pods = new Map();
    for (const d of index.deployments) {
      for (const [k, v] of Object.entries(index.views.podLabels(d))) {
        const key = labelKey(namespaceOf(d), k, v);
        const list = pods.get(key);
        if (list) list.push(d); else pods.set(key, [d]);
      }
    }
    return pods;
  };
  const made: Lookups = { serviceByFqdn, podsByLabel, workloads: new Map() };
  LOOKUPS.set(index, made);
  return made;
}

/** The services a Deployment's pods call (the {@link WellKnown.CALLS_ANNOTATION} annotation). */
export function callsOf(d: Manifest): string[] {
  return annotationList(d, WellKnown.CALLS_ANNOTATION);
}

/** A deep copy of a JSON-like value. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
