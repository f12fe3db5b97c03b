/**
 * Lengths of time in routes and traffic policies. The model takes any value with
 * `toMilliseconds()` (cdk8s's `Duration` has it) and writes Istio's duration strings.
 */
import { ModelProblem, problem } from '../problem';

/**
 * A length of time, as cdk8s's `Duration` gives it (`Duration.millis(500)`,
 * `Duration.seconds(7)`). Istio durations have millisecond precision at best, and its CRDs
 * require at least 1 ms.
 */
export interface RouteDuration {
  /** The duration in milliseconds. */
  toMilliseconds(): number;
}

/**
 * The Istio form of a duration: seconds with a fraction, e.g. `7s`, `0.5s`, `180s`. This one
 * form is read alike by the CRD's CEL `duration()`, Go's `time.ParseDuration` and protobuf JSON.
 */
export function istioDuration(d: RouteDuration): string {
  const ms = d.toMilliseconds();
  const whole = Math.floor(ms / 1000);
  const rest = ms - whole * 1000;
  return rest === 0 ? `${whole}s` : `${whole}.${String(rest).padStart(3, '0').replace(/0+$/, '')}s`;
}

/**
 * Checks a duration Istio accepts: a whole number of milliseconds, at least 1 ms (the CRD's
 * `duration(self) >= duration('1ms')`).
 */
export function durationProblem(prop: string, d: RouteDuration | undefined): ModelProblem | undefined {
  if (d === undefined) return undefined;
  let ms: number;
  try {
    ms = typeof d?.toMilliseconds === 'function' ? d.toMilliseconds() : NaN;
  } catch {
    ms = NaN; // cdk8s throws for a fractional millisecond
  }
  if (!Number.isInteger(ms) || ms < 1) {
    const shown = Number.isNaN(ms) ? 'not a whole number of milliseconds' : `${ms} ms`;
    return problem(prop, `the duration is ${shown}; Istio needs at least 1 ms, in whole milliseconds`, 'give a positive cdk8s Duration, e.g. Duration.millis(500) or Duration.seconds(10)');
  }
  return undefined;
}
