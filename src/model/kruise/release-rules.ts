/**
 * Construction-time checks of a release: OpenKruise Rollout's validating webhook rules for the
 * chosen API version (v1alpha1, v1beta1) and controller (v0.5, v0.6), applied to the typed steps
 * before anything is written, plus the library rules that keep a release doing what it says.
 *
 * The rule numbers (R1...) are those of the table in the notes (kruise.md, "Rules to encode");
 * the upstream messages are quoted from openkruise/rollouts v0.6.2
 * `pkg/webhook/rollout/validating/rollout_create_update_handler.go` (v1beta1) and
 * `validate_v1alphal_rollout.go` (v1alpha1), where every rule returns at the first failing step.
 * Here every problem is reported.
 */
import { KruiseApiVersion } from '../api-versions';
import { isHeaderName } from '../names';
import { ModelProblem, problem } from '../problem';
import { CanaryStep, checkMatches, RequestHeaderModifier } from './canary-step';
import { CanaryReleaseOptions, KruiseControllerVersion, ProgressiveReleaseOptions, Release, ReleaseMode, RolloutStyle } from './release';

/** Kruise's default `--partition-percent-limit` (rollout_create_update_handler.go:58-73). */
export const PARTITION_PERCENT_LIMIT = 50;
/** Largest `pause.duration` (int32 in the CRD). */
const MAX_PAUSE_SECONDS = 2147483647;

/**
 * A release from `GrayServiceProps.release`: a {@link Release}, or the plain-object form, which
 * is a lane release. Problems: what the plain form asks for that a lane release cannot do.
 */
export function releaseOf(value: Release | ProgressiveReleaseOptions, prop = 'release'): { release: Release; problems: ModelProblem[] } {
  if (Release.isRelease(value)) return { release: value, problems: [] };
  const { weight, ...lanes } = value;
  const problems: ModelProblem[] = [];
  if (weight !== undefined) {
    problems.push(problem(`${prop}.weight`, `a lane release (a TrafficRouting) would send ${weight}% of all requests to the canary as soon as the release starts, before any canary pod is ready (503 until they are)`,
      `use Release.canary({ steps: [CanaryStep.traffic(${Number.isFinite(weight) ? weight : 20}), ...] }), which Kruise routes step by step once the canary pods are ready`));
  }
  return { release: Release.lanes(lanes), problems };
}

/** Every problem of `release`'s options and steps; `prop` is where the release is given. */
export function checkRelease(release: Release, prop = 'release'): ModelProblem[] {
  const out: ModelProblem[] = [];
  const o = release.options;
  if (o.apiVersion !== undefined && !Object.values(KruiseApiVersion).includes(o.apiVersion)) {
    out.push(problem(`${prop}.apiVersion`, `${JSON.stringify(o.apiVersion)} is not a Rollout apiVersion`, 'use KruiseApiVersion.V1ALPHA1 or KruiseApiVersion.V1BETA1'));
  }
  if (o.controllerVersion !== undefined && !Object.values(KruiseControllerVersion).includes(o.controllerVersion)) {
    out.push(problem(`${prop}.controllerVersion`, `${JSON.stringify(o.controllerVersion)} is not a Kruise controller version`, 'use KruiseControllerVersion.V0_5 or KruiseControllerVersion.V0_6'));
  }
  if (release.mode === ReleaseMode.LANES) {
    const matchProblem = checkMatches(release.matches, `${prop}.matches`);
    if (matchProblem) out.push(matchProblem);
  } else {
    out.push(...checkCanaryOptions(release, o as CanaryReleaseOptions, prop));
  }
  out.push(...checkSteps(release, `${prop}.steps`));
  return out;
}

function checkCanaryOptions(release: Release, o: CanaryReleaseOptions, prop: string): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (o.style !== undefined && !Object.values(RolloutStyle).includes(o.style)) {
    out.push(problem(`${prop}.style`, `${JSON.stringify(o.style)} is not a rolling style`, 'use RolloutStyle.CANARY or RolloutStyle.PARTITION'));
  }
  if (o.gracePeriodSeconds !== undefined && (!Number.isInteger(o.gracePeriodSeconds) || o.gracePeriodSeconds < 0 || o.gracePeriodSeconds > MAX_PAUSE_SECONDS)) {
    // R15: "TrafficRouting.GracePeriodSeconds cannot be negative" (v0.6.0+; the library applies it to v0.5 too)
    out.push(problem(`${prop}.gracePeriodSeconds`, `${o.gracePeriodSeconds} is not a whole number of seconds (Kruise: "TrafficRouting.GracePeriodSeconds cannot be negative")`, 'give 0 or more whole seconds, or leave it unset'));
  }
  if (o.disableGenerateCanaryService && release.controllerVersion === KruiseControllerVersion.V0_5) {
    out.push(problem(`${prop}.disableGenerateCanaryService`, 'Kruise v0.5 has no such field: its API server drops it and Kruise still creates <service>-canary and patches the Service selector',
      'target KruiseControllerVersion.V0_6, or leave disableGenerateCanaryService unset'));
  }
  if (o.disableGenerateCanaryService && release.style === RolloutStyle.PARTITION) {
    // R22: patchPodTemplateMetadata is applied only in canary style (canarystyle/deployment/canary.go)
    out.push(problem(`${prop}.disableGenerateCanaryService`, 'without the <service>-canary Service, canary traffic goes to subset "canary", which selects pods by the label istio.service.tag=gray; in partition style Kruise never labels the new pods (patchPodTemplateMetadata is canary-style only), so the subset would select nothing',
      'use RolloutStyle.CANARY, or let Kruise create the canary Service'));
  }
  return out;
}

