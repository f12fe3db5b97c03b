/**
 * The two ways OpenKruise Rollout routes a release, chosen explicitly (`Release.lanes` or
 * `Release.canary`), and what each does to requests while the canary pods start.
 *
 * Behaviour read from openkruise/rollouts v0.5.0 and v0.6.2 (see the notes in kruise.md):
 *
 * - **Lane release** (the seed's): the Rollout names a `TrafficRouting` in its annotation
 *   `rollouts.kruise.io/trafficrouting`. The TrafficRouting's one strategy (header matches)
 *   applies for the whole release, and Kruise applies it as soon as the Rollout starts
 *   progressing (`handleTrafficRouting`, pkg/controller/rollout/rollout_progressing.go;
 *   pkg/controller/trafficrouting/trafficrouting_controller.go), before any canary pod is ready.
 *   The Rollout's own `DoTrafficRouting` returns at once (pkg/trafficrouting/manager.go), so
 *   per-step traffic or matches would route nothing: they are refused.
 * - **Canary release**: the Rollout has its own `trafficRoutings` (one Service, the Istio
 *   objects as `customNetworkRefs`). Kruise routes step by step, each step only after that
 *   step's canary pods are ready (`runCanary`, pkg/controller/rollout/rollout_canary.go).
 */
import { KruiseApiVersion } from '../api-versions';
import { CanaryStep, HeaderMatch } from './canary-step';

/** Which Kruise mechanism routes a release. */
export enum ReleaseMode {
  /** A TrafficRouting object (header matches for the whole release; shared by lanes). */
  LANES = 'lanes',
  /** The Rollout's own trafficRoutings (per-step traffic and matches, one service). */
  CANARY = 'canary',
}

/** The OpenKruise Rollout controller release the output must work with. */
export enum KruiseControllerVersion {
  /** v0.5.x: no `disableGenerateCanaryService`, no `requestHeaderModifier` in the Istio script. */
  V0_5 = 'v0.5',
  /** v0.6.x (v0.6.0 to v0.6.2). */
  V0_6 = 'v0.6',
}

/** How Kruise runs the new version's pods during a canary release. */
export enum RolloutStyle {
  /**
   * An extra canary Deployment (`enableExtraWorkloadForCanary: true`, v1alpha1
   * `rolling-style: canary`); its pods get the canary labels (`patchPodTemplateMetadata`).
   */
  CANARY = 'canary',
  /**
   * New pods in the same Deployment, in batches. No extra Deployment and no pod labels
   * (Kruise applies `patchPodTemplateMetadata` only in canary style), so canary pods are told
   * apart by the `<service>-canary` Service Kruise creates. Kruise refuses a step over 50%
   * replicas that routes traffic.
   */
  PARTITION = 'partition',
}

/** Options both release modes share. */
export interface ReleaseCommonOptions {
  /**
   * Value of the version label on canary pods; it replaces the base value so a canary pod is
   * never in the base subset.
   * @default 'canary'
   */
  readonly canaryVersion?: string;
  /**
   * apiVersion of the Rollout.
   * @default KruiseApiVersion.V1ALPHA1
   */
  readonly apiVersion?: KruiseApiVersion;
  /**
   * The Kruise Rollout controller the output must work with; options a version does not
   * honour are refused.
   * @default KruiseControllerVersion.V0_6
   */
  readonly controllerVersion?: KruiseControllerVersion;
}

/** Options of a lane release ({@link Release.lanes}). */
export interface LaneReleaseOptions extends ReleaseCommonOptions {
  /**
   * Header conditions (ANDed) under which a request reaches the canary, for the whole release.
   * A TrafficLane in progressive mode sets this for its members.
   * @default - none (add the service to a progressive TrafficLane)
   */
  readonly matches?: readonly HeaderMatch[];
  /**
   * Steps: replicas and pauses only (the TrafficRouting routes; step traffic and matches would
   * route nothing in this mode).
   * @default [CanaryStep.replicas(1)] - one canary pod, then wait for approval (the seed)
   */
  readonly steps?: readonly CanaryStep[];
}

/** Options of a canary release ({@link Release.canary}). */
export interface CanaryReleaseOptions extends ReleaseCommonOptions {
  /**
   * The steps, each with replicas and traffic or header matches, e.g. header only → 20% → 50%
   * → 100%.
   */
  readonly steps: readonly CanaryStep[];
  /**
   * How the canary pods run.
   * @default RolloutStyle.CANARY
   */
  readonly style?: RolloutStyle;
  /**
   * Route canary traffic to subset `canary` of the service itself instead of to the Service
   * `<service>-canary` that Kruise creates (Kruise v0.6.0+). Kruise then leaves both Services
   * alone, and the canary pods are told apart only by their labels.
   * @default false
   */
  readonly disableGenerateCanaryService?: boolean;
  /**
   * Seconds Kruise waits after changing the Services or the routes before the next change.
   * @default - Kruise's default (3 s in the v0.6 CRD)
   */
  readonly gracePeriodSeconds?: number;
}

/**
 * The plain-object form of `GrayServiceProps.release`: a lane release. `weight` and per-step
 * traffic are refused (they need {@link Release.canary}).
 */
