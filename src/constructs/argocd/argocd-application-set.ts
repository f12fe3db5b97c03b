import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoCdSyncProps, checkNamespace, checkSyncProps, ignoresOf, syncSafetyProblems, SyncPolicy } from './application-props';
import { ApplicationSetSpec, ApplicationSetSpecGenerators, toJson_ApplicationSetSpec } from '../../../imports/argocd';
import { applicationSetTemplateSpec } from '../../model/argocd/application-spec';
import { IgnoreDifference } from '../../model/argocd/ignore-differences';
import { isDns1123Label, isLabelKey, isLabelValue, requireObjectName } from '../../model/names';
import { ModelProblem, problem, Problems } from '../../model/problem';
import { addChecks, ChartState, problemsAt } from '../core/state';

/** apiVersion of an Argo CD ApplicationSet. */
export const ARGOCD_APPLICATION_SET_API_VERSION = 'argoproj.io/v1alpha1';

/** One cluster of a list generator. */
export interface ClusterListElement {
  /** Name of the cluster: the suffix of its Application's name (a DNS-1123 label). */
  readonly name: string;
  /** API server URL of the cluster, as registered in Argo CD. */
  readonly server: string;
}

/** Options of a cluster generator. */
export interface ClusterSelectorOptions {
  /** Labels the Argo CD cluster Secrets must carry (at least one). */
  readonly matchLabels: Readonly<Record<string, string>>;
}

/**
 * Which clusters an ApplicationSet deploys to: Argo CD's list generator (clusters named here) or
 * its cluster generator (clusters registered in Argo CD whose cluster Secret has labels).
 */
export class ClusterGenerator {
  /**
   * The clusters listed here (each must be registered in Argo CD). Generated Applications are
   * named `<name>-<cluster name>`.
   */
  public static list(clusters: readonly ClusterListElement[]): ClusterGenerator {
    return new ClusterGenerator('list', clusters, undefined);
  }

  /**
   * Every cluster registered in Argo CD whose cluster Secret carries `matchLabels`. A label
   * selector never selects the in-cluster cluster unless a Secret is created for it. Generated
   * Applications are named `<name>-<nameNormalized>`.
   */
  public static clusters(options: ClusterSelectorOptions): ClusterGenerator {
    return new ClusterGenerator('clusters', undefined, options);
  }

  private constructor(
    /** @internal */ public readonly _kind: 'list' | 'clusters',
    /** @internal */ public readonly _list: readonly ClusterListElement[] | undefined,
    /** @internal */ public readonly _selector: ClusterSelectorOptions | undefined,
  ) {}

  /** @internal The generator, the Application name suffix and the server, as Go template expressions. */
  public _render(): { generator: ApplicationSetSpecGenerators; nameSuffix: string; server: string } {
    if (this._kind === 'list') {
      return {
        generator: { list: { elements: (this._list ?? []).map((c) => ({ cluster: c.name, url: c.server })) } },
        nameSuffix: '{{.cluster}}',
        server: '{{.url}}',
      };
    }
    return { generator: { clusters: { selector: { matchLabels: { ...this._selector?.matchLabels } } } }, nameSuffix: '{{.nameNormalized}}', server: '{{.server}}' };
  }

  /** @internal */
  public _check(p: Problems, name: string): void {
    if (this._kind === 'list') {
      const list = this._list ?? [];
      if (list.length === 0) p.add('clusters', 'the list names no cluster', 'list at least one cluster: ClusterGenerator.list([{ name, server }])');
      const seen = new Set<string>();
      for (const c of list) {
        if (!isDns1123Label(c.name)) p.add('clusters', `${JSON.stringify(c.name)} is not a cluster name (it ends the Application's name)`, 'use a DNS-1123 label such as "prod-eu"');
        else requireObjectName(p, 'clusters', 'Application', `${name}-${c.name}`);
        if (seen.has(c.name)) p.add('clusters', `the cluster ${c.name} is listed twice, so two Applications would have the same name`, 'list each cluster once');
        seen.add(c.name);
        if (!/^https?:\/\/[^\s/{}]+(\/[^\s{}]*)?$/.test(c.server ?? '')) p.add('clusters', `${JSON.stringify(c.server)} is not a cluster API URL`, 'give the API server URL registered in Argo CD, e.g. "https://prod-eu.example.com:6443"');
      }
      return;
    }
    const labels = Object.entries(this._selector?.matchLabels ?? {});
    if (labels.length === 0) p.add('clusters', 'the cluster selector has no label, so it would select every cluster Argo CD knows', 'give matchLabels that only the clusters of this release carry');
    for (const [k, v] of labels) {
      if (!isLabelKey(k) || !isLabelValue(v)) p.add('clusters', `${JSON.stringify(k)}: ${JSON.stringify(v)} is not a label`, 'use a Kubernetes label key and value');
    }
  }
}

