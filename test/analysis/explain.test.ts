import { chain, fixture } from './helpers';
import { explain, formatExplain } from '../../src/analysis';

describe('explain: Kruise full-link gray (seed mocka -> mockb)', () => {
  const manifests = fixture('full-link-gray');
  // What puts a request in the lane at the gateway: the seed's coloring maps agent: pc to canary.
  const canary = { agent: 'pc' };

  test('agent: pc during a release of both services is colored canary, and the path is gateway -> mocka canary -> mockb canary', () => {
    // GIVEN the seed manifests WHEN explained during a release of mocka and mockb
    const r = explain(manifests, { gateway: true }, { headers: canary, release: ['mocka', 'mockb'] });
    // THEN both hops go to the canary subset and the virtual canary workloads
    expect(chain(r.hops)).toEqual([['mocka-base-canary'], ['mockb-base-canary']]);
    expect(r.hops[0].destinations[0].subset).toBe('canary');
    expect(r.hops[0].rule).toMatchObject({ index: 0, headerNames: ['my-request-id'] });
    expect(r.hops[0].destinations[0].workloads[0].canary).toBe(true);
    expect(r.release).toEqual(['mocka', 'mockb']);
  });

  test('without the header the path is base -> base, release or not', () => {
    expect(chain(explain(manifests, { gateway: true }, { release: 'all' }).hops)).toEqual([['mocka-base'], ['mockb-base']]);
    expect(chain(explain(manifests, { gateway: true }).hops)).toEqual([['mocka-base'], ['mockb-base']]);
  });

  test('a release of only mockb routes the canary header to mocka base, then mockb canary', () => {
    const r = explain(manifests, { gateway: 'sample-gateway' }, { headers: canary, release: ['mockb'] });
    expect(chain(r.hops)).toEqual([['mocka-base'], ['mockb-base-canary']]);
  });

  test('before any release the canary header changes nothing', () => {
    expect(chain(explain(manifests, { gateway: true }, { headers: canary }).hops)).toEqual([['mocka-base'], ['mockb-base']]);
  });

  test('entering at a service with a short name follows its mesh VirtualService', () => {
    const r = explain(manifests, { service: 'mockb' });
    expect(r.hops[0]).toMatchObject({ service: 'mockb.default', virtualService: 'default/vs-mockb', outcome: 'route' });
  });

  test('the tree names the coloring, hops, routes, destinations and workloads', () => {
    const text = formatExplain(explain(manifests, { gateway: true }, { headers: canary, release: 'all' }));
    // The fixture is the seed's script, which appends (headers:add): shown as +=.
    expect(text).toContain('colored: my-request-id+=canary by EnvoyFilter/istio-system/http-request-labelling-according-source');
    expect(text).toContain('mocka-base-canary (canary)');
    expect(text).toContain('route: default/vs-mockb http[0]: my-request-id exact "canary"');
  });
});

describe('explain: static lanes', () => {
  const manifests = fixture('static-lanes');
  test('a lane skipping a service falls back to base there and returns to the lane after it', () => {
    const r = explain(manifests, { gateway: true, host: 'shop.example.com', path: '/api/items' }, { headers: { 'x-lane': 'dev' } });
    expect(chain(r.hops)).toEqual([['front-dev'], ['middle-base'], ['back-dev']]);
  });
  test('without the lane header every hop is base', () => {
    const r = explain(manifests, { gateway: true, host: 'shop.example.com', path: '/api/items' });
    expect(chain(r.hops)).toEqual([['front-base'], ['middle-base'], ['back-base']]);
  });
  test('directResponse rules are reported as such', () => {
    const r = explain(manifests, { gateway: true, host: 'shop.example.com', path: '/' });
    expect(r.hops[0]).toMatchObject({ outcome: 'direct-response', status: 418 });
  });
  test('a host the gateway does not serve is a 404', () => {
    const r = explain(manifests, { gateway: true, host: 'other.example.com' });
    expect(r.hops[0]).toMatchObject({ outcome: 'not-found', status: 404 });
  });
  test('headers not listed in propagate-headers are dropped at the next hop', () => {
    const r = explain(manifests, { gateway: true, host: 'shop.example.com', path: '/api/' }, { headers: { 'x-lane': 'dev', 'x-other': '1' } });
    expect(r.hops[0].destinations[0].workloads[0].calls[0].headers).toEqual({ 'x-lane': 'dev' });
  });
});

