/**
 * The gateway end of `explain`: which Gateway and server a request reaches (by name, host and
 * port), the authority it carries, and the VirtualServices bound to that Gateway for that host.
 */
import { RoutingLookups } from './routing-index';
import { GatewayServer } from '../model/istio-views';
import { Manifest, ManifestIndex, namespaceOf } from '../model/manifest';
import { gatewayHostName, hostCovers } from '../model/matching';

/** The gateway a request enters by, as far as the manifests tell. */
export interface GatewayContext {
  readonly gateway?: Manifest;
  /** `namespace/name` of the Gateway. */
  readonly ref?: string;
  /** The host asked for (undefined: any host). */
  readonly host?: string;
  /** The server port the request arrives on. */
  readonly port?: number;
  /** The `:authority` the request carries (the host, or a host the server accepts). */
  readonly authority: string;
  /** The VirtualServices bound to the Gateway that serve the host, in input order. */
  readonly virtualServices: readonly Manifest[];
  /** The server answers plain HTTP with a redirect to HTTPS (`tls.httpsRedirect`). */
  readonly httpsRedirect?: boolean;
  /** Why no Gateway was found. */
  readonly notFound?: string;
}

/** Protocols whose servers route HTTP. */
const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB']);

/** `namespace/name` of a Gateway. */
export function gatewayRef(gw: Manifest): string {
  return `${namespaceOf(gw)}/${gw.metadata.name}`;
}

function serves(server: GatewayServer, host: string | undefined, port: number | undefined): boolean {
  if (port !== undefined && server.port?.number !== port) return false;
  return host === undefined || (server.hosts ?? []).some((h) => hostCovers(h, host));
}

/** A host a server's patterns accept: the first without a wildcard, else one under the wildcard. */
export function exampleHost(patterns: readonly string[]): string {
  const names = patterns.map(gatewayHostName);
  const concrete = names.find((h) => !h.includes('*'));
  if (concrete) return concrete;
  const wildcard = names.find((h) => h.startsWith('*.'));
  return wildcard ? `www${wildcard.slice(1)}` : 'example.com';
}

/** The Gateway, server, port and VirtualServices for an entry at the gateway. */
export function gatewayContext(
  index: ManifestIndex, lookups: RoutingLookups, entry: { readonly gateway: true | string; readonly host?: string },
  port: number | undefined, warnings: string[],
): GatewayContext {
  const want = entry.gateway === true ? undefined : entry.gateway;
  const host = entry.host;
  const named = index.gateways.filter((g) => !want || g.metadata.name === want || gatewayRef(g) === want);
  const servers = (g: Manifest) => index.views.gateway(g).servers ?? [];
  const gw = named.find((g) => servers(g).some((s) => serves(s, host, port)));
  if (!gw) {
    const what = want ? `Gateway ${want}` : 'any Gateway';
    return { host, port, authority: host ?? 'example.com', virtualServices: [], notFound: `${what} serving host ${host ?? '*'}${port !== undefined ? ` on port ${port}` : ''} not found in the manifests` };
  }
  if (named.length > 1 && !want) warnings.push(`several Gateways; explained through ${gatewayRef(gw)} (pass a gateway name to choose)`);
  const candidates = servers(gw).filter((s) => serves(s, host, port));
  const server = candidates.find((s) => HTTP_PROTOCOLS.has((s.port?.protocol ?? 'HTTP').toUpperCase())) ?? candidates[0];
  const ref = gatewayRef(gw);
  const virtualServices = lookups.gatewayVirtualServices(ref).filter((vs) =>
    host === undefined || (index.views.virtualService(vs).hosts ?? []).some((h) => hostCovers(h, host)));
  return {
    gateway: gw,
    ref,
    host,
    port: port ?? server?.port?.number,
    authority: host ?? exampleHost(server?.hosts ?? []),
    virtualServices,
    ...(server?.tls?.httpsRedirect ? { httpsRedirect: true } : {}),
  };
}
