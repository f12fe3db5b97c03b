/**
 * Typed views of the Istio specs the tools read: each is the generated type (imports/) narrowed
 * to the fields the tools read, every field optional (YAML may leave out what the schema
 * requires), and read by the readers at the end of this file (see ./json).
 */
import { Reader, Some, bool, listOf, mapOf, num, oneOf, presentOr, record, str } from './json';
import type { Manifest } from './manifest';
import type * as asm from '../../imports/asm-networking';
import {
  DestinationRuleSpecTrafficPolicyLoadBalancerDynamicSubsetFallbackPolicy as AsmFallbackPolicy,
  DestinationRuleSpecTrafficPolicyLoadBalancerDynamicSubsetSubsetSelectorsFallbackPolicy as AsmSelectorFallbackPolicy,
} from '../../imports/asm-networking';
import type * as istio from '../../imports/istio-networking';
import * as istioEnums from '../../imports/istio-networking';
import { VirtualServiceSpecHttpRedirectDerivePort } from '../../imports/istio-networking';

/** An Istio `StringMatch` (exact, prefix or regex; `{}` means "present"). */
export type StringMatch = Some<istio.VirtualServiceSpecHttpMatchHeaders, 'exact' | 'prefix' | 'regex'>;

/** One entry of an http rule's `match`. */
export interface HttpMatch extends Some<istio.VirtualServiceSpecHttpMatch, 'gateways' | 'ignoreUriCase' | 'sourceLabels' | 'sourceNamespace' | 'port'> {
  readonly uri?: StringMatch;
  readonly method?: StringMatch;
  readonly authority?: StringMatch;
  readonly scheme?: StringMatch;
  readonly headers?: Record<string, StringMatch>;
  readonly withoutHeaders?: Record<string, StringMatch>;
  readonly queryParams?: Record<string, StringMatch>;
}

/** Header operations (`headers.request` of a rule or of a route destination). */
export type HeaderOperations = Some<istio.VirtualServiceSpecHttpHeadersRequest, 'set' | 'add' | 'remove'>;

/** A destination's port. */
export type DestinationPort = Some<istio.VirtualServiceSpecHttpRouteDestinationPort, 'number'>;

/** Where a route sends traffic. */
export interface Destination extends Some<istio.VirtualServiceSpecHttpRouteDestination, 'host' | 'subset'> {
  readonly port?: DestinationPort;
}

/** A share of requests, 0 to 100 (Istio's `Percent`). */
export type Percentage = Some<istio.VirtualServiceSpecHttpMirrorPercentage, 'value'>;

/** A fault's delay (`percent` is the deprecated integer form of `percentage`). */
export interface FaultDelay extends Some<istio.VirtualServiceSpecHttpFaultDelay, 'fixedDelay' | 'exponentialDelay' | 'percent'> {
  readonly percentage?: Percentage;
}

/** A fault's abort. */
export interface FaultAbort extends Some<istio.VirtualServiceSpecHttpFaultAbort, 'httpStatus' | 'grpcStatus' | 'http2Error'> {
  readonly percentage?: Percentage;
}

/** Fault injection of an http rule. */
export interface Fault {
  readonly delay?: FaultDelay;
  readonly abort?: FaultAbort;
}

/** One mirror of an http rule (`mirrors[]`). */
export interface Mirror {
  readonly destination?: Destination;
  readonly percentage?: Percentage;
}

/** The retry policy of an http rule. */
export type Retries = Some<istio.VirtualServiceSpecHttpRetries, 'attempts' | 'perTryTimeout' | 'retryOn'>;

/** The header operations of a rule or route (only those on the request are read). */
export interface HeaderChanges {
  readonly request?: HeaderOperations;
}

/** One weighted destination of an http rule. */
export interface HttpRouteDestination extends Some<istio.VirtualServiceSpecHttpRoute, 'weight'> {
  readonly destination?: Destination;
  readonly headers?: HeaderChanges;
}

