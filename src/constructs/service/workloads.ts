/**
 * The workloads of one GrayService: the Deployments built from the service's pod recipe (the
 * base version, further versions, and the Deployments static lanes add), the ServiceAccount they
 * run as, their autoscalers and disruption budgets, and the call-graph and header-propagation
 * contract they carry. Owned by {@link GrayService}; every object is a child of the service.
 */
import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkRecipe, checkVersionProps, checkWorkloadScaling } from './workload-checks';
import { AdoptOptions, AutoscalingProps, ServiceWorkloadProps, VersionWorkloadProps, WorkloadInfo, WorkloadOverrides, WorkloadRole } from './workload-props';
import { buildWorkload, ContainerPortSpec, recipeFields } from './workload-recipe';
import { addDisruptionBudget, addAutoscaler, createServiceAccount } from './workload-scaling';
import { requireDns1123Label, requireLabel } from '../../model/names';
import { ModelProblem, Problems, problemText } from '../../model/problem';
import { WellKnown } from '../../model/well-known';
import { IWorkloadLabels } from '../../model/workload';
import { canaryLabelProblems } from '../../model/workload-checks';
import { recipeDriftProblems } from '../../model/workload-consistency';
import { AppState, problemsAt } from '../core/state';

/** Options of a static lane's Deployment of a service. */
export interface WorkloadOptions extends WorkloadOverrides {
  /** Deployment name. */
  readonly name: string;
  /** Pod labels besides `app` (the version label and the lane label). */
  readonly labels: Readonly<Record<string, string>>;
}

/** What the workloads need to know about their service. */
export interface ServiceWorkloadsProps {
  /** The service name (the `app` label). */
  readonly name: string;
  /** The namespace prop, if any. */
  readonly namespace?: string;
  /** The pod label telling versions apart. */
  readonly versionLabel: string;
  /** The base version (its label value). */
  readonly baseVersion: string;
  /** Name of the base Deployment. */
  readonly baseDeployment: string;
  /** The pod recipe. */
  readonly recipe: ServiceWorkloadProps;
  /** The ports every container exposes (the first gets cdk8s-plus's TCP startup probe). */
  readonly ports: readonly ContainerPortSpec[];
  /** The services the pods call, read at synth. */
  readonly callees: () => readonly string[];
  /**
   * The base version's own overrides of the recipe, when the service lists `versions` (#12): the
   * base Deployment is the default route's version, built like any other version.
   * @default - the recipe's image, env, replicas, autoscaling and adopt
   */
  readonly baseOverrides?: VersionWorkloadProps;
}

/** A function run on every Deployment of the service. */
export type WorkloadHook = (deployment: kplus.Deployment, workload: WorkloadInfo) => void;

interface Entry {
  readonly deployment: kplus.Deployment;
  readonly info: WorkloadInfo;
  readonly replicas: number;
}

interface BuildOptions extends WorkloadOverrides {
  readonly id: string;
  readonly name: string;
  readonly role: WorkloadRole;
  readonly version: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly autoscaling?: AutoscalingProps;
  readonly adopt?: AdoptOptions;
  /** Where the options came from (error messages). */
  readonly prop: string;
}

export class ServiceWorkloads {
  /** The base Deployment. */
  public readonly base: kplus.Deployment;
  /** The ServiceAccount every workload runs as. */
  public readonly serviceAccountName: string;
  /** The ServiceAccount written for the service, if any. */
  public readonly serviceAccount?: kplus.ServiceAccount;
  private readonly account: kplus.IServiceAccount;
  private readonly entries: Entry[] = [];
  private readonly hooks: WorkloadHook[] = [];
  private readonly propagated = new Set<string>();

  public constructor(private readonly scope: Construct, private readonly o: ServiceWorkloadsProps) {
    const r = o.recipe;
    const p = problemsAt(scope);
    checkRecipe(p, r, o.name);
    p.throwIfAny();
    this.serviceAccountName = r.serviceAccount?.name ?? o.name;
    this.serviceAccount = r.serviceAccount?.create === false ? undefined : createServiceAccount(scope, this.serviceAccountName, o.namespace);
    this.account = this.serviceAccount ?? kplus.ServiceAccount.fromServiceAccountName(scope, 'ExistingServiceAccount', this.serviceAccountName);
    const v = o.baseOverrides;
    if (v) checkVersionProps(p, `versions[${v.name}]`, v);
    p.throwIfAny();
    this.base = this.build(p, {
      id: 'Deployment',
      name: o.baseDeployment,
      role: WorkloadRole.VERSION,
      version: o.baseVersion,
      labels: { [o.versionLabel]: o.baseVersion },
      image: v?.image ?? r.image,
      env: v?.env ? { ...(r.env ?? {}), ...v.env } : r.env,
      replicas: v?.replicas ?? r.replicas,
      resources: v?.resources,
      autoscaling: v?.autoscaling ?? r.autoscaling,
      adopt: v?.adopt ?? r.adopt,
      prop: v ? `versions[${v.name}]` : '',
    });
    // Every Deployment of the service shares the recipe: one changed through the cdk8s-plus API
    // alone (e.g. service.deployment.addVolume) is reported with the onEachWorkload fix.
    scope.node.addValidation({ validate: () => this.driftProblems().map(problemText) });
  }

  /** Every Deployment of the service, with the labels its pods carry. */
  public get list(): readonly IWorkloadLabels[] {
    return this.entries.map((e) => ({ name: e.info.name, podLabels: e.info.podLabels, replicas: e.replicas }));
  }

  /** Every Deployment of the service with what callbacks learn about it, in creation order. */
  public get all(): ReadonlyArray<{ readonly deployment: kplus.Deployment; readonly info: WorkloadInfo }> {
    return this.entries.map((e) => ({ deployment: e.deployment, info: e.info }));
  }

