/**
 * The `spec` of an Argo CD Application that syncs gray releases, shared by the Application and
 * by every Application an ApplicationSet generates (the same ignores and sync options).
 */
import { IgnoreDifference, toArgoCdIgnoreDifference } from './ignore-differences';
import type { ApplicationSetSpecTemplateSpec, ApplicationSpec } from '../../../imports/argocd';

/**
 * Sync options every Application sets.
 *
 * `ApplyOutOfSyncOnly=true`: a sync applies only the objects that differ from git (after the
 * ignoreDifferences), so a VirtualService or DestinationRule whose only drift is Kruise's is not
 * applied and keeps Kruise's rules (gitops-engine `sync_context.go` filterOutOfSyncTasks,
 * argo-cd v3.5.1; since v2.0.0).
 *
 * Not set, on purpose: `RespectIgnoreDifferences=true` (applies git's whole arrays over Kruise's
 * edits from v3.5.0, drops git's route changes before) and `PruneLast=true` (makes a sync wait
 * for Deployments Kruise paused); see `release-safety.ts`.
 */
export const REQUIRED_SYNC_OPTIONS: readonly string[] = ['ApplyOutOfSyncOnly=true'];

/** Everything an Application's spec is made of. Strings may be ApplicationSet template expressions. */
export interface ApplicationTemplate {
  readonly project: string;
  readonly repoURL: string;
  readonly path: string;
  readonly targetRevision: string;
  readonly server: string;
  readonly namespace?: string;
  /** Automated sync, or undefined for manual sync. */
  readonly automated?: { readonly prune: boolean; readonly selfHeal: boolean };
  /** Options besides {@link REQUIRED_SYNC_OPTIONS}. */
  readonly extraSyncOptions: readonly string[];
  readonly ignoreDifferences: readonly IgnoreDifference[];
}

/** The sync options written: the required ones, then the extra ones, each once. */
export function syncOptionsOf(extra: readonly string[]): string[] {
  return [...new Set([...REQUIRED_SYNC_OPTIONS, ...extra])];
}

/** An Application's `spec`. */
export function applicationSpec(t: ApplicationTemplate): ApplicationSpec {
  return {
    project: t.project,
    source: { repoUrl: t.repoURL, path: t.path, targetRevision: t.targetRevision },
    destination: { server: t.server, namespace: t.namespace },
    syncPolicy: {
      automated: t.automated ? { prune: t.automated.prune, selfHeal: t.automated.selfHeal } : undefined,
      syncOptions: syncOptionsOf(t.extraSyncOptions),
    },
    ignoreDifferences: t.ignoreDifferences.length > 0 ? t.ignoreDifferences.map((e) => toArgoCdIgnoreDifference(e)) : undefined,
  };
}

/** The `template.spec` of an ApplicationSet: the same fields as {@link applicationSpec}. */
export function applicationSetTemplateSpec(t: ApplicationTemplate): ApplicationSetSpecTemplateSpec {
  const spec = applicationSpec(t);
  return {
    project: spec.project,
    source: { repoUrl: t.repoURL, path: t.path, targetRevision: t.targetRevision },
    destination: { server: t.server, namespace: t.namespace },
    syncPolicy: { automated: spec.syncPolicy?.automated, syncOptions: spec.syncPolicy?.syncOptions },
    ignoreDifferences: spec.ignoreDifferences,
  };
}
