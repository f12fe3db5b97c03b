/**
 * Typed views of Kruise's objects, as the Kruise contract reads them (see ../json): the v1beta1
 * shapes, which include v1alpha1's (a v1alpha1 step's `weight` and a Rollout's
 * `objectRef.workloadRef` are read as well); a TrafficRouting's matches have the same shape.
 * Each view is the generated type (imports/kruise-rollouts) narrowed to the fields read, every
 * field optional.
 */
import {
  RolloutSpecStrategyCanarySteps, RolloutV1Beta1SpecStrategyCanary, RolloutV1Beta1SpecStrategyCanarySteps,
  RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeaders, RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType,
  RolloutV1Beta1SpecStrategyCanaryStepsMatchesPath, RolloutV1Beta1SpecStrategyCanaryStepsMatchesPathType,
  RolloutV1Beta1SpecStrategyCanaryStepsMatchesQueryParams, RolloutV1Beta1SpecStrategyCanaryStepsMatchesQueryParamsType,
  RolloutV1Beta1SpecStrategyCanaryStepsRequestHeaderModifier, RolloutV1Beta1SpecStrategyCanaryStepsRequestHeaderModifierSet,
  RolloutV1Beta1SpecStrategyCanaryPatchPodTemplateMetadata, RolloutV1Beta1SpecStrategyCanaryTrafficRoutings,
  RolloutV1Beta1SpecStrategyCanaryTrafficRoutingsCustomNetworkRefs, RolloutV1Beta1SpecWorkloadRef, TrafficRoutingSpecStrategy,
} from '../../../imports/kruise-rollouts';
import { Some, bool, listOf, mapOf, num, oneOf, presentOr, record, str } from '../json';
import type { Manifest } from '../manifest';

/** A header match of a canary step or TrafficRouting (`type` defaults to Exact). */
export type KruiseHeaderMatch = Some<RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeaders, 'name' | 'type' | 'value'>;
/** A query parameter match (`type` defaults to Exact). */
export type KruiseQueryParamMatch = Some<RolloutV1Beta1SpecStrategyCanaryStepsMatchesQueryParams, 'name' | 'type' | 'value'>;
/** A path match (`type` defaults to PathPrefix). */
export type KruisePathMatch = Some<RolloutV1Beta1SpecStrategyCanaryStepsMatchesPath, 'type' | 'value'>;

/** One entry of a step's (or TrafficRouting's) `matches`: its conditions are ANDed. */
export interface KruiseMatch {
  readonly headers?: KruiseHeaderMatch[];
  readonly queryParams?: KruiseQueryParamMatch[];
  readonly path?: KruisePathMatch;
}

/** One `name: value` pair of a header modifier. */
export type KruiseHeaderValue = Some<RolloutV1Beta1SpecStrategyCanaryStepsRequestHeaderModifierSet, 'name' | 'value'>;

/** The request headers Kruise's canary rule sets, adds and removes. */
export interface KruiseHeaderModifier extends Some<RolloutV1Beta1SpecStrategyCanaryStepsRequestHeaderModifier, 'remove'> {
  readonly set?: KruiseHeaderValue[];
  readonly add?: KruiseHeaderValue[];
}

/** The objects a release routes through: one entry of `trafficRoutings` or of a TrafficRouting's `objectRef`. */
export interface KruiseTrafficRef extends Some<RolloutV1Beta1SpecStrategyCanaryTrafficRoutings, 'service'> {
  readonly customNetworkRefs?: Array<Some<RolloutV1Beta1SpecStrategyCanaryTrafficRoutingsCustomNetworkRefs, 'apiVersion' | 'kind' | 'name'>>;
}

/** One canary step: v1beta1 `traffic` or v1alpha1 `weight`, matches and header modifier. */
export interface KruiseStep extends Some<RolloutV1Beta1SpecStrategyCanarySteps, 'traffic'>, Some<RolloutSpecStrategyCanarySteps, 'weight'> {
  readonly matches?: KruiseMatch[];
  readonly requestHeaderModifier?: KruiseHeaderModifier;
}