/** Props of {@link ArgoCdApplicationSet}. */
export interface ArgoCdApplicationSetProps extends ArgoCdSyncProps {
  /** ApplicationSet name, also the prefix of every generated Application's name. @default - the construct id */
  readonly name?: string;
  /** Namespace of the Argo CD install. @default 'argocd' */
  readonly namespace?: string;
  /** The clusters to deploy to. */
  readonly clusters: ClusterGenerator;
  /** Namespace for objects that name none, in every cluster. @default - objects must name their namespace */
  readonly destinationNamespace?: string;
  /**
   * Keep the deployed objects when the ApplicationSet (and so its Applications) is deleted:
   * the generated Applications then get no `resources-finalizer.argocd.argoproj.io`.
   * @default true
   */
  readonly preserveResourcesOnDeletion?: boolean;
}

/**
 * An Argo CD `ApplicationSet` that deploys the same synthesized release to many clusters: each
 * generated Application has exactly the ignoreDifferences and sync options of an
 * {@link ArgoCdApplication} for the same charts, and the same synth-time checks apply.
 *
 * Written with `goTemplate: true` and `goTemplateOptions: ["missingkey=error"]` (a typo in a
 * parameter fails instead of writing an empty string), and `preserveResourcesOnDeletion`.
 * Progressive Syncs (`strategy: RollingSync`) are not used: they wait for every Application of a
 * step to be Healthy, and a Kruise release keeps its Application Suspended until it ends.
 * `syncPolicy.applicationsSync` is not written: the ApplicationSet controller ignores it unless
 * it runs with policy override enabled.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/
 */
export class ArgoCdApplicationSet extends Construct {
  /** The ApplicationSet object (id `Resource`, the escape hatch). */
  public readonly apiObject: ApiObject;
  /** ApplicationSet name. */
  public readonly name: string;
  private readonly charts: readonly Chart[];

  public constructor(scope: Construct, id: string, private readonly props: ArgoCdApplicationSetProps) {
    super(scope, id);
    const p = problemsAt(this);
    this.name = props.name ?? id;
    requireObjectName(p, 'name', 'ApplicationSet', this.name);
    checkNamespace(p, 'namespace', props.namespace);
    checkNamespace(p, 'destinationNamespace', props.destinationNamespace);
    checkSyncProps(p, this, 'ApplicationSet', props);
    for (const [prop, value] of [['repoURL', props.repoURL], ['path', props.path], ['targetRevision', props.targetRevision], ['project', props.project]] as const) {
      if (value?.includes('{{')) p.add(prop, `${JSON.stringify(value)} contains "{{", which the ApplicationSet controller would read as a template`, 'give a value without "{{"');
    }
    if (!(props.clusters instanceof ClusterGenerator)) p.fail('clusters', 'no cluster generator given', 'use ClusterGenerator.list([...]) or ClusterGenerator.clusters({ matchLabels })');
    props.clusters._check(p, this.name);
    this.charts = [...props.charts];
    p.throwIfAny();
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: ARGOCD_APPLICATION_SET_API_VERSION,
      kind: 'ApplicationSet',
      metadata: { name: this.name, namespace: props.namespace ?? 'argocd' },
      spec: Lazy.any({ produce: () => toJson_ApplicationSetSpec(this.renderSpec()) }),
    });
    addChecks(this, () => [...ChartState.of(this).uniquenessProblems(this), ...syncSafetyProblems(this.charts, props), ...this.templateProblems()]);
  }

  /** The ignoreDifferences every generated Application gets, with their reasons. */
  public ignoreDifferences(): IgnoreDifference[] {
    return ignoresOf(this.charts, this.props);
  }

  private renderSpec(): ApplicationSetSpec {
    const p = this.props;
    const { generator, nameSuffix, server } = p.clusters._render();
    return {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [generator],
      template: {
        metadata: { name: `${this.name}-${nameSuffix}` },
        spec: applicationSetTemplateSpec({
          project: p.project ?? 'default',
          repoURL: p.repoURL,
          path: p.path,
          targetRevision: p.targetRevision ?? 'HEAD',
          server,
          namespace: p.destinationNamespace,
          automated: (p.syncPolicy ?? SyncPolicy.automated())._automated,
          extraSyncOptions: p.extraSyncOptions ?? [],
          ignoreDifferences: this.ignoreDifferences(),
        }),
      },
      syncPolicy: { preserveResourcesOnDeletion: p.preserveResourcesOnDeletion ?? true },
    };
  }

  /** Every string of the template is a Go template: only our two expressions may contain "{{". */
  private templateProblems(): ModelProblem[] {
    const text = JSON.stringify(this.ignoreDifferences());
    return text.includes('{{') ? [problem('extraIgnoreDifferences', 'an ignoreDifferences entry contains "{{", which the ApplicationSet controller would read as a template', 'write the entry without "{{"')] : [];
  }
}
