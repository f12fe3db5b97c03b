/**
 * Lint rule GR020: a DestinationRule subset whose pods expose none of the ports their Service
 * targets. Requests routed to that subset reach pods that do not serve the port: with a named
 * `targetPort` the Service has no endpoint port for them at all (Envoy answers 503 "no healthy
 * upstream"); with a number, the pods declare other ports, the sign of a workload built from
 * another recipe than the rest of the service (e.g. a lane Deployment that lost the port).
 *
 * Pods that declare no container port at all are not reported for a numeric targetPort:
 * Kubernetes and Istio route to undeclared ports, so nothing proves them wrong.
 */
import type { LintCheck, RuleInfo } from './lint-types';
import { destinationRuleFor } from './subsets';
import { field, items, num, str } from '../model/json';
import { Manifest, ManifestIndex, workloadsOf } from '../model/manifest';
import { labelsMatch } from '../model/matching';

/** The rule of this file. */
const PORT_RULES: Readonly<Record<string, RuleInfo>> = {
  GR020: { severity: 'error', summary: 'subset pods expose no port the Service targets' },
};

type Report = (code: string, m: Manifest, message: string) => void;

/** One target of a Service port: a number, or a container port name. */
type Target = number | string;

/** A container port a pod declares. */
interface DeclaredPort {
  readonly number?: number;
  readonly name?: string;
}

/** The ports a Service targets (`targetPort`, else `port`): numbers, and names of container ports. */
function targetsOf(svc: Manifest): Target[] {
  return items(field(svc.spec, 'ports')).flatMap((p): Target[] => {
    const t = field(p, 'targetPort') ?? field(p, 'port');
    if (typeof t === 'string' && !/^[0-9]+$/.test(t)) return [t];
    const n = num(t);
    return n === undefined ? [] : [n];
  });
}

/** The container ports a Deployment's pods declare (numbers and names). */
function declaredPorts(d: Manifest): DeclaredPort[] {
  const containers = items(field(field(field(d.spec, 'template'), 'spec'), 'containers'));
  return containers.flatMap((c) => items(field(c, 'ports')).map((p) => ({ number: num(field(p, 'containerPort')), name: str(field(p, 'name')) })));
}

/** Whether the pods of `d` serve one of `targets` (undefined: they declare nothing, unknown). */
function servesOne(d: Manifest, targets: readonly Target[]): boolean | undefined {
  const ports = declaredPorts(d);
  if (ports.length === 0) return targets.every((t) => typeof t === 'string') ? false : undefined;
  return targets.some((t) => ports.some((p) => (typeof t === 'number' ? p.number === t : p.name === t)));
}

const describe = (p: DeclaredPort) => (p.name ? `${p.number}/${p.name}` : `${p.number}`);

/** Reports every workload of a subset that serves none of the Service's target ports. */
export function checkSubsetPorts(index: ManifestIndex, report: Report): void {
  for (const svc of index.services) {
    const targets = targetsOf(svc);
    const dr = destinationRuleFor(index, svc);
    if (targets.length === 0 || !dr) continue;
    const pods = workloadsOf(index, svc);
    for (const s of index.views.destinationRule(dr).subsets ?? []) {
      for (const d of pods.filter((w) => labelsMatch(s.labels, index.views.podLabels(w)))) {
        if (servesOne(d, targets) !== false) continue;
        report('GR020', dr, `subset "${s.name}": the pods of Deployment ${d.metadata.name} expose none of the ports Service ${svc.metadata.name} targets (${targets.join(', ')}; they declare ${declaredPorts(d).map(describe).join(', ') || 'none'}); give the workload the service's container ports`);
      }
    }
  }
}

/** GR020 in lint's table shape (lint.ts `LINT_CHECKS`). */
export const PORT_CHECK: LintCheck = { rules: PORT_RULES, check: checkSubsetPorts };
