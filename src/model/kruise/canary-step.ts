/**
 * One step of a Kruise release, as the user writes it. What a step means depends on the release
 * mode (see `release.ts`); the checks that depend on the mode and on Kruise's admission webhook
 * are in `release-rules.ts`.
 */
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

/**
 * Request headers Kruise's Istio script sets, adds or removes on the requests a step's header
 * match sends to the canary (`headers.request` of the rule it inserts). Honoured only in a step
 * with `matches`, and only by Kruise v0.6.0 and later.
 */
export interface RequestHeaderModifier {
  /**
   * Headers to set (replacing any value).
   * @default - none
   */
  readonly set?: Readonly<Record<string, string>>;
  /**
   * Headers to add.
   * @default - none
   */
  readonly add?: Readonly<Record<string, string>>;
  /**
   * Header names to remove.
   * @default - none
   */
  readonly remove?: readonly string[];
}

/** Options of one canary step. */
export interface CanaryStepOptions {
  /**
   * Canary pods in this step: a count, or a percentage of the workload's replicas (`'20%'`).
   * Kruise's webhook needs it on every step of a `v1beta1` Rollout.
   * @default - `'<traffic>%'` when the step has traffic (what Kruise's own v1alpha1 conversion
   * does); required otherwise
   */
  readonly replicas?: number | string;
  /**
   * Percentage of all requests Kruise sends to the canary in this step (1-100). Canary
   * releases only (`Release.canary`): a lane release routes by its header matches alone.
   * @default - no share by weight
   */
  readonly traffic?: number;
  /**
   * The same as {@link traffic} (the `v1alpha1` field name).
   * @deprecated use `traffic`
   * @default - no share by weight
   */
  readonly weight?: number;
  /**
   * How the step ends.
   * @default Pause.manual()
   */
  readonly pause?: Pause;
  /**
   * Header conditions (ANDed) under which a request reaches the canary in this step. Canary
   * releases only: a lane release matches the same headers for the whole release.
   * @default - none
   */
  readonly matches?: readonly HeaderMatch[];
  /**
   * Headers changed on the requests the step's matches send to the canary (Kruise v0.6.0+).
   * @default - none
   */
  readonly requestHeaderModifier?: RequestHeaderModifier;
}

/**
 * One step of a Kruise release.
 *
 * @example CanaryStep.replicas(1)                                     // one canary pod, wait for approval
 * @example CanaryStep.match([{ name: 'x-canary', value: 'true' }], { replicas: 1 })   // header only
 * @example CanaryStep.traffic(20, { pause: Pause.for(Duration.minutes(10)) })          // 20% of requests, 20% of pods
 */
export class CanaryStep {
  /** A step that runs `replicas` canary pods (a count or `'N%'`) and routes nothing new. */
  public static replicas(replicas: number | string, options: Omit<CanaryStepOptions, 'replicas'> = {}): CanaryStep {
    return new CanaryStep({ ...options, replicas });
  }

  /** A step that sends `percent` of all requests to the canary (canary releases). */
  public static traffic(percent: number, options: Omit<CanaryStepOptions, 'traffic' | 'weight'> = {}): CanaryStep {
    return new CanaryStep({ ...options, traffic: percent });
  }

  /** A step that sends the requests matching `headers` (ANDed) to the canary (canary releases). */
  public static match(headers: readonly HeaderMatch[], options: Omit<CanaryStepOptions, 'matches'> = {}): CanaryStep {
    return new CanaryStep({ ...options, matches: headers });
  }

  /**
   * A step that sends `percent` of all requests to the canary.
   * @deprecated use {@link CanaryStep.traffic}
   */
  public static weight(percent: number, options: Omit<CanaryStepOptions, 'weight'> = {}): CanaryStep {
    return new CanaryStep({ ...options, weight: percent });
  }

  /** A step from all options. */
  public static of(options: CanaryStepOptions): CanaryStep {
    return new CanaryStep(options);
  }

  private constructor(public readonly options: CanaryStepOptions) {}

  /** The step's share of requests (`traffic`, or the deprecated `weight`), if any. */
  public get trafficPercent(): number | undefined {
    return this.options.traffic ?? this.options.weight;
  }

  /** The step's header conditions (ANDed); empty when it has none. */
  public get headerMatches(): readonly HeaderMatch[] {
    return this.options.matches ?? [];
  }

  /** Whether the step routes requests (by traffic share or by headers). */
  public get routes(): boolean {
    return this.trafficPercent !== undefined || this.headerMatches.length > 0;
  }

  /**
   * The replicas Kruise runs: the given ones, else `'<traffic>%'` (Kruise's own v1alpha1
   * conversion, `api/v1alpha1/conversion.go`), else undefined.
   */
  public get effectiveReplicas(): number | string | undefined {
    const traffic = this.trafficPercent;
    return this.options.replicas ?? (traffic === undefined ? undefined : `${traffic}%`);
  }
}

/** Limits of a Kruise match from the Rollout CRD (v0.6.2 `matches[].headers[]`). */
const MAX_HEADERS_PER_MATCH = 16;
const MAX_HEADER_VALUE = 4096;

/**
 * Checks the header conditions of one traffic match (ANDed): lowercase header names, each once,
 * with a printable, non-empty value and a known match type, within the Rollout CRD's limits
 * (16 headers, values up to 4096 characters). Returns a problem and its fix.
 */
export function checkMatches(matches: readonly HeaderMatch[], prop = 'release.matches'): ModelProblem | undefined {
  const seen = new Set<string>();
  if (matches.length > MAX_HEADERS_PER_MATCH) {
    return { prop, what: `${matches.length} header conditions in one match (Kruise's CRD allows ${MAX_HEADERS_PER_MATCH})`, fix: `match on at most ${MAX_HEADERS_PER_MATCH} headers` };
  }
  for (const m of matches) {
    if (!isHeaderName(m.name)) return { prop, what: `${JSON.stringify(m.name)} is not a lowercase header name`, fix: 'use a lowercase token of [a-z0-9-_]' };
    if (seen.has(m.name)) return { prop, what: `the header "${m.name}" is matched twice`, fix: 'match each header once (conditions are ANDed)' };
    seen.add(m.name);
    if (typeof m.value !== 'string' || m.value.length > MAX_HEADER_VALUE || !/^[\x20-\x7e]+$/.test(m.value)) {
      return { prop, what: `the value ${JSON.stringify(m.value)} for "${m.name}" is empty, longer than ${MAX_HEADER_VALUE} characters or not printable ASCII`, fix: 'give a value of printable ASCII characters' };
    }
    if (m.type !== undefined && !Object.values(HeaderMatchType).includes(m.type)) return { prop, what: `${JSON.stringify(m.type)} is not a match type`, fix: 'use HeaderMatchType.EXACT or HeaderMatchType.REGULAR_EXPRESSION' };
    const re2 = m.type === HeaderMatchType.REGULAR_EXPRESSION ? re2Problem(m.value) : undefined;
    if (re2) return { prop, what: `the pattern for "${m.name}" cannot run in Envoy's RE2: ${re2}`, fix: 'write the pattern without backreferences, lookaround, atomic groups or possessive quantifiers' };
  }
  return undefined;
}
