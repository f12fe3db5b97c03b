/**
 * examples/zero-trust end to end, from the synthesized manifests: the gateway's coloring script
 * (run in the Lua VM) puts only verified beta users, the office network and a sticky cohort in the
 * beta lane, `explain` follows them through the lane, and the policies and Sidecars follow the
 * declared call graph.
 */
import { BETA_COHORT_PERCENT, ISSUER } from '../../examples/zero-trust/main';
import { explain, ExplainResult, Hop } from '../../src/analysis';
import { synthExample } from '../support/examples';
import { fnv1a32 } from '../support/identity';
import { RequestContext, runOnRequest } from '../support/lua';

const objects = synthExample('zero-trust')[0].objects;
const LANE = 'x-shop-lane';
const JWT = 'envoy.filters.http.jwt_authn';

/** The coloring script, as the gateway runs it per route (the VIRTUAL_HOST patch). */
function coloringScript(): string {
  const ef = objects.find((o) => o.kind === 'EnvoyFilter');
  const perRoute = ef.spec.configPatches[1].patch.value.typed_per_filter_config;
  return (Object.values(perRoute)[0] as any).source_code.inline_string;
}

/** Headers after the gateway's coloring (a client outside the office network unless given). */
function color(headers: Record<string, string>, context: RequestContext = {}): Record<string, string> {
  return runOnRequest(coloringScript(), { ':authority': 'shop.example.com', ...headers }, { directRemoteAddress: '203.0.113.50:40000', ...context }).headers;
}

/** Workloads a request reaches, hop by hop along the first branch. */
function chain(result: ExplainResult): string[] {
  const out: string[] = [];
  let hops: Hop[] = result.hops;
  while (hops.length > 0) {
    const d = hops[0].destinations[0];
    if (!d || d.workloads.length !== 1) break;
    out.push(d.workloads[0].name);
    hops = d.workloads[0].calls.filter((h) => h.service?.startsWith('checkout') || h.service?.startsWith('payment'));
  }
  return out;
}

const verified = (payload: Record<string, unknown>): RequestContext => ({ dynamicMetadata: { [JWT]: { payload: { iss: ISSUER, ...payload } } } });
/** Where a request goes: explain runs the gateway's coloring itself, with the same client address and verified token. */
const route = (headers: Record<string, string>, context: RequestContext = {}) => chain(explain(objects, { gateway: true }, {
  headers, clientAddress: context.directRemoteAddress ?? '203.0.113.50:40000', dynamicMetadata: context.dynamicMetadata,
}));

describe('examples/zero-trust', () => {
  test('writes the four security kinds and a coloring scoped to the gateway', () => {
    const kinds = objects.map((o) => o.kind);
    for (const kind of ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'Sidecar']) expect(kinds).toContain(kind);
    expect(objects.find((o) => o.kind === 'EnvoyFilter').spec.configPatches.map((p: any) => p.applyTo)).toEqual(['HTTP_FILTER', 'VIRTUAL_HOST']);
  });

  test('a verified beta user rides the beta lane through web and checkout; the same claims unverified do not', () => {
    // GIVEN a request with a verified token whose groups contain beta
    const token = verified({ sub: 'u-1', groups: ['beta'] });
    const beta = color({}, token);
    // THEN it is colored beta and reaches the beta versions
    expect(beta[LANE]).toBe('beta');
    expect(route({}, token)).toEqual(['web-beta', 'checkout-beta', 'payment-base']);
    // AND a client that only claims it (headers, a spoofed lane header) stays on base
    const spoof = color({ [LANE]: 'beta', 'x-groups': 'beta', 'authorization': 'Bearer not.verified.token' });
    expect(spoof[LANE]).toBeUndefined();
    expect(route(spoof)).toEqual(['web-base', 'checkout-base', 'payment-base']);
  });

  test('the office network enters by its address; forged X-Forwarded-For does not', () => {
    expect(color({}, { directRemoteAddress: '198.51.100.23:50000' })[LANE]).toBe('beta');
    expect(color({ 'x-forwarded-for': '198.51.100.23' }, { directRemoteAddress: '203.0.113.9:50000' })[LANE]).toBeUndefined();
  });

  test('the sticky cohort: a signed-in user is in it exactly when FNV-1a of their verified sub falls in the share', () => {
    for (let i = 0; i < 200; i++) {
      const sub = `user-${i}`;
      const inCohort = fnv1a32(sub) % 10000 < BETA_COHORT_PERCENT * 100;
      expect(color({}, verified({ sub }))[LANE]).toBe(inCohort ? 'beta' : undefined);
    }
  });

  test('policies allow exactly the declared callers; Sidecars list exactly the declared calls', () => {
    const principals = (name: string) => objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === `${name}-callers`).spec.rules[0].from[0].source.principals;
    expect(principals('web')).toEqual(['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account']);
    expect(principals('catalog')).toEqual(['cluster.local/ns/shop/sa/web']);
    expect(principals('checkout')).toEqual(['cluster.local/ns/shop/sa/web']);
    expect(principals('payment')).toEqual(['cluster.local/ns/shop/sa/checkout']);
    const egress = (name: string) => objects.find((o) => o.kind === 'Sidecar' && o.metadata.name === `${name}-egress`).spec;
    expect(egress('web').egress[0].hosts).toEqual(['istio-system/*', 'shop/catalog.shop.svc.cluster.local', 'shop/checkout.shop.svc.cluster.local']);
    expect(egress('payment')).toEqual({ workloadSelector: { labels: { app: 'payment' } }, egress: [{ hosts: ['*/api.payments.example.com', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
  });
});