describe('explain: ASM dynamic subsets (helloworld)', () => {
  const asm = (vs: string, dr: string) => fixture('asm/common.yaml', `asm/${vs}.yaml`, `asm/${dr}.yaml`);
  const reach = (m: any, headers: Record<string, string>, podIps?: Record<string, string[]>) =>
    explain(m, { service: 'helloworld' }, { headers, podIps }).hops[0].destinations[0];
  const names = (d: any) => d.workloads.map((w: any) => w.name);

  test('x-stage: dev + x-version: v1 reaches helloworld-dev-v1', () => {
    expect(names(reach(asm('vs-defaults', 'dr-plain'), { 'x-stage': 'dev', 'x-version': 'v1' }))).toEqual(['helloworld-dev-v1']);
  });
  test('prod/v1 with NO_FALLBACK is 503 no healthy upstream', () => {
    const d = reach(asm('vs-defaults', 'dr-no-fallback'), { 'x-stage': 'prod', 'x-version': 'v1' });
    expect(d.status).toBe(503);
    expect(d.message).toContain('no healthy upstream');
  });
  test('prod/v1 with ANY_ENDPOINT reaches any of the 5 workloads', () => {
    expect(names(reach(asm('vs-defaults', 'dr-any-endpoint'), { 'x-stage': 'prod', 'x-version': 'v1' })).sort()).toEqual(
      ['helloworld-dev-v1', 'helloworld-dev-v2', 'helloworld-dev-v3', 'helloworld-prod-v2', 'helloworld-prod-v3']);
  });
  test('prod/v1 with DEFAULT_SUBSET (prod, v3) reaches helloworld-prod-v3', () => {
    expect(names(reach(asm('vs-defaults', 'dr-default-subset'), { 'x-stage': 'prod', 'x-version': 'v1' }))).toEqual(['helloworld-prod-v3']);
  });
  test('the selector-level fallbackPolicy overrides the top-level one', () => {
    expect(names(reach(asm('vs-defaults', 'dr-selector-overrides'), { 'x-stage': 'prod', 'x-version': 'v1' }))).toEqual(['helloworld-prod-v3']);
  });
  test('no headers with defaultValues v3/prod reaches prod-v3', () => {
    expect(names(reach(asm('vs-defaults', 'dr-plain'), {}))).toEqual(['helloworld-prod-v3']);
  });
  test('a key whose header is absent and has no default does not take part in matching', () => {
    expect(names(reach(asm('vs-no-defaults', 'dr-plain'), { 'x-stage': 'prod' }))).toEqual(['helloworld-prod-v2', 'helloworld-prod-v3']);
  });
  test('%ip% selects one pod by IP: reported without pod IPs, resolved with them', () => {
    const m = asm('vs-ip', 'dr-ip');
    expect(reach(m, { 'x-ip': '192.168.0.6' }).selection).toContain('selects one pod by IP 192.168.0.6');
    expect(names(reach(m, { 'x-ip': '192.168.0.6' }, { 'helloworld-prod-v3': ['192.168.0.6', '192.168.0.104'] }))).toEqual(['helloworld-prod-v3']);
  });
  test('the sleep client follows its calls annotation into helloworld', () => {
    const r = explain(asm('vs-defaults', 'dr-plain'), { service: 'helloworld' }, { headers: { 'x-stage': 'dev', 'x-version': 'v2' } });
    expect(r.hops[0].destinations[0].workloads.map((w) => w.name)).toEqual(['helloworld-dev-v2']);
  });
});
