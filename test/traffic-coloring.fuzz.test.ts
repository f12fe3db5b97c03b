import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ColoringRule, ColoringRuleKind, GrayReleaseError, TrafficColoring } from '../src';
import { checkLuaSyntax, runOnRequest } from './support/lua';

/** Runs per property; each run synthesizes a construct and runs its script 3 times. */
const NUM_RUNS = 200;

// ---- generators -------------------------------------------------------------------------

const token = fc.stringMatching(/^[a-z0-9][-_a-z0-9]{0,11}$/);
const hostile = fc.constantFrom('"', '\\', ']]', '[[', '%', '%s', '.-*%[', '\n', '\r', '\0', 'é', '日', '', ' ', ' x', 'x ', 'A', ';', '=', ',');
/** Header names: mostly valid tokens, some shared names, some anything at all. */
const headerName = fc.oneof(
  { weight: 4, arbitrary: token },
  { weight: 3, arbitrary: fc.constantFrom('agent', 'cookie', 'my-request-id', 'x-lane') },
  { weight: 1, arbitrary: fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 8 }), token.map(s => s.toUpperCase() + 'X')) },
);
const printable = fc.string({ unit: fc.char(), minLength: 1, maxLength: 12 });
/** Values: mostly printable ASCII (with Lua syntax and pattern characters), some hostile. */
const value = fc.oneof(
  { weight: 5, arbitrary: printable },
  { weight: 2, arbitrary: fc.tuple(printable, hostile, printable).map(([a, b, c]) => a + b + c) },
  { weight: 1, arbitrary: fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 8 })) },
);
const laneValue = fc.oneof(fc.constantFrom('canary', 'base', 'beta'), value);
const rule = fc.oneof(
  fc.tuple(headerName, value, laneValue).map(([h, v, l]) => ColoringRule.headerEquals(h, v, l)),
  fc.tuple(headerName, value, laneValue).map(([h, v, l]) => ColoringRule.headerPrefix(h, v, l)),
  fc.tuple(headerName, laneValue).map(([h, l]) => ColoringRule.headerPresent(h, l)),
  fc.tuple(fc.oneof(token, headerName), value, laneValue).map(([c, v, l]) => ColoringRule.cookieEquals(c, v, l)),
);
const props = fc.record({
  header: fc.oneof({ weight: 5, arbitrary: fc.constant('my-request-id') }, { weight: 1, arbitrary: headerName }),
  rules: fc.array(rule, { maxLength: 4 }),
  defaultValue: fc.option(laneValue, { nil: undefined }),
  trustClientHeader: fc.boolean(),
});

/** A request biased towards the rules: their exact values, prefixes plus a tail, near misses. */
function requestFor(rules: readonly ColoringRule[], lane: string): fc.Arbitrary<Record<string, string>> {
  const entry = (r: ColoringRule): fc.Arbitrary<[string, string]> => {
    const v = r.value ?? 'x';
    const candidates = fc.oneof(fc.constant(v), fc.constant(v + 'tail'), fc.constant(v.slice(1)), value);
    if (r.kind !== ColoringRuleKind.COOKIE_EQUALS) return candidates.map(c => [r.key!.toLowerCase(), c]);
    return fc.tuple(candidates, fc.constantFrom('', ' ', '\t'), fc.constantFrom('a=1; ', '', 'x; ')).map(
      ([c, pad, before]) => ['cookie', `${before}${pad}${r.key}${pad}=${pad}${c}${pad}`]);
  };
  return fc.tuple(
    fc.array(fc.oneof(...(rules.length > 0 ? rules.map(entry) : [fc.constant<[string, string]>(['host', 'shop'])])), { maxLength: 4 }),
    fc.option(fc.oneof(fc.constant('canary'), value), { nil: undefined }),
  ).map(([entries, spoof]) => {
    const request: Record<string, string> = Object.fromEntries(entries);
    if (spoof !== undefined) request[lane.toLowerCase()] = spoof;
    return request;
  });
}

// ---- the reference model: what the script must do, written independently in JS ------------

function trim(s: string): string {
  return s.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
}

function cookie(request: Record<string, string>, name: string): string | undefined {
  for (const part of (request.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && trim(part.slice(0, eq)) === name) return trim(part.slice(eq + 1));
  }
  return undefined;
}

function matches(r: ColoringRule, request: Record<string, string>): boolean {
  const got = request[r.key!];
  switch (r.kind) {
    case ColoringRuleKind.HEADER_EQUALS: return got === r.value;
    case ColoringRuleKind.HEADER_PREFIX: return got !== undefined && got.startsWith(r.value!);
    case ColoringRuleKind.HEADER_PRESENT: return got !== undefined;
    case ColoringRuleKind.COOKIE_EQUALS: return cookie(request, r.key!) === r.value;
    default: throw new Error(`the fuzz model does not cover ${r.kind}`);
  }
}

