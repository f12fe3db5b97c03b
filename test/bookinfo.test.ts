/**
 * examples/bookinfo: Istio's Bookinfo tasks written with the high-level API. Each task's table
 * (examples/bookinfo/tasks.ts, shown in its README) holds for the synthesized manifests under an
 * evaluator written from Istio's semantics (test/support/request-eval.ts, independent of src/);
 * the output is lint-clean and follows Istio's sample conventions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLES_DIR, synthExample } from './support/examples';
import { evaluateRequest } from './support/request-eval';
import { IMAGES } from '../examples/bookinfo/bookinfo';
import { TASK_NAMES } from '../examples/bookinfo/main';
import { TASKS, renderTaskTable, TaskRow } from '../examples/bookinfo/tasks';
import { lint } from '../src/analysis';

const apps = synthExample('bookinfo');
const objectsOf = (task: string) => {
  const app = apps.find((a) => a.target === task);
  if (!app) throw new Error(`no app ${task}`);
  return app.objects;
};

describe('every task\'s table holds for its manifests (independent evaluator)', () => {
  const rows = TASKS.flatMap((t) => t.rows.map((row, i) => [t.name, i, row] as const));
  test.each(rows)('%s row %i', (task, _i, row: TaskRow) => {
    // GIVEN the task's synthesized manifests
    const objects = objectsOf(task);
    // WHEN the row's request is evaluated with Istio's semantics
    const got = evaluateRequest(objects, row.request);
    // THEN it ends where the table says, with the same fault, timeout, mirror and policy
    const want = row.outcome;
    if (want.status !== undefined) {
      expect(got.status).toBe(want.status);
      return;
    }
    expect(got.status).toBeUndefined();
    expect(got.reaches).toEqual(want.reaches);
    expect(got.delay).toBe(want.delay);
    expect(got.timeout).toBe(want.timeout);
    expect(got.mirror).toEqual(want.mirror);
    if (want.trafficPolicy) expect(got.trafficPolicy).toMatchObject(want.trafficPolicy);
  });

  test('every task has a table, and every app a task', () => {
    expect(TASKS.map((t) => t.name)).toEqual([...TASK_NAMES]);
    expect(apps.map((a) => a.target).sort()).toEqual([...TASK_NAMES].sort());
    for (const t of TASKS) expect(t.rows.length).toBeGreaterThan(0);
  });
});

describe('the output follows Istio\'s sample and is lint-clean', () => {
  test.each([...TASK_NAMES])('%s: no lint finding', (task) => {
    expect(lint(objectsOf(task))).toEqual([]);
  });

  test('Deployments are <service>-<version> with the label version: <version>, subsets are named by version', () => {
    const objects = objectsOf('request-routing');
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
    for (const d of deployments) {
      const [app, version] = d.metadata.name.split('-');
      expect(d.spec.template.metadata.labels).toMatchObject({ app, version });
      expect(d.spec.template.spec.serviceAccountName).toBe(`bookinfo-${app}`);
    }
    const reviews = objects.find((o) => o.kind === 'DestinationRule' && o.spec.host === 'reviews');
    expect(reviews.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } },
    ]);
  });

  test('images and ports are the sample\'s (istio 1.23.6 bookinfo.yaml)', () => {
    const objects = objectsOf('request-routing');
    const image = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0].image;
    expect(image('reviews-v2')).toBe(IMAGES.reviewsV2);
    expect(image('reviews-v3')).toBe('docker.io/istio/examples-bookinfo-reviews-v3:1.20.1');
    expect(image('productpage-v1')).toBe('docker.io/istio/examples-bookinfo-productpage-v1:1.20.1');
    for (const s of objects.filter((o) => o.kind === 'Service')) expect(s.spec.ports).toEqual([{ name: 'http', port: 9080, targetPort: 9080 }]);
  });

  test('the default route is the only match-less rule, and last, in every VirtualService', () => {
    for (const task of TASK_NAMES) {
      for (const vs of objectsOf(task).filter((o) => o.kind === 'VirtualService')) {
        const matchless = (vs.spec.http ?? []).map((r: any, i: number) => (r.match ? -1 : i)).filter((i: number) => i >= 0);
        const gatewayBound = (vs.spec.gateways ?? []).length > 0;
        // Gateway path routes have no catch-all at all (unmatched paths get 404).
        expect({ task, vs: vs.metadata.name, matchless }).toEqual({ task, vs: vs.metadata.name, matchless: gatewayBound ? [] : [vs.spec.http.length - 1] });
      }
    }
  });
});

describe('the example uses the high-level API only, and its README shows the tables', () => {
  const sources = fs.readdirSync(path.join(EXAMPLES_DIR, 'bookinfo')).filter((f) => f.endsWith('.ts'))
    .map((f) => fs.readFileSync(path.join(EXAMPLES_DIR, 'bookinfo', f), 'utf8')).join('\n');

  test('no JsonPatch, routing.addRule or raw ApiObject', () => {
    expect(sources).not.toMatch(/JsonPatch|addJsonPatch|\.addRule\(|ApiObject|\.routing\./);
  });

  test.each(TASKS.map((t) => [t.name, t] as const))('README has the table of %s', (_name, task) => {
    const readme = fs.readFileSync(path.join(EXAMPLES_DIR, 'bookinfo', 'README.md'), 'utf8');
    expect(readme).toContain(renderTaskTable(task));
  });
});

describe('the evaluator itself', () => {
  const svc = { kind: 'Service', metadata: { name: 'a' }, spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80 }] } };
  const dep = (name: string, version: string, replicas = 1) => ({ kind: 'Deployment', metadata: { name }, spec: { replicas, template: { metadata: { labels: { app: 'a', version } } } } });
  const dr = { kind: 'DestinationRule', metadata: { name: 'a' }, spec: { host: 'a', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] } };
  const vs = (http: any[]) => ({ kind: 'VirtualService', metadata: { name: 'a' }, spec: { hosts: ['a'], http } });
  const base = [svc, dep('a-v1', 'v1'), dep('a-v2', 'v2', 3), dr];

  test('weights are shares of their sum; a regex matches the whole value; no rule is 404', () => {
    const objects = [...base, vs([
      { match: [{ headers: { x: { regex: 'b.t' } } }], route: [{ destination: { host: 'a', subset: 'v1' }, weight: 1 }, { destination: { host: 'a', subset: 'v2' }, weight: 3 }] },
      { match: [{ uri: { prefix: '/x' }, method: { exact: 'POST' } }], route: [{ destination: { host: 'a', subset: 'v2' } }] },
    ])];
    expect(evaluateRequest(objects, { to: 'a', headers: { x: 'bet' } }).reaches).toEqual({ 'a-v1': 25, 'a-v2': 75 });
    expect(evaluateRequest(objects, { to: 'a', headers: { x: 'beta' } }).status).toBe(404);
    expect(evaluateRequest(objects, { to: 'a', path: '/xy', method: 'POST' }).reaches).toEqual({ 'a-v2': 100 });
    expect(evaluateRequest(objects, { to: 'a', path: '/xy' }).status).toBe(404);
  });

  test('an unknown subset is 503, withoutHeaders {} means absent, no VirtualService reaches every pod by replicas', () => {
    expect(evaluateRequest([...base, vs([{ route: [{ destination: { host: 'a', subset: 'v9' } }] }])], { to: 'a' }).status).toBe(503);
    const without = [...base, vs([{ match: [{ withoutHeaders: { x: {} } }], route: [{ destination: { host: 'a', subset: 'v1' } }] }])];
    expect(evaluateRequest(without, { to: 'a' }).reaches).toEqual({ 'a-v1': 100 });
    expect(evaluateRequest(without, { to: 'a', headers: { x: '' } }).status).toBe(404);
    expect(evaluateRequest(base, { to: 'a' }).reaches).toEqual({ 'a-v1': 25, 'a-v2': 75 });
  });
});
