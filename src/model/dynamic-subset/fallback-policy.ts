/**
 * What a dynamic-subset route does when the request names a group that has no endpoints, or
 * carries none of the keys a selector needs. Mirrors ASM's `DynamicSubsetLB_FallbackPolicy`
 * (and Envoy's `LbSubsetConfig.fallback_policy`).
 * @see https://www.alibabacloud.com/help/en/asm/sidecar/dynamic-subset-routing
 */
export enum FallbackPolicy {
  /** Fail the request: Envoy answers 503 `no healthy upstream`. ASM's default. */
  NO_FALLBACK = 'NO_FALLBACK',
  /** Send the request to any endpoint of the service. */
  ANY_ENDPOINT = 'ANY_ENDPOINT',
  /** Send the request to the endpoints matching `defaultSubset`. */
  DEFAULT_SUBSET = 'DEFAULT_SUBSET',
}

/** The built-in key that groups endpoints by pod IP: one pod per group (ASM only). */
export const POD_IP_KEY = '%ip%';

/** One subset selector: endpoints are grouped by the values of these label keys. */
export interface SubsetSelector {
  /**
   * The pod label keys to group by, or the built-in {@link POD_IP_KEY} (`%ip%`).
   * Order matters only for the generated names on the Istio target.
   */
  readonly keys: readonly string[];
  /**
   * What to do when this selector is chosen but the requested group does not exist.
   * @default - the routing's `fallbackPolicy`
   */
  readonly fallbackPolicy?: FallbackPolicy;
}

/** Maps a request header to a dynamic-subset key (ASM `headerToDynamicSubsetKey`). */
export interface HeaderToSubsetKey {
  /** The request header (lowercase). */
  readonly header: string;
  /** The selector key whose value the header supplies. */
  readonly key: string;
  /**
   * The key's value when the header is absent.
   * @default - an absent header leaves the key out: selectors using the key are not chosen
   */
  readonly defaultValue?: string;
}

/** The target-independent description of a dynamic-subset routing. */
export interface DynamicSubsetIntent {
  readonly selectors: readonly SubsetSelector[];
  readonly mappings: readonly HeaderToSubsetKey[];
  /** Top-level fallback; `undefined` means NO_FALLBACK. */
  readonly fallbackPolicy?: FallbackPolicy;
  readonly defaultSubset?: { readonly [key: string]: string };
}

/** The policy that applies when `selector` is chosen and its group is missing. */
export function effectiveFallback(intent: DynamicSubsetIntent, selector?: SubsetSelector): FallbackPolicy {
  return selector?.fallbackPolicy ?? intent.fallbackPolicy ?? FallbackPolicy.NO_FALLBACK;
}

/** Every fallback policy in use (top level and per selector, defaults applied). */
export function policiesInUse(intent: DynamicSubsetIntent): FallbackPolicy[] {
  return [...new Set([effectiveFallback(intent), ...intent.selectors.map((s) => effectiveFallback(intent, s))])];
}