interface FuzzProps {
  readonly header: string;
  readonly rules: ColoringRule[];
  readonly defaultValue?: string;
  readonly trustClientHeader: boolean;
}

/** The lane header after the script: a value, or undefined for absent. */
function expectedLane(p: FuzzProps, request: Record<string, string>): string | undefined {
  if (p.trustClientHeader && request[p.header] !== undefined) return request[p.header];
  return p.rules.find(r => matches(r, request))?.laneValue ?? p.defaultValue;
}

// ---- properties ----------------------------------------------------------------------------

describe(`TrafficColoring fuzz (fast-check, numRuns ${NUM_RUNS} per property)`, () => {
  test('any props: a clear GrayReleaseError, or a script that parses and sets exactly the expected lane', () => {
    let built = 0;
    // GIVEN arbitrary header names, values, rules and options (many invalid)
    const cases = props.chain(p => fc.tuple(fc.constant(p), fc.array(requestFor(p.rules, p.header), { minLength: 3, maxLength: 3 })));
    fc.assert(fc.property(cases, ([p, requests]) => {
      // WHEN the construct is built
      let coloring: TrafficColoring;
      try {
        coloring = new TrafficColoring(new Chart(Testing.app(), 'fuzz'), 'coloring', p);
      } catch (e) {
        // THEN either it throws a GrayReleaseError naming the construct path and a prop
        expect(e).toBeInstanceOf(GrayReleaseError);
        expect((e as GrayReleaseError).message).toMatch(/^\[fuzz\/coloring\] (header|rules|defaultValue)[^:]*: .+ Fix: .+/s);
        return;
      }
      built++;
      // OR the script parses as LuaJIT and 5.1 and uses no other global
      const globals = checkLuaSyntax(coloring.script);
      expect(globals.filter(g => g !== 'envoy_on_request' && g !== 'string')).toEqual([]);
      // AND on each request the lane header is exactly the model's, and nothing else changed
      for (const request of requests) {
        const result = runOnRequest(coloring.script, request);
        const want = expectedLane(p, request);
        const others = { ...request };
        delete others[p.header];
        expect(result.headers).toEqual(want === undefined ? others : { ...others, [p.header]: want });
        expect(result.mutations.every(m => m[1] === p.header && m[0] !== 'add')).toBe(true);
        expect(result.leakedGlobals).toEqual([]);
      }
    }), { numRuns: NUM_RUNS });
    // The property is not vacuous: a good share of the inputs were valid.
    expect(built).toBeGreaterThan(NUM_RUNS / 10);
  });

  test('valid props never throw, and the spoofed lane header is replaced unless trusted', () => {
    // GIVEN props built only from valid pieces
    const validValue = fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/);
    const validLane = validValue.filter(v => !v.includes('%') && !v.includes(','));
    const cookieValue = fc.stringMatching(/^[!#-+\--:<-[\]-~]{1,10}$/);
    const validRule = fc.oneof(
      fc.tuple(token, validValue, validLane).map(([h, v, l]) => ColoringRule.headerEquals(h, v, l)),
      fc.tuple(token, validValue, validLane).map(([h, v, l]) => ColoringRule.headerPrefix(h, v, l)),
      fc.tuple(token, validLane).map(([h, l]) => ColoringRule.headerPresent(h, l)),
      fc.tuple(fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/), cookieValue, validLane).map(([c, v, l]) => ColoringRule.cookieEquals(c, v, l)),
    );
    const validProps = fc.record({
      header: fc.constant('lane-x'),
      rules: fc.array(validRule, { minLength: 1, maxLength: 4 }),
      defaultValue: fc.option(validLane, { nil: undefined }),
      trustClientHeader: fc.boolean(),
    });
    fc.assert(fc.property(validProps.chain(p => fc.tuple(fc.constant(p), requestFor(p.rules, p.header), fc.constantFrom('canary', 'spoof'))), ([p, request, spoof]) => {
      // WHEN built and run on a request that claims a lane
      const coloring = new TrafficColoring(Testing.chart(), 'coloring', p);
      checkLuaSyntax(coloring.script);
      const claimed = { ...request, 'lane-x': spoof };
      const result = runOnRequest(coloring.script, claimed);
      // THEN the client's claim survives only when trusted
      expect(result.headers['lane-x']).toBe(expectedLane(p, claimed));
      if (!p.trustClientHeader) {
        expect(result.headers['lane-x']).toBe(expectedLane(p, request));
      }
    }), { numRuns: NUM_RUNS });
  });
});
