/**
 * An independent oracle of OpenKruise Rollout's validating webhook (`vrollout.kb.io`), written
 * from the notes (kruise.md §1 and its table R1-R18; openkruise/rollouts v0.5.0 and v0.6.2),
 * NOT from src/: what the API server would answer to a CREATE of each Rollout. It returns the
 * upstream detail messages (upstream stops at the first failing step; so does this).
 *
 * Test support only.
 */

type Obj = any;

export type KruiseController = 'v0.5' | 'v0.6';

export interface WebhookOptions {
  /** Controller release (rules marked ⚑ in the notes differ). @default 'v0.6' */
  readonly controller?: KruiseController;
  /** `--partition-percent-limit`. @default 50 */
  readonly partitionLimit?: number;
}

/** `intstr.GetScaledValueFromIntOrPercent(x, 100, true)`: ints as they are; strings must be `<Atoi>%`. */
function scaled(x: unknown): { ok: boolean; n: number; pct: boolean } {
  if (x === undefined || x === null) return { ok: false, n: 0, pct: true };
  if (typeof x === 'number') return { ok: Number.isInteger(x), n: x, pct: false };
  const m = /^([+-]?\d+)%$/.exec(String(x));
  return m ? { ok: true, n: parseInt(m[1], 10), pct: true } : { ok: false, n: 0, pct: true };
}

const WORKLOADS = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps.kruise.io/CloneSet', 'apps.kruise.io/DaemonSet', 'apps.kruise.io/StatefulSet']);

/** The webhook's errors for `rollout` among `all` (the Rollouts the informer already has). */
export function webhookErrors(rollout: Obj, all: readonly Obj[] = [], options: WebhookOptions = {}): string[] {
  const controller = options.controller ?? 'v0.6';
  const limit = options.partitionLimit ?? 50;
  const alpha = rollout.apiVersion === 'rollouts.kruise.io/v1alpha1';
  const errors: string[] = [];
  const ref = alpha ? rollout.spec?.objectRef?.workloadRef : rollout.spec?.workloadRef;
  const annotations = rollout.metadata?.annotations ?? {};
  // C1, C2
  if (!ref) errors.push('WorkloadRef is required');
  else if (!WORKLOADS.has(`${String(ref.apiVersion).split('/')[0]}/${ref.kind}`)) errors.push('WorkloadRef kind is not supported');
  const strategy = rollout.spec?.strategy ?? {};
  // A1 (v1alpha1)
  if (alpha && !['', 'canary', 'partition'].includes(String(annotations['rollouts.kruise.io/rolling-style'] ?? '').toLowerCase())) {
    errors.push('Rolling style must be \'Canary\', \'Partition\' or empty');
  }
  // B5 / A2
  if (!strategy.canary) {
    if (alpha || controller === 'v0.5') errors.push('Canary cannot be empty');
    else if (!strategy.blueGreen) errors.push('Canary and BlueGreen cannot both be empty');
    return errors;
  }
  if (!alpha && controller === 'v0.6' && strategy.blueGreen) errors.push('Canary and BlueGreen cannot both be set');
  const canary = strategy.canary;
  const routings: Obj[] = canary.trafficRoutings ?? [];
  // C4-C9
  if (routings.length > 1) errors.push('Rollout currently only support single TrafficRouting.');
  for (const tr of routings) {
    if (controller === 'v0.6' && typeof tr.gracePeriodSeconds === 'number' && tr.gracePeriodSeconds < 0) errors.push('TrafficRouting.GracePeriodSeconds cannot be negative');
    if (!tr.service) errors.push('TrafficRouting.Service cannot be empty');
    if (!tr.ingress && !tr.gateway && !tr.customNetworkRefs) errors.push('TrafficRoutings are not set');
    if (tr.ingress && !tr.ingress.name) errors.push('TrafficRouting.Ingress.Ingress cannot be empty');
    if (tr.gateway && !tr.gateway.httpRouteName) errors.push('TrafficRouting.Gateway must set the name of HTTPRoute or HTTPsRoute');
  }
  const stepError = stepsError(canary, { alpha, controller, limit, partition: isPartition(rollout, ref, canary, alpha), routed: routings.length > 0 });
  if (stepError) errors.push(stepError);
  // C12: same namespace, identical {apiVersion, kind, name}
  for (const other of all) {
    if (other === rollout || other.metadata?.name === rollout.metadata?.name) continue;
    if ((other.metadata?.namespace ?? '') !== (rollout.metadata?.namespace ?? '')) continue;
    const otherRef = other.apiVersion === 'rollouts.kruise.io/v1alpha1' ? other.spec?.objectRef?.workloadRef : other.spec?.workloadRef;
    if (ref && otherRef && otherRef.apiVersion === ref.apiVersion && otherRef.kind === ref.kind && otherRef.name === ref.name) {
      errors.push(`This rollout conflict with Rollout(${other.metadata?.namespace ?? ''}/${other.metadata.name}), one workload only have less than one Rollout`);
    }
  }
  return errors;
}

