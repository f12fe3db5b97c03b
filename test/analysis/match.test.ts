import { RegexError, applyHeaderOperations, compileIstioRegex, firstMatchingRule, matchRequest, re2Problem } from '../../src/analysis';

describe('request matching (Istio semantics)', () => {
  const req = (headers: Record<string, string>, path = '/') => ({ headers, path });

  test('header exact / prefix / regex; header names compare case-insensitively', () => {
    expect(matchRequest({ headers: { 'x-a': { exact: 'v1' } } }, req({ 'X-A': 'v1' }))).toBe(true);
    expect(matchRequest({ headers: { 'x-a': { prefix: 'v' } } }, req({ 'x-a': 'v9' }))).toBe(true);
    expect(matchRequest({ headers: { 'x-a': { regex: 'v[0-9]' } } }, req({ 'x-a': 'v9' }))).toBe(true);
  });

  test('regex must match the whole value (anchored)', () => {
    expect(matchRequest({ headers: { 'x-a': { regex: 'v[0-9]' } } }, req({ 'x-a': 'xv9x' }))).toBe(false);
    expect(compileIstioRegex('a|b').test('ab')).toBe(false);
  });

  test('RE2-incompatible constructs are rejected with a clear message', () => {
    expect(re2Problem('(a)\\1')).toContain('backreferences');
    expect(re2Problem('a(?=b)')).toContain('lookahead');
    expect(re2Problem('(?<!a)b')).toContain('lookbehind');
    expect(re2Problem('\\d+\\.\\d+')).toBeUndefined();
    expect(() => compileIstioRegex('a(?!b)')).toThrow(RegexError);
  });

  test('a header match with an empty StringMatch means present; withoutHeaders negates', () => {
    expect(matchRequest({ headers: { 'x-a': {} } }, req({ 'x-a': '' }))).toBe(true);
    expect(matchRequest({ headers: { 'x-a': {} } }, req({}))).toBe(false);
    expect(matchRequest({ withoutHeaders: { 'x-a': { exact: 'v1' } } }, req({ 'x-a': 'v1' }))).toBe(false);
    // Envoy inverts the matcher; Istio sets treat_missing_header_as_empty on an inverted string match,
    // so a request WITHOUT the header is tested as "" (route.go TranslateRouteMatch; test/analysis/match-envoy.test.ts)
    expect(matchRequest({ withoutHeaders: { 'x-a': { exact: 'v1' } } }, req({}))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-a': { regex: '.*' } } }, req({}))).toBe(false);
    expect(matchRequest({ withoutHeaders: { 'x-a': {} } }, req({}))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-a': { regex: '*' } } }, req({}))).toBe(true);
    expect(matchRequest({ withoutHeaders: { 'x-a': {} } }, req({ 'x-a': 'anything' }))).toBe(false);
  });

  test('uri exact / prefix / regex ignore the query string; ignoreUriCase', () => {
    expect(matchRequest({ uri: { exact: '/a' } }, req({}, '/a?x=1'))).toBe(true);
    expect(matchRequest({ uri: { prefix: '/api/' } }, req({}, '/api/v1'))).toBe(true);
    expect(matchRequest({ uri: { regex: '/u/[0-9]+' } }, req({}, '/u/42'))).toBe(true);
    expect(matchRequest({ uri: { exact: '/A' }, ignoreUriCase: true }, req({}, '/a'))).toBe(true);
  });

  test('rules in order, first match wins; no match is undefined (404)', () => {
    const rules = [{ match: [{ headers: { a: { exact: '1' } } }], n: 0 }, { n: 1 }, { n: 2 }];
    expect(firstMatchingRule(rules, req({ a: '1' }))?.index).toBe(0);
    expect(firstMatchingRule(rules, req({}))?.index).toBe(1);
    expect(firstMatchingRule([rules[0]], req({}))).toBeUndefined();
  });

  test('headers.request set/add/remove are applied for the upstream request', () => {
    expect(applyHeaderOperations({ a: '1', b: '2' }, { set: { c: '3' }, add: { a: 'x' }, remove: ['b'] })).toEqual({ a: '1,x', c: '3' });
  });
});
