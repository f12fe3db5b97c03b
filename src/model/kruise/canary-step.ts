import { isHeaderName } from '../names';
import { ModelProblem } from '../problem';
import { re2Problem } from '../regex';

/** A length of time, as cdk8s's `Duration` gives it. */
export interface DurationLike {
  /** The duration in seconds. */
  toSeconds(): number;
}

/** How a canary step ends. */
export class Pause {
  /** Wait until someone approves the step (`kubectl-kruise rollout approve`): `pause: {}`. */
  public static manual(): Pause {
    return new Pause(undefined);
  }

  /** Continue automatically after `duration` (a cdk8s `Duration`; whole seconds). */
  public static for(duration: DurationLike): Pause {
    return new Pause(duration.toSeconds());
  }

  private constructor(
    /** Seconds to wait; undefined for a manual pause. */
    public readonly seconds: number | undefined,
  ) {}

  /** @internal */
  public _toKruise(): { duration?: number } {
    return this.seconds === undefined ? {} : { duration: this.seconds };
  }
}

/** How a header must match for a request to reach the canary. */
export enum HeaderMatchType {
  /** The header equals the value. */
  EXACT = 'Exact',
  /** The header matches an RE2 regular expression (whole value). */
  REGULAR_EXPRESSION = 'RegularExpression',
}

/** One header condition of a canary traffic match. */
export interface HeaderMatch {
  /** Lowercase header name. */
  readonly name: string;
  /** Value (or RE2 pattern). */
  readonly value: string;
  /** @default HeaderMatchType.EXACT */
  readonly type?: HeaderMatchType;
}

/** Options of one canary step. */
export interface CanaryStepOptions {
  /**
   * Canary pods in this step: a count, or a percentage of the workload's replicas (`'20%'`).
   * @default - Kruise derives it from the weight
   */
  readonly replicas?: number | string;
  /**
   * Percentage of traffic sent to the canary in this step (0-100).
   * @default - no weight; traffic follows the header matches only
   */
  readonly weight?: number;
  /**
   * How the step ends.
   * @default Pause.manual()
   */
  readonly pause?: Pause;
  /**
   * Header conditions (ANDed) under which a request reaches the canary in this step.
   * @default - none
   */
  readonly matches?: readonly HeaderMatch[];
}

/**
 * One step of a Kruise canary release.
 *
 * @example CanaryStep.replicas(1)                       // one canary pod, wait for approval
 * @example CanaryStep.weight(20, { pause: Pause.for(Duration.minutes(10)) })
 */
export class CanaryStep {
  /** A step that runs `replicas` canary pods (a count or `'N%'`). */
  public static replicas(replicas: number | string, options: Omit<CanaryStepOptions, 'replicas'> = {}): CanaryStep {
    return new CanaryStep({ ...options, replicas });
  }

  /** A step that sends `percent` of the traffic to the canary. */
  public static weight(percent: number, options: Omit<CanaryStepOptions, 'weight'> = {}): CanaryStep {
    return new CanaryStep({ ...options, weight: percent });
  }

  /** A step from all options. */
  public static of(options: CanaryStepOptions): CanaryStep {
    return new CanaryStep(options);
  }

  private constructor(public readonly options: CanaryStepOptions) {}

  /** Replicas as a percentage of `total` (for ordering checks), or undefined. */
  public replicaShare(total: number): number | undefined {
    const r = this.options.replicas;
    if (r === undefined) return undefined;
    if (typeof r === 'number') return total > 0 ? (100 * r) / total : r;
    return Number(r.slice(0, -1));
  }
}

/**
 * Checks a list of steps; returns a problem and its fix, or undefined when the list is valid.
 * Kruise requires at least one step, replicas and weights that never decrease, and weights of
 * 0-100.
 */
