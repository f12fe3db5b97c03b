/**
 * Checks of a service's pod recipe and of the objects that scale and protect its workloads
 * (HorizontalPodAutoscaler, PodDisruptionBudget), and of adopting an existing Deployment. Plain
 * TypeScript: every check records {@link Problem}s naming the prop and the fix.
 */
import { isJsObjectKey, requireInt, requireLabel } from './names';
import { ModelProblem, Problems } from './problem';

/** An integer, or a percentage such as `'25%'` (Kubernetes `IntOrString`). */
export type IntOrPercent = number | string;

/** Replica bounds and targets of a HorizontalPodAutoscaler (autoscaling/v2). */
export interface AutoscalingSpec {
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
}

/** A PodDisruptionBudget's one bound (policy/v1). */
export interface DisruptionBudgetSpec {
  readonly minAvailable?: IntOrPercent;
  readonly maxUnavailable?: IntOrPercent;
}

/** Largest replica count the library accepts anywhere (also the HPA bound). */
export const MAX_REPLICAS = 10000;

/**
 * Recipe props a version or a lane may not override: only the image, the environment, the
 * replicas and the resources differ between the workloads of one service (and the version's
 * own autoscaling and adoption), so that every pod of the service has the same volumes, probes,
 * ports, identity and scheduling.
 */
export const RECIPE_ONLY_PROPS: readonly string[] = [
  'port', 'ports', 'containerPort', 'envFrom', 'command', 'args', 'imagePullPolicy', 'securityContext', 'writablePaths',
  'volumes', 'readiness', 'liveness', 'startup', 'serviceAccount', 'scheduling', 'podLabels', 'podAnnotations', 'disruptionBudget',
];

/** Refuses an override of a recipe-only prop in a version's or lane's options. */
export function checkOverrides(p: Problems, prop: string, options: object): void {
  for (const key of Object.keys(options)) {
    if (!RECIPE_ONLY_PROPS.includes(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    p.add(`${prop}.${key}`, `"${key}" is part of the service's pod recipe, which every workload of the service shares; a version or lane may override only image, env, replicas and resources`,
      `set ${key} on the GrayService (it applies to every version and lane), or change one workload through service.onEachWorkload((deployment, info) => ...)`);
  }
}

/** Whether `path` is an absolute, normalised container path other than `/`. */
export function isAbsoluteMountPath(path: string): boolean {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || path.endsWith('/') || path.length > 4096) return false;
  return path.slice(1).split('/').every((s) => s.length > 0 && s !== '.' && s !== '..' && !s.includes(':'));
}

/**
 * Checks the writable paths (each gets an emptyDir) and the mount paths of the recipe's volumes:
 * absolute, normalised, and each path mounted once (the API server refuses a container with two
 * mounts at one path).
 */
export function checkMountPaths(p: Problems, writablePaths: readonly string[], volumePaths: readonly string[]): void {
  for (const path of writablePaths) {
    if (!isAbsoluteMountPath(path)) {
      p.add('writablePaths', `${JSON.stringify(path)} is not an absolute container path`, 'give an absolute, normalised path such as "/tmp" or "/opt/ol/wlp/output" (no "..", no trailing "/", not "/")');
    }
  }
  for (const path of volumePaths) {
    if (!isAbsoluteMountPath(path)) p.add('volumes', `the mount path ${JSON.stringify(path)} is not an absolute container path`, 'give an absolute, normalised path such as "/etc/app"');
  }
  const all = [...writablePaths, ...volumePaths];
  const twice = [...new Set(all.filter((path, i) => all.indexOf(path) !== i))];
  for (const path of twice) {
    p.add(writablePaths.includes(path) ? 'writablePaths' : 'volumes', `the path ${path} is mounted twice`, 'mount each path once: drop it from writablePaths or from volumes');
  }
}

/** The name of the emptyDir volume of a writable path: `/tmp` → `tmp`, `/opt/ol/wlp/output` → `opt-ol-wlp-output`. */
export function writableVolumeName(path: string): string {
  const slug = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const name = `${slug || 'root'}`;
  if (name.length <= 50) return name;
  // Long paths: a prefix and a stable hash keep the name a DNS-1123 label.
  return `${name.slice(0, 40).replace(/-+$/, '')}-${hash32(path)}`;
}

/** A stable 32-bit polynomial hash of `s`, as 8 hex digits. */
function hash32(s: string): string {
  let h = 7;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 4294967296;
  return h.toString(16).padStart(8, '0');
}

/** Checks an autoscaler's bounds and targets. `prop` is where it was given (`autoscaling`). */
export function checkAutoscaling(p: Problems, prop: string, a: AutoscalingSpec, replicasGiven: boolean): void {
  const min = a.minReplicas ?? 1;
  requireInt(p, `${prop}.minReplicas`, min, 1, MAX_REPLICAS);
  requireInt(p, `${prop}.maxReplicas`, a.maxReplicas, 1, MAX_REPLICAS);
  if (Number.isInteger(min) && Number.isInteger(a.maxReplicas) && min > a.maxReplicas) {
    p.add(`${prop}.minReplicas`, `minReplicas ${min} is above maxReplicas ${a.maxReplicas}, so the autoscaler could never choose a replica count`, `give minReplicas <= maxReplicas (e.g. minReplicas ${a.maxReplicas}, or maxReplicas ${min})`);
  }
  for (const key of ['cpuUtilization', 'memoryUtilization'] as const) {
    const v = a[key];
    if (v !== undefined) requireInt(p, `${prop}.${key}`, v, 1, 1000);
  }
  if (replicasGiven) {
    p.add('replicas', 'replicas and autoscaling are both given: the HorizontalPodAutoscaler owns the replica count, and a written count would be reset on every sync (Argo CD and the HPA would fight)',
      `drop replicas and set ${prop}.minReplicas instead`);
  }
}

/** The value of an `IntOrPercent` as an integer or a whole percentage, or undefined when malformed. */
export function parseIntOrPercent(v: IntOrPercent): { readonly value: number; readonly percent: boolean } | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? { value: v, percent: false } : undefined;
  const m = typeof v === 'string' ? /^(0|[1-9][0-9]?|100)%$/.exec(v) : null;
  return m ? { value: Number(m[1]), percent: true } : undefined;
}

