/**
 * Every object the example writes conforms to the schemas of its target: ASM output to the ASM
 * flavour of the CRDs, Istio output to Istio 1.23 (strict: no ASM-only field survives).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { build } from '../../examples/dynamic-subset/main';
import { DynamicSubsetRouting, FallbackPolicy, IstioApiVersion, MeshTarget } from '../../src';
import { conformanceErrors, crdsAvailable, readManifests } from '../support/conformance';

const haveCrds = crdsAvailable();
const maybe = haveCrds ? test : test.skip;
if (!haveCrds) console.warn('CRD folder missing: conformance tests skipped');

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dynsub-conf-'));
for (const app of build(outdir)) app.synth();
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe.each(['asm', 'istio'] as const)('%s output', (target) => {
  maybe('every object validates against the target\'s schemas', () => {
    // GIVEN the synthesized example for this target
    const objects = readManifests(path.join(outdir, target));
    expect(objects.length).toBeGreaterThan(10);
    // THEN no object has a schema error
    expect(objects.flatMap((o) => conformanceErrors(o, target))).toEqual([]);
  });
});

maybe('ASM output is rejected by open-source Istio, so it is never the default', () => {
  // GIVEN the ASM set-ups  WHEN validated against Istio 1.23 (strict)
  const objects = readManifests(path.join(outdir, 'asm')).filter((o) => o.apiVersion.startsWith('networking.istio.io'));
  const errors = objects.flatMap((o) => conformanceErrors(o, 'istio'));
  // THEN the ASM-only fields are reported
  expect(errors.some((e) => e.includes('dynamicSubset'))).toBe(true);
  expect(errors.some((e) => e.includes('headerToDynamicSubsetKey'))).toBe(true);
});

test('the Istio output has no ASM-only field', () => {
  // GIVEN the Istio set-ups  THEN no dynamicSubset / headerToDynamicSubsetKey anywhere
  const text = fs.readdirSync(path.join(outdir, 'istio')).map((f) => fs.readFileSync(path.join(outdir, 'istio', f), 'utf8')).join('\n');
  expect(text).not.toMatch(/dynamicSubset|headerToDynamicSubsetKey/);
});

maybe('networking.istio.io/v1 output (Istio target) conforms too', () => {
  // GIVEN the Istio target with apiVersion v1 and a selector key without defaultValue
  const chart = new Chart(Testing.app(), 'c');
  new DynamicSubsetRouting(chart, 'r', {
    target: MeshTarget.ISTIO,
    apiVersion: IstioApiVersion.V1,
    service: { name: 'svc', port: 80 },
    workloads: [{ name: 'a', podLabels: { version: 'v1' } }, { name: 'b', podLabels: { version: 'v2' } }],
    subsetSelectors: [{ keys: ['version'], fallbackPolicy: FallbackPolicy.ANY_ENDPOINT }],
    headerMappings: [{ header: 'x-version', key: 'version' }],
  });
  const objects = Testing.synth(chart);
  // THEN both objects are v1 and validate against the v1 schema
  expect(objects.map((o) => o.apiVersion)).toEqual(['networking.istio.io/v1', 'networking.istio.io/v1']);
  expect(objects.flatMap((o) => conformanceErrors(o, 'istio'))).toEqual([]);
});
