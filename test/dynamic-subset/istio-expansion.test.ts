/**
 * The static Istio expansion means what ASM's dynamic subsets mean, for the workloads the chart
 * knows: checked on chosen cases and, property-based, on random workloads, selectors, defaults,
 * fallbacks and requests (the two evaluators in test/support/route-eval.ts must agree).
 */
import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { DynamicSubsetRouting, DynamicSubsetRoutingProps, FallbackPolicy, GrayReleaseError, IWorkloadLabels, MeshTarget } from '../../src';
import { expandToIstio } from '../../src/model/dynamic-subset/istio-expansion';
import { Pod, evalAsm, evalIstio } from '../support/route-eval';

/** Synthesizes (validating) one routing; returns its DestinationRule and VirtualService. */
function synth(props: DynamicSubsetRoutingProps): { dr: any; vs: any } {
  const app: App = Testing.app();
  new DynamicSubsetRouting(new Chart(app, 'c'), 'r', props);
  const objects = YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJS());
  return { dr: objects.find((o) => o.kind === 'DestinationRule'), vs: objects.find((o) => o.kind === 'VirtualService') };
}

const podsOf = (workloads: IWorkloadLabels[]): Pod[] =>
  workloads.map((w, i) => ({ name: w.name, ip: `10.0.0.${i + 1}`, labels: w.podLabels }));

test('subsets and rules grow with the existing groups, never with the product of label values', () => {
  // GIVEN 3 workloads over 10 stages × 10 versions of possible values (100 combinations)
  const workloads = [
    { name: 'w1', podLabels: { stage: 's1', version: 'v1' } },
    { name: 'w2', podLabels: { stage: 's5', version: 'v9' } },
    { name: 'w3', podLabels: { stage: 's9', version: 'v4' } },
  ];
  // WHEN expanded
  const out = expandToIstio({
    host: 'h.ns.svc.cluster.local',
    port: 80,
    workloads,
    selectors: [{ keys: ['stage', 'version'] }],
    mappings: [{ header: 'x-stage', key: 'stage' }, { header: 'x-version', key: 'version' }],
  });
  // THEN 3 subsets; 3 group rules + "selector applies" fallback + the last catch-all
  expect(out.subsets.map((s) => s.name)).toEqual(['s1-v1', 's5-v9', 's9-v4']);
  expect(out.http.map((r) => r.name)).toEqual(['s1-v1', 's5-v9', 's9-v4', 'selector-0-fallback', 'fallback']);
});

test('a key without defaultValue: an absent header makes the selector not apply (top-level fallback)', () => {
  // GIVEN selector [version] with per-selector NO_FALLBACK, top-level ANY_ENDPOINT, no default
  const workloads = [{ name: 'a', podLabels: { version: 'v1' } }, { name: 'b', podLabels: { version: 'v2' } }];
  const props: DynamicSubsetRoutingProps = {
    target: MeshTarget.ISTIO,
    service: { name: 's', port: 80 },
    workloads,
    subsetSelectors: [{ keys: ['version'], fallbackPolicy: FallbackPolicy.NO_FALLBACK }],
    headerMappings: [{ header: 'x-version', key: 'version' }],
    fallbackPolicy: FallbackPolicy.ANY_ENDPOINT,
  };
  const { dr, vs } = synth(props);
  const pods = podsOf(workloads);
  // THEN the selector's fallback rule matches "x-version present" and the last rule is top-level
  expect(vs.spec.http[2]).toEqual({ name: 'selector-0-fallback', match: [{ headers: { 'x-version': {} } }], directResponse: { status: 503, body: { string: 'no healthy upstream' } } });
  expect(evalIstio(dr, vs, pods, { 'x-version': 'v9' })).toEqual({ status: 503 });
  expect(evalIstio(dr, vs, pods, {})).toEqual({ status: 200, pods: ['a', 'b'] });
});

