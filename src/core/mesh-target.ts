/**
 * Which service mesh the manifests are written for. There is no default: ASM-only fields are
 * rejected (or silently pruned) by open-source Istio, so the choice must be explicit.
 */
export enum MeshTarget {
  /**
   * Alibaba Cloud Service Mesh (ASM ≥ 1.18): may emit ASM extensions of the Istio CRDs, such as
   * `trafficPolicy.loadBalancer.dynamicSubset` and `http[].headerToDynamicSubsetKey`.
   * @see https://www.alibabacloud.com/help/en/asm/sidecar/dynamic-subset-routing
   */
  ASM = 'asm',
  /** Open-source Istio (1.23 schema): upstream fields only; ASM features are compiled statically. */
  ISTIO = 'istio',
}

/** The `networking.istio.io` version DestinationRules and VirtualServices are written in. */
export enum IstioApiVersion {
  /** `networking.istio.io/v1beta1`: served by Istio ≥ 1.5 and by the ASM CRDs. */
  V1BETA1 = 'networking.istio.io/v1beta1',
  /** `networking.istio.io/v1`: Istio ≥ 1.22 only (not served by the ASM flavour of the CRDs). */
  V1 = 'networking.istio.io/v1',
}
