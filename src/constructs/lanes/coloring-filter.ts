/**
 * The EnvoyFilter spec of a TrafficColoring.
 *
 * Unbound (a gatewaySelector only): the seed's shape, one HTTP_FILTER patch inserting the Lua
 * filter with its script before the router of every HTTP listener of the selected pods.
 *
 * Bound to an IngressGateway: scoped to the gateway's HTTP(S) server ports and hosts, so other
 * tenants' traffic on a shared gateway is untouched:
 * - one HTTP_FILTER patch inserts a Lua filter with a name of its own and *no* default script:
 *   Envoy runs no code for a route without per-route Lua config (`getPerLuaCodeSetup`, Envoy's
 *   lua_filter.h of the 1.2x–1.33 line);
 * - one VIRTUAL_HOST patch per server port gives every virtual host of that port's route
 *   configuration the script as `LuaPerRoute.source_code`;
 * - the script itself returns untouched unless `:authority` is one of the gateway's hosts.
 *
 * Why route configuration and not `listener.portNumber`: Istio 1.23 builds gateway listeners on
 * the gateway Service's *target* port (`pilot/pkg/networking/core/gateway.go`, "mergeGateways will
 * already translate Service port to targetPort": 80 becomes 0.0.0.0_8080 on a default install)
 * and matches `listener.portNumber` literally (`envoyfilter/listener_patch.go` `listenerMatch`),
 * so a listener match on the Gateway's port 80 would match nothing and silently switch the
 * coloring off. `routeConfiguration.portNumber` is matched through the gateway port map
 * (`envoyfilter/rc_patch.go` `routeConfigurationMatch` → `anyPortMatches`), so the server port
 * works. Hosts are checked in Lua, not by `vhost.name`, because gateway virtual hosts are named
 * after VirtualService hosts (`shop.example.com:80`), not the Gateway's possibly wildcard hosts:
 * a virtual host a name list missed would keep the client's lane header.
 */
import {
  EnvoyFilterSpec, EnvoyFilterSpecConfigPatches, EnvoyFilterSpecConfigPatchesApplyTo, EnvoyFilterSpecConfigPatchesMatchContext,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../../imports/istio-networking';

const LUA = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua';
const LUA_PER_ROUTE = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute';
const HCM = 'envoy.filters.network.http_connection_manager';
const ROUTER = 'envoy.filters.http.router';

/** A gateway server whose traffic the coloring scopes to. */
export interface ScopedPort {
  readonly port: number;
  /** For HTTPS servers (own route configuration per server): the port name and `namespace/name` of the Gateway. */
  readonly https?: { readonly portName: string; readonly gateway?: string };
}

const insertBeforeRouter = (value: Record<string, unknown>): EnvoyFilterSpecConfigPatches => ({
  applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
  match: {
    context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY,
    listener: { filterChain: { filter: { name: HCM, subFilter: { name: ROUTER } } } },
  },
  patch: { operation: EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE, value },
});

/** The seed's shape: the script runs on every HTTP request of the selected pods. */
export function unscopedFilterSpec(selector: Readonly<Record<string, string>>, script: string): EnvoyFilterSpec {
  return {
    workloadSelector: { labels: { ...selector } },
    configPatches: [insertBeforeRouter({ name: 'envoy.lua', typed_config: { '@type': LUA, 'inlineCode': script } })],
  };
}

/** Scoped to `ports` (route configurations) and, in the script, to the gateway's hosts. */
export function scopedFilterSpec(selector: Readonly<Record<string, string>>, filterName: string, ports: readonly ScopedPort[], script: string): EnvoyFilterSpec {
  return {
    workloadSelector: { labels: { ...selector } },
    configPatches: [
      insertBeforeRouter({ name: filterName, typed_config: { '@type': LUA } }),
      ...ports.map((p): EnvoyFilterSpecConfigPatches => ({
        applyTo: EnvoyFilterSpecConfigPatchesApplyTo.VIRTUAL_UNDERSCORE_HOST,
        match: {
          context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY,
          routeConfiguration: { portNumber: p.port, ...(p.https ? { portName: p.https.portName, gateway: p.https.gateway } : {}) },
        },
        patch: {
          operation: EnvoyFilterSpecConfigPatchesPatchOperation.MERGE,
          value: { typed_per_filter_config: { [filterName]: { '@type': LUA_PER_ROUTE, 'source_code': { inline_string: script } } } },
        },
      })),
    ],
  };
}

/** Protocols whose servers have a route configuration (HTTP routing) at the gateway. */
const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB']);

/** A server as far as scoping reads it (`tls.mode` when the contract carries it). */
export interface ServerLike {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly hosts: readonly string[];
  readonly tls?: { readonly mode?: string };
}

/** The HTTP(S) servers of a gateway that terminate HTTP (a TLS passthrough server has no routes). */
export function httpServers(servers: readonly ServerLike[]): ServerLike[] {
  return servers.filter((s) => HTTP_PROTOCOLS.has(String(s.protocol).toUpperCase()) && s.tls?.mode?.toUpperCase() !== 'PASSTHROUGH');
}

/** One scoped port per distinct HTTP port; HTTPS servers are matched by port name and Gateway. */
export function scopedPorts(servers: readonly ServerLike[], gatewayRef: string | undefined): ScopedPort[] {
  const out: ScopedPort[] = [];
  for (const s of httpServers(servers)) {
    const https = String(s.protocol).toUpperCase() === 'HTTPS';
    if (!https && out.some((o) => o.port === s.port && !o.https)) continue;
    out.push(https ? { port: s.port, https: { portName: s.name, gateway: gatewayRef } } : { port: s.port });
  }
  return out.sort((a, b) => a.port - b.port || (a.https?.portName ?? '').localeCompare(b.https?.portName ?? ''));
}
