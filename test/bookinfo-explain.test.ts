/**
 * Every row of the Bookinfo tasks' tables (examples/bookinfo/tasks.ts: request → destination) holds
 * when the route explainer answers it from the synthesized manifests: the explainer reads paths,
 * methods, ports, TCP, faults, timeouts, mirrors, weighted shares, the HTTPS redirect and the
 * destination's traffic policy as Istio does. (test/bookinfo.test.ts checks the same tables with
 * an evaluator independent of src/.)
 */
import { TASKS, TaskOutcome, TaskRequest, describeRequest } from '../examples/bookinfo/tasks';
import { explain, findService, Hop, indexManifests, Manifest, selectPods } from '../src/analysis';
import { synthExample } from './support/examples';

const apps = synthExample('bookinfo');
/** The gateway's HTTPS port in the tasks (tasks.ts: "8443 at the gateway"). */
const GATEWAY_PORT = 8443;

function replicasOf(d: Manifest): number {
  const r = (d.spec as { replicas?: unknown } | undefined)?.replicas;
  return typeof r === 'number' ? r : 1;
}

/** The hop the request makes, as explain answers it. */
function hopOf(objects: Manifest[], r: TaskRequest): Hop {
  const opts = { headers: { ...(r.headers ?? {}) }, method: r.method, maxDepth: 0, tcp: r.tcp };
  const result = r.to === 'gateway'
    ? explain(objects, { gateway: true, host: r.host, path: r.path }, { ...opts, port: r.port ?? GATEWAY_PORT })
    : explain(objects, { service: r.to, path: r.path }, { ...opts, port: r.port });
  return result.hops[0];
}

/** The hop in the tables' terms: Deployments reached with their share, status, delay, timeout, mirror, policy. */
function outcomeOf(objects: Manifest[], hop: Hop, want: TaskOutcome): TaskOutcome {
  const abort = hop.rule?.fault?.abort;
  if (hop.destinations.length === 0 || (abort && abort.percent >= 100)) return { status: abort?.httpStatus ?? hop.status };
  const reaches: Record<string, number> = {};
  for (const d of hop.destinations) {
    const total = d.workloads.reduce((s, w) => s + replicasOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === w.name)!), 0);
    for (const w of d.workloads) {
      const replicas = replicasOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === w.name)!);
      reaches[w.name] = (reaches[w.name] ?? 0) + Math.round((d.share * 100 * replicas) / total);
    }
  }
  const index = indexManifests(objects);
  const mirror: Record<string, number> = {};
  for (const m of hop.rule?.mirrors ?? []) {
    const svc = findService(index, m.host, objects.find((o) => o.kind === 'Service')?.metadata.namespace ?? 'default')!;
    for (const w of selectPods(index, svc, m.subset, undefined, {}).workloads) mirror[w.metadata.name] = m.percent;
  }
  const delay = hop.rule?.fault?.delay;
  const policy = hop.destinations[0].trafficPolicy ?? {};
  return {
    reaches,
    ...(delay && delay.percent >= 100 ? { delay: delay.fixedDelay } : {}),
    ...(hop.rule?.timeout ? { timeout: hop.rule.timeout } : {}),
    ...(Object.keys(mirror).length > 0 ? { mirror } : {}),
    ...(want.trafficPolicy ? { trafficPolicy: Object.fromEntries(Object.keys(want.trafficPolicy).map((k) => [k, policy[k]])) } : {}),
  };
}

describe.each(TASKS.map((t) => [t.name, t] as const))('%s: every row, answered by explain', (name, task) => {
  const objects = apps.find((a) => a.target === name)!.objects;
  test.each(task.rows.map((row) => [describeRequest(row.request), row] as const))('%s', (_what, row) => {
    expect(outcomeOf(objects, hopOf(objects, row.request), row.outcome)).toEqual(row.outcome);
  });
});

test('GET /productpage with end-user: jason, entering at productpage: the tree reaches reviews v2 under it', () => {
  const objects = apps.find((a) => a.target === 'request-routing')!.objects;
  const r = explain(objects, { service: 'productpage', path: '/productpage' }, { headers: { 'end-user': 'jason' } });
  const calls = r.hops[0].destinations[0].workloads[0].calls;
  expect(calls.find((c) => c.service?.startsWith('reviews'))?.destinations[0].workloads.map((w) => w.name)).toEqual(['reviews-v2']);
});
