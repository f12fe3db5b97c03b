import { Testing } from 'cdk8s';
import { ColoringRule, TrafficColoring, TrafficColoringProps } from '../src';
import { checkLuaSyntax, runOnRequest } from './support/lua';

const LANE = 'my-request-id';

/**
 * Builds the construct and returns its script, after checking it parses as LuaJIT and 5.1 and
 * uses no global but its entry point and the `string` library.
 */
function scriptOf(props: Partial<TrafficColoringProps>): string {
  const coloring = new TrafficColoring(Testing.chart(), 'coloring', { header: LANE, ...props });
  const globals = checkLuaSyntax(coloring.script);
  expect(globals).toContain('envoy_on_request');
  expect(globals.filter(g => g !== 'envoy_on_request' && g !== 'string')).toEqual([]);
  return coloring.script;
}

/**
 * Runs the script on `request` and asserts the only header change is `expected` for the lane
 * header (undefined: the header ends up absent), that every other header is untouched, that
 * request_handle was used only through `headers()`, and that no global leaked.
 */
function expectLane(script: string, request: Record<string, string>, expected: string | undefined): void {
  const result = runOnRequest(script, request);
  const others = { ...request };
  delete others[LANE];
  expect(result.headers).toEqual(expected === undefined ? others : { ...others, [LANE]: expected });
  for (const [op, name] of result.mutations) {
    expect([op, name]).toEqual([expect.stringMatching(/^(replace|remove)$/), LANE]);
  }
  expect(result.mutations.length).toBeLessThanOrEqual(1);
  expect(result.calls.filter(c => c[0] === 'headers')).toHaveLength(1);
  expect(result.calls.every(c => ['headers', 'get', 'replace', 'remove'].includes(c[0]))).toBe(true);
  // Envoy 1.31 chooses the route again after any header change: a lane that changed was re-routed
  if (result.headers[LANE] !== request[LANE]) expect(result.routeCacheCleared).toBe(true);
  expect(result.leakedGlobals).toEqual([]);
}

describe('seed case: agent=pc -> canary, else base', () => {
  const script = scriptOf({ rules: [ColoringRule.headerEquals('agent', 'pc', 'canary')], defaultValue: 'base' });

  test('a matching request is colored canary with exactly one replace', () => {
    // GIVEN agent: pc
    // WHEN the script runs
    const result = runOnRequest(script, { agent: 'pc', host: 'shop' });
    // THEN the only change is replace(my-request-id, canary)
    expect(result.mutations).toEqual([['replace', LANE, 'canary']]);
    expect(result.headers).toEqual({ 'agent': 'pc', 'host': 'shop', 'my-request-id': 'canary' });
    expect(result.calls).toEqual([['headers'], ['get', 'agent'], ['replace', LANE, 'canary']]);
  });

  test('the script calls no clearRouteCache(): Envoy 1.31 has none, and re-routes after the replace by itself', () => {
    // GIVEN the mock of Envoy 1.31's request_handle, which raises on any method it lacks
    // WHEN the script colors a request
    const result = runOnRequest(script, { agent: 'pc' });
    // THEN only headers() and header methods were used, and the header change cleared the route cache
    expect(result.calls.map(c => c[0])).toEqual(['headers', 'get', 'replace']);
    expect(result.routeCacheCleared).toBe(true);
    expect(script).not.toContain('clearRouteCache');
  });

  test('another value, and an absent header, get the default', () => {
    // GIVEN agent: mobile, agent with different case, and no agent at all
    // WHEN the script runs
    // THEN each is colored base (comparison is exact and case-sensitive)
    expectLane(script, { agent: 'mobile' }, 'base');
    expectLane(script, { agent: 'PC' }, 'base');
    expectLane(script, {}, 'base');
  });

  test('a spoofed lane header is replaced, not appended to (the seed used headers:add)', () => {
    // GIVEN a client that sends my-request-id: canary itself
    // WHEN the script runs
    // THEN the lane is the rules' choice and the client's value is gone
    expectLane(script, { [LANE]: 'canary' }, 'base');
    expectLane(script, { [LANE]: 'canary', agent: 'pc' }, 'canary');
    expect(runOnRequest(script, { [LANE]: 'x' }).mutations).toEqual([['replace', LANE, 'base']]);
  });
});