test('multiple selectors: the first whose keys are all present wins; its missing group never reaches the next', () => {
  // GIVEN selectors [stage, version] then [version]; x-stage has no default
  const workloads = [
    { name: 'dev-v1', podLabels: { stage: 'dev', version: 'v1' } },
    { name: 'prod-v2', podLabels: { stage: 'prod', version: 'v2' } },
  ];
  const { dr, vs } = synth({
    target: MeshTarget.ISTIO,
    service: { name: 's', port: 80 },
    workloads,
    subsetSelectors: [{ keys: ['stage', 'version'] }, { keys: ['version'], fallbackPolicy: FallbackPolicy.ANY_ENDPOINT }],
    headerMappings: [{ header: 'x-stage', key: 'stage' }, { header: 'x-version', key: 'version', defaultValue: 'v2' }],
  });
  const pods = podsOf(workloads);
  // THEN (prod, v1) does not exist: selector 0 applies and fails, v1 of selector 1 is not used
  expect(evalIstio(dr, vs, pods, { 'x-stage': 'prod', 'x-version': 'v1' })).toEqual({ status: 503 });
  // AND without x-stage selector 1 applies: v1 → dev-v1, default v2 → prod-v2, v7 → any endpoint
  expect(evalIstio(dr, vs, pods, { 'x-version': 'v1' })).toEqual({ status: 200, pods: ['dev-v1'] });
  expect(evalIstio(dr, vs, pods, {})).toEqual({ status: 200, pods: ['prod-v2'] });
  expect(evalIstio(dr, vs, pods, { 'x-version': 'v7' })).toEqual({ status: 200, pods: ['dev-v1', 'prod-v2'] });
  // AND subsets of both selectors are written once each (4), rules: 2 + 1 + 2 + 1
  expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['dev-v1', 'prod-v2', 'v1', 'v2']);
  expect(vs.spec.http).toHaveLength(6);
});

describe('property: the Istio expansion routes every request as ASM would', () => {
  const KEYS = ['stage', 'version', 'zone'];
  const VALUES = ['a', 'b', 'c'];
  const policy = fc.option(fc.constantFrom(...Object.values(FallbackPolicy)), { nil: undefined });
  const labels = fc.record({
    stage: fc.constantFrom(...VALUES),
    version: fc.constantFrom(...VALUES),
    zone: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
  });
  const workloads = fc.array(labels, { minLength: 1, maxLength: 6 }).map((ls) =>
    ls.map((l, i) => ({ name: `w${i}`, podLabels: Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as Record<string, string> })));
  const selectors = fc.uniqueArray(fc.subarray(KEYS, { minLength: 1 }), { minLength: 1, maxLength: 2, selector: (k) => [...k].sort().join() })
    .chain((keySets) => fc.tuple(...keySets.map((keys) => policy.map((fallbackPolicy) => ({ keys, fallbackPolicy })))));
  const maybeDefault = fc.option(fc.constantFrom(...VALUES), { nil: undefined, freq: 2 });
  const defaults = fc.record({ stage: maybeDefault, version: maybeDefault, zone: maybeDefault });
  const request = fc.record({ 'x-stage': fc.option(fc.constantFrom(...VALUES, 'zz'), { nil: undefined }), 'x-version': fc.option(fc.constantFrom(...VALUES, 'zz'), { nil: undefined }), 'x-zone': fc.option(fc.constantFrom(...VALUES), { nil: undefined }) });

  test('evalIstio(istio output) = evalAsm(asm output) for valid intents', () => {
    let checked = 0;
    const defaultFromWorkload = fc.option(fc.nat(5), { nil: undefined });
    fc.assert(fc.property(workloads, selectors, defaults, policy, defaultFromWorkload, fc.array(request, { minLength: 1, maxLength: 8 }),
      (ws, sels, defs, top, defaultFrom, requests) => {
        // GIVEN a random intent; invalid ones must be refused by the construct, not synthesized
        const used = new Set(sels.flatMap((s) => s.keys));
        const base = {
          service: { name: 's', port: 80 },
          workloads: ws,
          subsetSelectors: sels,
          fallbackPolicy: top,
          headerMappings: KEYS.filter((k) => used.has(k)).map((k) => ({ header: `x-${k}`, key: k, defaultValue: (defs as any)[k] })),
          // the default subset is (stage, version) of one of the workloads, when chosen
          defaultSubset: defaultFrom === undefined ? undefined
            : { stage: ws[defaultFrom % ws.length].podLabels.stage, version: ws[defaultFrom % ws.length].podLabels.version },
        };
        let istio, asm;
        try {
          istio = synth({ ...base, target: MeshTarget.ISTIO });
          asm = synth({ ...base, target: MeshTarget.ASM });
        } catch (e) {
          if (e instanceof GrayReleaseError || /Validation failed/.test((e as Error).message)) return;
          throw e;
        }
        checked++;
        const pods = podsOf(ws);
        for (const r of requests) {
          const headers = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, string>;
          // THEN both targets send the request to the same pods (or both fail)
          expect(evalIstio(istio.dr, istio.vs, pods, headers)).toEqual(evalAsm(asm.dr, asm.vs, pods, headers));
        }
      }), { numRuns: 150, seed: 20240601 });
    // AND enough random intents were valid for the property to mean something
    expect(checked).toBeGreaterThan(30);
  });
});