/** R1-R12, R24 and the library's step rules, for the release's mode. */
function checkSteps(release: Release, prop: string): ModelProblem[] {
  const steps = release.steps;
  if (steps.length === 0) return [problem(prop, 'no step given (Kruise: "The number of Canary.Steps cannot be empty")', 'give at least one step, e.g. [CanaryStep.replicas(1)]')];
  const out: ModelProblem[] = [];
  steps.forEach((step, i) => {
    const at = `step ${i + 1}`;
    const add = (what: string, fix: string) => out.push(problem(prop, `${at} ${what}`, fix));
    if (release.mode === ReleaseMode.LANES) laneStepProblems(step, add);
    else canaryStepProblems(release, step, add);
    replicasProblems(step, add);
    const pause = step.options.pause?.seconds;
    if (pause !== undefined && (!Number.isInteger(pause) || pause < 0 || pause > MAX_PAUSE_SECONDS)) add(`pauses for ${pause} s`, 'use a whole number of seconds');
  });
  out.push(...sequenceProblems(release, steps, prop));
  if (release.mode === ReleaseMode.CANARY && !steps.some((s) => s.routes)) {
    out.push(problem(prop, 'no step has traffic or header matches, so Kruise would never route a request to the canary', 'give a step traffic or matches, e.g. CanaryStep.match([{ name: \'x-canary\', value: \'true\' }], { replicas: 1 })'));
  }
  return out;
}

type Add = (what: string, fix: string) => void;

/** A lane release's steps size the canary and pause; the TrafficRouting does the routing. */
function laneStepProblems(step: CanaryStep, add: Add): void {
  const o = step.options;
  const toCanary = 'use Release.canary({ steps }) for per-step routing (the Rollout\'s own trafficRoutings), or drop it and let the lane release\'s matches route';
  if (step.trafficPercent !== undefined) {
    add(`sends ${step.trafficPercent}% of requests by weight, but in a lane release Kruise routes only by the TrafficRouting, so the step would size the canary and route nothing`, toCanary);
  }
  if (step.headerMatches.length > 0) add('has header matches, but in a lane release the TrafficRouting\'s matches route for the whole release and step matches route nothing', toCanary);
  if (o.requestHeaderModifier) add('has a requestHeaderModifier, which a lane release never applies', toCanary);
  if (o.replicas === undefined) add('has no replicas (Kruise: "replicas cannot be empty")', 'give replicas, e.g. CanaryStep.replicas(1)');
}

function canaryStepProblems(release: Release, step: CanaryStep, add: Add): void {
  const o = step.options;
  const traffic = step.trafficPercent;
  if (o.traffic !== undefined && o.weight !== undefined) add('sets both traffic and weight', 'give traffic only (weight is its deprecated name)');
  if (traffic !== undefined && (!Number.isInteger(traffic) || traffic < 1 || traffic > 100)) {
    // R6 (v1beta1 canary: 0% < traffic <= 100%), R11 (v1alpha1 weight 1..100, applied whether or not replicas is set)
    add(`has traffic ${traffic} (Kruise: "traffic must be percentage with "0%" < traffic <= "100%" in canary strategy")`, 'use a whole percentage from 1 to 100');
  }
  const matchProblem = checkMatches(step.headerMatches, 'matches');
  if (matchProblem) add(`matches: ${matchProblem.what}`, matchProblem.fix);
  if (traffic !== undefined && step.headerMatches.length > 0) {
    add('has both traffic and header matches: Kruise\'s Istio script uses the matches and ignores the traffic (VirtualService/trafficRouting.lua, "Matches takes precedence")', 'split it into a header step and a traffic step');
  }
  if (step.effectiveReplicas === undefined) {
    // R2 (v1beta1 "replicas cannot be empty"), R3 (v1alpha1 "weight and replicas cannot be empty at the same time")
    add('has no replicas (Kruise: "replicas cannot be empty"; v1alpha1: "weight and replicas cannot be empty at the same time")', 'give replicas, e.g. CanaryStep.match([...], { replicas: 1 })');
  }
  if (o.requestHeaderModifier) modifierProblems(release, step, o.requestHeaderModifier, add);
  const replicas = step.effectiveReplicas;
  if (release.style === RolloutStyle.PARTITION && step.routes && typeof replicas === 'string' && percentOf(replicas) > PARTITION_PERCENT_LIMIT) {
    // R8 (v1beta1) / R9, R10 (v1alpha1), v0.6.0+; the library applies it to v0.5 as well
    add(`runs ${replicas} of the pods in partition style while routing traffic (Kruise: "For partition style rollout: step[x].replicas must not greater than partition-percent-limit if traffic specified", limit ${PARTITION_PERCENT_LIMIT}%)`,
      `route with at most ${PARTITION_PERCENT_LIMIT}% replicas, give a number of pods, or use RolloutStyle.CANARY`);
  }
}

