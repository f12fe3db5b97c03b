/**
 * Argo CD sync waves for the objects of a gray release.
 *
 * Argo CD applies wave by wave, lowest first, and starts a wave only when the objects of the
 * previous one are healthy (a Deployment is healthy once its pods are available). Within a wave
 * it orders by kind, custom resources after the built-in kinds. The order below follows from how
 * Istio and Kruise behave:
 *
 * | wave | kinds | why |
 * |---|---|---|
 * | -1 | Namespace, ServiceAccount, ConfigMap, Secret, Service, Gateway | what the others refer to; a Service selects pods whenever they come, a Gateway routes nothing by itself |
 * | 0 | Deployment, DestinationRule | pods and the subsets that name them; Argo CD waits for the pods before the next wave |
 * | 1 | VirtualService | routes are applied only once the subsets they name exist and have ready pods, so Envoy never routes to an unknown subset (503 NR) |
 * | 2 | EnvoyFilter | ingress coloring: requests are tagged with a lane header only once every lane route exists |
 * | 3 | Rollout, TrafficRouting (rollouts.kruise.io) | last, see below |
 *
 * Kruise last: Argo CD's health check for a Kruise `Rollout` reports `Progressing` until the
 * Rollout has completed a release, which a new Rollout never has, so a Rollout in an earlier wave
 * would hold every later wave on the first sync. Last is also correct for the TrafficRouting,
 * whose initialisation needs its VirtualServices and DestinationRule to exist. A Rollout must
 * exist before a workload change to catch it: on the first sync the Deployment is created, which
 * starts no release; on every later sync the Rollout already exists. The one case this order
 * misses is a single commit that both adds a Rollout and changes its Deployment's template: that
 * change rolls out without a canary. Add the Rollout in a commit of its own first.
 *
 * Objects of other kinds get no annotation (Argo CD's default wave 0). An object that already
 * has a wave keeps it.
 */
import type { ManifestLike } from './ignore-differences';

/** The annotation Argo CD reads. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The waves, named. */
export enum SyncWave {
  /** Namespaces, ServiceAccounts, ConfigMaps, Secrets, Services, Gateways. */
  FOUNDATION = -1,
  /** Deployments and DestinationRules. */
  WORKLOADS = 0,
  /** VirtualServices. */
  ROUTES = 1,
  /** EnvoyFilters (ingress coloring). */
  COLORING = 2,
  /** Kruise Rollouts and TrafficRoutings. */
  PROGRESSIVE_DELIVERY = 3,
}

const BY_KIND: Readonly<Record<string, SyncWave>> = {
  'v1|Namespace': SyncWave.FOUNDATION,
  'v1|ServiceAccount': SyncWave.FOUNDATION,
  'v1|ConfigMap': SyncWave.FOUNDATION,
  'v1|Secret': SyncWave.FOUNDATION,
  'v1|Service': SyncWave.FOUNDATION,
  'networking.istio.io|Gateway': SyncWave.FOUNDATION,
  'apps|Deployment': SyncWave.WORKLOADS,
  'networking.istio.io|DestinationRule': SyncWave.WORKLOADS,
  'networking.istio.io|VirtualService': SyncWave.ROUTES,
  'networking.istio.io|EnvoyFilter': SyncWave.COLORING,
  'rollouts.kruise.io|Rollout': SyncWave.PROGRESSIVE_DELIVERY,
  'rollouts.kruise.io|TrafficRouting': SyncWave.PROGRESSIVE_DELIVERY,
};

/** The wave of an object by its apiVersion and kind, or undefined for kinds the table leaves alone. */
export function syncWaveOf(apiVersion: string, kind: string): SyncWave | undefined {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : 'v1';
  return BY_KIND[`${group}|${kind}`];
}

/**
 * Returns copies of `manifests` with the sync-wave annotation set by kind (for YAML this library
 * did not write). An existing annotation is kept.
 */
export function withSyncWaves<T extends ManifestLike>(manifests: readonly T[]): T[] {
  return manifests.map((m) => {
    const wave = m?.apiVersion && m.kind ? syncWaveOf(m.apiVersion, m.kind) : undefined;
    if (wave === undefined || m.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] !== undefined) return m;
    return { ...m, metadata: { ...m.metadata, annotations: { ...(m.metadata?.annotations ?? {}), [SYNC_WAVE_ANNOTATION]: String(wave) } } };
  });
}
