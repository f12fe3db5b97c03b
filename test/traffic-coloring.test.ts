import { ApiObject, Chart, Testing } from 'cdk8s';
import { ColoringRule, GrayReleaseError, TrafficColoring, TrafficColoringProps, WellKnown } from '../src';
import { checkLuaSyntax } from './support/lua';

/** The seed's EnvoyFilter: `agent: pc` goes to `canary`, everything else to `base`. */
const SEED: TrafficColoringProps = {
  header: 'my-request-id',
  rules: [ColoringRule.headerEquals('agent', 'pc', 'canary')],
  defaultValue: 'base',
};

function synth(props: TrafficColoringProps): { coloring: TrafficColoring; manifest: any } {
  const chart = Testing.chart();
  const coloring = new TrafficColoring(chart, 'coloring', props);
  const manifests = Testing.synth(chart);
  expect(manifests).toHaveLength(1);
  return { coloring, manifest: manifests[0] };
}

/** Runs `build` in a fresh chart and returns the error it throws. */
function errorOf(props: Partial<TrafficColoringProps>): GrayReleaseError {
  const chart = new Chart(Testing.app(), 'shop');
  try {
    new TrafficColoring(chart, 'coloring', { ...SEED, ...props });
  } catch (e) {
    expect(e).toBeInstanceOf(GrayReleaseError);
    return e as GrayReleaseError;
  }
  throw new Error('expected TrafficColoring to throw');
}

describe('TrafficColoring manifest', () => {
  test('the seed case synthesizes one EnvoyFilter (snapshot as a review aid)', () => {
    // GIVEN the seed's coloring rule and default
    // WHEN synthesized
    const { manifest } = synth(SEED);
    // THEN the EnvoyFilter matches the reviewed snapshot
    expect(manifest).toMatchSnapshot();
  });

  test('is scoped to the ingress gateway pods in istio-system, never mesh-wide', () => {
    // GIVEN default placement
    // WHEN synthesized
    const { manifest } = synth(SEED);
    // THEN it is an EnvoyFilter in istio-system selecting the gateway
    expect(manifest.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(manifest.kind).toBe('EnvoyFilter');
    expect(manifest.metadata.namespace).toBe('istio-system');
    expect(manifest.metadata.name).toMatch(/^[a-z0-9.-]+$/);
    expect(manifest.spec.workloadSelector).toEqual({ labels: { istio: 'ingressgateway' } });
  });

  test('inserts the Lua filter before the router of the gateway HTTP connection manager', () => {
    // GIVEN the seed case
    // WHEN synthesized
    const { manifest, coloring } = synth(SEED);
    // THEN the one config patch is the seed's, with the generated script inline
    expect(manifest.spec.configPatches).toHaveLength(1);
    const patch = manifest.spec.configPatches[0];
    expect(patch.applyTo).toBe('HTTP_FILTER');
    expect(patch.match).toEqual({
      context: 'GATEWAY',
      listener: {
        filterChain: {
          filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } },
        },
      },
    });
    expect(patch.patch.operation).toBe('INSERT_BEFORE');
    expect(patch.patch.value).toEqual({
      name: 'envoy.lua',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
        'inlineCode': coloring.script,
      },
    });
  });

  test('annotates the header it sets and who decides entry into each value, for lint', () => {
    // GIVEN the seed case (a client-chosen header rule and a default)
    // WHEN synthesized
    const { manifest } = synth(SEED);
    // THEN the sets-headers annotation names the lane header, the entry-trust annotation the deciders
    expect(manifest.metadata.annotations).toEqual({
      [WellKnown.SETS_HEADERS_ANNOTATION]: 'my-request-id',
      [WellKnown.ENTRY_TRUST_ANNOTATION]: '{"base":["default"],"canary":["client-chosen"]}',
    });
  });

  test('exposes header, lane values, rules and the script it generated', () => {
    // GIVEN two rules with a repeated lane and a default
    const rules = [
      ColoringRule.headerEquals('agent', 'pc', 'canary'),
      ColoringRule.cookieEquals('lane', 'c', 'canary'),
      ColoringRule.headerPresent('x-beta', 'beta'),
    ];
    // WHEN constructed
    const { coloring } = synth({ ...SEED, rules });
    // THEN the public values describe what the filter does
    expect(coloring.header).toBe('my-request-id');
    expect(coloring.laneValues).toEqual(['canary', 'beta', 'base']);
    expect(coloring.rules).toEqual(rules);
    expect(checkLuaSyntax(coloring.script)).toEqual(['envoy_on_request', 'string']);
    expect(rules.map(String)).toEqual([
      'header agent == "pc" -> canary', 'cookie lane == "c" -> canary', 'header x-beta present -> beta',
    ]);
  });

  test('namespace, name and gateway selector can be set', () => {
    // GIVEN a gateway in its own namespace with custom labels
    // WHEN synthesized
    const { manifest } = synth({ ...SEED, namespace: 'gateways', name: 'shop-coloring', gatewaySelector: { app: 'istio-ingressgateway' } });
    // THEN the manifest uses them
    expect(manifest.metadata.namespace).toBe('gateways');
    expect(manifest.metadata.name).toBe('shop-coloring');
    expect(manifest.spec.workloadSelector).toEqual({ labels: { app: 'istio-ingressgateway' } });
  });

  test('the EnvoyFilter is the Resource child, so ApiObject.of() is the escape hatch', () => {
    // GIVEN a coloring construct
    const { coloring } = synth(SEED);
    // WHEN asking cdk8s for its API object
    // THEN it is the EnvoyFilter
    expect(ApiObject.of(coloring)).toBe(coloring.apiObject);
    expect(coloring.apiObject.kind).toBe('EnvoyFilter');
  });
});

