/**
 * OpenKruise Rollout's validating webhook (`vrollout.kb.io`, CREATE and UPDATE, failurePolicy
 * Fail) over a Rollout manifest as it will be applied: the backstop that checks what is really
 * written, after every escape-hatch patch, where {@link checkRelease} checks the typed input.
 *
 * Rules and messages from openkruise/rollouts v0.6.2
 * `pkg/webhook/rollout/validating/rollout_create_update_handler.go` (v1beta1) and
 * `validate_v1alphal_rollout.go` (v1alpha1); `v0.5` differences as noted (kruise.md §1).
 * Percentages follow `intstr.GetScaledValueFromIntOrPercent` (k8s.io/apimachinery): a string
 * must be `<integer>%`.
 */
import { ModelProblem, problem } from '../problem';
import { WellKnown } from '../well-known';
import { PARTITION_PERCENT_LIMIT } from './release-rules';

/** A Rollout manifest, as far as the webhook reads it. */
export interface RolloutManifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: unknown;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Workload kinds Kruise releases (`pkg/util/workloads_utils.go`), by API group. */
const KNOWN_WORKLOADS: Readonly<Record<string, readonly string[]>> = {
  'apps': ['Deployment', 'ReplicaSet', 'StatefulSet'],
  'apps.kruise.io': ['CloneSet', 'DaemonSet', 'StatefulSet'],
};

/**
 * The webhook's verdict on one Rollout: every rule it breaks (upstream stops at the first),
 * as problems whose `what` quotes the upstream message. `controller` selects v0.5 or v0.6 rules.
 */
export function rolloutAdmissionProblems(rollout: RolloutManifest, controller: 'v0.5' | 'v0.6' = 'v0.6'): ModelProblem[] {
  const v1alpha1 = rollout.apiVersion === 'rollouts.kruise.io/v1alpha1';
  const spec = obj(rollout.spec);
  const strategy = obj(spec.strategy);
  const canary = obj(strategy.canary);
  const out: ModelProblem[] = [];
  const reject = (prop: string, message: string) => out.push(problem(prop, `Kruise's webhook refuses it: "${message}"`, `write what Kruise accepts at ${prop}; see the Rollout webhook rules in the README`));
  const workloadRef = obj(v1alpha1 ? obj(spec.objectRef).workloadRef : spec.workloadRef);
  if (!workloadRef.name) reject('spec.workloadRef', 'WorkloadRef is required');
  const group = String(workloadRef.apiVersion ?? '').split('/')[0];
  if (workloadRef.name && !(KNOWN_WORKLOADS[group] ?? []).includes(String(workloadRef.kind))) reject('spec.workloadRef', 'WorkloadRef kind is not supported');
  if (!v1alpha1 && strategy.canary === undefined && strategy.blueGreen === undefined) reject('spec.strategy', controller === 'v0.5' ? 'Canary cannot be empty' : 'Canary and BlueGreen cannot both be empty');
  if (v1alpha1 && strategy.canary === undefined) reject('spec.strategy', 'Canary cannot be empty');
  const routings = list(canary.trafficRoutings);
  if (routings.length > 1) reject('spec.strategy.canary.trafficRoutings', 'Rollout currently only support single TrafficRouting.');
  routings.forEach((r) => trafficRoutingProblems(obj(r), controller, reject));
  if (routings.length > 0 && rollout.metadata?.annotations?.[WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION] !== undefined) {
    // R19 (library rule): both mechanisms would edit the same objects.
    out.push(problem('spec.strategy.canary.trafficRoutings', `the Rollout has its own trafficRoutings and the annotation ${WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION}; Kruise would run both and they would edit the same objects`, 'use one mode: Release.lanes (the annotation) or Release.canary (trafficRoutings)'));
  }
  if (v1alpha1) {
    const style = rollout.metadata?.annotations?.[WellKnown.KRUISE_ROLLING_STYLE_ANNOTATION] ?? '';
    if (!['', 'canary', 'partition'].includes(style.toLowerCase())) reject(`metadata.annotations["${WellKnown.KRUISE_ROLLING_STYLE_ANNOTATION}"]`, 'Rolling style must be \'Canary\', \'Partition\' or empty');
  }
  const partition = isPartition(rollout, workloadRef, canary, v1alpha1);
  stepProblems(list(canary.steps), { v1alpha1, partition, controller, hasTraffic: routings.length > 0 }, reject);
  return out;
}

function trafficRoutingProblems(r: Json, controller: string, reject: (p: string, m: string) => void): void {
  const at = 'spec.strategy.canary.trafficRoutings[0]';
  if (controller !== 'v0.5' && typeof r.gracePeriodSeconds === 'number' && r.gracePeriodSeconds < 0) reject(at, 'TrafficRouting.GracePeriodSeconds cannot be negative');
  if (!r.service) reject(at, 'TrafficRouting.Service cannot be empty');
  if (r.ingress === undefined && r.gateway === undefined && r.customNetworkRefs === undefined) reject(at, 'TrafficRoutings are not set');
  if (r.ingress !== undefined && !obj(r.ingress).name) reject(at, 'TrafficRouting.Ingress.Ingress cannot be empty');
  if (r.gateway !== undefined && !obj(r.gateway).httpRouteName) reject(at, 'TrafficRouting.Gateway must set the name of HTTPRoute or HTTPsRoute');
}

