/**
 * GR015: while Kruise releases a service by header match, its canary rule (put first, built from
 * scratch by Kruise's Lua) has none of the policies of the rules it bypasses; weight mode edits
 * the match-less rule in place and keeps them. Fixture test plus the library's output.
 */
import { App, Chart, Duration, Testing } from 'cdk8s';
import { fixture } from './helpers';
import { CanaryStep, GrayService, GrayServiceProps, Release } from '../../src';
import { RELEASE_POLICY_RULE, releasePolicyFindings } from '../../src/analysis/lint-release-policy';

test('match mode: the policy of every rule to the released service is reported', () => {
  const findings = releasePolicyFindings(fixture('lint/GR015.yaml'));
  expect(findings).toHaveLength(1);
  expect(findings[0]).toMatchObject({ code: 'GR015', severity: 'warning', object: { kind: 'VirtualService', name: 'vs-reviews' } });
  expect(findings[0].message).toContain('http[0] (lane-gray): timeout; http[1] (to-v1): retries, fault; http[2] (default): timeout, destination port');
});

test('rules to other hosts and rules without policy are not reported', () => {
  const plain = fixture('lint/GR015.yaml').map((m: any) => (m.kind === 'VirtualService'
    ? { ...m, spec: { ...m.spec, http: [{ name: 'other', route: [{ destination: { host: 'ratings' } }], timeout: '1s' }, { name: 'default', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] } }
    : m));
  expect(releasePolicyFindings(plain)).toEqual([]);
});

test('weight mode keeps the match-less rule\'s policy: nothing to report', () => {
  const weighted = fixture('lint/GR015.yaml').map((m: any) => (m.kind === 'TrafficRouting' ? { ...m, spec: { ...m.spec, strategy: { weight: 20 } } } : m));
  expect(releasePolicyFindings(weighted)).toEqual([]);
});

test('the library\'s output: a service with a route policy and a header-match release is reported, a weight release is not', () => {
  const synth = (release: GrayServiceProps['release']) => {
    const c = new Chart(new App(), 'test', { disableResourceNameHashes: true });
    new GrayService(c, 'reviews', { image: 'example/r:1', port: 9080, routePolicy: { timeout: Duration.seconds(10) }, release });
    return Testing.synth(c);
  };
  const matched = releasePolicyFindings(synth({ matches: [{ name: 'x-canary', value: '1' }] }));
  expect(matched.map((f) => [f.object.name, f.message.includes('http[0] (base): timeout')])).toEqual([['vs-reviews', true]]);
  expect(releasePolicyFindings(synth(Release.canary({ steps: [CanaryStep.traffic(10, { replicas: 1 })] })))).toEqual([]);
  // A canary release by header step is match mode too.
  const stepped = releasePolicyFindings(synth(Release.canary({ steps: [CanaryStep.match([{ name: 'x-canary', value: '1' }], { replicas: 1 })] })));
  expect(stepped.map((f) => f.object.name)).toEqual(['vs-reviews']);
  expect(RELEASE_POLICY_RULE.code).toBe('GR015');
});
