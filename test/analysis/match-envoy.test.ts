import { firstMatchingRule, matchRequest } from '../../src/analysis';

/**
 * Request matching where Istio 1.23's translation (pilot/pkg/networking/core/route/route.go
 * TranslateRouteMatch) and Envoy 1.31's evaluation differ from a plain reading of the API.
 */
describe('request matching as Istio 1.23 renders it for Envoy 1.31', () => {
  const req = (headers: Record<string, string>, path = '/') => ({ headers, path });

  test('withoutHeaders with a string match: a request without the header matches (treat_missing_header_as_empty)', () => {
    expect(matchRequest({ withoutHeaders: { 'x-lane': { exact: 'canary' } } }, req({}))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-lane': { prefix: 'can' } } }, req({}))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-lane': { regex: 'c.*' } } }, req({}))).toBe(true);
    // the missing header is tested as "", which these match, so the inverted matcher fails
    expect(matchRequest({ withoutHeaders: { 'x-lane': { regex: '.*' } } }, req({}))).toBe(false);
    expect(matchRequest({ withoutHeaders: { 'x-lane': { exact: '' } } }, req({}))).toBe(false);
    // with the header present the match is simply inverted; presence ({}, regex "*") unchanged
    expect(matchRequest({ withoutHeaders: { 'x-lane': { exact: 'canary' } } }, req({ 'x-lane': 'canary' }))).toBe(false);
    expect(matchRequest({ withoutHeaders: { 'x-lane': { exact: 'canary' } } }, req({ 'x-lane': 'blue' }))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-lane': {} } }, req({}))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-lane': { regex: '*' } } }, req({ 'x-lane': 'a' }))).toBe(false);
  });

  test('a rule "not the canary lane" takes requests without the lane header, in rule order', () => {
    const rules = [
      { match: [{ withoutHeaders: { 'x-lane': { exact: 'canary' } } }], to: 'stable' },
      { to: 'canary' },
    ];
    expect(firstMatchingRule(rules, req({}))?.rule.to).toBe('stable');
    expect(firstMatchingRule(rules, req({ 'x-lane': 'canary' }))?.rule.to).toBe('canary');
  });

  test('ignoreUriCase does not apply to a uri regex (Envoy ignores case_sensitive for safe_regex)', () => {
    expect(matchRequest({ uri: { regex: '/api/.*' }, ignoreUriCase: true }, req({}, '/API/v1'))).toBe(false);
    expect(matchRequest({ uri: { regex: '/api/.*' }, ignoreUriCase: true }, req({}, '/api/v1'))).toBe(true);
    expect(matchRequest({ uri: { prefix: '/api/' }, ignoreUriCase: true }, req({}, '/API/v1'))).toBe(true);
    expect(matchRequest({ uri: { exact: '/Login' }, ignoreUriCase: true }, req({}, '/LOGIN?x=1'))).toBe(true);
  });

  test('queryParams: values are not percent-decoded, keep everything after the first "=", the first value counts', () => {
    expect(matchRequest({ queryParams: { v: { exact: 'a=b' } } }, req({}, '/?v=a=b'))).toBe(true);
    expect(matchRequest({ queryParams: { v: { exact: 'a b' } } }, req({}, '/?v=a%20b'))).toBe(false);
    expect(matchRequest({ queryParams: { v: { exact: 'a%20b' } } }, req({}, '/?v=a%20b'))).toBe(true);
    expect(matchRequest({ queryParams: { v: { exact: 'x' } } }, req({}, '/?v=x&v=y'))).toBe(true);
    expect(matchRequest({ queryParams: { v: { exact: 'y' } } }, req({}, '/?v=x&v=y'))).toBe(false);
    expect(matchRequest({ queryParams: { v: {} } }, req({}, '/?v'))).toBe(true);
    expect(matchRequest({ queryParams: { constructor: {} } }, req({}, '/?a=1'))).toBe(false);
  });

  test('a malformed percent-encoding in the path is matched as written, not an exception', () => {
    expect(() => matchRequest({ queryParams: { v: { exact: '%' } } }, req({}, '/?v=%'))).not.toThrow();
    expect(matchRequest({ queryParams: { v: { exact: '%' } } }, req({}, '/?v=%'))).toBe(true);
  });
});
