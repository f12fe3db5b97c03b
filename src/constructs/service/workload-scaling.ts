/**
 * The objects that identify, scale and protect a service's workloads: its ServiceAccount, a
 * HorizontalPodAutoscaler (autoscaling/v2) per autoscaled version and a PodDisruptionBudget
 * (policy/v1) per workload. The HPA and PDB are the typed Kubernetes classes cdk8s-plus-27
 * generates (`kplus.k8s`): its own `HorizontalPodAutoscaler` construct always writes a
 * `behavior` with its own policies (scale down by `minReplicas` pods per 5 minutes), which would
 * override Kubernetes' defaults and the cluster's `--horizontal-pod-autoscaler-downscale-stabilization`;
 * cdk8s-plus-27 has no PodDisruptionBudget construct.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { AutoscalingProps, DisruptionBudgetProps } from './workload-props';
import type { IntOrPercent } from '../../model/workload-checks';

/** The service's ServiceAccount: no API token is mounted into its pods. */
export function createServiceAccount(scope: Construct, name: string, namespace: string | undefined): kplus.ServiceAccount {
  return new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: { name, namespace }, automountToken: false });
}

/**
 * An autoscaler of `deployment`, named like it. Without metrics Kubernetes would target 80% CPU
 * (kubernetes `pkg/apis/autoscaling/v2/defaults.go`); the default is written out so the object
 * says what it does.
 */
export function addAutoscaler(scope: Construct, id: string, deployment: kplus.Deployment, a: AutoscalingProps, namespace: string | undefined): kplus.k8s.KubeHorizontalPodAutoscalerV2 {
  const cpu = a.cpuUtilization ?? (a.memoryUtilization === undefined ? 80 : undefined);
  const metrics: kplus.k8s.MetricSpecV2[] = [];
  if (cpu !== undefined) metrics.push(resourceMetric('cpu', cpu));
  if (a.memoryUtilization !== undefined) metrics.push(resourceMetric('memory', a.memoryUtilization));
  return new kplus.k8s.KubeHorizontalPodAutoscalerV2(scope, `${id}Autoscaler`, {
    metadata: { name: deployment.name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name },
      minReplicas: a.minReplicas ?? 1,
      maxReplicas: a.maxReplicas,
      metrics,
    },
  });
}

function resourceMetric(name: 'cpu' | 'memory', averageUtilization: number): kplus.k8s.MetricSpecV2 {
  return { type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } };
}

/**
 * A disruption budget for one workload, named like its Deployment, selecting that workload's own
 * pods (its selector and its version label: never the canary pods Kruise copies from it, which
 * carry another version).
 */
export function addDisruptionBudget(
  scope: Construct, id: string, name: string, b: DisruptionBudgetProps, ownPods: Readonly<Record<string, string>>, namespace: string | undefined,
): kplus.k8s.KubePodDisruptionBudget {
  return new kplus.k8s.KubePodDisruptionBudget(scope, `${id}DisruptionBudget`, {
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { ...ownPods } },
      minAvailable: intOrString(b.minAvailable),
      maxUnavailable: intOrString(b.maxUnavailable),
    },
  });
}

function intOrString(v: IntOrPercent | undefined): kplus.k8s.IntOrString | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? kplus.k8s.IntOrString.fromNumber(v) : kplus.k8s.IntOrString.fromString(v);
}
