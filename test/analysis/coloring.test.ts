/**
 * The gateway's EnvoyFilters as explain runs them: which filters select the gateway, the Lua run
 * in the VM before routing, and every script the mock cannot model reported, never skipped.
 */
import { fixture } from './helpers';
import { Manifest, explain, formatExplain, gatewayPodLabels, runEnvoyOnRequest } from '../../src/analysis';

const LUA = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua';
const beforeRouter = { context: 'GATEWAY', listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } } };

/** An EnvoyFilter inserting `value` before the router of the selected gateway pods. */
function filter(name: string, value: object, opts: { namespace?: string; labels?: Record<string, string>; extra?: object[] } = {}): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name, namespace: opts.namespace ?? 'istio-system' },
    spec: {
      workloadSelector: { labels: opts.labels ?? { app: 'istio-ingressgateway' } },
      configPatches: [{ applyTo: 'HTTP_FILTER', match: beforeRouter, patch: { operation: 'INSERT_BEFORE', value } }, ...(opts.extra ?? [])],
    },
  };
}
const lua = (name: string, code: string, opts?: Parameters<typeof filter>[2]) => filter(name, { name: 'envoy.lua', typed_config: { '@type': LUA, 'inlineCode': code } }, opts);
const SET = (v: string) => `function envoy_on_request(h) h:headers():replace("my-request-id", "${v}") end`;

/** The seed's manifests without their coloring, plus `extra`. */
function withFilters(...extra: Manifest[]): Manifest[] {
  return [...fixture('full-link-gray').filter((m) => m.kind !== 'EnvoyFilter'), ...extra];
}
const gatewayHop = (m: Manifest[], opts: Parameters<typeof explain>[2] = {}) => explain(m, { gateway: true }, { release: 'all', ...opts }).hops[0];

