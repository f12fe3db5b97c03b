import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GrayServiceProps } from './props';
import { gatewayHostAdmits, gatewayHostName, hostCovers, isVirtualServiceHost } from '../../model/matching';
import { isEnvName, isImageReference, isJsObjectKey, requireDns1035Label, requireDns1123Label, requireInt, requireLabel } from '../../model/names';
import { Problems } from '../../model/problem';
import { WellKnown } from '../../model/well-known';
import type { IngressGateway } from '../ingress/ingress-gateway';

/** Labels the library owns on every pod; users may not set or reuse them. */
const RESERVED_POD_LABELS: readonly string[] = [WellKnown.APP_LABEL, WellKnown.WORKLOAD_LABEL, WellKnown.KRUISE_CANARY_LABEL, WellKnown.LANE_LABEL];

/**
 * Construction-time checks of GrayService props, all recorded in `p` (the constructor throws
 * them together).
 */
export function checkServiceProps(p: Problems, name: string, props: GrayServiceProps): void {
  // The name is the Service's: a DNS-1035 label (kubernetes ValidateServiceName).
  requireDns1035Label(p, 'name', name);
  if (props.namespace !== undefined) requireDns1123Label(p, 'namespace', props.namespace);
  if (!isImageReference(props.image)) {
    p.add('image', `${JSON.stringify(props.image)} is not an image reference`, 'give an image such as "registry.example.com/team/app:1.2.3"');
  }
  if (props.port !== undefined) requireInt(p, 'port', props.port, 1, 65535);
  if (props.containerPort !== undefined) requireInt(p, 'containerPort', props.containerPort, 1, 65535);
  if (props.replicas !== undefined) requireInt(p, 'replicas', props.replicas, 0, 10000);

  const versionLabel = props.versionLabel ?? WellKnown.VERSION_LABEL;
  const baseVersion = props.baseVersion ?? 'base';
  if (RESERVED_POD_LABELS.includes(versionLabel)) {
    p.add('versionLabel', `"${versionLabel}" is a label the library or Kruise sets itself, so versions could not be told apart by it`, 'use another label key, e.g. "version"');
  }
  requireLabel(p, 'versionLabel/baseVersion', versionLabel, baseVersion);
  for (const [k, v] of Object.entries(props.podLabels ?? {})) {
    requireLabel(p, 'podLabels', k, v);
    if (RESERVED_POD_LABELS.includes(k) || k === versionLabel) {
      p.add('podLabels', `the label "${k}" is set by the library (it names the app, the version, the workload, a lane or Kruise's canary marker)`, `remove "${k}" from podLabels${k === versionLabel ? ' and use baseVersion' : ''}`);
    }
  }
  if (props.gatewayHosts && !props.gateway) {
    p.add('gatewayHosts', 'hosts are given but no gateway', 'also give gateway, or drop gatewayHosts');
  }
  for (const [k] of Object.entries(props.env ?? {})) {
    if (!isEnvName(k) || isJsObjectKey(k)) p.add('env', `"${k}" is not a valid environment variable name`, 'use letters, digits, "_", "-" and ".", not starting with a digit');
    if (k === WellKnown.PROPAGATE_HEADERS_ENV) p.add('env', `"${k}" is set by the library`, 'remove it from env');
  }
}

/** Construction-time checks of the canary version a release gives its pods. */
export function checkCanaryVersion(p: Problems, o: { versionLabel: string; baseVersion: string; canaryVersion: string }): void {
  requireLabel(p, 'release.canaryVersion', o.versionLabel, o.canaryVersion);
  if (o.canaryVersion === o.baseVersion) {
    p.add('release.canaryVersion', `the canary's version label would stay "${o.baseVersion}", so canary pods would join the base subset`, `use a canaryVersion other than "${o.baseVersion}" (default "canary")`);
  }
}

/**
 * The hosts of a service's gateway-bound VirtualService: `gatewayHosts`, or the gateway's hosts
 * that a VirtualService in the service's namespace may bind to, without their namespace part.
 * Throws when a host is not a valid VirtualService host or the gateway does not accept it from
 * that namespace (Istio would silently ignore the VirtualService).
 */
export function gatewayHostsOf(scope: IConstruct, p: Problems, gateway: IngressGateway, namespace: string | undefined, gatewayHosts: readonly string[] | undefined): string[] {
  const from = namespace ?? Chart.of(scope).namespace;
  const gatewayNamespace = gateway.namespace ?? Chart.of(gateway).namespace;
  const accepts = (g: string, h: string) => hostCovers(g, h) && gatewayHostAdmits(g, from, gatewayNamespace);
  if (gatewayHosts === undefined) {
    const hosts = gateway.hosts.filter((g) => gatewayHostAdmits(g, from, gatewayNamespace)).map(gatewayHostName);
    if (hosts.length === 0) {
      p.fail('gateway', `the gateway ${gateway.name} accepts VirtualServices only from other namespaces (${gateway.hosts.join(', ')}), not from ${from ?? 'the chart\'s (unset) namespace'}`,
        'give the service the namespace the gateway names, or add "*/<host>" or the service\'s namespace to the gateway hosts');
    }
    return [...new Set(hosts)];
  }
  if (gatewayHosts.length === 0) p.fail('gatewayHosts', 'no host given', 'list at least one host, or leave gatewayHosts unset to use the gateway\'s hosts');
  for (const h of gatewayHosts) {
    if (!isVirtualServiceHost(h)) {
      p.fail('gatewayHosts', `${JSON.stringify(h)} is not a VirtualService host`, 'use a DNS name such as "shop.example.com", a wildcard "*.example.com", or "*" (no "namespace/" part here)');
    }
    if (!gateway.hosts.some((g) => accepts(g, h))) {
      p.fail('gatewayHosts', `the gateway ${gateway.name} does not accept the host "${h}" from a VirtualService in ${from ? `namespace ${from}` : 'an unset namespace'}`,
        `use one of ${gateway.hosts.join(', ')} (a "namespace/" part restricts where the VirtualService may live), or add the host to the gateway`);
    }
  }
  if (new Set(gatewayHosts).size !== gatewayHosts.length) p.fail('gatewayHosts', 'a host is listed twice', 'list each host once');
  return [...gatewayHosts];
}
