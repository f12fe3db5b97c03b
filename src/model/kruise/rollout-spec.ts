/**
 * The Kruise objects of a release, rendered from a {@link Release}: the Rollout (v1alpha1 or
 * v1beta1) and, for a lane release, its TrafficRouting. Exactly the fields Kruise reads:
 *
 * - lane release: the annotation `rollouts.kruise.io/trafficrouting` (read for both API
 *   versions; v1beta1's `trafficRoutingRef` is only converted, never read), no `trafficRoutings`;
 * - canary release: one `trafficRoutings` entry (Kruise reads only the first) with the service
 *   and its VirtualServices and DestinationRule as `customNetworkRefs`, and no annotation.
 *
 * Steps carry `replicas` always (v1beta1 requires it; v1alpha1 would default it to the weight).
 */
import {
  RolloutSpec, RolloutSpecStrategyCanarySteps, RolloutSpecStrategyCanaryStepsMatchesHeadersType, RolloutSpecStrategyCanaryStepsReplicas,
  RolloutV1Beta1Spec, RolloutV1Beta1SpecStrategyCanarySteps, RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType, RolloutV1Beta1SpecStrategyCanaryStepsReplicas,
  toJson_RolloutSpec, toJson_RolloutV1Beta1Spec, toJson_TrafficRoutingSpec, TrafficRoutingSpec, TrafficRoutingSpecStrategyMatchesHeadersType,
} from '../../../imports/kruise-rollouts';
import { KruiseApiVersion } from '../api-versions';
import { WellKnown } from '../well-known';
import { CanaryStep, HeaderMatch, HeaderMatchType, Pause, RequestHeaderModifier } from './canary-step';
import { Release, ReleaseMode, RolloutStyle } from './release';

/** A routing object Kruise's Lua scripts rewrite during a release. */
export interface NetworkRef {
  /** apiVersion of the object (`networking.istio.io/v1beta1`). */
  readonly apiVersion: string;
  /** Its kind. */
  readonly kind: 'VirtualService' | 'DestinationRule';
  /** Its name. */
  readonly name: string;
}

/** Everything the Kruise objects of one service's release are rendered from. */
export interface RolloutInput {
  /** The release. */
  readonly release: Release;
  /** Name of the Deployment the Rollout releases. */
  readonly deploymentName: string;
  /** Name of the Service whose traffic Kruise shifts. */
  readonly serviceName: string;
  /** The service's VirtualServices and DestinationRule. */
  readonly networkRefs: readonly NetworkRef[];
  /** Labels the canary pod template gets (canary style only). */
  readonly canaryLabels: Readonly<Record<string, string>>;
  /** The lane release's header matches (ORed lists of ANDed conditions). */
  readonly laneMatches: readonly (readonly HeaderMatch[])[];
  /** Name of the TrafficRouting (lane releases). */
  readonly trafficRoutingName: string;
}

/** The Rollout's annotations. */
export function renderRolloutAnnotations(input: RolloutInput): Record<string, string> {
  const r = input.release;
  const out: Record<string, string> = {};
  // Read by the controller for v1alpha1 and v1beta1 alike (v1beta1's trafficRoutingRef is not).
  if (r.mode === ReleaseMode.LANES) out[WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION] = input.trafficRoutingName;
  // v0.5 converts only "Partition" (case-sensitive) to partition style; v0.6 compares case-insensitively.
  if (r.apiVersion === KruiseApiVersion.V1ALPHA1) out[WellKnown.KRUISE_ROLLING_STYLE_ANNOTATION] = r.style === RolloutStyle.PARTITION ? 'Partition' : 'canary';
  return out;
}

/** The Rollout's `spec`, as JSON. */
export function renderRolloutSpec(input: RolloutInput): unknown {
  return input.release.apiVersion === KruiseApiVersion.V1ALPHA1 ? v1alpha1Spec(input) : v1beta1Spec(input);
}

/** The lane release's TrafficRouting `spec`, as JSON. */
export function renderTrafficRoutingSpec(input: RolloutInput): unknown {
  const spec: TrafficRoutingSpec = {
    objectRef: [{ service: input.serviceName, customNetworkRefs: refsOf(input) }],
    strategy: {
      matches: input.laneMatches.length > 0
        ? input.laneMatches.map((m) => ({ headers: m.map((h) => ({ type: TR_MATCH_TYPE[h.type ?? HeaderMatchType.EXACT], name: h.name, value: h.value })) }))
        : undefined,
    },
  };
  return toJson_TrafficRoutingSpec(spec);
}

