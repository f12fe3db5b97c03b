/**
 * Argo CD sync waves for the objects of a gray release, chosen so that no sync stays Running
 * because Kruise paused a Deployment.
 *
 * What gitops-engine does (argo-cd v3.5.1, `gitops-engine/pkg/sync/sync_context.go`, "sc.go"):
 * - it applies the pending tasks of one wave, then, when tasks of a later wave are left, waits
 *   until every object it applied is Healthy (or has no health check) before the next wave
 *   (`Sync()` :540-597, "multi-step and running tasks, then wait"); Progressing, Suspended and
 *   Unknown keep the operation Running, and there is no sync timeout by default;
 * - after the last wave it applies, it does not wait: "successfully synced (all tasks run)"
 *   (:703-715);
 * - Kruise's workload webhook pauses a Deployment whose template changes while a Rollout
 *   targets it (openkruise/rollouts v0.6.2 workload_update_handler.go:298-307), and Argo CD's
 *   Deployment check reports a paused Deployment Suspended (health_deployment.go:29-33) until
 *   Kruise un-pauses it when the release ends.
 *
 * So a Rollout-targeted Deployment must never be followed by a later wave: it goes to the last
 * wave, with the Rollout and the TrafficRouting (a Rollout must not come before its Deployment:
 * until its workload exists Argo CD's Rollout check errors, i.e. Unknown, which blocks a wave).
 *
 * | wave | kinds | why |
 * |---|---|---|
 * | -1 | Namespace, ServiceAccount, ConfigMap, Secret, Service, Gateway | what the others refer to; route nothing by themselves |
 * | 0 | Deployments no Rollout targets (base without release, static lanes), DestinationRule | Argo CD waits for their pods before the routes |
 * | 1 | VirtualService | routes only to subsets that exist and have ready pods (no 503 for a new static lane) |
 * | 2 | EnvoyFilter | ingress coloring starts once every lane route exists |
 * | 3 | Deployments a Kruise Rollout targets, Rollout, TrafficRouting (rollouts.kruise.io) | last: a Deployment Kruise pauses is never waited for |
 *
 * Objects of other kinds get no annotation (Argo CD's default wave 0). An object that already
 * has a wave keeps it. The price of the last wave: on the first creation of a released service,
 * its VirtualService (wave 1) routes before its pods (wave 3) are ready.
 */
import type { ManifestLike } from './ignore-differences';
import { field, str } from '../json';

/** The annotation Argo CD reads. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** The waves, named. */
export enum SyncWave {
  /** Namespaces, ServiceAccounts, ConfigMaps, Secrets, Services, Gateways. */
  FOUNDATION = -1,
  /** Deployments no Kruise Rollout targets, and DestinationRules. */
  WORKLOADS = 0,
  /** VirtualServices. */
  ROUTES = 1,
  /** EnvoyFilters (ingress coloring). */
  COLORING = 2,
  /** The last wave: Deployments a Kruise Rollout targets, Rollouts, TrafficRoutings. */
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

/**
 * The wave of an object by its apiVersion and kind, or undefined for kinds the table leaves
 * alone. A Deployment a Rollout targets belongs to {@link SyncWave.PROGRESSIVE_DELIVERY}: use
 * `syncWaveFor` when the Rollouts are known.
 */
export function syncWaveOf(apiVersion: string, kind: string): SyncWave | undefined {
  return BY_KIND[`${groupOf(apiVersion)}|${kind}`];
}

/** The wave of `m`, given the keys ({@link workloadKey}) of the workloads Rollouts target. */
export function syncWaveFor(m: ManifestLike, targets: ReadonlySet<string>, defaultNamespace?: string): SyncWave | undefined {
  if (!m.apiVersion || !m.kind) return undefined;
  if (groupOf(m.apiVersion) === 'apps' && m.kind === 'Deployment' && targets.has(workloadKey(m.metadata?.namespace ?? defaultNamespace, m.kind, m.metadata?.name))) {
    return SyncWave.PROGRESSIVE_DELIVERY;
  }
  return syncWaveOf(m.apiVersion, m.kind);
}

/** `namespace|kind|name` of a workload. */
export function workloadKey(namespace: string | undefined, kind: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}|${kind ?? ''}|${name ?? ''}`;
}

/** The workloads the Kruise Rollouts among `manifests` target, as {@link workloadKey}s. */
export function rolloutTargets(manifests: readonly ManifestLike[], defaultNamespace?: string): Set<string> {
  const out = new Set<string>();
  for (const r of manifests) {
    if (r?.kind !== 'Rollout' || groupOf(r.apiVersion ?? '') !== 'rollouts.kruise.io') continue;
    const ref = field(field(r.spec, 'objectRef'), 'workloadRef') ?? field(r.spec, 'workloadRef');
    const name = str(field(ref, 'name'));
    if (name) out.add(workloadKey(r.metadata?.namespace ?? defaultNamespace, str(field(ref, 'kind')) ?? 'Deployment', name));
  }
  return out;
}

/**
 * Returns copies of `manifests` with the sync-wave annotation set by kind (for YAML this library
 * did not write), Rollout-targeted Deployments in the last wave. An existing annotation is kept.
 */
export function withSyncWaves<T extends ManifestLike>(manifests: readonly T[]): T[] {
  const targets = rolloutTargets(manifests);
  return manifests.map((m) => {
    const wave = m ? syncWaveFor(m, targets) : undefined;
    if (wave === undefined || m.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] !== undefined) return m;
    return { ...m, metadata: { ...m.metadata, annotations: { ...(m.metadata?.annotations ?? {}), [SYNC_WAVE_ANNOTATION]: String(wave) } } };
  });
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : 'v1';
}