export interface ProgressiveReleaseOptions extends LaneReleaseOptions {
  /**
   * Not supported in a lane release: Kruise's TrafficRouting would send this share of all
   * requests to the canary before its pods are ready (503). Use `Release.canary` with
   * `CanaryStep.traffic` steps.
   * @default - none
   */
  readonly weight?: number;
}

/** A release with its mode chosen explicitly. */
export class Release {
  /**
   * A lane release (the seed's): a `TrafficRouting` with header matches for the whole release,
   * which progressive TrafficLanes share. Kruise routes as soon as the release starts, before the
   * canary pods are ready: until they are, requests it routes to the canary get 503.
   */
  public static lanes(options: LaneReleaseOptions = {}): Release {
    return new Release(ReleaseMode.LANES, options);
  }

  /**
   * A canary release of one service: the Rollout's own `trafficRoutings`, routed by Kruise step
   * by step, each step once its canary pods are ready.
   */
  public static canary(options: CanaryReleaseOptions): Release {
    return new Release(ReleaseMode.CANARY, options);
  }

  /**
   * Whether `value` is a Release (and not the plain-object form); also one made by another copy
   * of the library (a Release has a mode and options, the plain form has neither).
   */
  public static isRelease(value: unknown): value is Release {
    if (value instanceof Release) return true;
    const v = value as { mode?: unknown; options?: unknown } | null;
    return typeof v === 'object' && v !== null && Object.values(ReleaseMode).includes(v.mode as ReleaseMode) && typeof v.options === 'object';
  }

  private constructor(
    /** The mode. */
    public readonly mode: ReleaseMode,
    /** The options as given. */
    public readonly options: LaneReleaseOptions | CanaryReleaseOptions,
  ) {}

  /** The steps (a lane release defaults to one canary pod, then waits for approval). */
  public get steps(): readonly CanaryStep[] {
    return this.options.steps ?? (this.mode === ReleaseMode.LANES ? [CanaryStep.replicas(1)] : []);
  }

  /** apiVersion of the Rollout. */
  public get apiVersion(): KruiseApiVersion {
    return this.options.apiVersion ?? KruiseApiVersion.V1ALPHA1;
  }

  /** The controller release the output targets. */
  public get controllerVersion(): KruiseControllerVersion {
    return this.options.controllerVersion ?? KruiseControllerVersion.V0_6;
  }

  /** The rolling style (always canary for a lane release). */
  public get style(): RolloutStyle {
    return this.mode === ReleaseMode.CANARY ? (this.options as CanaryReleaseOptions).style ?? RolloutStyle.CANARY : RolloutStyle.CANARY;
  }

  /** The lane release's own header matches (empty for a canary release). */
  public get matches(): readonly HeaderMatch[] {
    return this.mode === ReleaseMode.LANES ? (this.options as LaneReleaseOptions).matches ?? [] : [];
  }

  /** Whether Kruise creates `<service>-canary` and routes canary traffic to it (canary releases). */
  public get generatesCanaryService(): boolean {
    return this.mode === ReleaseMode.CANARY && !(this.options as CanaryReleaseOptions).disableGenerateCanaryService;
  }

  /** Seconds of Kruise's grace period, if given. */
  public get gracePeriodSeconds(): number | undefined {
    return this.mode === ReleaseMode.CANARY ? (this.options as CanaryReleaseOptions).gracePeriodSeconds : undefined;
  }

}

/** What a request routed to the canary meets while the canary pods start, by mode. */
export interface ReleaseTiming {
  /** The mode. */
  readonly mode: ReleaseMode;
  /** Whether Kruise applies the routing before the canary pods are ready. */
  readonly routesBeforeCanaryReady: boolean;
  /** What the requests Kruise routes to the canary get until the canary pods are ready. */
  readonly untilCanaryReady: string;
  /** The upstream code this follows (openkruise/rollouts, file and tag). */
  readonly source: string;
}

/**
 * When Kruise routes, by mode: data for the tools (`explain --release`) and the docs.
 */
export const RELEASE_TIMING: Readonly<Record<ReleaseMode, ReleaseTiming>> = {
  [ReleaseMode.LANES]: {
    mode: ReleaseMode.LANES,
    routesBeforeCanaryReady: true,
    untilCanaryReady: '503 (no healthy upstream): Kruise routes the matching requests to the canary subset as soon as the Rollout starts progressing, before any canary pod is ready',
    source: 'openkruise/rollouts v0.6.2 pkg/controller/rollout/rollout_progressing.go (handleTrafficRouting), pkg/controller/trafficrouting/trafficrouting_controller.go; same in v0.5.0',
  },
  [ReleaseMode.CANARY]: {
    mode: ReleaseMode.CANARY,
    routesBeforeCanaryReady: false,
    untilCanaryReady: 'the previous step\'s routing (before step 1: none, every request reaches the stable pods); Kruise routes a step only once its canary pods are ready',
    source: 'openkruise/rollouts v0.6.2 pkg/controller/rollout/rollout_canary.go (runCanary: Upgrade waits for the BatchRelease to be Ready, then TrafficRouting), pkg/trafficrouting/manager.go',
  },
};
