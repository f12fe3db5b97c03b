import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { TRAFFIC_ROUTING_API_VERSION } from '../../model/api-versions';
import { rolloutAdmissionProblems, rolloutWorkloadKey } from '../../model/kruise/admission';
import { HeaderMatch } from '../../model/kruise/canary-step';
import { Release, ReleaseMode, RELEASE_TIMING, ReleaseTiming, RolloutStyle } from '../../model/kruise/release';
import { NetworkRef, renderRolloutAnnotations, renderRolloutSpec, renderTrafficRoutingSpec, RolloutInput } from '../../model/kruise/rollout-spec';
import { ModelProblem, problem } from '../../model/problem';
import { meshObject } from '../core/mesh-object';
import { addChecks, AppState, problemsAt } from '../core/state';

export type { NetworkRef } from '../../model/kruise/rollout-spec';

/** Props of {@link KruiseRelease}; GrayService fills them in. */
export interface KruiseReleaseProps {
  /** Name of the Deployment the Rollout releases. */
  readonly deploymentName: string;
  /** Name of the Service whose traffic Kruise shifts. */
  readonly serviceName: string;
  /** The service's VirtualServices and DestinationRule. */
  readonly networkRefs: readonly NetworkRef[];
  /** The release: its mode, steps, API version and controller version. */
  readonly release: Release;
  /** Labels the canary pod template gets in canary style (the Kruise marker plus the version override). */
  readonly canaryLabels: Readonly<Record<string, string>>;
  /** Name of the Rollout. */
  readonly rolloutName: string;
  /**
   * Name of the TrafficRouting of a lane release (also written to the Rollout's annotation).
   * @default '<serviceName>-tr'
   */
  readonly trafficRoutingName?: string;
  /**
   * Namespace of the objects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * The Kruise objects of one service's release.
 *
 * - Lane release ({@link Release.lanes}): a `Rollout` naming a `TrafficRouting` in its
 *   annotation, and that TrafficRouting, whose header matches Kruise applies to the service's
 *   VirtualServices and DestinationRule for the whole release, from the moment it starts (before
 *   the canary pods are ready: see {@link timing}). One TrafficRouting per service: Kruise only
 *   reads `objectRef[0]` and routes to that service's host.
 * - Canary release ({@link Release.canary}): a `Rollout` with its own `trafficRoutings`; Kruise
 *   routes each step's traffic or matches once that step's canary pods are ready, to the Service
 *   `<service>-canary` it creates (unless `disableGenerateCanaryService`).
 *
 * At synth the written Rollout is checked against Kruise's validating webhook (after any
 * escape-hatch patch), and no two Rollouts of the app may release one workload.
 */
export class KruiseRelease extends Construct {
  /** The `Rollout`. */
  public readonly rollout: ApiObject;
  /** The Rollout, the construct's main object (the same as {@link rollout}). */
  public readonly apiObject: ApiObject;
  /** Labels the canary pod template gets (empty in partition style, where Kruise applies none). */
  public readonly canaryLabels: Readonly<Record<string, string>>;
  /** The `TrafficRouting` of a lane release. */
  public readonly trafficRouting?: ApiObject;
  /** The release. */
  public readonly release: Release;
  /** Name of the Deployment the Rollout releases. */
  public readonly deploymentName: string;
  private readonly matches: HeaderMatch[][] = [];
  private readonly ownMatches: HeaderMatch[][] = [];

