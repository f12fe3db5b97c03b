/**
 * An independent model of one Argo CD sync operation (gitops-engine in argo-cd v3.5.1,
 * `gitops-engine/pkg/sync/sync_context.go`), written from the notes (argocd.md §1), NOT from
 * src/, to answer: does the operation end, or does it stay Running?
 *
 * - tasks: every object in git, plus a prune task per live object no longer in git (a prune task
 *   exists even with pruning off; it then ends PruneSkipped);
 * - wave: the `argocd.argoproj.io/sync-wave` annotation (default 0); with `PruneLast=true`
 *   every prune task gets wave (last wave + 1); otherwise the prune tasks' waves are swapped
 *   symmetrically among themselves (reverse creation order);
 * - multi-step: the first and last task of the whole sorted list have different waves;
 * - each `Sync()` call: update the running tasks from the live health (Healthy or no health
 *   check → Succeeded, Degraded → Failed, anything else stays Running); if multi-step and a task
 *   is Running, wait; else take the pending tasks (only out-of-sync ones and prune tasks with
 *   `ApplyOutOfSyncOnly=true`), apply the first wave; if no pending task is left after it, the
 *   operation Succeeds at once (the last wave is never waited for).
 *
 * Test support only.
 */

type Obj = any;
export type Health = 'Healthy' | 'Progressing' | 'Suspended' | 'Degraded' | 'Missing' | 'Unknown' | undefined;

export interface SyncScenario {
  /** The objects in git (with their sync-wave annotations). */
  readonly target: readonly Obj[];
  /** Live objects that are no longer in git (with the annotations they were applied with). */
  readonly liveOnly?: readonly Obj[];
  /** Keys (`Kind/name`) of objects whose git version differs from the live one. */
  readonly outOfSync: ReadonlySet<string>;
  readonly syncOptions: readonly string[];
  /** The live health of an object once Argo CD has applied it. */
  readonly health: (o: Obj) => Health;
  /** How many reconciles to run before giving up. @default 20 */
  readonly maxCalls?: number;
}

export interface SyncOutcome {
  readonly phase: 'Succeeded' | 'Running' | 'Failed';
  /** The objects a Running operation waits for. */
  readonly waitingFor: string[];
  /** The waves applied, in order. */
  readonly appliedWaves: number[];
}

interface Task { key: string; obj?: Obj; wave: number; prune: boolean; state: 'pending' | 'running' | 'succeeded' | 'failed' }

export const keyOf = (o: Obj) => `${o.kind}/${o.metadata.name}`;
const waveOf = (o: Obj) => Number(o?.metadata?.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

export function runSync(s: SyncScenario): SyncOutcome {
  const tasks: Task[] = s.target.map((o) => ({ key: keyOf(o), obj: o, wave: waveOf(o), prune: false, state: 'pending' }));
  const syncWaves = tasks.map((t) => t.wave);
  const last = Math.max(...syncWaves);
  // Prune waves are swapped symmetrically among the prune tasks (reverse creation order).
  const distinct = [...new Set((s.liveOnly ?? []).map(waveOf))].sort((a, b) => a - b);
  for (const o of s.liveOnly ?? []) {
    const swapped = distinct[distinct.length - 1 - distinct.indexOf(waveOf(o))];
    tasks.push({ key: keyOf(o), wave: s.syncOptions.includes('PruneLast=true') ? last + 1 : swapped, prune: true, state: 'pending' });
  }
  tasks.sort((a, b) => a.wave - b.wave);
  const multiStep = tasks[0].wave !== tasks[tasks.length - 1].wave;
  const appliedWaves: number[] = [];
  for (let call = 0; call < (s.maxCalls ?? 20); call++) {
    for (const t of tasks.filter((x) => x.state === 'running')) {
      const h = t.prune ? undefined : s.health(t.obj);
      if (h === undefined || h === 'Healthy') t.state = 'succeeded';
      else if (h === 'Degraded') t.state = 'failed';
    }
    if (tasks.some((t) => t.state === 'failed')) return { phase: 'Failed', waitingFor: [], appliedWaves };
    const running = tasks.filter((t) => t.state === 'running');
    if (multiStep && running.length > 0) continue;
    const pending = tasks.filter((t) => t.state === 'pending' && (!s.syncOptions.includes('ApplyOutOfSyncOnly=true') || t.prune || s.outOfSync.has(t.key)));
    if (pending.length === 0) return { phase: 'Succeeded', waitingFor: [], appliedWaves };
    const wave = pending[0].wave;
    const now = pending.filter((t) => t.wave === wave);
    now.forEach((t) => { t.state = 'running'; });
    appliedWaves.push(wave);
    if (pending.length === now.length) return { phase: 'Succeeded', waitingFor: [], appliedWaves };
  }
  return { phase: 'Running', waitingFor: tasks.filter((t) => t.state === 'running').map((t) => t.key), appliedWaves };
}

/**
 * Health during a release, as Argo CD's built-in checks report it: a Deployment a Kruise Rollout
 * in git targets, whose template the commit changes, is paused by Kruise's webhook (Suspended,
 * `health_deployment.go:29-33`) for the whole release; other Deployments become Healthy; a
 * Rollout in a release is Suspended at a pause step; Istio objects, Services, TrafficRoutings and
 * ConfigMaps have no health check. `deploymentHealth` replaces the Deployment check (an
 * argocd-cm customisation) when given.
 */
export function releaseHealth(target: readonly Obj[], templateChanged: ReadonlySet<string>, deploymentHealth?: (live: Obj) => Health): (o: Obj) => Health {
  const targeted = new Set(target.filter((o) => o.kind === 'Rollout')
    .map((r) => (r.spec?.objectRef?.workloadRef ?? r.spec?.workloadRef)?.name));
  return (o) => {
    if (o.kind === 'Deployment') {
      const paused = targeted.has(o.metadata.name) && templateChanged.has(keyOf(o));
      const live = {
        ...o,
        metadata: { ...o.metadata, generation: 2, annotations: { ...o.metadata.annotations, ...(paused ? { 'rollouts.kruise.io/in-progressing': '{"rolloutName":"r"}' } : {}) } },
        spec: { ...o.spec, paused: paused ? true : undefined, replicas: o.spec.replicas ?? 1 },
        status: { observedGeneration: 2, replicas: o.spec.replicas ?? 1, updatedReplicas: paused ? 0 : o.spec.replicas ?? 1, availableReplicas: o.spec.replicas ?? 1 },
      };
      if (deploymentHealth) return deploymentHealth(live);
      return paused ? 'Suspended' : 'Healthy';
    }
    if (o.kind === 'Rollout') return templateChanged.size > 0 ? 'Suspended' : 'Healthy';
    return undefined;
  };
}
