/**
 * Safe defaults, each asserted on every bundled example and on a minimal GrayService: locked-down
 * pods, EnvoyFilters scoped to a workload, the lane header replaced at the ingress unless
 * trusting clients is chosen, and no catch-all gateway host unless asked for.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { ColoringRule, GrayService, IngressGateway, TrafficColoring } from '../src';
import { EXAMPLES_DIR, exampleNames, synthExample } from './support/examples';
import { runOnRequest } from './support/lua';

function minimalService(): any[] {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  new GrayService(chart, 'shop', { image: 'example/shop:1.0', port: 8080 });
  return Testing.synth(chart);
}

const sources: Array<[string, () => any[]]> = [
  ['a minimal GrayService', minimalService],
  ...exampleNames().map((n): [string, () => any[]] => [`examples/${n}`, () => synthExample(n).flatMap((a) => a.objects)]),
];

describe.each(sources)('%s', (_name, objectsOf) => {
  const objects = objectsOf();
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const pods = deployments.map((d) => [d.metadata.name, d.spec.template.spec] as const);
  const containers = pods.flatMap(([name, pod]) => [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => [`${name}/${c.name}`, c, pod] as const));

  test('pods run as non-root; a uid, where one is set, is not 0', () => {
    // runAsUser is optional: an image with a numeric non-root USER keeps it, and the kubelet
    // refuses to start an image that would run as root (runAsNonRoot without runAsUser).
    for (const [name, pod] of pods) {
      expect({ name, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({ name, runAsNonRoot: true });
      if (pod.securityContext.runAsUser !== undefined) expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    }
    for (const [name, c, pod] of containers) {
      // The container's own setting, or the pod's it inherits.
      expect({ name, runAsNonRoot: c.securityContext?.runAsNonRoot ?? pod.securityContext.runAsNonRoot }).toEqual({ name, runAsNonRoot: true });
      const uid = c.securityContext?.runAsUser ?? pod.securityContext.runAsUser;
      if (uid !== undefined) expect(uid).toBeGreaterThan(0);
    }
  });

  test('every GrayService pod can write to /tmp and runs as its service\'s own ServiceAccount', () => {
    const ours = deployments.filter((d) => d.spec.template.metadata.labels['gray-release.io/workload']);
    // The account is the service's own (named like it, or as the example names it, e.g. Bookinfo's
    // bookinfo-<service>): one per service, written to the output, shared by all its workloads.
    const accountOf = new Map<string, string>();
    const written = new Set(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name));
    for (const d of ours) {
      const pod = d.spec.template.spec;
      const tmp = pod.containers[0].volumeMounts?.find((m: any) => m.mountPath === '/tmp');
      expect({ name: d.metadata.name, tmp: tmp && pod.volumes.find((v: any) => v.name === tmp.name)?.emptyDir !== undefined }).toEqual({ name: d.metadata.name, tmp: true });
      const app = d.metadata.labels.app;
      const account = accountOf.get(app) ?? pod.serviceAccountName;
      accountOf.set(app, account);
      expect({ name: d.metadata.name, account: pod.serviceAccountName, written: written.has(pod.serviceAccountName) }).toEqual({ name: d.metadata.name, account, written: true });
    }
    expect(new Set(accountOf.values()).size).toBe(accountOf.size);
  });

  test('no privilege escalation, not privileged, read-only root filesystem', () => {
    for (const [name, c] of containers) {
      const sc = c.securityContext ?? {};
      expect({ name, allowPrivilegeEscalation: sc.allowPrivilegeEscalation, privileged: sc.privileged, readOnlyRootFilesystem: sc.readOnlyRootFilesystem })
        .toEqual({ name, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true });
    }
  });

  test('resource requests and limits are set', () => {
    for (const [name, c] of containers) {
      expect({ name, cpu: c.resources?.requests?.cpu !== undefined, memory: c.resources?.requests?.memory !== undefined }).toEqual({ name, cpu: true, memory: true });
      expect({ name, cpu: c.resources?.limits?.cpu !== undefined, memory: c.resources?.limits?.memory !== undefined }).toEqual({ name, cpu: true, memory: true });
    }
  });

  test('no service-account token is mounted', () => {
    for (const [name, pod] of pods) expect({ name, automount: pod.automountServiceAccountToken }).toEqual({ name, automount: false });
  });

  test('every EnvoyFilter is scoped to a workload', () => {
    for (const ef of objects.filter((o) => o.kind === 'EnvoyFilter')) {
      expect(Object.keys(ef.spec.workloadSelector?.labels ?? {}).length).toBeGreaterThan(0);
    }
  });

  test('a catch-all gateway host is there only when the source asked for it', () => {
    const anyHost = objects.filter((o) => o.kind === 'Gateway').some((g) => g.spec.servers.some((s: any) => s.hosts.some((h: string) => h === '*' || h.endsWith('/*'))));
    if (_name.startsWith('examples/') && anyHost) {
      expect(fs.readFileSync(path.join(EXAMPLES_DIR, _name.split('/')[1], 'main.ts'), 'utf8')).toMatch(/allowAnyHost: true/);
    }
    if (!_name.startsWith('examples/')) expect(anyHost).toBe(false);
  });

  test('every ingress coloring replaces a lane header the client sent (on every host of the app\'s gateways)', () => {
    // A coloring bound to a gateway carries its script per route (VIRTUAL_HOST patches) and acts
    // on the gateway's hosts; an unbound one carries it inline on the filter.
    const hosts = objects.filter((o) => o.kind === 'Gateway').flatMap((g) => g.spec.servers.flatMap((s: any) => s.hosts))
      .map((h: string) => h.split('/').pop()!).map((h: string) => (h === '*' ? 'any.example.com' : h.replace(/^\*\./, 'a.')));
    for (const ef of objects.filter((o) => o.kind === 'EnvoyFilter')) {
      const header = ef.metadata.annotations['gray-release.io/sets-headers'];
      const scripts: string[] = ef.spec.configPatches.flatMap((p: any) => [p.patch.value.typed_config?.inlineCode,
        ...Object.values(p.patch.value.typed_per_filter_config ?? {}).map((c: any) => c.source_code?.inline_string)]).filter((x: unknown) => typeof x === 'string');
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) {
        for (const host of hosts.length > 0 ? hosts : ['shop.example.com']) {
          const result = runOnRequest(script, { ':authority': host, [header]: 'spoofed-by-client' });
          expect(result.headers[header]).not.toBe('spoofed-by-client');
          expect(result.mutations.some((m: any) => m[0] === 'add')).toBe(false);
        }
      }
    }
  });
});

describe('the defaults are opt-out, and only visibly', () => {
  test('the catch-all gateway host needs allowAnyHost', () => {
    const chart = Testing.chart();
    expect(() => new IngressGateway(chart, 'gw', { hosts: ['*'] })).toThrow(/allowAnyHost: true/);
    expect(() => new IngressGateway(chart, 'gw2', { hosts: ['*/*'] })).toThrow(/allowAnyHost: true/);
    expect(new IngressGateway(chart, 'gw3', { hosts: ['*'], allowAnyHost: true }).hosts).toEqual(['*']);
  });

  test('the lane header is kept from the client only with trustClientHeader', () => {
    const chart = Testing.chart();
    const rules = [ColoringRule.headerEquals('agent', 'pc', 'canary')];
    const strict = new TrafficColoring(chart, 'strict', { header: 'x-lane', rules });
    const trusting = new TrafficColoring(chart, 'trusting', { header: 'x-lane', rules, trustClientHeader: true });
    expect(runOnRequest(strict.script, { 'x-lane': 'canary' }).headers['x-lane']).toBeUndefined();
    expect(runOnRequest(strict.script, { 'x-lane': 'canary', 'agent': 'pc' }).headers['x-lane']).toBe('canary');
    expect(runOnRequest(trusting.script, { 'x-lane': 'canary' }).headers['x-lane']).toBe('canary');
  });

  test('an empty selector is never the default: the coloring filter targets the ingress gateway pods', () => {
    const coloring = new TrafficColoring(Testing.chart(), 'c', { header: 'x-lane', defaultValue: 'base' });
    expect(Testing.synth(Chart.of(coloring))[0].spec.workloadSelector).toEqual({ labels: { istio: 'ingressgateway' } });
  });
});
