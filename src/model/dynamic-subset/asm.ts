/**
 * Renders a dynamic-subset intent with ASM's own fields (ASM ≥ 1.18): DestinationRule
 * `trafficPolicy.loadBalancer.dynamicSubset` and VirtualService `http[].headerToDynamicSubsetKey`.
 * Typed from the ASM flavour of the CRDs; only used for {@link MeshTarget.ASM}.
 */
import { DynamicSubsetIntent, FallbackPolicy } from './fallback-policy';
import {
  DestinationRuleSpec,
  DestinationRuleSpecTrafficPolicyLoadBalancerDynamicSubsetFallbackPolicy as AsmFallback,
  DestinationRuleSpecTrafficPolicyLoadBalancerDynamicSubsetSubsetSelectorsFallbackPolicy as AsmSelectorFallback,
  VirtualServiceSpec,
} from '../../../imports/asm-networking';

const TOP_LEVEL: Record<FallbackPolicy, AsmFallback> = {
  [FallbackPolicy.NO_FALLBACK]: AsmFallback.NO_UNDERSCORE_FALLBACK,
  [FallbackPolicy.ANY_ENDPOINT]: AsmFallback.ANY_UNDERSCORE_ENDPOINT,
  [FallbackPolicy.DEFAULT_SUBSET]: AsmFallback.DEFAULT_UNDERSCORE_SUBSET,
};

const PER_SELECTOR: Record<FallbackPolicy, AsmSelectorFallback> = {
  [FallbackPolicy.NO_FALLBACK]: AsmSelectorFallback.NO_UNDERSCORE_FALLBACK,
  [FallbackPolicy.ANY_ENDPOINT]: AsmSelectorFallback.ANY_UNDERSCORE_ENDPOINT,
  [FallbackPolicy.DEFAULT_SUBSET]: AsmSelectorFallback.DEFAULT_UNDERSCORE_SUBSET,
};

/** The ASM DestinationRule spec. Fallback policies are written only where the user set them. */
export function asmDestinationRuleSpec(host: string, intent: DynamicSubsetIntent): DestinationRuleSpec {
  return {
    host,
    trafficPolicy: {
      loadBalancer: {
        dynamicSubset: {
          defaultSubset: intent.defaultSubset ? { ...intent.defaultSubset } : undefined,
          fallbackPolicy: intent.fallbackPolicy ? TOP_LEVEL[intent.fallbackPolicy] : undefined,
          subsetSelectors: intent.selectors.map((s) => ({
            fallbackPolicy: s.fallbackPolicy ? PER_SELECTOR[s.fallbackPolicy] : undefined,
            keys: [...s.keys],
          })),
        },
      },
    },
  };
}

/** The ASM VirtualService spec: one route to the host, carrying the header → key mappings. */
export function asmVirtualServiceSpec(host: string, port: number, routeName: string, intent: DynamicSubsetIntent): VirtualServiceSpec {
  return {
    hosts: [host],
    http: [{
      name: routeName,
      headerToDynamicSubsetKey: intent.mappings.map((m) => ({ defaultValue: m.defaultValue, header: m.header, key: m.key })),
      route: [{ destination: { host, port: { number: port } } }],
    }],
  };
}
