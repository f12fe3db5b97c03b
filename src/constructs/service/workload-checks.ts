/**
 * Construction-time checks of a service's pod recipe, of a version's or lane's overrides, and of
 * each workload's scaling, disruption budget and adopted selector. All problems are recorded in
 * one {@link Problems} and thrown together by the caller.
 */
import type { WorkloadOverrides, ServiceWorkloadProps, AutoscalingProps, AdoptOptions, WorkloadProbe } from './workload-props';
import { GrpcProbe } from './workload-props';
import { DEFAULT_RESOURCES, DEFAULT_WRITABLE_PATHS } from './workload-recipe';
import { isEnvName, isImageReference, isJsObjectKey, isLabelKey, requireInt, requireLabel, requireObjectName } from '../../model/names';
import { Problems } from '../../model/problem';
import { WellKnown } from '../../model/well-known';
import {
  checkAdoptedSelector, checkAutoscaling, checkDisruptionBudget, checkMountPaths, checkOverrides, MAX_REPLICAS, writableVolumeName,
} from '../../model/workload-checks';

/** Checks the recipe props that do not depend on one workload. */
export function checkRecipe(p: Problems, r: ServiceWorkloadProps, serviceName: string): void {
  const writable = [...(r.writablePaths ?? [])];
  const mounts = (r.volumes ?? []).map((v) => v.path);
  checkMountPaths(p, writable, mounts);
  const names = [
    ...[...new Set([...DEFAULT_WRITABLE_PATHS.filter((w) => !mounts.includes(w)), ...writable])].map(writableVolumeName),
    ...(r.volumes ?? []).map((v) => v.volume.name),
  ];
  for (const twice of [...new Set(names.filter((n, i) => names.indexOf(n) !== i))]) {
    p.add('volumes', `two volumes of the pod are named "${twice}" (a writable path's emptyDir is named after its path)`, 'give each volume its own name');
  }
  if (r.serviceAccount !== undefined) requireObjectName(p, 'serviceAccount.name', 'ServiceAccount', r.serviceAccount.name ?? serviceName);
  for (const [prop, probe] of [['readiness', r.readiness], ['liveness', r.liveness], ['startup', r.startup]] as Array<[string, WorkloadProbe | undefined]>) {
    if (probe instanceof GrpcProbe) requireInt(p, `${prop}.port`, probe.port, 1, 65535);
  }
  for (const [k] of Object.entries(r.podAnnotations ?? {})) {
    if (!isLabelKey(k)) p.add('podAnnotations', `${JSON.stringify(k)} is not a valid annotation key`, 'use an optional DNS subdomain prefix and "/", then up to 63 of [A-Za-z0-9-_.]');
  }
  const s = r.scheduling;
  for (const [k, v] of Object.entries(s?.nodeSelector ?? {})) requireLabel(p, 'scheduling.nodeSelector', k, v);
  for (const a of s?.attract ?? []) if (a.weight !== undefined) requireInt(p, 'scheduling.attract.weight', a.weight, 1, 100);
  for (const t of s?.topologySpread ?? []) {
    if (t.maxSkew !== undefined) requireInt(p, 'scheduling.topologySpread.maxSkew', t.maxSkew, 1, MAX_REPLICAS);
    if (!isLabelKey(t.topology.key)) p.add('scheduling.topologySpread.topology', `${JSON.stringify(t.topology.key)} is not a node label key`, 'use kplus.Topology.ZONE, HOSTNAME or Topology.custom("<node label key>")');
  }
}

/** Checks a version's (or a lane's) overrides: only image, env, replicas and resources. */
export function checkVersionProps(p: Problems, prop: string, v: WorkloadOverrides): void {
  checkOverrides(p, prop, v);
  if (v.image !== undefined && !isImageReference(v.image)) {
    p.add(`${prop}.image`, `${JSON.stringify(v.image)} is not an image reference`, 'give an image such as "registry.example.com/team/app:1.2.3"');
  }
  if (v.replicas !== undefined) requireInt(p, `${prop}.replicas`, v.replicas, 0, MAX_REPLICAS);
  for (const k of Object.keys(v.env ?? {})) {
    if (!isEnvName(k) || isJsObjectKey(k) || k === WellKnown.PROPAGATE_HEADERS_ENV) {
      p.add(`${prop}.env`, `"${k}" is not an environment variable name a version may set`, `use letters, digits, "_", "-" and "." (not ${WellKnown.PROPAGATE_HEADERS_ENV}, which the library sets)`);
    }
  }
}

/** What {@link checkWorkloadScaling} reads of one workload. */
export interface WorkloadScalingInput extends WorkloadOverrides {
  readonly name: string;
  readonly autoscaling?: AutoscalingProps;
  readonly adopt?: AdoptOptions;
}

/**
 * Checks one workload's autoscaler (bounds, a request for each utilisation target, no written
 * replicas), the recipe's disruption budget against its replica count, and an adopted selector
 * against its pod labels. `at` prefixes the props (`versions[v2].`).
 */
export function checkWorkloadScaling(p: Problems, at: string, w: WorkloadScalingInput, recipe: ServiceWorkloadProps, podLabels: Readonly<Record<string, string>>): void {
  const a = w.autoscaling;
  if (a) {
    checkAutoscaling(p, `${at}autoscaling`, a, w.replicas !== undefined);
    const resources = w.resources ?? recipe.resources ?? DEFAULT_RESOURCES;
    const targets: Array<[string, number | undefined, boolean]> = [
      ['cpuUtilization', a.cpuUtilization ?? (a.memoryUtilization === undefined ? 80 : undefined), Boolean(resources.cpu?.request ?? resources.cpu?.limit)],
      ['memoryUtilization', a.memoryUtilization, Boolean(resources.memory?.request ?? resources.memory?.limit)],
    ];
    for (const [key, target, requested] of targets) {
      if (target !== undefined && !requested) {
        p.add(`${at}autoscaling.${key}`, `a utilisation target is a percentage of the container's ${key.replace('Utilization', '')} request, but the workload requests none, so the autoscaler cannot compute it`,
          `give resources.${key.replace('Utilization', '')}.request, or drop ${key}`);
      }
    }
  }
  if (recipe.disruptionBudget) {
    const replicas = a ? a.minReplicas ?? 1 : w.replicas ?? 1;
    checkDisruptionBudget(p, 'disruptionBudget', recipe.disruptionBudget, replicas, a ? `${at}autoscaling.minReplicas of ${w.name}` : `${at || ''}replicas of ${w.name}`);
  }
  if (w.adopt) checkAdoptedSelector(p, `${at}adopt.selector`, w.adopt.selector, podLabels);
}
