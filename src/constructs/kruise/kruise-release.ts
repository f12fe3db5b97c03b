import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  RolloutSpec, RolloutSpecStrategyCanarySteps, RolloutSpecStrategyCanaryStepsMatchesHeadersType, RolloutSpecStrategyCanaryStepsReplicas,
  RolloutV1Beta1Spec, RolloutV1Beta1SpecStrategyCanarySteps, RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType, RolloutV1Beta1SpecStrategyCanaryStepsReplicas,
  toJson_RolloutSpec, toJson_RolloutV1Beta1Spec, toJson_TrafficRoutingSpec, TrafficRoutingSpec, TrafficRoutingSpecStrategyMatchesHeadersType,
} from '../../../imports/kruise-rollouts';
import { KruiseApiVersion, TRAFFIC_ROUTING_API_VERSION } from '../../model/api-versions';
import { CanaryStep, HeaderMatch, HeaderMatchType, Pause } from '../../model/kruise/canary-step';
import { WellKnown } from '../../model/well-known';
import { meshObject } from '../core/mesh-object';
import { AppState } from '../core/state';

/** A routing object Kruise's Lua scripts rewrite during a release. */
export interface NetworkRef {
  readonly apiVersion: string;
  readonly kind: 'VirtualService' | 'DestinationRule';
  readonly name: string;
}

/** Props of {@link KruiseRelease}; GrayService fills them in. */
export interface KruiseReleaseProps {
  /** Name of the Deployment the Rollout releases. */
  readonly deploymentName: string;
  /** Name of the Service whose traffic the TrafficRouting shifts. */
  readonly serviceName: string;
  /** The service's VirtualServices and DestinationRule. */
  readonly networkRefs: readonly NetworkRef[];
  /** Canary steps. */
  readonly steps: readonly CanaryStep[];
  /** Labels the canary pod template gets (the Kruise marker plus the version override). */
  readonly canaryLabels: Readonly<Record<string, string>>;
  /** Traffic weight the TrafficRouting sends to the canary, if any. */
  readonly weight?: number;
  /** apiVersion of the Rollout (the TrafficRouting exists only as `v1alpha1`). */
  readonly apiVersion: KruiseApiVersion;
  /** Name of the Rollout. */
  readonly rolloutName: string;
  /** Name of the TrafficRouting (also written to the Rollout's annotation). */
  readonly trafficRoutingName: string;
  /**
   * Namespace of both objects.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

/**
 * The Kruise objects of one service's progressive release: a `Rollout` for its Deployment
 * (canary style, so Kruise creates an extra canary Deployment and applies
 * `patchPodTemplateMetadata`) and one `TrafficRouting` for its Service, which Kruise uses to
 * rewrite the service's VirtualServices and DestinationRule while the release progresses.
 *
 * One TrafficRouting per service: Kruise only reads `objectRef[0]` and routes to that
 * service's host, so a shared TrafficRouting would send another service's canary traffic to
 * the wrong host.
 */
export class KruiseRelease extends Construct {
  /** The `Rollout`. */
  public readonly rollout: ApiObject;
  /** The Rollout, the construct's main object (the same as {@link rollout}). */
  public readonly apiObject: ApiObject;
  /** Labels the canary pod template gets (the Kruise marker plus the version override). */
  public readonly canaryLabels: Readonly<Record<string, string>>;
  /** The `TrafficRouting`. */
  public readonly trafficRouting: ApiObject;
  private readonly matches: HeaderMatch[][] = [];

  public constructor(scope: Construct, id: string, private readonly props: KruiseReleaseProps) {
    super(scope, id);
    const v1alpha1 = props.apiVersion === KruiseApiVersion.V1ALPHA1;
    this.canaryLabels = { ...props.canaryLabels };
    this.rollout = meshObject(this, 'Rollout', {
      apiVersion: props.apiVersion,
      kind: 'Rollout',
      metadata: {
        name: props.rolloutName,
        namespace: props.namespace,
        annotations: {
          // Read by the controller for v1alpha1 and v1beta1 alike (v1beta1's trafficRoutingRef is not).
          [WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION]: props.trafficRoutingName,
          ...(v1alpha1 ? { [WellKnown.KRUISE_ROLLING_STYLE_ANNOTATION]: 'canary' } : {}),
        },
      },
      spec: () => (v1alpha1 ? this.renderV1alpha1() : this.renderV1beta1()),
    });
    this.apiObject = this.rollout;
    this.trafficRouting = meshObject(this, 'TrafficRouting', {
      apiVersion: TRAFFIC_ROUTING_API_VERSION,
      kind: 'TrafficRouting',
      metadata: { name: props.trafficRoutingName, namespace: props.namespace },
      spec: () => this.renderTrafficRouting(),
    });
  }

