/**
 * The labels of one workload (a Deployment, a Rollout's stable or canary pods, ...), as the
 * routing constructs need them: they group pods by these labels. `GrayService` exposes its
 * workloads in this shape; cdk8s-plus `Deployment`s are accepted as well and read the same way.
 */
export interface IWorkloadLabels {
  /** The workload's name (used in error messages and reports). */
  readonly name: string;
  /** The labels of the workload's pods (the pod template's labels). */
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * How many pods the workload runs.
   * @default 1
   */
  readonly replicas?: number;
}