  public constructor(scope: Construct, id: string, private readonly props: KruiseReleaseProps) {
    super(scope, id);
    this.release = props.release;
    this.deploymentName = props.deploymentName;
    this.canaryLabels = props.release.style === RolloutStyle.CANARY ? { ...props.canaryLabels } : {};
    const annotations = renderRolloutAnnotations(this.input());
    this.rollout = meshObject(this, 'Rollout', {
      apiVersion: props.release.apiVersion,
      kind: 'Rollout',
      metadata: { name: props.rolloutName, namespace: props.namespace, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      spec: () => renderRolloutSpec(this.input()),
    });
    this.apiObject = this.rollout;
    if (props.release.mode === ReleaseMode.LANES) {
      this.trafficRouting = meshObject(this, 'TrafficRouting', {
        apiVersion: TRAFFIC_ROUTING_API_VERSION,
        kind: 'TrafficRouting',
        metadata: { name: this.trafficRoutingName, namespace: props.namespace },
        spec: () => renderTrafficRoutingSpec(this.input()),
      });
      if (props.release.matches.length > 0) {
        this.matches.push([...props.release.matches]);
        this.ownMatches.push([...props.release.matches]);
      }
    }
    addChecks(this, () => [...this.admissionProblems(), ...this.conflictProblems()]);
  }

  /** The release mode. */
  public get mode(): ReleaseMode {
    return this.release.mode;
  }

  /** When Kruise routes in this mode, and what requests meet until the canary pods are ready. */
  public get timing(): ReleaseTiming {
    return RELEASE_TIMING[this.release.mode];
  }

  /**
   * Adds a traffic match of a lane release (its headers ANDed); several matches are ORed. A
   * canary release routes by its steps, so this is refused there.
   */
  public addMatch(headers: readonly HeaderMatch[]): void {
    if (this.release.mode !== ReleaseMode.LANES) {
      problemsAt(this).fail('addMatch', 'a canary release routes by the matches of its steps, not by a TrafficRouting', 'give the step matches (CanaryStep.match), or use Release.lanes');
    }
    this.matches.push([...headers]);
    AppState.of(this).touch();
  }

  /** The traffic matches of a lane release, in order (empty for a canary release). */
  public get trafficMatches(): readonly (readonly HeaderMatch[])[] {
    return this.matches.map((m) => [...m]);
  }

  /** The header names the release itself matches on: the lane release's own matches, or the canary steps' matches. */
  public get releaseHeaders(): readonly string[] {
    const lists = this.release.mode === ReleaseMode.LANES ? this.ownMatches : this.release.steps.map((s) => s.headerMatches);
    return [...new Set(lists.flatMap((m) => m.map((h) => h.name)))].sort();
  }

  private get trafficRoutingName(): string {
    return this.props.trafficRoutingName ?? `${this.props.serviceName}-tr`;
  }

  private input(): RolloutInput {
    return {
      release: this.release,
      deploymentName: this.props.deploymentName,
      serviceName: this.props.serviceName,
      networkRefs: this.props.networkRefs,
      canaryLabels: this.canaryLabels,
      laneMatches: this.matches,
      trafficRoutingName: this.trafficRoutingName,
    };
  }

  /** Kruise's validating webhook on the Rollout as written (escape-hatch patches included). */
  private admissionProblems(): ModelProblem[] {
    return rolloutAdmissionProblems(appRollouts(this).json.get(this.rollout) ?? this.rollout.toJson(), this.release.controllerVersion);
  }

  /** R18: one Rollout per workload (namespace, group, kind, name), app-wide. */
  private conflictProblems(): ModelProblem[] {
    const rollouts = appRollouts(this);
    const key = rollouts.keys.get(this.rollout);
    if (!key) return [];
    const others = (rollouts.byWorkload.get(key) ?? []).filter((r) => r !== this.rollout);
    if (others.length === 0) return [];
    return [problem('deploymentName', `the Deployment ${this.props.deploymentName} is also released by ${others.map((o) => o.node.path).join(', ')} (Kruise: "This rollout conflict with Rollout(...), one workload only have less than one Rollout"; its Deployment webhook would use the first Rollout it finds)`,
      'release each Deployment from one Rollout: remove the other release, or release another Deployment')];
  }
}

/** The app's Kruise Rollouts as written (escape-hatch patches included), read once per validation pass. */
interface AppRollouts {
  /** Each Rollout's JSON. */
  readonly json: ReadonlyMap<ApiObject, Record<string, unknown>>;
  /** Each Rollout's workload key (namespace, group, kind, name), when it names a workload. */
  readonly keys: ReadonlyMap<ApiObject, string>;
  /** The Rollouts of each workload. */
  readonly byWorkload: ReadonlyMap<string, readonly ApiObject[]>;
}

/**
 * Every Kruise Rollout of the app (the library's or the user's own ApiObjects), rendered once
 * per validation pass and grouped by the workload it releases: one lookup per release instead
 * of a walk of the tree and a render of every other Rollout (quadratic in the services).
 */
function appRollouts(scope: Construct): AppRollouts {
  const state = AppState.of(scope);
  return state.memo('kruise-rollouts', () => {
    const json = new Map<ApiObject, Record<string, unknown>>();
    const keys = new Map<ApiObject, string>();
    const byWorkload = new Map<string, ApiObject[]>();
    for (const c of state.constructs) {
      if (!(c instanceof ApiObject) || c.kind !== 'Rollout' || !c.apiVersion.startsWith('rollouts.kruise.io/')) continue;
      const rendered = c.toJson() as Record<string, unknown>;
      json.set(c, rendered);
      const namespace = c.metadata.namespace ?? Chart.of(c).namespace ?? 'default';
      const key = rolloutWorkloadKey({ ...rendered, metadata: { namespace } });
      if (!key) continue;
      keys.set(c, key);
      byWorkload.set(key, [...(byWorkload.get(key) ?? []), c]);
    }
    return { json, keys, byWorkload };
  });
}
