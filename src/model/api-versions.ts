/**
 * apiVersion of the Istio networking objects (Gateway, VirtualService, DestinationRule).
 * Istio 1.23 serves both with the same schema; the seed uses `v1beta1`.
 */
export enum IstioApiVersion {
  /** `networking.istio.io/v1beta1`, the seed's choice and the storage version. */
  V1BETA1 = 'networking.istio.io/v1beta1',
  /** `networking.istio.io/v1`, GA since Istio 1.22. */
  V1 = 'networking.istio.io/v1',
}

/**
 * apiVersion of the Istio security objects (AuthorizationPolicy, PeerAuthentication,
 * RequestAuthentication): `security.istio.io/v1`, GA since Istio 1.22 and served by 1.23.
 */
export const SECURITY_API_VERSION = 'security.istio.io/v1';

/** apiVersion of the Sidecar resource (`networking.istio.io/v1`, GA since Istio 1.22). */
export const SIDECAR_API_VERSION = 'networking.istio.io/v1';

/** apiVersion of EnvoyFilter, which Istio serves only as `v1alpha3`. */
export const ENVOY_FILTER_API_VERSION = 'networking.istio.io/v1alpha3';

/** apiVersion of the Kruise `Rollout`. */
export enum KruiseApiVersion {
  /**
   * `rollouts.kruise.io/v1alpha1`, the seed's choice. The extra canary Deployment comes from
   * the annotation `rollouts.kruise.io/rolling-style: canary`.
   */
  V1ALPHA1 = 'rollouts.kruise.io/v1alpha1',
  /**
   * `rollouts.kruise.io/v1beta1`, the storage version. The extra canary Deployment comes from
   * `spec.strategy.canary.enableExtraWorkloadForCanary: true`.
   */
  V1BETA1 = 'rollouts.kruise.io/v1beta1',
}

/** apiVersion of the Kruise `TrafficRouting` (only `v1alpha1` exists). */
export const TRAFFIC_ROUTING_API_VERSION = 'rollouts.kruise.io/v1alpha1';

/** Load-balancing algorithm of a DestinationRule's traffic policy (`loadBalancer.simple`). */
export enum LoadBalancer {
  /** Round robin over healthy endpoints (the seed's choice). */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Fewest outstanding requests among two random choices. */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** A random healthy endpoint. */
  RANDOM = 'RANDOM',
  /** Forward to the address the caller asked for (no load balancing). */
  PASSTHROUGH = 'PASSTHROUGH',
}
