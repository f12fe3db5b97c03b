/**
 * What must hold for an Argo CD Application that syncs Kruise releases, checked on the manifests
 * it syncs and its sync options (argo-cd v3.5.1; gitops-engine is in its `gitops-engine/` folder):
 *
 * 1. **No sync stays Running because Kruise paused a Deployment.** Kruise's webhook pauses a
 *    Rollout-targeted Deployment when its template changes (openkruise/rollouts v0.6.2
 *    workload_update_handler.go:298-307); Argo CD reports it Suspended (health_deployment.go:29-33);
 *    and a sync with a task left in a later wave or phase waits for every applied object to be
 *    Healthy (sync_context.go:540-597), with no timeout by default, blocking every later
 *    auto-sync ("another operation is in progress", appcontroller.go:2336-2338). So nothing may
 *    come after such a Deployment: no object in a later wave, no PostSync hook, and no
 *    `PruneLast` (it puts every prune task, even a skipped one, in wave last+1,
 *    sync_context.go:1127-1144, 1454-1457).
 * 2. **No `RespectIgnoreDifferences=true`.** For the VirtualService and DestinationRule arrays
 *    Kruise edits it does not keep Kruise's rules while applying git's: from v3.5.0 / v3.4.5 /
 *    v3.3.13 `restoreNonIgnoredFields` (controller/sync.go:548-591) applies git's whole array,
 *    removing Kruise's canary rule or subset; before, the live array was applied and git's route
 *    change silently dropped (argo-cd issues #9678, #17694, #26588). `ApplyOutOfSyncOnly=true`
 *    with the ignores is what keeps Kruise's edits.
 */
import { ModelProblem, problem } from '../problem';
import type { ManifestLike } from './ignore-differences';
import { rolloutTargets, SYNC_WAVE_ANNOTATION, workloadKey } from './sync-waves';

/** Argo CD's hook annotation. */
const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
/** Argo CD's per-object sync options annotation. */
const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

function waveOf(m: ManifestLike): number {
  const w = Number(m.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
  return Number.isFinite(w) ? w : 0;
}

function describe(m: ManifestLike): string {
  return `${m.kind} ${m.metadata?.name}`;
}

/**
 * Problems of syncing `manifests` with `syncOptions` while Kruise releases them; empty when no
 * Kruise Rollout is among them. `prop` names where the sync options are given.
 */
export function argoCdReleaseProblems(manifests: readonly ManifestLike[], syncOptions: readonly string[], prop = 'extraSyncOptions'): ModelProblem[] {
  const targets = rolloutTargets(manifests);
  if (targets.size === 0) return [];
  const out: ModelProblem[] = [];
  if (syncOptions.includes('PruneLast=true')) {
    out.push(problem(prop, 'PruneLast=true puts every prune task (also a skipped one, for any object left in the cluster after it left git) in a wave after all others, so Argo CD waits for the Deployments Kruise pauses and the sync stays Running until the release ends',
      'drop PruneLast; remove a route in one commit and its subset or Deployment in the next'));
  }
  if (syncOptions.includes('RespectIgnoreDifferences=true')) {
    out.push(problem(prop, 'RespectIgnoreDifferences=true makes Argo CD (v3.5.0, v3.4.5, v3.3.13 and later) apply git\'s whole http and subsets arrays, removing the canary rule and subset Kruise added; older versions instead drop git\'s route changes silently',
      'drop it: ApplyOutOfSyncOnly=true with the ignoreDifferences keeps Kruise\'s edits; make route changes between releases'));
  }
  const deployments = manifests.filter((m) => m.kind === 'Deployment' && targets.has(workloadKey(m.metadata?.namespace, m.kind, m.metadata?.name)));
  for (const d of deployments) {
    const later = manifests.filter((m) => waveOf(m) > waveOf(d));
    if (later.length === 0) continue;
    out.push(problem('charts', `${later.slice(0, 3).map(describe).join(', ')}${later.length > 3 ? ` and ${later.length - 3} more` : ''} ${later.length === 1 ? 'is' : 'are'} in a later sync wave (${Math.max(...later.map(waveOf))}) than the Deployment ${d.metadata?.name} (wave ${waveOf(d)}) that a Kruise Rollout releases; Kruise pauses that Deployment when its template changes, Argo CD reports it Suspended, and the sync would stay Running until the release ends`,
      `put those objects in wave ${waveOf(d)} or earlier (applySyncWaves puts Rollout-targeted Deployments in the last wave)`));
  }
  for (const m of manifests) {
    const hook = m.metadata?.annotations?.[HOOK_ANNOTATION] ?? '';
    if (hook.split(',').map((h) => h.trim()).includes('PostSync')) {
      out.push(problem('charts', `${describe(m)} is a PostSync hook; Argo CD runs it only after every synced object is Healthy, so the sync would stay Running while Kruise keeps a Deployment paused`, 'run the job another way (a PreSync hook, or outside the sync)'));
    }
    if ((m.metadata?.annotations?.[SYNC_OPTIONS_ANNOTATION] ?? '').split(',').map((o) => o.trim()).includes('PruneLast=true')) {
      out.push(problem('charts', `${describe(m)} has the sync option PruneLast=true; once it leaves git its prune task comes after every wave, and the sync would wait for the Deployments Kruise pauses`, 'remove the annotation'));
    }
  }
  return out;
}