  /** Adds a traffic match (its headers ANDed); several matches are ORed. */
  public addMatch(headers: readonly HeaderMatch[]): void {
    this.matches.push([...headers]);
    AppState.of(this).touch();
  }

  /** The traffic matches, in order. */
  public get trafficMatches(): readonly (readonly HeaderMatch[])[] {
    return this.matches.map((m) => [...m]);
  }

  /** The traffic weight, if any. */
  public get weight(): number | undefined {
    return this.props.weight;
  }

  private renderTrafficRouting(): unknown {
    const spec: TrafficRoutingSpec = {
      objectRef: [{
        service: this.props.serviceName,
        customNetworkRefs: this.props.networkRefs.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name })),
      }],
      strategy: {
        matches: this.matches.length > 0
          ? this.matches.map((m) => ({ headers: m.map((h) => ({ type: TR_MATCH_TYPE[h.type ?? HeaderMatchType.EXACT], name: h.name, value: h.value })) }))
          : undefined,
        weight: this.props.weight,
      },
    };
    return toJson_TrafficRoutingSpec(spec);
  }

  private renderV1alpha1(): unknown {
    const spec: RolloutSpec = {
      objectRef: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.props.deploymentName } },
      strategy: {
        canary: {
          steps: this.props.steps.map((s): RolloutSpecStrategyCanarySteps => ({
            replicas: replicasOf(s, RolloutSpecStrategyCanaryStepsReplicas),
            pause: pauseOf(s),
            matches: headerMatchesOf(s, V1ALPHA1_MATCH_TYPE),
            weight: s.options.weight,
          })),
          patchPodTemplateMetadata: { labels: { ...this.props.canaryLabels } },
        },
      },
    };
    return toJson_RolloutSpec(spec);
  }

  private renderV1beta1(): unknown {
    const spec: RolloutV1Beta1Spec = {
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.props.deploymentName },
      strategy: {
        canary: {
          enableExtraWorkloadForCanary: true,
          steps: this.props.steps.map((s): RolloutV1Beta1SpecStrategyCanarySteps => ({
            replicas: replicasOf(s, RolloutV1Beta1SpecStrategyCanaryStepsReplicas),
            pause: pauseOf(s),
            matches: headerMatchesOf(s, V1BETA1_MATCH_TYPE),
            traffic: s.options.weight === undefined ? undefined : `${s.options.weight}%`,
          })),
          patchPodTemplateMetadata: { labels: { ...this.props.canaryLabels } },
        },
      },
    };
    return toJson_RolloutV1Beta1Spec(spec);
  }
}

const TR_MATCH_TYPE: Readonly<Record<HeaderMatchType, TrafficRoutingSpecStrategyMatchesHeadersType>> = {
  [HeaderMatchType.EXACT]: TrafficRoutingSpecStrategyMatchesHeadersType.EXACT,
  [HeaderMatchType.REGULAR_EXPRESSION]: TrafficRoutingSpecStrategyMatchesHeadersType.REGULAR_EXPRESSION,
};
const V1ALPHA1_MATCH_TYPE: Readonly<Record<HeaderMatchType, RolloutSpecStrategyCanaryStepsMatchesHeadersType>> = {
  [HeaderMatchType.EXACT]: RolloutSpecStrategyCanaryStepsMatchesHeadersType.EXACT,
  [HeaderMatchType.REGULAR_EXPRESSION]: RolloutSpecStrategyCanaryStepsMatchesHeadersType.REGULAR_EXPRESSION,
};
const V1BETA1_MATCH_TYPE: Readonly<Record<HeaderMatchType, RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType>> = {
  [HeaderMatchType.EXACT]: RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType.EXACT,
  [HeaderMatchType.REGULAR_EXPRESSION]: RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType.REGULAR_EXPRESSION,
};

function pauseOf(step: CanaryStep): { duration?: number } {
  const seconds = (step.options.pause ?? Pause.manual()).seconds;
  return seconds === undefined ? {} : { duration: seconds };
}

/** A step's header matches (ANDed) as Kruise's one-element `matches` list, or undefined. */
function headerMatchesOf<T>(step: CanaryStep, types: Readonly<Record<HeaderMatchType, T>>): Array<{ headers: Array<{ type: T; name: string; value: string }> }> | undefined {
  const headers = step.options.matches ?? [];
  if (headers.length === 0) return undefined;
  return [{ headers: headers.map((h) => ({ type: types[h.type ?? HeaderMatchType.EXACT], name: h.name, value: h.value })) }];
}

function replicasOf<T>(step: CanaryStep, cls: { fromNumber(n: number): T; fromString(s: string): T }): T | undefined {
  const r = step.options.replicas;
  if (r === undefined) return undefined;
  return typeof r === 'number' ? cls.fromNumber(r) : cls.fromString(r);
}