/** Partition style unless apps/v1 Deployment with the extra canary workload (v1beta1) / annotation "" or canary (v1alpha1). */
function isPartition(rollout: Obj, ref: Obj, canary: Obj, alpha: boolean): boolean {
  const deployment = ref?.apiVersion === 'apps/v1' && ref?.kind === 'Deployment';
  if (!alpha) return !(deployment && canary.enableExtraWorkloadForCanary === true);
  const style = String(rollout.metadata?.annotations?.['rollouts.kruise.io/rolling-style'] ?? '').toLowerCase();
  return !(deployment && (style === '' || style === 'canary'));
}

interface Ctx { alpha: boolean; controller: KruiseController; limit: number; partition: boolean; routed: boolean }

/** The first step error, as upstream returns it. */
function stepsError(canary: Obj, c: Ctx): string | undefined {
  const steps: Obj[] = canary.steps ?? [];
  if (steps.length === 0) return 'The number of Canary.Steps cannot be empty';
  const six = c.controller === 'v0.6';
  for (const s of steps) {
    if (c.alpha) {
      if (s.replicas === undefined && s.weight === undefined) return 'weight and replicas cannot be empty at the same time';
      if (s.replicas !== undefined) {
        const r = scaled(s.replicas);
        if (!r.ok || r.n <= 0 || (r.pct && r.n > 100)) return 'replicas must be positive number, or a percentage with "0%" < canaryReplicas <= "100%"';
        if (six && c.partition && r.pct && r.n > c.limit && (s.matches !== undefined || s.weight !== undefined)) {
          return 'For patition style rollout: step[x].replicas must not greater than replicasLimitWithTraffic if traffic or matches specified';
        }
      } else if (six) {
        if (c.partition && s.weight > c.limit) return 'For patition style rollout: step[x].weight must not greater than replicasLimitWithTraffic if replicas is not specified';
        if (s.weight <= 0 || s.weight > 100) return 'weight must be positive number, and less than or equal to replicasLimitWithTraffic (defaults to 30)';
      }
    } else {
      if (s.replicas === undefined) return 'replicas cannot be empty';
      const r = scaled(s.replicas);
      if (!r.ok || r.n <= 0 || (r.pct && r.n > 100)) return 'replicas must be positive number, or a percentage with "0%" < canaryReplicas <= "100%"';
      if (six && c.partition && r.pct && r.n > c.limit && (s.traffic !== undefined || (s.matches ?? []).length > 0)) {
        return 'For partition style rollout: step[x].replicas must not greater than partition-percent-limit if traffic specified';
      }
      if (s.traffic !== undefined && (six || c.routed)) {
        const t = scaled(String(s.traffic));
        if (!t.ok || !t.pct || t.n <= 0 || t.n > 100) return six ? 'traffic must be percentage with "0%" < traffic <= "100%" in canary strategy' : 'traffic must be percentage with "0%" < traffic <= "100%"';
      }
    }
  }
  // C11 (and A7 for v1alpha1 with trafficRoutings)
  for (let i = 1; i < steps.length; i++) {
    const [a, b] = [steps[i - 1], steps[i]];
    if (c.alpha && c.routed && a.weight !== undefined && b.weight !== undefined && b.weight < a.weight) return 'Steps.Weight must be a non decreasing sequence';
    const value = (s: Obj) => (s.replicas !== undefined ? scaled(s.replicas) : c.alpha && s.weight !== undefined ? { ok: true, n: s.weight, pct: true } : { ok: true, n: NaN, pct: true });
    const [va, vb] = [value(a), value(b)];
    if (va.pct === vb.pct && vb.n < va.n) return 'Steps.CanaryReplicas must be a non decreasing sequence';
  }
  return undefined;
}
