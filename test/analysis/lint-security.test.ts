/**
 * The security lint rules (src/analysis/lint-security.ts): one fixture per code, silence on the
 * good fixtures and on every example, and the call-graph rules on an app built with ZeroTrust and
 * ProxyScoping.
 */
import { App, Chart, Testing } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-27';
import { fixture } from './helpers';
import { GrayService, ProxyScoping, ZeroTrust } from '../../src';
import { SECURITY_LINT_RULES, lintSecurity } from '../../src/analysis/lint-security';
import { exampleNames, synthExample } from '../support/examples';

const codes = (manifests: unknown[]) => lintSecurity(manifests).map((f) => f.code);

describe('security lint', () => {
  test.each(Object.keys(SECURITY_LINT_RULES))('fixture lint/%s.yaml produces a finding with that code and the rule severity', (code) => {
    // GIVEN a fixture that breaks exactly one rule WHEN linted
    const findings = lintSecurity(fixture(`lint/${code}.yaml`));
    // THEN the code is reported with its severity, and nothing else
    expect(findings.map((f) => f.code)).toEqual([code]);
    expect(findings[0].severity).toBe(SECURITY_LINT_RULES[code].severity);
    expect(findings[0].message.length).toBeGreaterThan(20);
  });

  test.each([['full-link-gray'], ['static-lanes'], ['asm/common.yaml', 'asm/vs-defaults.yaml', 'asm/dr-default-subset.yaml']])('the good fixture %s has no security finding', (...names) => {
    expect(lintSecurity(fixture(...names))).toEqual([]);
  });

  test.each(exampleNames())('examples/%s has no security finding', (name) => {
    for (const app of synthExample(name)) expect(lintSecurity(app.objects).map((f) => `${f.code} ${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);
  });

  test('GR101 is silenced by an acknowledgement, or by any entry the client does not choose', () => {
    const base = fixture('lint/GR101.yaml');
    const withAnnotation = (annotations: Record<string, string>) => base.map((m: any) => (m.kind === 'EnvoyFilter' ? { ...m, metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, ...annotations } } } : m));
    expect(codes(withAnnotation({ 'gray-release.io/client-chosen-entry': 'developer lane, test data only' }))).toEqual([]);
    expect(codes(withAnnotation({ 'gray-release.io/entry-trust': '{"dev":["client-chosen","verified-claim"]}' }))).toEqual(['GR107']);
    expect(codes(withAnnotation({ 'gray-release.io/entry-trust': '{"dev":["client-chosen","source-address"]}' }))).toEqual([]);
  });

  test('call-graph rules on an app: an undeclared call is flagged, a declared one is allowed and routed', () => {
    // GIVEN zero trust and proxy scoping, and front configured to call cart
    const build = (declared: boolean) => {
      const c = new Chart(new App(), 'shop', { namespace: 'shop', disableResourceNameHashes: true });
      new ZeroTrust(c, 'zt');
      new ProxyScoping(c, 'scoping');
      const cart = new GrayService(c, 'cart', { image: 'example/cart:1', port: 8080 });
      new GrayService(c, 'front', { image: 'example/front:1', port: 8080, env: { CART_URL: EnvValue.fromValue('http://cart:8080') }, calls: declared ? [cart] : [] });
      return Testing.synth(c);
    };
    // WHEN the call is not declared THEN zero trust would deny it and scoping miss it: an error
    expect(codes(build(false))).toEqual(['GR104']);
    // WHEN it is declared THEN the policy allows front and the Sidecar routes to cart: no finding
    expect(codes(build(true))).toEqual([]);
  });
});
