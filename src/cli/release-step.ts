/**
 * `explain --release SERVICE --step N`: the mesh at step N of one service's Kruise release, from
 * the Kruise model's step simulation (src/model/kruise/step-simulation.ts): which routing Kruise
 * applies at that step, and what requests meet while the step's canary pods start (a lane release
 * routes before they are ready: 503 until then).
 */
import { Manifest, SimulatedStep, simulateKruiseStep } from '../analysis';

/** The mesh at one step, and what to say about it. */
export interface StepView {
  readonly manifests: Manifest[];
  /** One line about the step (mode, routing, pause). */
  readonly title: string;
  /** Notes: what requests meet until the canary pods are ready, and what Kruise does or would fail at. */
  readonly notes: string[];
}

/** How the step routes, in words, by the simulation's `routing`. */
const ROUTING: Readonly<Record<SimulatedStep['routing'], (s: SimulatedStep) => string>> = {
  'matches': () => 'requests matching the step\'s headers go to the canary',
  'traffic': (s) => `${s.traffic}% of requests go to the canary`,
  'restored': () => 'no canary routing: Kruise restores the original routes at this step',
  'traffic-routing': () => 'the TrafficRouting\'s strategy routes, whatever the step (lane release)',
};

function pause(s: SimulatedStep): string {
  if (s.pause.skipped) return 'the pause is skipped (last step at 100%)';
  return s.pause.seconds === undefined ? 'then waits for approval' : `then waits ${s.pause.seconds} s`;
}

/** The mesh at step `step` of the release of `service` (throws when there is no such release or step). */
export function releaseStep(manifests: readonly Manifest[], service: string, step: number): StepView {
  const s = simulateKruiseStep(manifests, service, step);
  return {
    manifests: s.manifests,
    title: `step ${s.step} of ${s.steps} of the release of ${s.service} (${s.rollout}, ${s.mode} release): ${ROUTING[s.routing](s)}; ${pause(s)}`,
    notes: [`until this step's canary pods are ready: ${s.untilReady}`, ...s.notes],
  };
}