describe('rule kinds', () => {
  test('headerPrefix matches a plain-text prefix', () => {
    // GIVEN a prefix made of Lua pattern characters
    const script = scriptOf({ rules: [ColoringRule.headerPrefix('user-agent', 'Mo.z%[a-', 'mobile')], defaultValue: 'base' });
    // WHEN requests run
    // THEN only a literal prefix matches
    expectLane(script, { 'user-agent': 'Mo.z%[a-/5.0' }, 'mobile');
    expectLane(script, { 'user-agent': 'Mo.z%[a-' }, 'mobile');
    expectLane(script, { 'user-agent': 'Moaz%[a-/5.0' }, 'base');
    expectLane(script, { 'user-agent': 'Mo.z' }, 'base');
    expectLane(script, { 'user-agent': 'xMo.z%[a-' }, 'base');
    expectLane(script, {}, 'base');
  });

  test('headerPresent matches any value, even an empty one', () => {
    // GIVEN a presence rule
    const script = scriptOf({ rules: [ColoringRule.headerPresent('x-beta', 'beta')], defaultValue: 'base' });
    // WHEN requests run
    // THEN presence, not value, decides
    expectLane(script, { 'x-beta': 'anything' }, 'beta');
    expectLane(script, { 'x-beta': '' }, 'beta');
    expectLane(script, { 'x-other': '1' }, 'base');
  });

  test('cookieEquals splits on ";", trims spaces, compares the name exactly', () => {
    // GIVEN a cookie rule
    const script = scriptOf({ rules: [ColoringRule.cookieEquals('lane', 'gray', 'canary')], defaultValue: 'base' });
    // WHEN requests with various cookie headers run
    // THEN only a cookie named exactly "lane" with value "gray" matches
    expectLane(script, { cookie: 'lane=gray' }, 'canary');
    expectLane(script, { cookie: 'a=1;  lane = gray ;b=2' }, 'canary');
    expectLane(script, { cookie: 'a=1;\tlane=gray' }, 'canary');
    expectLane(script, { cookie: 'a=b=c; lane=gray' }, 'canary');
    expectLane(script, { cookie: 'Lane=gray' }, 'base');
    expectLane(script, { cookie: 'xlane=gray; lanex=gray' }, 'base');
    expectLane(script, { cookie: 'lane=grayish' }, 'base');
    expectLane(script, { cookie: 'lane' }, 'base');
    expectLane(script, { cookie: ';;;' }, 'base');
    expectLane(script, { cookie: '' }, 'base');
    expectLane(script, { 'x-lane': 'gray' }, 'base');
  });

  test('the first of several same-named cookies decides', () => {
    // GIVEN two cookies named lane (browsers send the most specific path first)
    const script = scriptOf({ rules: [ColoringRule.cookieEquals('lane', 'gray', 'canary')], defaultValue: 'base' });
    // WHEN the script runs
    // THEN the first one is compared
    expectLane(script, { cookie: 'lane=gray; lane=blue' }, 'canary');
    expectLane(script, { cookie: 'lane=blue; lane=gray' }, 'base');
  });

  test('cookie names with pattern characters are compared literally', () => {
    // GIVEN a cookie name made of token characters that are Lua magic
    const script = scriptOf({ rules: [ColoringRule.cookieEquals('a.b-c*%', 'v.%', 'canary')], defaultValue: 'base' });
    // WHEN requests run
    // THEN only the literal name and value match
    expectLane(script, { cookie: 'a.b-c*%=v.%' }, 'canary');
    expectLane(script, { cookie: 'aXb-c*%=v.%' }, 'base');
    expectLane(script, { cookie: 'a.b-c*%=vX%' }, 'base');
  });
});

