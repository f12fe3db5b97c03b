import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoCdSyncProps, checkNamespace, checkSyncProps, ignoresOf, manifestsOf, syncSafetyProblems, SyncPolicy } from './application-props';
import { toJson_ApplicationSpec } from '../../../imports/argocd';
import { applicationSpec } from '../../model/argocd/application-spec';
import { IgnoreDifference, ManifestLike } from '../../model/argocd/ignore-differences';
import { requireObjectName } from '../../model/names';
import { addChecks, ChartState, problemsAt } from '../core/state';

export { SyncPolicy, type AutomatedSyncOptions, type ArgoCdSyncProps } from './application-props';
export { REQUIRED_SYNC_OPTIONS } from '../../model/argocd/application-spec';

/** apiVersion and kind of an Argo CD Application. */
export const ARGOCD_APPLICATION_API_VERSION = 'argoproj.io/v1alpha1';

/** Where Argo CD applies the manifests. */
export interface ApplicationDestination {
  /** @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in) */
  readonly server?: string;
  /** Namespace for objects that name none. @default - objects must name their namespace */
  readonly namespace?: string;
}

/** Props of {@link ArgoCdApplication}. */
export interface ArgoCdApplicationProps extends ArgoCdSyncProps {
  /** Application name. @default - the construct id */
  readonly name?: string;
  /** Namespace Argo CD watches for Applications. @default 'argocd' */
  readonly namespace?: string;
  /** @default - the in-cluster server, and no default namespace */
  readonly destination?: ApplicationDestination;
}

/**
 * An Argo CD `Application` for the output of one or more charts, safe to sync while Kruise
 * Rollouts release them:
 *
 * - its `ignoreDifferences` cover exactly the fields those Rollouts edit (see
 *   `ignoreDifferencesFor`), scoped by kind and name, so objects whose only drift is Kruise's
 *   are Synced;
 * - `ApplyOutOfSyncOnly=true` keeps Argo CD from re-applying them (and Kruise's rules with them);
 * - at synth, nothing the charts hold may make a sync wait for a Deployment Kruise paused (a
 *   later sync wave, a PostSync hook, `PruneLast`), and `RespectIgnoreDifferences` is refused.
 *
 * Charts without Rollouts (static lanes only) get no ignoreDifferences: no controller edits them.
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
    checkNamespace(p, 'namespace', props.namespace);
    checkSyncProps(p, this, 'Application', props);
    this.charts = [...props.charts];
    const destination = props.destination ?? {};
    if (destination.server !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(destination.server)) {
      p.add('destination.server', `${JSON.stringify(destination.server)} is not a cluster API URL`, 'give the API server URL, e.g. "https://kubernetes.default.svc", or leave it unset for the cluster Argo CD runs in');
    }
    checkNamespace(p, 'destination.namespace', destination.namespace);
    p.throwIfAny();
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: ARGOCD_APPLICATION_API_VERSION,
      kind: 'Application',
      metadata: { name: this.name, namespace: props.namespace ?? 'argocd' },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    addChecks(this, () => [...ChartState.of(this).uniquenessProblems(this), ...syncSafetyProblems(this.charts, props)]);
  }

  /** The manifests of the charts, as Argo CD will read them. */
  public manifests(): ManifestLike[] {
    return manifestsOf(this.charts);
  }

  /** The computed entries with their reasons (what the Application's ignoreDifferences say, and why). */
  public ignoreDifferences(): IgnoreDifference[] {
    return ignoresOf(this.charts, this.props);
  }

  private renderSpec(): unknown {
    const p = this.props;
    return toJson_ApplicationSpec(applicationSpec({
      project: p.project ?? 'default',
      repoURL: p.repoURL,
      path: p.path,
      targetRevision: p.targetRevision ?? 'HEAD',
      server: p.destination?.server ?? 'https://kubernetes.default.svc',
      namespace: p.destination?.namespace,
      automated: (p.syncPolicy ?? SyncPolicy.automated())._automated,
      extraSyncOptions: p.extraSyncOptions ?? [],
      ignoreDifferences: this.ignoreDifferences(),
    }));
  }
}
