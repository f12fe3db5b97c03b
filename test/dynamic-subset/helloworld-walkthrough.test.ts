/**
 * The seed's walkthrough, end to end: the example app is synthesized for both targets, and for
 * each set-up the document's requests are evaluated against the synthesized objects only.
 * The answers must equal the document's expected outputs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { build } from '../../examples/dynamic-subset/main';
import { Outcome, Pod, evalAsm, evalIstio, podsOf } from '../support/route-eval';

/** The pod IPs of the document's table (步骤二). */
const DOC_IPS: Record<string, string> = {
  'helloworld-dev-v1-0': '192.168.0.5',
  'helloworld-dev-v2-0': '192.168.0.1',
  'helloworld-dev-v3-0': '192.168.0.252',
  'helloworld-prod-v2-0': '192.168.0.103',
  'helloworld-prod-v3-0': '192.168.0.104',
  'helloworld-prod-v3-1': '192.168.0.6',
};

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dynsub-'));
for (const app of build(outdir)) app.synth();
/** The objects of one synthesized file. */
const read = (target: string, file: string): any[] =>
  YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, target, file), 'utf8')).map((d) => d.toJS()).filter((o) => o);

/** What http-echo answers from each pod a request may reach (the document's text). */
function answers(outcome: Outcome, pods: Pod[]): string[] {
  if (!('pods' in outcome)) return outcome.status === 503 ? ['no healthy upstream'] : [`HTTP ${outcome.status}`];
  return outcome.pods.map((name) => {
    const pod = pods.find((p) => p.name === name)!;
    return `Welcome to helloworld stage: ${pod.labels.stage}, version: ${pod.labels.version}, ip: ${pod.ip}`;
  });
}

function routeOf(target: 'asm' | 'istio', setup: string) {
  const app = read(target, 'app.k8s.yaml');
  const objects = read(target, `${setup}.k8s.yaml`);
  const dr = objects.find((o) => o.kind === 'DestinationRule');
  const vs = objects.find((o) => o.kind === 'VirtualService');
  const pods = podsOf(app, 'helloworld', DOC_IPS);
  const evaluate = target === 'asm' ? evalAsm : evalIstio;
  return { dr, vs, pods, ask: (headers: Record<string, string>) => answers(evaluate(dr, vs, pods, headers), pods) };
}

const DEV_V1 = { 'x-stage': 'dev', 'x-version': 'v1' };
const PROD_V1 = { 'x-stage': 'prod', 'x-version': 'v1' };
const X_IP = { 'x-ip': '192.168.0.6' };
const PROD_V3_ANSWERS = [
  'Welcome to helloworld stage: prod, version: v3, ip: 192.168.0.104',
  'Welcome to helloworld stage: prod, version: v3, ip: 192.168.0.6',
];
const ALL_ANSWERS = Object.entries(DOC_IPS).map(([name, ip]) => {
  const [, stage, version] = name.split('-');
  return `Welcome to helloworld stage: ${stage}, version: ${version}, ip: ${ip}`;
}).sort();

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test('the example writes the app and one file per set-up for each target (%ip% for ASM only)', () => {
  // GIVEN the synthesized example  THEN each target folder holds the expected files
  expect(fs.readdirSync(path.join(outdir, 'asm')).sort()).toEqual(
    ['any-endpoint', 'app', 'default-subset', 'no-fallback', 'plain', 'pod-ip'].map((f) => `${f}.k8s.yaml`));
  expect(fs.readdirSync(path.join(outdir, 'istio')).sort()).toEqual(
    ['any-endpoint', 'app', 'default-subset', 'no-fallback', 'plain'].map((f) => `${f}.k8s.yaml`));
});

