import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { gatewayHostName, hostCovers } from './core/matching';
import { fail, isDns1123Subdomain, isEnvName, isImageReference, isJsObjectKey, requireDns1123Label, requireInt, requireLabel } from './core/validation';
import { WellKnown } from './core/well-known';
import { GrayServiceProps, ProgressiveReleaseOptions } from './gray-service-props';
import type { IngressGateway } from './ingress-gateway';
import { checkMatches } from './kruise/canary-step';

/** Labels the library owns on every pod; users may not set or reuse them. */
const RESERVED_POD_LABELS: readonly string[] = [WellKnown.APP_LABEL, WellKnown.WORKLOAD_LABEL, WellKnown.KRUISE_CANARY_LABEL, WellKnown.LANE_LABEL];

/** Construction-time checks of GrayService props: bad input throws before any object exists. */
export function checkServiceProps(scope: IConstruct, name: string, props: GrayServiceProps): void {
  requireDns1123Label(scope, 'name', name);
  if (props.namespace !== undefined) requireDns1123Label(scope, 'namespace', props.namespace);
  if (!isImageReference(props.image)) {
    fail(scope, 'image', `${JSON.stringify(props.image)} is not an image reference`, 'give an image such as "registry.example.com/team/app:1.2.3"');
  }
  requireInt(scope, 'port', props.port, 1, 65535);
  if (props.containerPort !== undefined) requireInt(scope, 'containerPort', props.containerPort, 1, 65535);
  if (props.replicas !== undefined) requireInt(scope, 'replicas', props.replicas, 0, 10000);

  const versionLabel = props.versionLabel ?? WellKnown.VERSION_LABEL;
  const baseVersion = props.baseVersion ?? 'base';
  if (RESERVED_POD_LABELS.includes(versionLabel)) {
    fail(scope, 'versionLabel', `"${versionLabel}" is a label the library or Kruise sets itself, so versions could not be told apart by it`, 'use another label key, e.g. "version"');
  }
  requireLabel(scope, 'versionLabel/baseVersion', versionLabel, baseVersion);
  for (const [k, v] of Object.entries(props.podLabels ?? {})) {
    requireLabel(scope, 'podLabels', k, v);
    if (RESERVED_POD_LABELS.includes(k) || k === versionLabel) {
      fail(scope, 'podLabels', `the label "${k}" is set by the library (it names the app, the version, the workload, a lane or Kruise's canary marker)`, `remove "${k}" from podLabels${k === versionLabel ? ' and use baseVersion' : ''}`);
    }
  }
  if (props.gatewayHosts && !props.gateway) {
    fail(scope, 'gatewayHosts', 'hosts are given but no gateway', 'also give gateway, or drop gatewayHosts');
  }
  for (const [k] of Object.entries(props.env ?? {})) {
    if (!isEnvName(k) || isJsObjectKey(k)) fail(scope, 'env', `"${k}" is not a valid environment variable name`, 'use letters, digits, "_", "-" and ".", not starting with a digit');
    if (k === WellKnown.PROPAGATE_HEADERS_ENV) fail(scope, 'env', `"${k}" is set by the library`, 'remove it from env');
  }
}

/** Construction-time checks of the progressive-release options. */
export function checkReleaseProps(scope: IConstruct, release: ProgressiveReleaseOptions, o: { versionLabel: string; baseVersion: string; canaryVersion: string }): void {
  requireLabel(scope, 'release.canaryVersion', o.versionLabel, o.canaryVersion);
  if (o.canaryVersion === o.baseVersion) {
    fail(scope, 'release.canaryVersion', `the canary's version label would stay "${o.baseVersion}", so canary pods would join the base subset`, `use a canaryVersion other than "${o.baseVersion}" (default "canary")`);
  }
  if (release.weight !== undefined) requireInt(scope, 'release.weight', release.weight, 0, 100);
  const matchProblem = checkMatches(release.matches ?? []);
  if (matchProblem) fail(scope, 'release.matches', matchProblem.problem, matchProblem.fix);
}

/**
 * The hosts of a service's gateway-bound VirtualService: `gatewayHosts`, or the gateway's hosts
 * that a VirtualService in the service's namespace may bind to, without their namespace part.
 * Throws when a host is not a valid VirtualService host or the gateway does not accept it from
 * that namespace (Istio would silently ignore the VirtualService).
 */
export function gatewayHostsOf(scope: IConstruct, gateway: IngressGateway, namespace: string | undefined, gatewayHosts: readonly string[] | undefined): string[] {
  const from = namespace ?? Chart.of(scope).namespace;
  const gatewayNamespace = gateway.namespace ?? Chart.of(gateway).namespace;
  const accepts = (g: string, h: string) => hostCovers(g, h) && namespaceAllowed(g, from, gatewayNamespace);
  if (gatewayHosts === undefined) {
    const hosts = gateway.hosts.filter((g) => namespaceAllowed(g, from, gatewayNamespace)).map(gatewayHostName);
    if (hosts.length === 0) {
      fail(scope, 'gateway', `the gateway ${gateway.name} accepts VirtualServices only from other namespaces (${gateway.hosts.join(', ')}), not from ${from ?? 'the chart\'s (unset) namespace'}`,
        'give the service the namespace the gateway names, or add "*/<host>" or the service\'s namespace to the gateway hosts');
    }
    return [...new Set(hosts)];
  }
  if (gatewayHosts.length === 0) fail(scope, 'gatewayHosts', 'no host given', 'list at least one host, or leave gatewayHosts unset to use the gateway\'s hosts');
  for (const h of gatewayHosts) {
    if (!isVirtualServiceHost(h)) {
      fail(scope, 'gatewayHosts', `${JSON.stringify(h)} is not a VirtualService host`, 'use a DNS name such as "shop.example.com", a wildcard "*.example.com", or "*" (no "namespace/" part here)');
    }
    if (!gateway.hosts.some((g) => accepts(g, h))) {
      fail(scope, 'gatewayHosts', `the gateway ${gateway.name} does not accept the host "${h}" from a VirtualService in ${from ? `namespace ${from}` : 'an unset namespace'}`,
        `use one of ${gateway.hosts.join(', ')} (a "namespace/" part restricts where the VirtualService may live), or add the host to the gateway`);
    }
  }
  if (new Set(gatewayHosts).size !== gatewayHosts.length) fail(scope, 'gatewayHosts', 'a host is listed twice', 'list each host once');
  return [...gatewayHosts];
}

/** A VirtualService host: `*`, `*.domain` or a DNS-1123 subdomain. */
export function isVirtualServiceHost(h: string): boolean {
  if (typeof h !== 'string') return false;
  if (h === '*') return true;
  return isDns1123Subdomain(h.startsWith('*.') ? h.slice(2) : h);
}

/** Whether a gateway host's namespace part (`ns/`, `./`, `*\/`, none) lets a VirtualService in `from` bind. */
function namespaceAllowed(gatewayHost: string, from: string | undefined, gatewayNamespace: string | undefined): boolean {
  if (!gatewayHost.includes('/')) return true;
  const ns = gatewayHost.split('/')[0];
  if (ns === '*') return true;
  if (ns === '.') return from === gatewayNamespace;
  return from === ns;
}

/** Whether a gateway host (`*`, `*.example.com`, `ns/host`) accepts a VirtualService host. */
