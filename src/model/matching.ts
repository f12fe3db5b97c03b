/**
 * Host and label matching, as Istio and Kubernetes define them; one implementation shared by the
 * constructs (which check what they write) and the analysis (which reads any manifests). The
 * tests check it against an independent table (test/support/host-table.ts).
 */
import { isDns1123Subdomain } from './names';

/** The cluster DNS suffix Istio qualifies short Service hosts with. */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The host of a Gateway server host, without its `namespace/` part (`shop/a.example.com` → `a.example.com`). */
export function gatewayHostName(gatewayHost: string): string {
  return gatewayHost.includes('/') ? gatewayHost.split('/')[1] : gatewayHost;
}

/**
 * Whether the host pattern `pattern` (`*`, `*.example.com`, `shop.example.com`, optionally
 * `namespace/`-prefixed as in Gateway servers) covers `host`. A wildcard covers its subdomains
 * (at any depth, as in Istio) and the same wildcard, never the bare domain.
 */
export function hostCovers(pattern: string, host: string): boolean {
  const p = gatewayHostName(pattern);
  if (p === '*') return true;
  if (p.startsWith('*.')) return host === p || host.endsWith(p.slice(1));
  return p === host;
}

/** A VirtualService host: `*`, `*.domain` or a DNS-1123 subdomain. */
export function isVirtualServiceHost(h: string): boolean {
  if (typeof h !== 'string') return false;
  if (h === '*') return true;
  return isDns1123Subdomain(h.startsWith('*.') ? h.slice(2) : h);
}

/**
 * Whether a gateway server host's namespace part (`ns/`, `./`, `*\/`, none) lets a VirtualService
 * in namespace `from` bind to it (Istio's Gateway `hosts` semantics).
 */
export function gatewayHostAdmits(gatewayHost: string, from: string | undefined, gatewayNamespace: string | undefined): boolean {
  if (!gatewayHost.includes('/')) return true;
  const ns = gatewayHost.split('/')[0];
  if (ns === '*') return true;
  if (ns === '.') return from === gatewayNamespace;
  return from === ns;
}

/**
 * The fully qualified name of a host as Istio resolves it in a rule of namespace `ns`:
 * `mockb` → `mockb.ns.svc.cluster.local`, `mockb.shop` → `mockb.shop.svc.cluster.local`.
 * Hosts with more dots (or wildcards) are returned as given.
 */
export function qualifyHost(host: string, ns: string): string {
  if (host.includes('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${ns}.${CLUSTER_DOMAIN}`;
  if (parts.length === 2) return `${host}.${CLUSTER_DOMAIN}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

/**
 * A host written in Istio config (VirtualService `hosts` and `destination.host`, DestinationRule
 * `host`) as Istio 1.23 resolves it (pilot/pkg/model/config.go `ResolveShortnameToFQDN`): only a
 * name without dots is qualified with the config's namespace; `mockb.shop` stays as written, which
 * is not the Service `mockb.shop.svc.cluster.local` (request hosts: {@link qualifyHost}).
 */
export function resolveConfigHost(host: string, ns: string): string {
  return host === '*' || host.includes('.') ? host : `${host}.${ns}.${CLUSTER_DOMAIN}`;
}

/** Whether every `key: value` of `selector` is among `labels` (an empty selector selects all). */
export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === String(v));
}