/**
 * How many pods the budget lets a drain evict from `replicas` running pods. The disruption
 * controller rounds a percentage of `minAvailable` and of `maxUnavailable` up
 * (kubernetes pkg/controller/disruption `getExpectedScale` / `intstr.GetScaledValueFromIntOrPercent(..., true)`).
 */
export function evictablePods(budget: DisruptionBudgetSpec, replicas: number): number | undefined {
  const bound = budget.minAvailable ?? budget.maxUnavailable;
  const parsed = bound === undefined ? undefined : parseIntOrPercent(bound);
  if (!parsed) return undefined;
  const scaled = parsed.percent ? Math.ceil((parsed.value * replicas) / 100) : parsed.value;
  return budget.minAvailable !== undefined ? Math.max(0, replicas - scaled) : Math.min(replicas, scaled);
}

/**
 * Checks a PodDisruptionBudget for one workload: exactly one bound, well formed, and leaving at
 * least one pod a node drain may evict (otherwise `kubectl drain` retries forever). `replicas`
 * is the workload's replica count, or the autoscaler's minimum (the count at which the budget is
 * tightest).
 */
export function checkDisruptionBudget(p: Problems, prop: string, budget: DisruptionBudgetSpec, replicas: number, replicasFrom: string): void {
  const given = (['minAvailable', 'maxUnavailable'] as const).filter((k) => budget[k] !== undefined);
  if (given.length !== 1) {
    p.add(prop, given.length === 0 ? 'neither minAvailable nor maxUnavailable is given' : 'both minAvailable and maxUnavailable are given (policy/v1 allows one)', 'give exactly one, e.g. { maxUnavailable: 1 }');
    return;
  }
  const key = given[0];
  if (!parseIntOrPercent(budget[key]!)) {
    p.add(`${prop}.${key}`, `${JSON.stringify(budget[key])} is neither a whole number of pods nor a percentage`, 'give an integer >= 0 or a percentage such as "25%"');
    return;
  }
  if (replicas > 0 && evictablePods(budget, replicas) === 0) {
    p.add(`${prop}.${key}`, `${key} ${JSON.stringify(budget[key])} with ${replicas} replica${replicas === 1 ? '' : 's'} (${replicasFrom}) lets no pod be evicted, so a node drain would never finish`,
      key === 'minAvailable' ? `lower minAvailable below ${replicas}, use { maxUnavailable: 1 }, or run more replicas` : 'allow at least one pod, e.g. { maxUnavailable: 1 }');
  }
}

