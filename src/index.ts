/**
 * cdk8s-gray-release: constructs, their props, enums and factories. The tools over manifests
 * (explain, lint, lanes, routes, Argo CD ignores) are the second entry point,
 * `cdk8s-gray-release/analysis`.
 *
 * @module cdk8s-gray-release
 */

// Errors and choices shared by every construct
export { GrayReleaseError, type Problem } from './model/problem';
export { IstioApiVersion, KruiseApiVersion, LoadBalancer, ENVOY_FILTER_API_VERSION, TRAFFIC_ROUTING_API_VERSION } from './model/api-versions';
export { MeshTarget } from './model/mesh-target';
export { WellKnown } from './model/well-known';
export type { IWorkloadLabels } from './model/workload';

// Services and the ingress
export * from './constructs/service/gray-service';
export * from './constructs/service/props';
export * from './constructs/service/workload-props';
export type { IntOrPercent } from './model/workload-checks';
export * from './constructs/ingress/ingress-gateway';
export type {
  ServiceRouting, HttpRule, RouteDestination, HeaderCondition, SubsetSpec, LaneDeclaration, WeightedEntry, RenderContext,
} from './model/routing/service-routing';
export { RuleScope } from './model/routing/service-routing';

// OpenKruise progressive delivery
export { CanaryStep, Pause, HeaderMatchType, type CanaryStepOptions, type HeaderMatch, type DurationLike } from './model/kruise/canary-step';
export * from './constructs/kruise/kruise-release';

// Traffic lanes across a call chain, and the ingress coloring that enters them
export * from './constructs/lanes/traffic-lane-props';
export * from './constructs/lanes/traffic-lane';
export { ColoringRule, ColoringRuleKind } from './model/lanes/coloring-rule';
export * from './constructs/lanes/traffic-coloring';

// ASM dynamic subsets, and their static expansion for open-source Istio
export { FallbackPolicy, POD_IP_KEY, type SubsetSelector, type HeaderToSubsetKey } from './model/dynamic-subset/fallback-policy';
export type { IstioExpansion } from './model/dynamic-subset/istio-expansion';
export * from './constructs/dynamic-subset/dynamic-subset-routing';

// Argo CD: an Application with exact ignoreDifferences, sync waves
export * from './constructs/argocd/argocd-application';
export { applySyncWaves } from './constructs/argocd/sync-waves';
export { SyncWave, SYNC_WAVE_ANNOTATION } from './model/argocd/sync-waves';
export type { IgnoreDifference, ManifestLike } from './model/argocd/ignore-differences';

// Lint suppressions a reviewer can see (the gray-release.io/lint-ignore annotation).
export { ignoreLint } from './constructs/core/lint-ignore';