/** R24: Kruise's script applies the modifier only to the rules of header matches, from v0.6.0. */
function modifierProblems(release: Release, step: CanaryStep, m: RequestHeaderModifier, add: Add): void {
  if (step.headerMatches.length === 0) add('has a requestHeaderModifier but no header matches; Kruise\'s Istio script applies it only to the rules its matches insert', 'add matches to the step, or drop the modifier');
  if (release.controllerVersion === KruiseControllerVersion.V0_5) add('has a requestHeaderModifier, which Kruise v0.5 ignores (its Istio script has none)', 'target KruiseControllerVersion.V0_6, or drop the modifier');
  const names = [...Object.keys(m.set ?? {}), ...Object.keys(m.add ?? {}), ...(m.remove ?? [])];
  for (const n of names) if (!isHeaderName(n)) add(`requestHeaderModifier: ${JSON.stringify(n)} is not a lowercase header name`, 'use a lowercase token of [a-z0-9-_]');
  for (const [n, v] of [...Object.entries(m.set ?? {}), ...Object.entries(m.add ?? {})]) {
    if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || !/^[\x20-\x7e]+$/.test(v)) add(`requestHeaderModifier: the value for "${n}" is empty or not printable ASCII`, 'give 1 to 4096 printable ASCII characters');
  }
  for (const list of [Object.keys(m.set ?? {}), Object.keys(m.add ?? {}), m.remove ?? []]) {
    if (list.length > 16) add('requestHeaderModifier: more than 16 headers in one list (Kruise\'s CRD limit)', 'change at most 16 headers per list');
  }
}

/** R4: a count of at least 1, or a percentage from 1% to 100% (Kubernetes int-or-percent). */
function replicasProblems(step: CanaryStep, add: Add): void {
  const r = step.effectiveReplicas;
  if (r === undefined) return;
  const detail = '(Kruise: "replicas must be positive number, or a percentage with "0%" < canaryReplicas <= "100%"")';
  if (typeof r === 'number' && (!Number.isInteger(r) || r < 1 || r > 2147483647)) add(`has replicas ${r} ${detail}`, 'use a whole number of pods of at least 1, or a percentage such as "20%"');
  if (typeof r === 'string' && !/^([1-9][0-9]?|100)%$/.test(r)) add(`has replicas ${JSON.stringify(r)} ${detail}`, 'use a percentage from "1%" to "100%", or a number of pods');
}

/**
 * R5: replicas never decrease between adjacent steps of the same kind (both counts or both
 * percentages; Kruise skips mixed pairs). R12: traffic never decreases (v1alpha1 refuses it; the
 * library applies it to v1beta1 too). Library rule: in a canary release, a step that routes
 * nothing after one that routes would make Kruise restore the routing (rollout_canary.go:77-90).
 */
function sequenceProblems(release: Release, steps: readonly CanaryStep[], prop: string): ModelProblem[] {
  const out: ModelProblem[] = [];
  for (let i = 1; i < steps.length; i++) {
    const [before, now] = [steps[i - 1], steps[i]];
    const a = before.effectiveReplicas;
    const b = now.effectiveReplicas;
    if (a !== undefined && b !== undefined && typeof a === typeof b && replicaValue(b) < replicaValue(a)) {
      out.push(problem(prop, `step ${i + 1} has fewer canary replicas than the step before (Kruise: "Steps.CanaryReplicas must be a non decreasing sequence")`, 'make replicas grow (or stay equal) from step to step'));
    }
    const ta = before.trafficPercent;
    const tb = now.trafficPercent;
    if (ta !== undefined && tb !== undefined && tb < ta) {
      out.push(problem(prop, `step ${i + 1} has less traffic than the step before (Kruise: "Steps.Weight must be a non decreasing sequence")`, 'make traffic grow (or stay equal) from step to step'));
    }
    if (release.mode === ReleaseMode.CANARY && !now.routes && steps.slice(0, i).some((s) => s.routes)) {
      out.push(problem(prop, `step ${i + 1} has neither traffic nor matches after a step that routes: Kruise restores the original routing at such a step, so the canary would get no requests`,
        'give the step traffic (e.g. CanaryStep.traffic(100) for the last step)'));
    }
  }
  return out;
}

function replicaValue(r: number | string): number {
  return typeof r === 'number' ? r : percentOf(r);
}

function percentOf(r: string): number {
  return Number(r.replace(/%$/, ''));
}
