import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ApplicationSpec, toJson_ApplicationSpec } from '../../../imports/argocd';
import { IgnoreDifference, ignoreDifferencesFor, ManifestLike, toArgoCdIgnoreDifference } from '../../model/argocd/ignore-differences';
import { isDns1123Label, isDns1123Subdomain, requireObjectName } from '../../model/names';
import { addChecks, ChartState, problemsAt } from '../core/state';

/** apiVersion and kind of an Argo CD Application. */
export const ARGOCD_APPLICATION_API_VERSION = 'argoproj.io/v1alpha1';

/**
 * Sync options the Application always sets, each needed for Kruise's edits to hold.
 *
 * - `RespectIgnoreDifferences=true`: without it `ignoreDifferences` only hides the diff; a sync
 *   (manual, automated or self-heal) would still apply git's VirtualService, DestinationRule
 *   and Deployment over Kruise's edits mid-release. With it, Argo CD applies the live values of
 *   the ignored fields.
 * - `ApplyOutOfSyncOnly=true`: a sync applies only the objects that differ, so objects under
 *   release (Synced thanks to the ignores) are not rewritten by an unrelated change, which would
 *   race Kruise's own updates of them.
 * - `PruneLast=true`: objects removed from git are deleted after every other object is applied,
 *   so a VirtualService stops routing to a subset or Service before that is deleted.
 */
export const REQUIRED_SYNC_OPTIONS: readonly string[] = ['RespectIgnoreDifferences=true', 'ApplyOutOfSyncOnly=true', 'PruneLast=true'];

/** Options of an automated sync. */
export interface AutomatedSyncOptions {
  /**
   * Delete objects that are no longer in git.
   * @default false (Argo CD's default: removed objects are reported, not deleted)
   */
  readonly prune?: boolean;
  /**
   * Re-apply git when the live state drifts. Safe with Kruise: the fields Kruise edits are
   * ignored, so self-heal does not fight the controller.
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

/** Where Argo CD applies the manifests. */
export interface ApplicationDestination {
  /** @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in) */
  readonly server?: string;
  /** Namespace for objects that name none. @default - objects must name their namespace */
  readonly namespace?: string;
}

/** Props of {@link ArgoCdApplication}. */
export interface ArgoCdApplicationProps {
  /** Application name. @default - the construct id */
  readonly name?: string;
  /** Namespace Argo CD watches for Applications. @default 'argocd' */
  readonly namespace?: string;
  /** Git repository of the synthesized manifests. */
  readonly repoURL: string;
  /** Folder of the synthesized manifests in that repository (e.g. `dist/shop`). */
  readonly path: string;
  /** Branch, tag or commit. @default 'HEAD' */
  readonly targetRevision?: string;
  /** Argo CD project. @default 'default' */
  readonly project?: string;
  /** @default - the in-cluster server, and no default namespace */
  readonly destination?: ApplicationDestination;
  /**
   * The charts whose output is in `path`. Their objects are read at synth, so objects added
   * after this construct is created count too; the ignoreDifferences cover every Kruise
   * Rollout among them.
   */
  readonly charts: readonly Chart[];
  /** @default SyncPolicy.automated() (selfHeal, no prune) */
  readonly syncPolicy?: SyncPolicy;
  /** Sync options besides {@link REQUIRED_SYNC_OPTIONS} (e.g. `CreateNamespace=true`). @default - none */
  readonly extraSyncOptions?: readonly string[];
  /** Entries besides the computed ones (e.g. for objects another controller edits). @default - none */
  readonly extraIgnoreDifferences?: readonly IgnoreDifference[];
}

/**
 * An Argo CD `Application` for the output of one or more charts, safe to sync while Kruise
 * Rollouts release them: its `ignoreDifferences` cover exactly the fields those Rollouts edit
 * (see {@link ignoreDifferencesFor}), scoped by kind and name, and its sync options make Argo CD
 * keep Kruise's values ({@link REQUIRED_SYNC_OPTIONS}). Charts without Rollouts (static lanes
 * only) get no ignoreDifferences: no controller edits them.
 *
 * Put it in a chart that is synthesized outside `path`, or Argo CD would also apply the
 * Application itself from that folder.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
 */
export class ArgoCdApplication extends Construct {
  /** The Application object (id `Resource`, the escape hatch). */
  public readonly apiObject: ApiObject;
  /** Application name. */
  public readonly name: string;
  private readonly charts: readonly Chart[];

  public constructor(scope: Construct, id: string, private readonly props: ArgoCdApplicationProps) {
    super(scope, id);
    const p = problemsAt(this);
    this.name = props.name ?? id;
    requireObjectName(p, 'name', 'Application', this.name);
    if (props.namespace !== undefined && !isDns1123Label(props.namespace)) p.add('namespace', `${JSON.stringify(props.namespace)} is not a namespace name`, 'use a DNS-1123 label');
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
      if (Chart.of(this) === c || c.node.findAll().includes(this)) {
        p.add('charts', `chart ${c.node.path} contains the Application itself`, 'put the Application in a chart (or App) whose output Argo CD does not read from `path`');
      }
    }
    this.charts = [...props.charts];
    const destination = props.destination ?? {};
    if (destination.server !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(destination.server)) {
      p.add('destination.server', `${JSON.stringify(destination.server)} is not a cluster API URL`, 'give the API server URL, e.g. "https://kubernetes.default.svc", or leave it unset for the cluster Argo CD runs in');
    }
    if (destination.namespace !== undefined && !isDns1123Label(destination.namespace)) {
      p.add('destination.namespace', `${JSON.stringify(destination.namespace)} is not a namespace name`, 'use a DNS-1123 label');
    }
    p.throwIfAny();
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: ARGOCD_APPLICATION_API_VERSION,
      kind: 'Application',
      metadata: { name: this.name, namespace: props.namespace ?? 'argocd' },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addChecks(this, () => ChartState.of(this).uniquenessProblems(this));
  }

  /** The manifests of the charts, as Argo CD will read them. */
  public manifests(): ManifestLike[] {
    return this.charts.flatMap((c) => c.toJson() as ManifestLike[]);
  }

  /** The computed entries with their reasons (what the Application's ignoreDifferences say, and why). */
  public ignoreDifferences(): IgnoreDifference[] {
    return [...ignoreDifferencesFor(this.manifests()), ...(this.props.extraIgnoreDifferences ?? [])];
  }

  private renderSpec(): unknown {
    const p = this.props;
    const automated = (p.syncPolicy ?? SyncPolicy.automated())._automated;
    const ignores = this.ignoreDifferences();
    const spec: ApplicationSpec = {
      project: p.project ?? 'default',
      source: { repoUrl: p.repoURL, path: p.path, targetRevision: p.targetRevision ?? 'HEAD' },
      destination: { server: p.destination?.server ?? 'https://kubernetes.default.svc', namespace: p.destination?.namespace },
      syncPolicy: {
        automated: automated ? { prune: automated.prune, selfHeal: automated.selfHeal } : undefined,
        syncOptions: [...new Set([...REQUIRED_SYNC_OPTIONS, ...(p.extraSyncOptions ?? [])])],
      },
      ignoreDifferences: ignores.length > 0 ? ignores.map((e) => toArgoCdIgnoreDifference(e)) : undefined,
    };
    return toJson_ApplicationSpec(spec);
  }
}
