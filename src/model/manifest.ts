/**
 * Manifests as plain objects, from a chart or from YAML the library may not have written, and an
 * index over them that the Kruise contract and the analysis share.
 */
import { CLUSTER_DOMAIN, labelsMatch, qualifyHost } from './matching';
import { WellKnown } from './well-known';

/** One Kubernetes object as it appears in a manifest. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ManifestMetadata;
  readonly spec?: any;
  readonly [key: string]: any;
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
}

/** The namespace of objects that do not name one (as `kubectl apply` would place them). */
export const DEFAULT_NAMESPACE = 'default';

/** Keeps objects that look like manifests (apiVersion, kind, metadata.name); flattens `List`s. */
export function collectManifests(value: unknown, out: Manifest[]): void {
  if (!value || typeof value !== 'object') return;
  const obj = value as any;
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    obj.items.forEach((i: unknown) => collectManifests(i, out));
    return;
  }
  if (typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' && typeof obj.metadata?.name === 'string') {
    out.push(obj as Manifest);
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

/** The Service a host names, resolved from namespace `ns`, or undefined. */
export function findService(index: ManifestIndex, host: string, ns: string): Manifest | undefined {
  const fqdn = qualifyHost(host, ns);
  return index.services.find((s) => fqdn === `${s.metadata.name}.${namespaceOf(s)}.${CLUSTER_DOMAIN}`);
}

/** The short `name.namespace` form of a Service, used in tables. */
export function serviceName(svc: Manifest): string {
  return `${svc.metadata.name}.${namespaceOf(svc)}`;
}

/** The pod template labels of a Deployment. */
export function podLabels(d: Manifest): Record<string, string> {
  return d.spec?.template?.metadata?.labels ?? {};
}

/** The Deployments in the Service's namespace whose pods the Service selects. */
export function workloadsOf(index: ManifestIndex, svc: Manifest): Manifest[] {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return [];
  return index.deployments.filter((d) => namespaceOf(d) === namespaceOf(svc) && labelsMatch(sel, podLabels(d)));
}

/** The services a Deployment's pods call (the {@link WellKnown.CALLS_ANNOTATION} annotation). */
export function callsOf(d: Manifest): string[] {
  return annotationList(d, WellKnown.CALLS_ANNOTATION);
}

/** A deep copy of a JSON-like value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}