/** ASM's mapping of a request header to a dynamic-subset key. */
export type DynamicSubsetKey = Some<asm.VirtualServiceSpecHttpHeaderToDynamicSubsetKey, 'header' | 'key' | 'defaultValue'>;

/** One `http` rule (Istio's, with ASM's `headerToDynamicSubsetKey`). */
export interface HttpRule extends Some<istio.VirtualServiceSpecHttp, 'name' | 'redirect' | 'delegate' | 'timeout'> {
  readonly headerToDynamicSubsetKey?: DynamicSubsetKey[];
  readonly fault?: Fault;
  readonly mirror?: Destination;
  readonly mirrorPercentage?: Percentage;
  readonly mirrors?: Mirror[];
  readonly retries?: Retries;
  readonly match?: HttpMatch[];
  readonly route?: HttpRouteDestination[];
  readonly headers?: HeaderChanges;
  readonly directResponse?: Some<istio.VirtualServiceSpecHttpDirectResponse, 'status'>;
}

/** One destination of a `tcp` or `tls` rule. */
export interface L4RouteDestination extends Some<istio.VirtualServiceSpecTcpRoute, 'weight'> {
  readonly destination?: Destination;
}

/** A match of a `tcp` or `tls` rule (only the fields read). */
export type L4Match = Some<istio.VirtualServiceSpecTcpMatch, 'port' | 'sourceLabels' | 'sourceNamespace' | 'gateways'>;

/** One `tcp` or `tls` rule: its matches and routes. */
export interface L4Rule {
  readonly match?: L4Match[];
  readonly route?: L4RouteDestination[];
}

/** A VirtualService spec as the tools read it. */
export interface VirtualServiceView extends Some<istio.VirtualServiceSpec, 'hosts' | 'gateways'> {
  readonly http?: HttpRule[];
  readonly tcp?: L4Rule[];
  readonly tls?: L4Rule[];
}

/** A DestinationRule subset. */
export type Subset = Some<istio.DestinationRuleSpecSubsets, 'name' | 'labels'>;

/** One selector of an ASM dynamic subset: the keys endpoints are grouped by. */
export type SubsetSelector = Some<asm.DestinationRuleSpecTrafficPolicyLoadBalancerDynamicSubsetSubsetSelectors, 'keys' | 'fallbackPolicy'>;

/** ASM's dynamic subset load balancer of a DestinationRule. */
export interface DynamicSubset extends Some<asm.DestinationRuleSpecTrafficPolicyLoadBalancerDynamicSubset, 'defaultSubset' | 'fallbackPolicy'> {
  readonly subsetSelectors?: SubsetSelector[];
}

/** The load balancer of a DestinationRule's traffic policy (only ASM's dynamic subsets are read). */
export interface LoadBalancer {
  readonly dynamicSubset?: DynamicSubset;
}

/** The traffic policy of a DestinationRule (only its load balancer is read). */
export interface TrafficPolicy {
  readonly loadBalancer?: LoadBalancer;
}

/** A DestinationRule spec as the tools read it (Istio's, with ASM's dynamic subsets). */
export interface DestinationRuleView extends Some<istio.DestinationRuleSpec, 'host'> {
  readonly subsets?: Subset[];
  readonly trafficPolicy?: TrafficPolicy;
}

/** A Gateway server's port. */
export type GatewayPort = Some<istio.GatewaySpecServersPort, 'number' | 'name' | 'protocol'>;

/** A Gateway server (its hosts and port). */
export interface GatewayServer extends Some<istio.GatewaySpecServers, 'hosts'> {
  readonly port?: GatewayPort;
  readonly tls?: Some<istio.GatewaySpecServersTls, 'httpsRedirect'>;
}

/** A Gateway spec as the tools read it. */
export interface GatewayView extends Some<istio.GatewaySpec, 'selector'> {
  readonly servers?: GatewayServer[];
}

/** An EnvoyFilter's workload selector. */
export type WorkloadSelector = Some<istio.EnvoyFilterSpecWorkloadSelector, 'labels'>;