/**
 * Checks the selector of an adopted Deployment: valid labels, and it selects the recipe's pod
 * labels (the API server refuses a Deployment whose selector does not match its template).
 */
export function checkAdoptedSelector(p: Problems, prop: string, selector: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): void {
  const entries = Object.entries(selector);
  if (entries.length === 0) {
    p.add(prop, 'the selector is empty', 'give the existing Deployment\'s spec.selector.matchLabels, e.g. { app: "mocka" }');
    return;
  }
  for (const [k, v] of entries) requireLabel(p, prop, k, v);
  const missing = entries.filter(([k, v]) => isJsObjectKey(k) || podLabels[k] !== v);
  if (missing.length > 0) {
    p.add(prop, `the selector ${JSON.stringify(selector)} does not select the pods the recipe labels ${JSON.stringify(podLabels)} (${missing.map(([k, v]) => `${k}=${v}`).join(', ')} missing), and the API server refuses a Deployment whose selector does not match its template`,
      'give the existing Deployment\'s selector and make the pod labels carry every selector label (podLabels, versionLabel/baseVersion, the app label)');
  }
}

/**
 * Kruise's canary copy keeps the stable Deployment's selector and merges
 * `patchPodTemplateMetadata.labels` into the template (openkruise/rollouts v0.6.2
 * `pkg/controller/batchrelease/control/canarystyle/deployment/canary.go:135-150`): a canary label
 * that changes a selector label makes the copy invalid and the Rollout stays stuck (rule R21).
 */
export function canaryLabelProblems(selector: Readonly<Record<string, string>>, canaryLabels: Readonly<Record<string, string>>, prop = 'adopt.selector'): ModelProblem[] {
  return Object.entries(canaryLabels).filter(([k, v]) => k in selector && selector[k] !== v).map(([k, v]) => ({
    prop,
    what: `the release relabels canary pods ${k}=${v}, but the selector requires ${k}=${selector[k]}; Kruise's canary Deployment keeps the selector, so the API server would refuse it and the Rollout would stay stuck`,
    fix: `remove "${k}" from the adopted selector (relabel the existing Deployment first if needed; a selector is immutable, so that means recreating it once)`,
  }));
}

/** What the autoscaling check needs to know about one canary step. */
export interface StepShape {
  readonly replicas?: number | string;
  readonly weight?: number;
}

/**
 * With a HorizontalPodAutoscaler on the stable Deployment, Kruise's canary style does nothing for
 * the HPA: the canary Deployment is not autoscaled, and its replicas are a share of the stable
 * Deployment's current `spec.replicas` (a percentage tracks the HPA; a number is clamped to it).
 * A fixed canary pod count that also receives a traffic weight cannot follow load, so such a
 * step is refused; a step reached only by header matches may keep a fixed count.
 */
export function autoscaledStepProblems(steps: readonly StepShape[], releaseWeight: number | undefined, prop = 'release.steps'): ModelProblem[] {
  const out: ModelProblem[] = [];
  steps.forEach((s, i) => {
    if (typeof s.replicas !== 'number') return;
    const weight = s.weight ?? releaseWeight;
    if (weight === undefined || weight === 0) return;
    out.push({
      prop,
      what: `step ${i + 1} runs a fixed ${s.replicas} canary pod${s.replicas === 1 ? '' : 's'} while sending it ${weight}% of the traffic, but the stable Deployment is autoscaled: Kruise does not autoscale the canary, so its pods cannot follow the load`,
      fix: 'give the step replicas as a percentage of the stable Deployment (e.g. "20%"), which Kruise recomputes from the autoscaled replica count',
    });
  });
  return out;
}
