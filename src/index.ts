/**
 * cdk8s-gray-release: constructs, their props, enums and factories. The tools over manifests
 * (explain, lint, lanes, routes, Argo CD ignores) are the second entry point,
 * `cdk8s-gray-release/analysis`.
 *
 * @module cdk8s-gray-release
 */

// Errors and choices shared by every construct
export { GrayReleaseError, type Problem } from './model/problem';
export { IstioApiVersion, KruiseApiVersion, LoadBalancer, ENVOY_FILTER_API_VERSION, TRAFFIC_ROUTING_API_VERSION, SECURITY_API_VERSION, SIDECAR_API_VERSION } from './model/api-versions';
export { MeshTarget } from './model/mesh-target';
export { WellKnown } from './model/well-known';
export type { IWorkloadLabels } from './model/workload';

// Services and the ingress
export * from './constructs/service/gray-service';
export * from './constructs/service/props';
export * from './constructs/service/workload-props';
export type { IntOrPercent } from './model/workload-checks';
export * from './constructs/ingress/ingress-gateway';
export * from './constructs/ingress/gateway-routes';
export type {
  ServiceRouting, HttpRule, RouteDestination, HeaderCondition, SubsetSpec, LaneDeclaration, WeightedEntry, RenderContext,
  ServiceRule, ServiceRoutingOptions,
} from './model/routing/service-routing';
export { RuleScope } from './model/routing/service-routing';

// Routing: versions, routes, matches, policies, ports (issue #12)
export * from './constructs/service/routing-props';
export { Route, type RouteRule, type WeightedVersion } from './model/routing/route';
export {
  Match, HttpMethod, MatchField, StringOperator, type MatchCondition, type HeaderMatcher, type UriMatcher, type QueryParamMatcher, type ClaimMatcher,
} from './model/routing/match';
export {
  Fault, RetryOn, type FaultOptions, type RetryPolicy, type Mirror, type HeaderOperations, type CorsPolicy, type RoutePolicy,
} from './model/routing/policy';
export {
  LoadBalancing, UpstreamTlsMode, type TrafficPolicy, type ConnectionPool, type OutlierDetection, type UpstreamTls,
} from './model/routing/traffic-policy';
export { Protocol, type ServicePort } from './model/routing/protocol';
export type { RouteDuration } from './model/routing/duration';
export type { ServiceVersion } from './model/routing/service-plan';

// OpenKruise progressive delivery
export {
  CanaryStep, Pause, HeaderMatchType, type CanaryStepOptions, type HeaderMatch, type DurationLike, type RequestHeaderModifier,
} from './model/kruise/canary-step';
export {
  Release, ReleaseMode, RolloutStyle, KruiseControllerVersion, RELEASE_TIMING,
  type ReleaseCommonOptions, type LaneReleaseOptions, type CanaryReleaseOptions, type ProgressiveReleaseOptions, type ReleaseTiming,
} from './model/kruise/release';
export * from './constructs/kruise/kruise-release';

// Traffic lanes across a call chain, and the ingress coloring that enters them
export * from './constructs/lanes/traffic-lane-props';
export * from './constructs/lanes/traffic-lane';
export { ColoringRule, ColoringRuleKind, type SourceAddressOptions, type CohortOptions } from './model/lanes/coloring-rule';
export { EntryTrust, type IJwtIssuerRef } from './model/lanes/entry-trust';
export { UserKey, UserKeyKind } from './model/lanes/user-key';
export * from './constructs/lanes/traffic-coloring';

// Security: verified identities at the ingress, zero trust and proxy scoping from the call graph
export * from './constructs/security/jwt-issuer';
export * from './constructs/security/zero-trust';
export * from './constructs/security/proxy-scoping';

// ASM dynamic subsets, and their static expansion for open-source Istio
export { FallbackPolicy, POD_IP_KEY, type SubsetSelector, type HeaderToSubsetKey } from './model/dynamic-subset/fallback-policy';
export type { IstioExpansion } from './model/dynamic-subset/istio-expansion';
export * from './constructs/dynamic-subset/dynamic-subset-routing';

// Argo CD: an Application with exact ignoreDifferences, sync waves
export * from './constructs/argocd/argocd-application';
export * from './constructs/argocd/argocd-application-set';
export { applySyncWaves } from './constructs/argocd/sync-waves';
export { SyncWave, SYNC_WAVE_ANNOTATION } from './model/argocd/sync-waves';
export { ARGOCD_DEPLOYMENT_HEALTH_KEY, KRUISE_PAUSED_DEPLOYMENT_HEALTH_LUA, argoCdHealthCustomization } from './model/argocd/deployment-health';
export type { IgnoreDifference, ManifestLike } from './model/argocd/ignore-differences';

// Lint suppressions a reviewer can see (the gray-release.io/lint-ignore annotation).
export { ignoreLint } from './constructs/core/lint-ignore';
