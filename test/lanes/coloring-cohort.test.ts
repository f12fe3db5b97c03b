/**
 * Sticky cohorts, in the Lua VM: the script's hash is exactly 32-bit FNV-1a (checked against the
 * published vectors and an independent implementation), one user key always lands in the same
 * lane (across calls, request order and gateway pods), and 10,000 keys land within ±1.5 points
 * of the target share.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ColoringRule, TrafficColoring, UserKey } from '../../src';
import { fnv1aFunction, xor8Functions } from '../../src/model/lanes/script-identity';
import { renderLua } from '../../src/model/lua';
import { fnv1a32, randomUserId, seededRandom } from '../support/identity';
import { checkLuaSyntax, evalLuaString, laneAfterEach } from '../support/lua';

const LANE = 'x-lane';
const KEYS = 10000;
const TOLERANCE_POINTS = 1.5;

/** The script of a coloring with `rules`, checked to parse as LuaJIT and Lua 5.1 first. */
function scriptOf(rules: ColoringRule[]): string {
  const script = new TrafficColoring(new Chart(Testing.app(), 'shop'), 'coloring', { header: LANE, rules }).script;
  checkLuaSyntax(script);
  return script;
}

/** The share (in percent) of `lanes` equal to `lane`. */
const shareOf = (lanes: readonly string[], lane: string) => (100 * lanes.filter((l) => l === lane).length) / lanes.length;

const sequentialKeys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const next = seededRandom(20250101);
const randomKeys = Array.from({ length: KEYS }, () => randomUserId(next));

describe('the hash is 32-bit FNV-1a, computed with Lua 5.1 arithmetic only', () => {
  const hashIn = (text: string) => Number(evalLuaString(`(function() ${renderLua([...xor8Functions(), fnv1aFunction()])} return string.format("%.0f", fnv1a(${JSON.stringify(text)})) end)()`));

  test('published test vectors', () => {
    // GIVEN the FNV-1a 32 vectors ("" , "a", "foobar")
    // WHEN hashed by the generated Lua
    // THEN the values are the published ones
    expect(hashIn('')).toBe(0x811c9dc5);
    expect(hashIn('a')).toBe(0xe40c292c);
    expect(hashIn('foobar')).toBe(0xbf9cf968);
  });

  test('property: equals an independent Math.imul implementation on any printable key (numRuns 200)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.char(), maxLength: 40 }).filter((t) => !t.includes('"') && !t.includes('\\')), (text) => {
      expect(hashIn(text)).toBe(fnv1a32(text));
    }), { numRuns: 200 });
  });
});

describe('stickiness: a user stays in one lane', () => {
  const script = scriptOf([ColoringRule.cohort(UserKey.clientCookie('uid'), 10, 'canary')]);
  const requests = sequentialKeys.slice(0, 1000).map((k) => ({ cookie: `theme=dark; uid=${k}` }));

  test('the same key gives the same lane on every call, in any order, on every gateway pod (fresh Lua state)', () => {
    // GIVEN 1,000 users, each sending 3 requests, interleaved, on one worker
    const once = laneAfterEach(script, LANE, requests);
    const repeated = laneAfterEach(script, LANE, [...requests, ...requests.slice().reverse(), ...requests]);
    // WHEN another gateway pod (a fresh Lua state) sees them in another order
    const otherPod = laneAfterEach(script, LANE, requests.slice().reverse()).reverse();
    // THEN every user's lane is the same everywhere
    expect(repeated).toEqual([...once, ...once.slice().reverse(), ...once]);
    expect(otherPod).toEqual(once);
    expect(once.filter((l) => l === 'canary').length).toBeGreaterThan(0);
  });

  test('a request without the key is never in the cohort', () => {
    expect(laneAfterEach(script, LANE, [{}, { cookie: 'uid=' }, { cookie: 'other=1' }])).toEqual(['', '', '']);
  });
});