describe('which EnvoyFilters run at the gateway', () => {
  test('the gateway chart labels pods app: NAME next to istio: NAME without "istio-": both selectors select the gateway', () => {
    expect(gatewayPodLabels({ istio: 'ingressgateway' })).toContainEqual({ istio: 'ingressgateway', app: 'istio-ingressgateway' });
    for (const labels of [{ app: 'istio-ingressgateway' }, { istio: 'ingressgateway' }] as Array<Record<string, string>>) {
      expect(gatewayHop(withFilters(lua('c', SET('canary'), { labels })))).toMatchObject({ coloring: [{ filter: 'EnvoyFilter/istio-system/c', outcome: 'ran' }], rule: { index: 0 } });
    }
  });

  test('a filter for other pods, or in a namespace that is neither the root nor the gateway\'s, does not run', () => {
    expect(gatewayHop(withFilters(lua('other', SET('canary'), { labels: { app: 'egress' } }))).coloring).toEqual([]);
    expect(gatewayHop(withFilters(lua('elsewhere', SET('canary'), { namespace: 'team-b' }))).coloring).toEqual([]);
    expect(gatewayHop(withFilters(lua('same-ns', SET('canary'), { namespace: 'default' }))).coloring?.map((c) => c.filter)).toEqual(['EnvoyFilter/default/same-ns']);
  });

  test('filters run in priority order, then the root namespace first, then name; the last edit wins', () => {
    const hop = gatewayHop(withFilters(lua('b', SET('base')), lua('a', SET('canary'))));
    expect(hop.coloring?.map((c) => c.filter)).toEqual(['EnvoyFilter/istio-system/a', 'EnvoyFilter/istio-system/b']);
    expect(hop.headers['my-request-id']).toBe('base');
  });

  test('at equal priority the root namespace\'s filters run before the gateway namespace\'s (push_context.go EnvoyFilters, Istio 1.23)', () => {
    const hop = gatewayHop(withFilters(lua('z-root', SET('base')), lua('a-local', SET('canary'), { namespace: 'default' })));
    expect(hop.coloring?.map((c) => c.filter)).toEqual(['EnvoyFilter/istio-system/z-root', 'EnvoyFilter/default/a-local']);
    expect(hop.headers['my-request-id']).toBe('canary');
    const early = lua('a-local', SET('canary'), { namespace: 'default' });
    const first = gatewayHop(withFilters(lua('z-root', SET('base')), { ...early, spec: { ...(early.spec as object), priority: -1 } }));
    expect(first.coloring?.map((c) => c.filter)).toEqual(['EnvoyFilter/default/a-local', 'EnvoyFilter/istio-system/z-root']);
  });

  test('INSERT_FIRST puts a filter at the head of the chain: it runs before the filters inserted before the router, the last applied first', () => {
    const atHead = (name: string, v: string, priority = 0) => {
      const f = lua(name, SET(v));
      const spec = f.spec as { configPatches: Array<{ patch: { operation: string } }> };
      return { ...f, spec: { ...spec, priority, configPatches: [{ ...spec.configPatches[0], patch: { ...spec.configPatches[0].patch, operation: 'INSERT_FIRST' } }] } };
    };
    const hop = gatewayHop(withFilters(lua('a-before-router', SET('canary')), atHead('b-head', 'base'), atHead('c-head', 'other', 5)));
    expect(hop.coloring?.map((c) => c.filter)).toEqual(['EnvoyFilter/istio-system/c-head', 'EnvoyFilter/istio-system/b-head', 'EnvoyFilter/istio-system/a-before-router']);
    expect(hop.headers['my-request-id']).toBe('canary');
  });

  test('a script given per route (LuaPerRoute on the port\'s route configuration) runs on that port only', () => {
    const perRoute = (port: number) => ({
      applyTo: 'VIRTUAL_HOST',
      match: { context: 'GATEWAY', routeConfiguration: { portNumber: port } },
      patch: { operation: 'MERGE', value: { typed_per_filter_config: { 'gray.coloring': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute', 'source_code': { inline_string: SET('canary') } } } } },
    });
    const scoped = (port: number) => filter('scoped', { name: 'gray.coloring', typed_config: { '@type': LUA } }, { extra: [perRoute(port)] });
    expect(gatewayHop(withFilters(scoped(80))).headers['my-request-id']).toBe('canary');
    expect(gatewayHop(withFilters(scoped(443))).coloring).toEqual([]);
  });
});

describe('a script the mock cannot model is reported, not ignored', () => {
  test('a call Envoy 1.31 does not have: the Lua error, the edits before it kept, the name reported', () => {
    const hop = gatewayHop(withFilters(lua('body', 'function envoy_on_request(h) h:headers():replace("my-request-id", "canary"); h:body() end')));
    expect(hop.coloring?.[0]).toMatchObject({ outcome: 'error', unknownApi: ['request_handle.body'], edits: [{ op: 'replace', name: 'my-request-id', value: 'canary' }] });
    expect(hop.coloring?.[0].message).toContain("attempt to call a nil value (method 'body')");
    expect(hop.headers['my-request-id']).toBe('canary');
    expect(formatExplain(explain(withFilters(lua('body', 'function envoy_on_request(h) h:body() end')), { gateway: true }))).toContain('Lua error');
  });

  test('a guarded look-up of clearRouteCache (Envoy 1.34+) is skipped as on Envoy 1.31, and named', () => {
    const hop = gatewayHop(withFilters(lua('guard', `${SET('canary').replace(' end', '')}; if h.clearRouteCache ~= nil then h:clearRouteCache() end end`)));
    expect(hop.coloring?.[0]).toMatchObject({ outcome: 'ran', unknownApi: ['request_handle.clearRouteCache'] });
  });

  test('a filter that is not Lua (ext_authz) is listed as not run', () => {
    const hop = gatewayHop(withFilters(filter('authz', { name: 'envoy.filters.http.ext_authz', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz' } })));
    expect(hop.coloring?.[0]).toMatchObject({ outcome: 'not-modelled', filter: 'EnvoyFilter/istio-system/authz' });
  });

  test('a script that answers itself ends the request at the gateway', () => {
    const hop = gatewayHop(withFilters(lua('deny', 'function envoy_on_request(h) h:respond({[":status"] = "403"}, "no") end')));
    expect(hop).toMatchObject({ outcome: 'local-reply', status: 403, destinations: [] });
  });
});

describe('the Lua VM', () => {
  const req = { headers: { 'agent': 'pc', ':path': '/' }, clientAddress: '192.0.2.10:40000', localAddress: '0.0.0.0:8080' };
  test('a loop that never ends is stopped and reported', () => {
    expect(runEnvoyOnRequest('function envoy_on_request(h) while true do end end', req).error).toMatch(/more than \d+ instructions/);
  });
  test('no io, os or require: a script that uses them is reported', () => {
    expect(runEnvoyOnRequest('function envoy_on_request(h) os.execute("x") end', req).error).toMatch(/global 'os'/);
    expect(runEnvoyOnRequest('function envoy_on_request(h) require("x") end', req).error).toMatch(/global 'require'/);
  });
  test('headers: get joins repeated values, add appends, pairs iterates; streamInfo gives the client address', () => {
    const r = runEnvoyOnRequest(`function envoy_on_request(h)
      local hs = h:headers(); hs:add("agent", "tv"); local n = 0
      for k, v in pairs(hs) do n = n + 1 end
      hs:replace("x-seen", hs:get("agent") .. "|" .. n .. "|" .. h:streamInfo():downstreamRemoteAddress())
    end`, req);
    expect(r.headers['x-seen']).toBe('pc,tv|2|192.0.2.10:40000');
    expect(r.streamReads).toEqual(['downstreamRemoteAddress']);
  });
});
