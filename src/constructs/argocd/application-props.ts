/** Props and checks an Argo CD Application and an ApplicationSet share. */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IgnoreDifference, ignoreDifferencesFor, ManifestLike } from '../../model/argocd/ignore-differences';
import { argoCdReleaseProblems } from '../../model/argocd/release-safety';
import { isDns1123Label, isDns1123Subdomain } from '../../model/names';
import { ModelProblem, Problems } from '../../model/problem';

/** Options of an automated sync. */
export interface AutomatedSyncOptions {
  /**
   * Delete objects that are no longer in git.
   * @default false (Argo CD's default: removed objects are reported, not deleted)
   */
  readonly prune?: boolean;
  /**
   * Re-apply git when the live state drifts. Safe with Kruise: the fields Kruise edits are
   * ignored, so an object whose only drift is Kruise's is Synced and not re-applied.
   * @default true
   */
  readonly selfHeal?: boolean;
}

/** When Argo CD syncs the Application. */
export class SyncPolicy {
  /** Sync only when asked (UI, CLI, API). */
  public static manual(): SyncPolicy {
    return new SyncPolicy(undefined);
  }

  /** Sync whenever git changes (and, with `selfHeal`, when the cluster drifts). */
  public static automated(options: AutomatedSyncOptions = {}): SyncPolicy {
    return new SyncPolicy({ prune: options.prune ?? false, selfHeal: options.selfHeal ?? true });
  }

  private constructor(
    /** @internal */
    public readonly _automated: { prune: boolean; selfHeal: boolean } | undefined,
  ) {}
}

/** What Argo CD syncs and how: the props an Application and an ApplicationSet share. */
export interface ArgoCdSyncProps {
  /** Git repository of the synthesized manifests. */
  readonly repoURL: string;
  /** Folder of the synthesized manifests in that repository (e.g. `dist/shop`). */
  readonly path: string;
  /** Branch, tag or commit. @default 'HEAD' */
  readonly targetRevision?: string;
  /** Argo CD project. @default 'default' */
  readonly project?: string;
  /**
   * The charts whose output is in `path`. Their objects are read at synth, so objects added
   * after this construct is created count too; the ignoreDifferences cover every Kruise
   * Rollout among them.
   */
  readonly charts: readonly Chart[];
  /** @default SyncPolicy.automated() (selfHeal, no prune) */
  readonly syncPolicy?: SyncPolicy;
  /**
   * Sync options besides `ApplyOutOfSyncOnly=true` (e.g. `CreateNamespace=true`). With Kruise
   * Rollouts among the charts, `PruneLast=true` and `RespectIgnoreDifferences=true` are refused:
   * the first makes syncs wait for the Deployments Kruise pauses, the second removes Kruise's
   * routes (see the README, "Argo CD").
   * @default - none
   */
  readonly extraSyncOptions?: readonly string[];
  /** Entries besides the computed ones (e.g. for objects another controller edits). @default - none */
  readonly extraIgnoreDifferences?: readonly IgnoreDifference[];
}

/** Construction-time checks of the shared props; `self` is the `kind` (Application or ApplicationSet). */
export function checkSyncProps(p: Problems, self: IConstruct, kind: string, props: ArgoCdSyncProps): void {
  if (!props.repoURL || /\s/.test(props.repoURL)) p.add('repoURL', `${JSON.stringify(props.repoURL)} is not a repository URL`, 'give the URL of the git repository holding the synthesized manifests, without spaces');
  if (!props.path || props.path.startsWith('/') || /\s/.test(props.path) || props.path.split('/').includes('..')) {
    p.add('path', `${JSON.stringify(props.path)} is not a folder inside the repository`, 'give a relative path without ".." such as "dist/shop"');
  }
  if (props.targetRevision !== undefined && (!props.targetRevision || /\s/.test(props.targetRevision))) {
    p.add('targetRevision', `${JSON.stringify(props.targetRevision)} is not a branch, tag or commit`, 'give a revision such as "main", "v1.2.0" or a commit SHA, or leave it unset (HEAD)');
  }
  if (props.project !== undefined && !isDns1123Subdomain(props.project)) {
    p.add('project', `${JSON.stringify(props.project)} is not an Argo CD project name`, 'use lowercase letters, digits, "-" and ".", or leave it unset ("default")');
  }
  for (const o of props.extraSyncOptions ?? []) {
    if (!/^[A-Za-z]+=[^\s=]+$/.test(o)) p.add('extraSyncOptions', `${JSON.stringify(o)} is not a sync option`, 'write options as Name=value, e.g. "CreateNamespace=true"');
  }
  if (props.charts.length === 0) p.add('charts', 'is empty', 'give the charts whose output is in `path`');
  for (const c of props.charts) {
    if (Chart.of(self) === c || c.node.findAll().includes(self)) {
      p.add('charts', `chart ${c.node.path} contains the ${kind} itself`, `put the ${kind} in a chart (or App) whose output Argo CD does not read from \`path\``);
    }
  }
}

/** Checks a namespace prop (a DNS-1123 label) if given. */
export function checkNamespace(p: Problems, prop: string, value: string | undefined): void {
  if (value !== undefined && !isDns1123Label(value)) p.add(prop, `${JSON.stringify(value)} is not a namespace name`, 'use a DNS-1123 label');
}

/**
 * The manifests of `charts`, as Argo CD will read them. Read object by object: `Chart.toJson()`
 * would validate the app again, and this runs inside the app's validation.
 */
export function manifestsOf(charts: readonly Chart[]): ManifestLike[] {
  return charts.flatMap((c) => c.node.findAll().filter((o): o is ApiObject => o instanceof ApiObject).map((o) => o.toJson() as ManifestLike));
}

/** The computed ignores plus the extra ones. */
export function ignoresOf(charts: readonly Chart[], props: ArgoCdSyncProps): IgnoreDifference[] {
  return [...ignoreDifferencesFor(manifestsOf(charts)), ...(props.extraIgnoreDifferences ?? [])];
}

/** Synth-time problems: syncing these charts with these options while Kruise releases them. */
export function syncSafetyProblems(charts: readonly Chart[], props: ArgoCdSyncProps): ModelProblem[] {
  return argoCdReleaseProblems(manifestsOf(charts), props.extraSyncOptions ?? []);
}
