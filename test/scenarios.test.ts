/**
 * End-to-end scenarios from the seeds, computed by `explain` on the synthesized examples (with
 * the ingress coloring's Lua actually run in a Lua VM), and lint over every example.
 */
import { explain, ExplainResult, Hop, lint } from '../src/analysis';
import { exampleNames, synthExample } from './support/examples';
import { runOnRequest } from './support/lua';

/** The chain of workloads a request walks (first destination of every hop). */
function chain(result: ExplainResult): string[] {
  const out: string[] = [];
  let hops: Hop[] = result.hops;
  while (hops.length > 0) {
    const d = hops[0].destinations[0];
    if (!d || d.workloads.length !== 1) {
      out.push(d ? d.workloads.map((w) => w.name).join('|') || `${d.status}` : `${hops[0].status}`);
      break;
    }
    out.push(d.workloads[0].name);
    hops = d.workloads[0].calls;
  }
  return out;
}

describe('full-link-gray: the seed scenarios', () => {
  const objects = synthExample('full-link-gray')[0].objects;
  const color = (headers: Record<string, string>) => {
    const filter = objects.find((o) => o.kind === 'EnvoyFilter');
    return runOnRequest(filter.spec.configPatches[0].patch.value.typed_config.inlineCode, headers).headers;
  };

  test('agent: pc during a release of both services: explain runs the coloring, gateway -> mocka canary -> mockb canary', () => {
    const r = explain(objects, { gateway: true }, { headers: { agent: 'pc' }, release: 'all' });
    expect(chain(r)).toEqual(['mocka-base-canary', 'mockb-base-canary']);
    expect(r.hops[0].coloring?.[0]).toMatchObject({ filter: 'EnvoyFilter/istio-system/http-request-labelling-according-source', edits: [{ op: 'replace', name: 'my-request-id', value: 'canary' }] });
  });

  test('a client-sent my-request-id: canary is replaced by the coloring: base -> base, released or not', () => {
    expect(chain(explain(objects, { gateway: true }, { headers: { 'my-request-id': 'canary' }, release: 'all' }))).toEqual(['mocka-base', 'mockb-base']);
    expect(chain(explain(objects, { gateway: true }, { release: 'all' }))).toEqual(['mocka-base', 'mockb-base']);
    expect(chain(explain(objects, { gateway: true }, { headers: { 'my-request-id': 'canary' } }))).toEqual(['mocka-base', 'mockb-base']);
  });

  test('agent: pc is colored into the canary lane at the ingress, other agents into base', () => {
    // GIVEN requests as clients send them; WHEN the gateway's Lua colors them; THEN explain
    const pc = color({ agent: 'pc' });
    expect(pc['my-request-id']).toBe('canary');
    expect(chain(explain(objects, { gateway: true }, { headers: pc, release: 'all' }))).toEqual(['mocka-base-canary', 'mockb-base-canary']);
    const mobile = color({ agent: 'mobile' });
    expect(mobile['my-request-id']).toBe('base');
    expect(chain(explain(objects, { gateway: true }, { headers: mobile, release: 'all' }))).toEqual(['mocka-base', 'mockb-base']);
  });

  test('a client cannot spoof the lane: its header is replaced at the ingress', () => {
    const spoofed = color({ 'my-request-id': 'canary', 'agent': 'mobile' });
    expect(spoofed['my-request-id']).toBe('base');
  });

  test('a release of mockb only: mocka base, mockb canary', () => {
    const r = explain(objects, { gateway: true }, { headers: { agent: 'pc' }, release: ['mockb'] });
    expect(chain(r)).toEqual(['mocka-base', 'mockb-base-canary']);
  });
});

describe('lint finds nothing on any example', () => {
  for (const name of exampleNames()) {
    test(`examples/${name}`, () => {
      for (const app of synthExample(name)) {
        expect(lint(app.objects).map((f) => `${f.code} ${f.object.kind}/${f.object.name}: ${f.message}`)).toEqual([]);
      }
    });
  }
});