/** A Rollout's canary strategy as the contract reads it. */
export interface KruiseCanary extends Some<RolloutV1Beta1SpecStrategyCanary, 'disableGenerateCanaryService' | 'enableExtraWorkloadForCanary'> {
  readonly steps?: KruiseStep[];
  readonly trafficRoutings?: KruiseTrafficRef[];
  readonly patchPodTemplateMetadata?: Some<RolloutV1Beta1SpecStrategyCanaryPatchPodTemplateMetadata, 'labels' | 'annotations'>;
}

/** The workload a Rollout releases. */
export type KruiseWorkloadRef = Some<RolloutV1Beta1SpecWorkloadRef, 'kind' | 'name'>;

/** A Rollout spec (v1alpha1 or v1beta1) as the contract reads it. */
export interface RolloutView {
  /** v1alpha1 */
  readonly objectRef?: { readonly workloadRef?: KruiseWorkloadRef };
  /** v1beta1 */
  readonly workloadRef?: KruiseWorkloadRef;
  readonly strategy?: { readonly canary?: KruiseCanary };
}

/** A TrafficRouting's strategy. */
export interface TrafficRoutingStrategy extends Some<TrafficRoutingSpecStrategy, 'weight'> {
  readonly matches?: KruiseMatch[];
  readonly requestHeaderModifier?: KruiseHeaderModifier;
}

/** A TrafficRouting spec as the contract reads it. */
export interface TrafficRoutingView {
  readonly objectRef?: KruiseTrafficRef[];
  readonly strategy?: TrafficRoutingStrategy;
}

const strings = listOf(str);
const stringMap = mapOf(str);
const HEADER_VALUE = record<KruiseHeaderValue>({ name: str, value: str });
const MATCH = record<KruiseMatch>({
  headers: listOf(record<KruiseHeaderMatch>({ name: str, type: oneOf(Object.values(RolloutV1Beta1SpecStrategyCanaryStepsMatchesHeadersType)), value: str }), {}),
  queryParams: listOf(record<KruiseQueryParamMatch>({ name: str, type: oneOf(Object.values(RolloutV1Beta1SpecStrategyCanaryStepsMatchesQueryParamsType)), value: str }), {}),
  path: presentOr(record<KruisePathMatch>({ type: oneOf(Object.values(RolloutV1Beta1SpecStrategyCanaryStepsMatchesPathType)), value: str }), {}),
});
const HEADER_MODIFIER = record<KruiseHeaderModifier>({ set: listOf(HEADER_VALUE, {}), add: listOf(HEADER_VALUE, {}), remove: strings });
const TRAFFIC_REF = record<KruiseTrafficRef>({
  service: str,
  customNetworkRefs: listOf(record<NonNullable<KruiseTrafficRef['customNetworkRefs']>[number]>({ apiVersion: str, kind: str, name: str }), {}),
});
const WORKLOAD_REF = record<KruiseWorkloadRef>({ kind: str, name: str });
const ROLLOUT = record<RolloutView>({
  objectRef: record<NonNullable<RolloutView['objectRef']>>({ workloadRef: WORKLOAD_REF }),
  workloadRef: WORKLOAD_REF,
  strategy: record<NonNullable<RolloutView['strategy']>>({
    canary: record<KruiseCanary>({
      disableGenerateCanaryService: bool,
      enableExtraWorkloadForCanary: bool,
      steps: listOf(record<KruiseStep>({ traffic: str, weight: num, matches: listOf(MATCH, {}), requestHeaderModifier: HEADER_MODIFIER }), {}),
      trafficRoutings: listOf(TRAFFIC_REF, {}),
      patchPodTemplateMetadata: record<NonNullable<KruiseCanary['patchPodTemplateMetadata']>>({ labels: stringMap, annotations: stringMap }),
    }),
  }),
});
const TRAFFIC_ROUTING = record<TrafficRoutingView>({
  objectRef: listOf(TRAFFIC_REF, {}),
  strategy: record<TrafficRoutingStrategy>({ weight: num, matches: listOf(MATCH, {}), requestHeaderModifier: HEADER_MODIFIER }),
});

/** The spec of a Rollout, read into {@link RolloutView}. */
export function rolloutSpec(m: Manifest): RolloutView {
  return ROLLOUT(m.spec) ?? {};
}

/** The spec of a TrafficRouting, read into {@link TrafficRoutingView}. */
export function trafficRoutingSpec(m: Manifest): TrafficRoutingView {
  return TRAFFIC_ROUTING(m.spec) ?? {};
}