describe('TrafficColoring validation: bad input throws naming the construct path and prop', () => {
  test.each<[string, Partial<TrafficColoringProps>, string]>([
    ['uppercase lane header', { header: 'My-Request-Id' }, 'header'],
    ['lane header with a colon', { header: ':authority' }, 'header'],
    ['lane header with a newline', { header: 'x\ny' }, 'header'],
    ['rule header with a space', { rules: [ColoringRule.headerEquals('a b', 'v', 'canary')] }, 'rules[0].header'],
    ['rule value with a newline', { rules: [ColoringRule.headerEquals('agent', 'p\nc', 'canary')] }, 'rules[0].value'],
    ['rule value with NUL', { rules: [ColoringRule.headerEquals('agent', 'p\0c', 'canary')] }, 'rules[0].value'],
    ['rule value non-ASCII', { rules: [ColoringRule.headerEquals('agent', 'pé', 'canary')] }, 'rules[0].value'],
    ['empty rule value', { rules: [ColoringRule.headerEquals('agent', '', 'canary')] }, 'rules[0].value'],
    ['rule value with a leading space', { rules: [ColoringRule.headerEquals('agent', ' pc', 'canary')] }, 'rules[0].value'],
    ['empty prefix', { rules: [ColoringRule.headerPrefix('agent', '', 'canary')] }, 'rules[0].prefix'],
    ['lane value with %', { rules: [ColoringRule.headerEquals('agent', 'pc', '%DOWNSTREAM%')] }, 'rules[0].laneValue'],
    ['lane value with a newline', { rules: [ColoringRule.headerPresent('agent', 'a\r\nx-evil: 1')] }, 'rules[0].laneValue'],
    ['lane value with spaces around', { rules: [ColoringRule.headerPresent('agent', ' canary ')] }, 'rules[0].laneValue'],
    ['cookie name with =', { rules: [ColoringRule.cookieEquals('a=b', 'v', 'canary')] }, 'rules[0].cookieName'],
    ['cookie name with ;', { rules: [ColoringRule.cookieEquals('a;b', 'v', 'canary')] }, 'rules[0].cookieName'],
    ['cookie value with ;', { rules: [ColoringRule.cookieEquals('lane', 'v; x=y', 'canary')] }, 'rules[0].value'],
    ['cookie value with a quote', { rules: [ColoringRule.cookieEquals('lane', 'v"', 'canary')] }, 'rules[0].value'],
    ['default with a quote and newline', { defaultValue: 'base"\n' }, 'defaultValue'],
    ['no rules and no default', { rules: [], defaultValue: undefined }, 'rules'],
    ['a rule on the lane header itself', { rules: [ColoringRule.headerPresent('my-request-id', 'canary')] }, 'rules[0]'],
    ['namespace not DNS-1123', { namespace: 'Istio_System' }, 'namespace'],
    ['name not DNS-1123', { name: 'Coloring!' }, 'name'],
    ['empty gateway selector', { gatewaySelector: {} }, 'gatewaySelector'],
    ['bad selector label value', { gatewaySelector: { istio: 'ingress gateway' } }, 'gatewaySelector'],
  ])('%s', (_case, props, prop) => {
    // GIVEN a prop the validators reject
    // WHEN the construct is built
    const error = errorOf(props);
    // THEN it throws a GrayReleaseError naming the construct path and the prop, with a fix
    expect(error.path).toBe('shop/coloring');
    expect(error.prop).toBe(prop);
    expect(error.message).toContain(`[shop/coloring] ${prop}:`);
    expect(error.message).toContain('Fix:');
  });

  test('a rule that is not a ColoringRule is rejected', () => {
    // GIVEN a hand-made object posing as a rule
    // WHEN the construct is built
    // THEN it throws naming rules
    expect(errorOf({ rules: [{ kind: 'HeaderEquals' } as unknown as ColoringRule] }).prop).toBe('rules');
  });

  test('nothing is synthesized from bad input', () => {
    // GIVEN a chart where construction failed
    const chart = Testing.chart();
    expect(() => new TrafficColoring(chart, 'coloring', { ...SEED, header: 'BAD' })).toThrow(GrayReleaseError);
    // WHEN synthesized
    // THEN it holds no EnvoyFilter
    expect(Testing.synth(chart)).toEqual([]);
  });
});