describe.each(['asm', 'istio'] as const)('%s target', (target) => {
  test.each(['plain', 'no-fallback', 'any-endpoint', 'default-subset'])('%s: x-stage dev + x-version v1 reaches only dev-v1 (步骤二)', (setup) => {
    // GIVEN the set-up  WHEN the document's request for dev/v1 is sent
    const answer = routeOf(target, setup).ask(DEV_V1);
    // THEN only the dev v1 pod answers, with the document's text
    expect(answer).toEqual(['Welcome to helloworld stage: dev, version: v1, ip: 192.168.0.5']);
  });

  test.each(['plain', 'no-fallback'])('%s: prod + v1 (a group that does not exist) fails with no healthy upstream', (setup) => {
    // GIVEN no prod v1 workload  WHEN prod/v1 is requested  THEN 503, never a neighbouring group
    expect(routeOf(target, setup).ask(PROD_V1)).toEqual(['no healthy upstream']);
  });

  test('any-endpoint: prod + v1 may reach any helloworld pod (the document saw dev v2)', () => {
    // GIVEN ANY_ENDPOINT  WHEN prod/v1 is requested
    const answer = routeOf(target, 'any-endpoint').ask(PROD_V1);
    // THEN every pod of the service is a possible answer, including the document's
    expect(answer.sort()).toEqual(ALL_ANSWERS);
    expect(answer).toContain('Welcome to helloworld stage: dev, version: v2, ip: 192.168.0.1');
  });

  test('default-subset: prod + v1 falls back to prod v3, whose two pods the document saw', () => {
    // GIVEN DEFAULT_SUBSET with prod/v3  WHEN prod/v1 is requested  THEN both prod-v3 pods answer
    expect(routeOf(target, 'default-subset').ask(PROD_V1)).toEqual(PROD_V3_ANSWERS);
  });

  test.each(['plain', 'no-fallback', 'any-endpoint', 'default-subset'])('%s: no headers (and an unmapped x-ip) take the defaults prod/v3', (setup) => {
    // GIVEN defaultValue v3 for x-version and prod for x-stage  WHEN no mapped header is sent
    const route = routeOf(target, setup);
    // THEN the group (prod, v3) answers
    expect(route.ask({})).toEqual(PROD_V3_ANSWERS);
    expect(route.ask(X_IP)).toEqual(PROD_V3_ANSWERS);
  });

  test.each(['plain', 'no-fallback', 'any-endpoint', 'default-subset'])('%s: one header present, the other defaulted', (setup) => {
    // GIVEN the defaults  WHEN only x-stage: dev is sent  THEN (dev, v3) answers
    const route = routeOf(target, setup);
    expect(route.ask({ 'x-stage': 'dev' })).toEqual(['Welcome to helloworld stage: dev, version: v3, ip: 192.168.0.252']);
    // AND WHEN only x-stage: prod is sent  THEN (prod, v3): the document's ANY_ENDPOINT page shows
    // prod v2 for this request, which contradicts its own defaultValue v3 (see the example README)
    expect(route.ask({ 'x-stage': 'prod' })).toEqual(PROD_V3_ANSWERS);
  });
});

describe('%ip% (ASM only, 步骤四)', () => {
  test('x-ip: 192.168.0.6 always reaches that one pod', () => {
    // GIVEN the %ip% selector  WHEN the document's request is sent  THEN only 192.168.0.6 answers
    expect(routeOf('asm', 'pod-ip').ask(X_IP)).toEqual(['Welcome to helloworld stage: prod, version: v3, ip: 192.168.0.6']);
  });

  test('requests without x-ip take the top-level fallback, NO_FALLBACK by default (not in the document)', () => {
    // GIVEN no fallback policy  WHEN x-ip is absent or names no pod  THEN 503
    const route = routeOf('asm', 'pod-ip');
    expect(route.ask({})).toEqual(['no healthy upstream']);
    expect(route.ask(DEV_V1)).toEqual(['no healthy upstream']);
    expect(route.ask({ 'x-ip': '10.9.9.9' })).toEqual(['no healthy upstream']);
  });
});

describe('Istio expansion size', () => {
  test.each([
    ['plain', 'directResponse'],
    ['no-fallback', 'directResponse'],
    ['any-endpoint', 'route'],
    ['default-subset', 'route'],
  ])('%s: 5 subsets and 6 rules (one per existing group + the fallback), 10 match blocks', (setup, lastKind) => {
    // GIVEN the example's 5 groups (of 2 stages × 3 versions = 6 combinations)
    const { dr, vs } = routeOf('istio', setup);
    // THEN one subset per existing group, one rule per group and one fallback rule
    expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['dev-v1', 'dev-v2', 'dev-v3', 'prod-v2', 'prod-v3']);
    expect(vs.spec.http).toHaveLength(6);
    // AND the match blocks grow with the defaults a group's values equal (1+1+2+2+4), not with value products
    expect(vs.spec.http.slice(0, 5).map((r: any) => r.match.length)).toEqual([1, 1, 2, 2, 4]);
    // AND the last rule is the catch-all implementing the fallback
    const last = vs.spec.http[5];
    expect(last.match).toBeUndefined();
    expect(Object.keys(last)).toContain(lastKind);
  });
});