describe('ordering and defaults', () => {
  const rules = [
    ColoringRule.headerEquals('agent', 'pc', 'canary'),
    ColoringRule.cookieEquals('lane', 'beta', 'beta'),
    ColoringRule.headerPresent('agent', 'other'),
  ];

  test('the first matching rule wins', () => {
    // GIVEN overlapping rules
    const script = scriptOf({ rules, defaultValue: 'base' });
    // WHEN a request matches several rules
    // THEN the earliest one decides
    expectLane(script, { agent: 'pc', cookie: 'lane=beta' }, 'canary');
    expectLane(script, { agent: 'mac', cookie: 'lane=beta' }, 'beta');
    expectLane(script, { agent: 'mac' }, 'other');
    expectLane(script, {}, 'base');
  });

  test('a default alone colors every request', () => {
    // GIVEN no rules, only a default
    const script = scriptOf({ defaultValue: 'base' });
    // WHEN the script runs
    // THEN every request gets the default, even one that claims a lane
    expectLane(script, {}, 'base');
    expectLane(script, { [LANE]: 'canary' }, 'base');
  });

  test('without a default, an unmatched request leaves with no lane header (a spoofed one is removed)', () => {
    // GIVEN rules and no default
    const script = scriptOf({ rules });
    // WHEN nothing matches
    // THEN the lane header is removed, not left as the client sent it
    expectLane(script, {}, undefined);
    expectLane(script, { [LANE]: 'canary' }, undefined);
    expect(runOnRequest(script, { [LANE]: 'canary' }).mutations).toEqual([['remove', LANE]]);
    expectLane(script, { agent: 'pc' }, 'canary');
  });
});

describe('trustClientHeader', () => {
  const rules = [ColoringRule.headerEquals('agent', 'pc', 'canary')];

  test('keeps a lane the client sent, and makes no change at all', () => {
    // GIVEN a trusted upstream that may color requests itself
    const script = scriptOf({ rules, defaultValue: 'base', trustClientHeader: true });
    // WHEN a request already carries a lane
    const result = runOnRequest(script, { [LANE]: 'beta', agent: 'pc' });
    // THEN it is kept and nothing is written
    expect(result.mutations).toEqual([]);
    expect(result.headers[LANE]).toBe('beta');
  });

  test('still colors requests without a lane', () => {
    // GIVEN trust, with and without a default
    const withDefault = scriptOf({ rules, defaultValue: 'base', trustClientHeader: true });
    const withoutDefault = scriptOf({ rules, trustClientHeader: true });
    // WHEN requests without the lane header run
    // THEN the rules and default apply; without a default nothing is written
    expectLane(withDefault, { agent: 'pc' }, 'canary');
    expectLane(withDefault, {}, 'base');
    expectLane(withoutDefault, {}, undefined);
    expect(runOnRequest(withoutDefault, {}).mutations).toEqual([]);
  });
});

describe('hostile values', () => {
  const nasty = ['"', '\\', ']]', '[[', '--', '.-*%[', '%s', '%', '"); os.exit(); --', "'", '\\n', '$^()+?'];

  test.each(nasty.map(v => [v]))('rule value %j parses and matches only itself', (value) => {
    // GIVEN a rule whose value is full of Lua syntax and pattern characters
    const script = scriptOf({
      rules: [ColoringRule.headerEquals('x-v', `a${value}b`, 'canary'), ColoringRule.headerPrefix('x-p', value, 'beta')],
      defaultValue: 'base',
    });
    // WHEN requests run
    // THEN the exact value and the literal prefix match, near misses do not
    expectLane(script, { 'x-v': `a${value}b` }, 'canary');
    expectLane(script, { 'x-v': `a${value}bb` }, 'base');
    expectLane(script, { 'x-v': 'ab' }, 'base');
    expectLane(script, { 'x-p': `${value}tail` }, 'beta');
    expectLane(script, { 'x-p': `x${value}` }, 'base');
  });

  test('hostile request values (control characters, non-ASCII, quotes, patterns) do not break the script', () => {
    // GIVEN every rule kind
    const script = scriptOf({
      rules: [
        ColoringRule.headerEquals('agent', 'pc', 'canary'),
        ColoringRule.headerPrefix('ua', 'Mo', 'mobile'),
        ColoringRule.cookieEquals('lane', 'gray', 'gray'),
      ],
      defaultValue: 'base',
    });
    // WHEN requests carry hostile values
    // THEN the script runs and falls through to the default
    for (const value of ['pc\n', 'p\0c', 'pé', '日本', '"]]--', '%', '.-*%[', '\\', 'lane=gray\n', '']) {
      expectLane(script, { agent: value, ua: `x${value}`, cookie: `l${value}=1; lane=${value}x` }, 'base');
    }
  });
});
