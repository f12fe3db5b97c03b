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
