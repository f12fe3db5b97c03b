/**
 * Which ingress gateway pods a gateway-level object (the coloring EnvoyFilter, a
 * RequestAuthentication) applies to, and in which namespace it must live to reach them.
 *
 * Istio applies such an object, with a workload selector, only to the selected pods of its own
 * namespace — except in the root namespace (`istio-system` by default), where it applies to the
 * selected pods of every namespace (EnvoyFilter and AuthorizationPolicy/RequestAuthentication
 * `selector` docs, Istio 1.23). So the object lives in the root namespace (the default), or in the
 * namespace of the gateway's pods, which for a gateway of the app is taken to be the Gateway
 * object's namespace.
 */
import { Chart } from 'cdk8s';
import { requireDns1123Label, requireLabel } from '../../model/names';
import { Problems } from '../../model/problem';
import type { IngressGateway } from '../ingress/ingress-gateway';

/** Istio's default root namespace. */
export const ROOT_NAMESPACE = 'istio-system';
/** The selector of the default ingress gateway pods (Istio's default install). */
export const DEFAULT_GATEWAY_SELECTOR: Readonly<Record<string, string>> = { istio: 'ingressgateway' };

/** What a gateway-level object is bound to. */
export interface GatewayBindingProps {
  readonly gateway?: IngressGateway;
  readonly gatewaySelector?: Readonly<Record<string, string>>;
  readonly namespace?: string;
}

/** The resolved binding. */
export interface GatewayBinding {
  readonly gateway?: IngressGateway;
  readonly selector: Readonly<Record<string, string>>;
  readonly namespace: string;
}

/** The namespace a gateway's objects land in (`default` when neither the prop nor the chart names one). */
export function gatewayNamespace(gateway: IngressGateway): string {
  return gateway.namespace ?? Chart.of(gateway).namespace ?? 'default';
}

/** Resolves and checks a binding; problems name `gateway`, `gatewaySelector` and `namespace`. */
export function resolveGatewayBinding(p: Problems, props: GatewayBindingProps): GatewayBinding {
  const namespace = props.namespace ?? ROOT_NAMESPACE;
  requireDns1123Label(p, 'namespace', namespace);
  if (props.gateway && props.gatewaySelector) {
    p.add('gatewaySelector', 'both gateway and gatewaySelector are given, so it is unclear which pods the object applies to',
      'give gateway for a gateway of the app (its selector is used), or gatewaySelector alone for a gateway outside the app');
  }
  const selector = { ...(props.gateway?.selector ?? props.gatewaySelector ?? DEFAULT_GATEWAY_SELECTOR) };
  const entries = Object.entries(selector);
  if (entries.length === 0) {
    p.add('gatewaySelector', 'an empty selector would apply the object to every proxy in the namespace (the whole mesh in istio-system)',
      'give the gateway pod labels, e.g. { istio: "ingressgateway" }');
  }
  for (const [key, value] of entries) requireLabel(p, 'gatewaySelector', key, value);
  if (props.gateway && namespace !== ROOT_NAMESPACE) {
    const gwNamespace = gatewayNamespace(props.gateway);
    if (namespace !== gwNamespace) {
      p.add('namespace', `the object would live in namespace ${namespace}, where Istio applies it only to pods of ${namespace}, but the gateway ${props.gateway.name} (${props.gateway.node.path}) is in namespace ${gwNamespace}, so no gateway pod would be selected`,
        `leave namespace unset (the root namespace ${ROOT_NAMESPACE} reaches the gateway pods in any namespace), or set it to ${gwNamespace}`);
    }
  }
  return { gateway: props.gateway, selector, namespace };
}