/** Where an EnvoyFilter patch applies (only the fields the coloring reading needs). */
export interface PatchMatch extends Some<istio.EnvoyFilterSpecConfigPatchesMatch, 'context'> {
  readonly listener?: {
    readonly portNumber?: number;
    readonly filterChain?: { readonly filter?: { readonly name?: string; readonly subFilter?: { readonly name?: string } } };
  };
  readonly routeConfiguration?: Some<istio.EnvoyFilterSpecConfigPatchesMatchRouteConfiguration, 'portNumber' | 'portName' | 'gateway'>;
}

/** One patch of an EnvoyFilter: its `value` is Envoy configuration of any shape, read where it is used. */
export interface ConfigPatch extends Some<istio.EnvoyFilterSpecConfigPatches, 'applyTo'> {
  readonly match?: PatchMatch;
  readonly patch?: { readonly operation?: string; readonly value?: unknown };
}

/** An EnvoyFilter spec as the tools read it. */
export interface EnvoyFilterView {
  readonly workloadSelector?: WorkloadSelector;
  readonly configPatches?: ConfigPatch[];
}

/** The spec of a VirtualService, read into {@link VirtualServiceView}. */
export function virtualServiceSpec(m: Manifest): VirtualServiceView {
  return VIRTUAL_SERVICE(m.spec) ?? {};
}

/** The spec of a DestinationRule, read into {@link DestinationRuleView}. */
export function destinationRuleSpec(m: Manifest): DestinationRuleView {
  return DESTINATION_RULE(m.spec) ?? {};
}

/** The spec of a Gateway, read into {@link GatewayView}. */
export function gatewaySpec(m: Manifest): GatewayView {
  return GATEWAY(m.spec) ?? {};
}

/** The spec of an EnvoyFilter, read into {@link EnvoyFilterView}. */
export function envoyFilterSpec(m: Manifest): EnvoyFilterView {
  return ENVOY_FILTER(m.spec) ?? {};
}

// The readers. A StringMatch of the wrong kind reads as `{}` ("present"), and a match field of
// the wrong kind is tested only when truthy: what the matching code did with such input.
const strings = listOf(str);
const stringMap = mapOf(str);
const STRING_MATCH = record<StringMatch>({ exact: str, prefix: str, regex: str });
const matchField = presentOr(STRING_MATCH, {});
const matchMap = mapOf(STRING_MATCH, {});
const HTTP_MATCH = record<HttpMatch>({
  uri: matchField,
  method: matchField,
  authority: matchField,
  scheme: matchField,
  headers: matchMap,
  withoutHeaders: matchMap,
  queryParams: matchMap,
  gateways: strings,
  ignoreUriCase: bool,
  sourceLabels: stringMap,
  sourceNamespace: str,
  port: num,
});
const HEADER_OPERATIONS = record<HeaderOperations>({ set: stringMap, add: stringMap, remove: strings });
const HEADERS = record<HeaderChanges>({ request: HEADER_OPERATIONS });
const DESTINATION = record<Destination>({ host: str, subset: str, port: record<DestinationPort>({ number: num }) });
const PERCENTAGE = record<Percentage>({ value: num });
const FAULT = record<Fault>({
  delay: record<FaultDelay>({ fixedDelay: str, exponentialDelay: str, percent: num, percentage: PERCENTAGE }),
  abort: record<FaultAbort>({ httpStatus: num, grpcStatus: str, http2Error: str, percentage: PERCENTAGE }),
});
const ROUTE = record<HttpRouteDestination>({ destination: DESTINATION, weight: num, headers: HEADERS });
const REDIRECT = record<NonNullable<HttpRule['redirect']>>({
  uri: str,
  authority: str,
  port: num,
  redirectCode: num,
  scheme: str,
  derivePort: oneOf(Object.values(VirtualServiceSpecHttpRedirectDerivePort)),
});
const DYNAMIC_KEY = record<DynamicSubsetKey>({ header: str, key: str, defaultValue: str });
const HTTP_RULE = record<HttpRule>({
  name: str,
  match: listOf(HTTP_MATCH, {}),
  route: listOf(ROUTE, {}),
  headers: HEADERS,
  redirect: presentOr(REDIRECT, {}),
  directResponse: presentOr(record<NonNullable<HttpRule['directResponse']>>({ status: num }), {}),
  delegate: presentOr(record<NonNullable<HttpRule['delegate']>>({ name: str, namespace: str }), {}),
  headerToDynamicSubsetKey: listOf(DYNAMIC_KEY, {}),
  timeout: str,
  fault: FAULT,
  mirror: DESTINATION,
  mirrorPercentage: PERCENTAGE,
  mirrors: listOf(record<Mirror>({ destination: DESTINATION, percentage: PERCENTAGE }), {}),
  retries: record<Retries>({ attempts: num, perTryTimeout: str, retryOn: str }),
});
const L4_RULE = record<L4Rule>({
  match: listOf(record<L4Match>({ port: num, sourceLabels: stringMap, sourceNamespace: str, gateways: strings }), {}),
  route: listOf(record<L4RouteDestination>({ destination: DESTINATION, weight: num }), {}),
});
const VIRTUAL_SERVICE = record<VirtualServiceView>({
  hosts: strings, gateways: strings, http: listOf(HTTP_RULE, {}), tcp: listOf(L4_RULE, {}), tls: listOf(L4_RULE, {}),
});

