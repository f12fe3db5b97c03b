import { IConstruct } from 'constructs';
import { fail, isHeaderName, requireDns1123Label, requireInt, requireLabel } from './core/validation';
import { WellKnown } from './core/well-known';
import { GrayServiceProps, ProgressiveReleaseOptions } from './gray-service-props';

/** Labels the library owns on every pod; users may not set or reuse them. */
const RESERVED_POD_LABELS: readonly string[] = [WellKnown.APP_LABEL, WellKnown.WORKLOAD_LABEL, WellKnown.KRUISE_CANARY_LABEL, WellKnown.LANE_LABEL];

/** Construction-time checks of GrayService props: bad input throws before any object exists. */
export function checkServiceProps(scope: IConstruct, name: string, props: GrayServiceProps): void {
  requireDns1123Label(scope, 'name', name);
  if (props.namespace !== undefined) requireDns1123Label(scope, 'namespace', props.namespace);
  if (!props.image || /\s/.test(props.image)) {
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
  if (props.gateway && props.gatewayHosts) {
    for (const h of props.gatewayHosts) {
      if (!props.gateway.hosts.some((g) => hostCovers(g, h))) {
        fail(scope, 'gatewayHosts', `the gateway ${props.gateway.name} does not accept the host "${h}"`, `use one of ${props.gateway.hosts.join(', ')}, or add the host to the gateway`);
      }
    }
  }
  for (const [k] of Object.entries(props.env ?? {})) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k)) fail(scope, 'env', `"${k}" is not a valid environment variable name`, 'use letters, digits, "_", "-" and ".", not starting with a digit');
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
  const seen = new Set<string>();
  for (const m of release.matches ?? []) {
    if (!isHeaderName(m.name)) fail(scope, 'release.matches', `${JSON.stringify(m.name)} is not a lowercase header name`, 'use a lowercase token of [a-z0-9-_]');
    if (seen.has(m.name)) fail(scope, 'release.matches', `the header "${m.name}" is matched twice`, 'match each header once (conditions are ANDed)');
    seen.add(m.name);
    if (!m.value || /[\x00-\x1f\x7f]/.test(m.value)) fail(scope, 'release.matches', `the value for "${m.name}" is empty or has control characters`, 'give a printable value');
  }
}

/** Whether a gateway host (`*`, `*.example.com`, `ns/host`) accepts a VirtualService host. */
export function hostCovers(gatewayHost: string, host: string): boolean {
  const g = gatewayHost.includes('/') ? gatewayHost.split('/')[1] : gatewayHost;
  if (g === '*') return true;
  if (g.startsWith('*.')) return host.endsWith(g.slice(1)) || host === g;
  return g === host;
}