/** Partition style unless the workload is an apps/v1 Deployment run in canary style. */
function isPartition(rollout: RolloutManifest, workloadRef: Json, canary: Json, v1alpha1: boolean): boolean {
  const deployment = workloadRef.apiVersion === 'apps/v1' && workloadRef.kind === 'Deployment';
  if (v1alpha1) {
    const style = (rollout.metadata?.annotations?.[WellKnown.KRUISE_ROLLING_STYLE_ANNOTATION] ?? '').toLowerCase();
    return !(deployment && (style === '' || style === 'canary'));
  }
  return !(deployment && canary.enableExtraWorkloadForCanary === true);
}

/** A parsed int-or-percent: the number and whether it was a percentage, or undefined when invalid. */
function intOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return { value: v, percent: false };
  if (typeof v === 'string' && /^[+-]?[0-9]+%$/.test(v)) return { value: Number(v.slice(0, -1)), percent: true };
  return undefined;
}

interface StepContext { readonly v1alpha1: boolean; readonly partition: boolean; readonly controller: string; readonly hasTraffic: boolean }

function stepProblems(steps: unknown[], c: StepContext, reject: (p: string, m: string) => void): void {
  if (steps.length === 0) return reject('spec.strategy.canary.steps', 'The number of Canary.Steps cannot be empty');
  const at = (i: number) => `spec.strategy.canary.steps[${i}]`;
  let previous: { value: number; percent: boolean } | undefined;
  let previousWeight: number | undefined;
  for (const [i, raw] of steps.entries()) {
    const s = obj(raw);
    const weight = typeof s.weight === 'number' ? s.weight : undefined;
    const routes = s.traffic !== undefined || weight !== undefined || list(s.matches).length > 0;
    if (!c.v1alpha1 && s.replicas === undefined) return reject(at(i), 'replicas cannot be empty');
    if (c.v1alpha1 && s.replicas === undefined && weight === undefined) return reject(at(i), 'weight and replicas cannot be empty at the same time');
    const replicas = s.replicas === undefined ? undefined : intOrPercent(s.replicas);
    if (s.replicas !== undefined && (!replicas || replicas.value <= 0 || (replicas.percent && replicas.value > 100))) {
      return reject(at(i), 'replicas must be positive number, or a percentage with "0%" < canaryReplicas <= "100%"');
    }
    const overLimit = c.partition && replicas?.percent && replicas.value > PARTITION_PERCENT_LIMIT && c.controller !== 'v0.5';
    if (c.v1alpha1) {
      if (overLimit && routes) return reject(at(i), 'For patition style rollout: step[x].replicas must not greater than replicasLimitWithTraffic if traffic or matches specified');
      if (c.controller !== 'v0.5' && !replicas && weight !== undefined && c.partition && weight > PARTITION_PERCENT_LIMIT) return reject(at(i), 'For patition style rollout: step[x].weight must not greater than replicasLimitWithTraffic if replicas is not specified');
      if (c.controller !== 'v0.5' && !replicas && weight !== undefined && (weight <= 0 || weight > 100)) return reject(at(i), 'weight must be positive number, and less than or equal to replicasLimitWithTraffic (defaults to 30)');
    } else {
      if (overLimit && (s.traffic !== undefined || list(s.matches).length > 0)) return reject(at(i), 'For partition style rollout: step[x].replicas must not greater than partition-percent-limit if traffic specified');
      if (s.traffic !== undefined && (c.controller !== 'v0.5' || c.hasTraffic)) {
        const t = intOrPercent(String(s.traffic));
        if (!t || !t.percent || t.value <= 0 || t.value > 100) return reject(at(i), `traffic must be percentage with "0%" < traffic <= "100%"${c.controller === 'v0.5' ? '' : ' in canary strategy'}`);
      }
    }
    if (c.v1alpha1 && c.hasTraffic && weight !== undefined && previousWeight !== undefined && weight < previousWeight) return reject(at(i), 'Steps.Weight must be a non decreasing sequence');
    if (weight !== undefined) previousWeight = weight;
    // v1alpha1 compares a nil replicas as the step's weight (a percentage).
    const current = replicas ?? (c.v1alpha1 && weight !== undefined ? { value: weight, percent: true } : undefined);
    if (current && previous && current.percent === previous.percent && current.value < previous.value) return reject(at(i), 'Steps.CanaryReplicas must be a non decreasing sequence');
    if (current) previous = current;
  }
}

/** Identity of the workload a Rollout releases, as Kruise's Deployment webhook matches it: namespace, group, kind, name. */
export function rolloutWorkloadKey(rollout: RolloutManifest, defaultNamespace = 'default'): string | undefined {
  const spec = obj(rollout.spec);
  const ref = obj(rollout.apiVersion === 'rollouts.kruise.io/v1alpha1' ? obj(spec.objectRef).workloadRef : spec.workloadRef);
  if (!ref.name) return undefined;
  return `${rollout.metadata?.namespace ?? defaultNamespace}|${String(ref.apiVersion ?? '').split('/')[0]}|${String(ref.kind)}|${String(ref.name)}`;
}