  /** Headers the application must propagate, sorted. */
  public get headersToPropagate(): readonly string[] {
    return [...this.propagated].sort();
  }

  /** Adds a header every container gets in `GRAY_RELEASE_PROPAGATE_HEADERS` (see GrayService.propagateHeader). */
  public propagateHeader(header: string): void {
    if (this.propagated.size === 0) this.entries.forEach((e) => this.addPropagationEnv(e.deployment));
    this.propagated.add(header);
    AppState.of(this.scope).touch();
  }

  /** Runs `hook` on every Deployment of the service now, and on every one added later. */
  public onEachWorkload(hook: WorkloadHook): void {
    this.hooks.push(hook);
    for (const e of [...this.entries]) hook(e.deployment, e.info);
    AppState.of(this.scope).touch();
  }

  /**
   * Adds a version of the service: Deployment `<service>-<version>` (pods labelled with the
   * version), built from the recipe with the version's overrides.
   */
  public addVersion(version: VersionWorkloadProps): kplus.Deployment {
    const p = problemsAt(this.scope);
    const prop = `versions[${version.name}]`;
    checkVersionProps(p, prop, version);
    requireLabel(p, `${prop}.name`, this.o.versionLabel, version.name);
    requireDns1123Label(p, `${prop}.name`, `${this.o.name}-${version.name}`);
    if (version.name === this.o.baseVersion) p.add(`${prop}.name`, `"${version.name}" is the base version, which the service already runs`, 'give another version name');
    p.throwIfAny();
    return this.build(p, {
      ...version,
      id: `Version-${version.name}`,
      name: `${this.o.name}-${version.name}`,
      role: WorkloadRole.VERSION,
      version: version.name,
      labels: { [this.o.versionLabel]: version.name },
      env: { ...(this.o.recipe.env ?? {}), ...(version.env ?? {}) },
      prop,
    });
  }

  /**
   * Adds a static lane's Deployment of the service, built from the recipe with the lane's
   * overrides. Its pods carry `app` and the given labels.
   */
  public add(id: string, options: WorkloadOptions): kplus.Deployment {
    const p = problemsAt(this.scope);
    requireDns1123Label(p, 'workload name', options.name);
    checkVersionProps(p, 'addMember', options);
    p.throwIfAny();
    return this.build(p, {
      ...options,
      id,
      role: WorkloadRole.LANE,
      version: options.labels[this.o.versionLabel] ?? options.name,
      env: { ...(this.o.recipe.env ?? {}), ...(options.env ?? {}) },
      prop: 'addMember',
    });
  }

  /** R21: the labels Kruise gives canary pods must not change an adopted selector. */
  public canaryProblems(canaryLabels: Readonly<Record<string, string>>): ModelProblem[] {
    return this.o.recipe.adopt ? canaryLabelProblems(this.o.recipe.adopt.selector, canaryLabels) : [];
  }

  private build(p: Problems, b: BuildOptions): kplus.Deployment {
    const o = this.o;
    const podLabels = { ...(o.recipe.podLabels ?? {}), ...b.labels, [WellKnown.APP_LABEL]: o.name, [WellKnown.WORKLOAD_LABEL]: b.name };
    const selector = b.adopt ? { ...b.adopt.selector } : { [WellKnown.APP_LABEL]: o.name, [WellKnown.WORKLOAD_LABEL]: b.name };
    const ownPods = { ...selector, [o.versionLabel]: b.version };
    const replicas = b.autoscaling ? undefined : b.replicas ?? 1;
    const at = b.prop ? `${b.prop}.` : '';
    checkWorkloadScaling(p, at, b, o.recipe, podLabels);
    p.throwIfAny();
    const d = buildWorkload(this.scope, b.id, {
      name: b.name,
      namespace: o.namespace,
      serviceName: o.name,
      recipe: o.recipe,
      ports: o.ports,
      serviceAccount: this.account,
      podLabels,
      selector,
      ownPods,
      image: b.image ?? o.recipe.image,
      replicas,
      env: b.env,
      resources: b.resources,
    });
    // Call graph and propagation contract, written at synth from the final sets.
    d.metadata.addAnnotation(WellKnown.CALLS_ANNOTATION, lazyString(() => o.callees().join(',') || undefined));
    d.metadata.addAnnotation(WellKnown.PROPAGATE_HEADERS_ANNOTATION, lazyString(() => this.headersToPropagate.join(',') || undefined));
    if (this.propagated.size > 0) this.addPropagationEnv(d);
    if (b.autoscaling) addAutoscaler(this.scope, b.id, d, b.autoscaling, o.namespace);
    if (o.recipe.disruptionBudget) addDisruptionBudget(this.scope, b.id, b.name, o.recipe.disruptionBudget, ownPods, o.namespace);
    const entry: Entry = { deployment: d, info: { name: b.name, role: b.role, version: b.version, podLabels }, replicas: replicas ?? b.autoscaling?.minReplicas ?? 1 };
    this.entries.push(entry);
    for (const hook of this.hooks) hook(d, entry.info);
    AppState.of(this.scope).touch();
    return d;
  }

  private addPropagationEnv(d: kplus.Deployment): void {
    d.containers[0].env.addVariable(WellKnown.PROPAGATE_HEADERS_ENV, kplus.EnvValue.fromValue(lazyString(() => this.headersToPropagate.join(','))));
  }

  private driftProblems(): ModelProblem[] {
    return recipeDriftProblems(this.entries.map((e) => ({ name: e.info.name, fields: recipeFields(e.deployment) })));
  }
}

/** A string produced at synth (cdk8s resolves Lazy values inside metadata and env). */
export function lazyString(produce: () => string | undefined): string {
  return Lazy.any({ produce }) as unknown as string;
}