describe('share: 10,000 keys land within ±1.5 points of the target', () => {
  test.each([
    ['sequential ids', 10, sequentialKeys],
    ['random uuids', 10, randomKeys],
  ])('%s at %d%%, in the Lua VM', (_label, percent, keys) => {
    // GIVEN a cohort of `percent` on a header key
    const script = scriptOf([ColoringRule.cohort(UserKey.clientHeader('x-user-id'), percent, 'canary')]);
    // WHEN 10,000 users send a request
    const lanes = laneAfterEach(script, LANE, keys.map((k) => ({ 'x-user-id': k })));
    // THEN each user is in the cohort exactly when FNV-1a(key) mod 10000 is below the share in basis points
    expect(lanes).toEqual(keys.map((k) => (fnv1a32(k) % 10000 < percent * 100 ? 'canary' : '')));
    // AND the share is within the tolerance
    expect(Math.abs(shareOf(lanes, 'canary') - percent)).toBeLessThanOrEqual(TOLERANCE_POINTS);
  });

  test.each([[1], [2.5], [25], [50], [90]])('at %d%%: the hash the script uses spreads 10,000 keys within the tolerance', (percent) => {
    // GIVEN the script's hash (equal to FNV-1a, tested above and on 1,000 keys here)
    const script = scriptOf([ColoringRule.cohort(UserKey.clientHeader('x-user-id'), percent, 'canary')]);
    const sample = randomKeys.slice(0, 1000);
    expect(laneAfterEach(script, LANE, sample.map((k) => ({ 'x-user-id': k })))).toEqual(sample.map((k) => (fnv1a32(k) % 10000 < percent * 100 ? 'canary' : '')));
    // WHEN 10,000 sequential and random keys are bucketed
    for (const keys of [sequentialKeys, randomKeys]) {
      const inCohort = keys.filter((k) => fnv1a32(k) % 10000 < percent * 100).length;
      // THEN the share is within the tolerance
      expect(Math.abs((100 * inCohort) / KEYS - percent)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    }
  });

  test('two cohorts on one key stack: disjoint users, each within the tolerance', () => {
    // GIVEN 10% canary and 5% beta on the same key
    const script = scriptOf([
      ColoringRule.cohort(UserKey.clientHeader('x-user-id'), 10, 'canary'),
      ColoringRule.cohort(UserKey.clientHeader('x-user-id'), 5, 'beta'),
    ]);
    // WHEN 10,000 users send a request
    const lanes = laneAfterEach(script, LANE, randomKeys.map((k) => ({ 'x-user-id': k })));
    // THEN beta takes the next 5% of the hash range, not a share of the remaining 90%
    expect(Math.abs(shareOf(lanes, 'canary') - 10)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    expect(Math.abs(shareOf(lanes, 'beta') - 5)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    randomKeys.forEach((k, i) => {
      const bucket = fnv1a32(k) % 10000;
      expect(lanes[i]).toBe(bucket < 1000 ? 'canary' : bucket < 1500 ? 'beta' : '');
    });
  });

  test('a salt draws an independent cohort on the same key', () => {
    // GIVEN two 10% cohorts, one salted, in two colorings
    const keys = randomKeys.slice(0, 4000);
    const plain = laneAfterEach(scriptOf([ColoringRule.cohort(UserKey.clientHeader('x-user-id'), 10, 'a')]), LANE, keys.map((k) => ({ 'x-user-id': k })));
    const salted = laneAfterEach(scriptOf([ColoringRule.cohort(UserKey.clientHeader('x-user-id'), 10, 'a', { salt: 'checkout-2025' })]), LANE, keys.map((k) => ({ 'x-user-id': k })));
    // WHEN their members are compared
    const both = plain.filter((l, i) => l === 'a' && salted[i] === 'a').length;
    // THEN each is about 10% and they overlap about as independent draws would (1%)
    expect(Math.abs(shareOf(salted, 'a') - 10)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    expect(salted).toEqual(keys.map((k) => (fnv1a32(`checkout-2025${k}`) % 10000 < 1000 ? 'a' : '')));
    expect((100 * both) / keys.length).toBeLessThan(2.5);
  });
});
