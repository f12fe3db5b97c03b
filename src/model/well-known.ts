/**
 * Label and annotation keys the library writes, and that the analysis reads back from
 * manifests. Keeping them in one place is what lets `explain` and `lint` work on YAML alone.
 */
export const WellKnown = {
  /** Pod label that every workload of a service carries; the Service selects on it only. */
  APP_LABEL: 'app',
  /** Default pod label that tells versions apart (the seed's `version`). */
  VERSION_LABEL: 'version',
  /** Pod label (and Deployment selector) naming the Deployment a pod's template comes from. */
  WORKLOAD_LABEL: 'gray-release.io/workload',
  /** Pod label of a static-lane workload: the lane name. */
  LANE_LABEL: 'gray-release.io/lane',
  /** Label Kruise's DestinationRule script selects canary pods by (hard-coded upstream). */
  KRUISE_CANARY_LABEL: 'istio.service.tag',
  /** Value of {@link KRUISE_CANARY_LABEL} on canary pods (hard-coded upstream). */
  KRUISE_CANARY_LABEL_VALUE: 'gray',
  /** Subset name Kruise's scripts append and route to (hard-coded upstream). */
  KRUISE_CANARY_SUBSET: 'canary',
  /** Annotation on a Rollout naming its TrafficRouting. */
  KRUISE_TRAFFIC_ROUTING_ANNOTATION: 'rollouts.kruise.io/trafficrouting',
  /** Annotation on a v1alpha1 Rollout choosing the canary (extra Deployment) style. */
  KRUISE_ROLLING_STYLE_ANNOTATION: 'rollouts.kruise.io/rolling-style',
  /**
   * Annotation on a Deployment: the services its pods call, comma-separated
   * (`mockb` or `mockb.shop.svc.cluster.local`). The call graph `explain` follows.
   */
  CALLS_ANNOTATION: 'gray-release.io/calls',
  /**
   * Annotation on a Deployment: the request headers its application must copy from each
   * incoming request to every outgoing call (the lane headers), comma-separated.
   */
  PROPAGATE_HEADERS_ANNOTATION: 'gray-release.io/propagate-headers',
  /** Environment variable with the same list, given to every container of a lane member. */
  PROPAGATE_HEADERS_ENV: 'GRAY_RELEASE_PROPAGATE_HEADERS',
  /**
   * Annotation on an ingress EnvoyFilter: the request headers its script sets
   * (comma-separated), so lint can check every lane header is colored at the ingress.
   */
  SETS_HEADERS_ANNOTATION: 'gray-release.io/sets-headers',
  /**
   * Annotation on an ingress coloring EnvoyFilter: who decides entry into each lane value it
   * sets, as JSON `{"<value>": ["client-chosen" | "verified-claim" | "source-address" | "default", ...]}`.
   */
  ENTRY_TRUST_ANNOTATION: 'gray-release.io/entry-trust',
  /**
   * Annotation on an ingress coloring EnvoyFilter: why entering lanes by client-chosen rules only
   * is acceptable (the coloring's `acknowledgeClientChosenEntry`); lint GR101 then stays quiet.
   */
  CLIENT_CHOSEN_ENTRY_ANNOTATION: 'gray-release.io/client-chosen-entry',
  /**
   * Annotation on an AuthorizationPolicy or Sidecar the library derived from the declared call
   * graph (ZeroTrust, ProxyScoping): the service it is for.
   */
  CALL_GRAPH_POLICY_ANNOTATION: 'gray-release.io/call-graph-of',
  /**
   * Annotation on a VirtualService or DestinationRule: the lanes (`name=header:value`,
   * comma-separated) its rules implement, for the lane report.
   */
  LANES_ANNOTATION: 'gray-release.io/lanes',
  /**
   * Annotation the analysis puts on the virtual `<deployment>-canary` workload it adds when it
   * simulates a Kruise release (value: the stable Deployment's name). Never written to a cluster.
   */
  SIMULATED_CANARY_ANNOTATION: 'gray-release.io/simulated-canary-of',
  /** Pod label the analysis gives simulated canary pods so a simulated `<svc>-canary` Service can select them. */
  SIMULATED_CANARY_LABEL: 'gray-release.io/simulated-canary',
  /**
   * Pod label the analysis gives the stable pods, and the stable Service's selector, when it
   * simulates Kruise narrowing that Service to the stable revision (`pod-template-hash`).
   */
  SIMULATED_STABLE_LABEL: 'gray-release.io/simulated-stable',
  /**
   * Annotation on any object: lint findings on it that are intended, with the reason
   * (`GR009: end-user is set by the application`; grammar in ./lint-ignore.ts).
   */
  LINT_IGNORE_ANNOTATION: 'gray-release.io/lint-ignore',
} as const;