function refsOf(input: RolloutInput): Array<{ apiVersion: string; kind: string; name: string }> {
  return input.networkRefs.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name }));
}

function trafficRoutingsOf(input: RolloutInput): Array<{ service: string; gracePeriodSeconds?: number; customNetworkRefs: ReturnType<typeof refsOf> }> | undefined {
  if (input.release.mode !== ReleaseMode.CANARY) return undefined;
  return [{ service: input.serviceName, gracePeriodSeconds: input.release.gracePeriodSeconds, customNetworkRefs: refsOf(input) }];
}

/** patchPodTemplateMetadata: applied by Kruise in canary style only, so not written otherwise. */
function podPatchOf(input: RolloutInput): { labels: Record<string, string> } | undefined {
  return input.release.style === RolloutStyle.CANARY ? { labels: { ...input.canaryLabels } } : undefined;
}

function disableOf(input: RolloutInput): true | undefined {
  return input.release.mode === ReleaseMode.CANARY && !input.release.generatesCanaryService ? true : undefined;
}

function v1alpha1Spec(input: RolloutInput): unknown {
  const spec: RolloutSpec = {
    objectRef: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.deploymentName } },
    strategy: {
      canary: {
        steps: input.release.steps.map((s): RolloutSpecStrategyCanarySteps => ({
          replicas: replicasOf(s, RolloutSpecStrategyCanaryStepsReplicas),
          pause: pauseOf(s),
          matches: headerMatchesOf(s, V1ALPHA1_MATCH_TYPE),
          weight: s.trafficPercent,
          requestHeaderModifier: modifierOf(s.options.requestHeaderModifier),
        })),
        trafficRoutings: trafficRoutingsOf(input),
        patchPodTemplateMetadata: podPatchOf(input),
        disableGenerateCanaryService: disableOf(input),
      },
    },
  };
  return toJson_RolloutSpec(spec);
}

function v1beta1Spec(input: RolloutInput): unknown {
  const spec: RolloutV1Beta1Spec = {
    workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.deploymentName },
    strategy: {
      canary: {
        enableExtraWorkloadForCanary: input.release.style === RolloutStyle.CANARY,
        steps: input.release.steps.map((s): RolloutV1Beta1SpecStrategyCanarySteps => ({
          replicas: replicasOf(s, RolloutV1Beta1SpecStrategyCanaryStepsReplicas),
          pause: pauseOf(s),
          matches: headerMatchesOf(s, V1BETA1_MATCH_TYPE),
          traffic: s.trafficPercent === undefined ? undefined : `${s.trafficPercent}%`,
          requestHeaderModifier: modifierOf(s.options.requestHeaderModifier),
        })),
        trafficRoutings: trafficRoutingsOf(input),
        patchPodTemplateMetadata: podPatchOf(input),
        disableGenerateCanaryService: disableOf(input),
      },
    },
  };
  return toJson_RolloutV1Beta1Spec(spec);
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
  return (step.options.pause ?? Pause.manual())._toKruise();
}

/** A step's header matches (ANDed) as Kruise's one-element `matches` list, or undefined. */
function headerMatchesOf<T>(step: CanaryStep, types: Readonly<Record<HeaderMatchType, T>>): Array<{ headers: Array<{ type: T; name: string; value: string }> }> | undefined {
  const headers = step.headerMatches;
  if (headers.length === 0) return undefined;
  return [{ headers: headers.map((h) => ({ type: types[h.type ?? HeaderMatchType.EXACT], name: h.name, value: h.value })) }];
}

function replicasOf<T>(step: CanaryStep, cls: { fromNumber(n: number): T; fromString(s: string): T }): T | undefined {
  const r = step.effectiveReplicas;
  if (r === undefined) return undefined;
  return typeof r === 'number' ? cls.fromNumber(r) : cls.fromString(r);
}

/** Kruise's list-map form (`set: [{name, value}]`), sorted by name so the output is stable. */
function modifierOf(m: RequestHeaderModifier | undefined): { set?: Array<{ name: string; value: string }>; add?: Array<{ name: string; value: string }>; remove?: string[] } | undefined {
  if (!m) return undefined;
  const pairs = (o: Readonly<Record<string, string>> | undefined) => (o && Object.keys(o).length > 0 ? Object.keys(o).sort().map((name) => ({ name, value: o[name] })) : undefined);
  return { set: pairs(m.set), add: pairs(m.add), remove: m.remove && m.remove.length > 0 ? [...m.remove].sort() : undefined };
}
