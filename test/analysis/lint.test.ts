import { fixture } from './helpers';
import { LINT_RULES, lint } from '../../src/analysis';

describe('lint', () => {
  test.each(Object.keys(LINT_RULES))('fixture lint/%s.yaml produces a finding with that code and the rule severity', (code) => {
    // GIVEN a fixture that breaks exactly one rule WHEN linted
    const findings = lint(fixture(`lint/${code}.yaml`));
    // THEN the code is reported, with the rule's severity, and an object and message
    const hit = findings.filter((f) => f.code === code);
    expect(hit.length).toBeGreaterThan(0);
    expect(hit[0].severity).toBe(LINT_RULES[code].severity);
    expect(hit[0].object.name).toBeTruthy();
    expect(hit[0].message.length).toBeGreaterThan(10);
  });

  test.each([
    ['full-link-gray'],
    ['static-lanes'],
    ['asm/common.yaml', 'asm/vs-defaults.yaml', 'asm/dr-default-subset.yaml'],
  ])('the good fixture %s has zero findings', (...names) => {
    expect(lint(fixture(...names))).toEqual([]);
  });

  test('lane headers set by a gateway VirtualService (headers.request.set) satisfy GR009', () => {
    const m: any[] = fixture('lint/GR009.yaml');
    m.push({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'in' },
      spec: { gateways: ['gw'], hosts: ['*'], http: [{ headers: { request: { set: { 'x-lane': 'dev' } } }, route: [{ destination: { host: 'web', subset: 'base' } }] }] },
    });
    expect(lint(m).filter((f) => f.code === 'GR009')).toEqual([]);
  });

  test('GR009 does not apply without an ingress Gateway: in-mesh clients send their own headers', () => {
    // GIVEN the GR009 fixture without its Gateway
    const m: any[] = fixture('lint/GR009.yaml').filter((o: any) => o.kind !== 'Gateway');
    // THEN no lane-header finding (the rule needs an ingress that could set the header)
    expect(lint(m).filter((f) => f.code === 'GR009')).toEqual([]);
    expect(lint(fixture('lint/GR009.yaml')).filter((f) => f.code === 'GR009').length).toBeGreaterThan(0);
  });
});

test('findings are ordered by object, then code, whatever order the checks ran in', () => {
  // GIVEN every lint fixture at once
  const all = Object.keys(LINT_RULES).flatMap((code) => fixture(`lint/${code}.yaml`));
  const findings = lint(all);
  // THEN the list is sorted by "kind/namespace/name" then code
  const keys = findings.map((f) => `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name} ${f.code}`);
  expect(findings.length).toBeGreaterThan(10);
  expect(keys.map((k) => k.split(' ')[0])).toEqual([...keys.map((k) => k.split(' ')[0])].sort());
});

describe('GR020: subset pods must expose a port the Service targets', () => {
  const findings = (m: any[]) => lint(m).filter((f) => f.code === 'GR020');

  test('only the workload that lost the port is reported, on its subset', () => {
    // GIVEN base pods declaring 8080 and lane pods declaring 9090, Service targetPort 8080
    const hits = findings(fixture('lint/GR020.yaml'));
    // THEN exactly the dev subset's Deployment is reported
    expect(hits).toHaveLength(1);
    expect(hits[0].object).toEqual({ kind: 'DestinationRule', namespace: 'default', name: 'web' });
    expect(hits[0].message).toMatch(/subset "dev".*web-dev.*\(8080; they declare 9090\)/);
  });

  test('a named targetPort needs a container port of that name; undeclared ports pass a numeric target', () => {
    const m: any[] = fixture('lint/GR020.yaml');
    const svc = m.find((o) => o.kind === 'Service');
    const dev = m.find((o) => o.metadata.name === 'web-dev');
    // GIVEN the lane declares no port at all: unknown, not reported for a number
    delete dev.spec.template.spec.containers[0].ports;
    expect(findings(m)).toEqual([]);
    // WHEN the Service targets the port by name, the port-less lane cannot serve it
    svc.spec.ports[0].targetPort = 'http';
    const base = m.find((o) => o.metadata.name === 'web-base');
    base.spec.template.spec.containers[0].ports[0].name = 'http';
    expect(findings(m).map((f) => f.message)).toEqual([expect.stringMatching(/web-dev/)]);
    // AND once the lane declares the named port, nothing is reported
    dev.spec.template.spec.containers[0].ports = [{ containerPort: 9090, name: 'http' }];
    expect(findings(m)).toEqual([]);
  });
});