const DYNAMIC_SUBSET = record<DynamicSubset>({
  defaultSubset: stringMap,
  fallbackPolicy: oneOf(Object.values(AsmFallbackPolicy)),
  subsetSelectors: listOf(record<SubsetSelector>({ keys: strings, fallbackPolicy: oneOf(Object.values(AsmSelectorFallbackPolicy)) }), {}),
});
const DESTINATION_RULE = record<DestinationRuleView>({
  host: str,
  subsets: listOf(record<Subset>({ name: str, labels: stringMap }), {}),
  trafficPolicy: record<TrafficPolicy>({ loadBalancer: record<LoadBalancer>({ dynamicSubset: DYNAMIC_SUBSET }) }),
});
const GATEWAY = record<GatewayView>({
  selector: stringMap,
  servers: listOf(record<GatewayServer>({
    hosts: strings, port: record<GatewayPort>({ number: num, name: str, protocol: str }), tls: record<NonNullable<GatewayServer['tls']>>({ httpsRedirect: bool }),
  }), {}),
});
/** Any JSON value, kept as it is (an EnvoyFilter patch value is Envoy configuration of any shape). */
const anything: Reader<{}> = (v) => (v === undefined || v === null ? undefined : v);
const NAMED = record<{ readonly name?: string }>({ name: str });
const PATCH_MATCH = record<PatchMatch>({
  context: oneOf(Object.values(istioEnums.EnvoyFilterSpecConfigPatchesMatchContext)),
  listener: record<NonNullable<PatchMatch['listener']>>({
    portNumber: num,
    filterChain: record<NonNullable<NonNullable<PatchMatch['listener']>['filterChain']>>({
      filter: record<{ readonly name?: string; readonly subFilter?: { readonly name?: string } }>({ name: str, subFilter: NAMED }),
    }),
  }),
  routeConfiguration: record<NonNullable<PatchMatch['routeConfiguration']>>({ portNumber: num, portName: str, gateway: str }),
});
const CONFIG_PATCH = record<ConfigPatch>({
  applyTo: oneOf(Object.values(istioEnums.EnvoyFilterSpecConfigPatchesApplyTo)),
  match: PATCH_MATCH,
  patch: record<NonNullable<ConfigPatch['patch']>>({ operation: str, value: anything }),
});
const ENVOY_FILTER = record<EnvoyFilterView>({
  workloadSelector: presentOr(record<WorkloadSelector>({ labels: stringMap }), {}),
  configPatches: listOf(CONFIG_PATCH, {}),
});
