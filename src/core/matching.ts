/**
 * Host and label matching, as Istio and Kubernetes define it; one implementation shared by the
 * constructs (which check what they write) and the analysis (which reads any manifests).
 */

/** The host of a Gateway server host, without its `namespace/` part (`shop/a.example.com` → `a.example.com`). */
export function gatewayHostName(gatewayHost: string): string {
  return gatewayHost.includes('/') ? gatewayHost.split('/')[1] : gatewayHost;
}

/**
 * Whether the host pattern `pattern` (`*`, `*.example.com`, `shop.example.com`, optionally
 * `namespace/`-prefixed as in Gateway servers) covers `host`. A wildcard covers its subdomains
 * and the same wildcard.
 */
export function hostCovers(pattern: string, host: string): boolean {
  const p = gatewayHostName(pattern);
  if (p === '*') return true;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) || host === p;
  return p === host;
}

/** Whether every `key: value` of `selector` is among `labels` (an empty selector selects all). */
export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === String(v));
}