export function checkSteps(steps: readonly CanaryStep[], totalReplicas: number, prop = 'release.steps'): ModelProblem | undefined {
  if (steps.length === 0) return { prop, what: 'no step given', fix: 'give at least one step, e.g. [CanaryStep.replicas(1)]' };
  let lastReplicas = -1;
  let lastWeight = -1;
  for (const [i, step] of steps.entries()) {
    const o = step.options;
    const at = `step ${i + 1}`;
    if (o.replicas === undefined && o.weight === undefined && (o.matches ?? []).length === 0) {
      return { prop, what: `${at} sets neither replicas, weight nor matches`, fix: 'give each step replicas, a weight or header matches' };
    }
    if (typeof o.replicas === 'number' && (!Number.isInteger(o.replicas) || o.replicas < 1)) {
      return { prop, what: `${at} has replicas ${o.replicas}`, fix: 'use a whole number of pods of at least 1, or a percentage such as "20%"' };
    }
    if (typeof o.replicas === 'string' && !/^([1-9][0-9]?|100)%$/.test(o.replicas)) {
      return { prop, what: `${at} has replicas ${JSON.stringify(o.replicas)}`, fix: 'use a percentage from "1%" to "100%", or a number of pods' };
    }
    if (o.weight !== undefined && (!Number.isInteger(o.weight) || o.weight < 0 || o.weight > 100)) {
      return { prop, what: `${at} has weight ${o.weight}`, fix: 'use an integer percentage from 0 to 100' };
    }
    const matchProblem = checkMatches(o.matches ?? [], prop);
    if (matchProblem) return { prop, what: `${at} matches: ${matchProblem.what}`, fix: matchProblem.fix };
    if (o.pause?.seconds !== undefined && (!Number.isInteger(o.pause.seconds) || o.pause.seconds < 0)) {
      return { prop, what: `${at} pauses for ${o.pause.seconds} s`, fix: 'use a whole number of seconds' };
    }
    const share = step.replicaShare(totalReplicas);
    if (share !== undefined) {
      if (share < lastReplicas) return { prop, what: `${at} has fewer canary replicas than the step before`, fix: 'make replicas grow (or stay equal) from step to step' };
      lastReplicas = share;
    }
    if (o.weight !== undefined) {
      if (o.weight < lastWeight) return { prop, what: `${at} has a lower weight than the step before`, fix: 'make weights grow (or stay equal) from step to step' };
      lastWeight = o.weight;
    }
  }
  return undefined;
}

/**
 * Checks the header conditions of one traffic match (ANDed): lowercase header names, each once,
 * with a printable, non-empty value and a known match type. Returns a problem and its fix.
 */
export function checkMatches(matches: readonly HeaderMatch[], prop = 'release.matches'): ModelProblem | undefined {
  const seen = new Set<string>();
  for (const m of matches) {
    if (!isHeaderName(m.name)) return { prop, what: `${JSON.stringify(m.name)} is not a lowercase header name`, fix: 'use a lowercase token of [a-z0-9-_]' };
    if (seen.has(m.name)) return { prop, what: `the header "${m.name}" is matched twice`, fix: 'match each header once (conditions are ANDed)' };
    seen.add(m.name);
    if (typeof m.value !== 'string' || !/^[\x20-\x7e]+$/.test(m.value)) return { prop, what: `the value ${JSON.stringify(m.value)} for "${m.name}" is empty or not printable ASCII`, fix: 'give a value of printable ASCII characters' };
    if (m.type !== undefined && !Object.values(HeaderMatchType).includes(m.type)) return { prop, what: `${JSON.stringify(m.type)} is not a match type`, fix: 'use HeaderMatchType.EXACT or HeaderMatchType.REGULAR_EXPRESSION' };
    const re2 = m.type === HeaderMatchType.REGULAR_EXPRESSION ? re2Problem(m.value) : undefined;
    if (re2) return { prop, what: `the pattern for "${m.name}" cannot run in Envoy's RE2: ${re2}`, fix: 'write the pattern without backreferences, lookaround, atomic groups or possessive quantifiers' };
  }
  return undefined;
}
