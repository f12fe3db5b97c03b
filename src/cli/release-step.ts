/**
 * `explain --release SERVICE --step N`: the mesh at step N of one service's Kruise release.
 *
 * The step simulation (which step's routing Kruise applies, when, and what requests meet while
 * the canary pods start) belongs to the Kruise model (issue #14, `simulateKruiseStep` in
 * src/model/kruise/). Until it is on this branch, the hook refuses with a clear message.
 */
import { Manifest } from '../analysis';

/** The mesh at one step, and what to say about it. */
export interface StepView {
  readonly manifests: Manifest[];
  /** One line about the step (mode, routing, pause). */
  readonly title: string;
  /** Notes: what Kruise does or would fail at, and what requests meet until the canary pods are ready. */
  readonly notes: string[];
}

/** The mesh at step `step` of the release of `service` (throws when it cannot be simulated). */
export function releaseStep(_manifests: readonly Manifest[], service: string, step: number): StepView {
  throw new Error(`explain --step needs the Kruise step simulation (simulateKruiseStep, issue #14), which this build does not have; use --release ${service} to see the release's routing (step ${step} not simulated)`);
}
