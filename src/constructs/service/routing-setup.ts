/**
 * The routing part of a GrayService's construction (issue #12): its routing props checked and
 * resolved into a plan (versions, ports, default route, own rules), and the routing model built
 * from the plan. Kept apart from gray-service.ts so the service's constructor stays a list of steps.
 */
import type { GrayServiceProps } from './props';
import { Problems } from '../../model/problem';
import { isHttpFamily } from '../../model/routing/protocol';
import { planService, ServicePlan } from '../../model/routing/service-plan';
import { ServiceRouting } from '../../model/routing/service-routing';

/** The routing props checked and resolved; throws every problem at once. */
export function planRouting(problems: Problems, service: string, versionLabel: string, props: GrayServiceProps): ServicePlan {
  const plan = planService({
    service,
    versionLabel,
    baseVersion: props.baseVersion ?? 'base',
    baseDeployment: props.names?.deployment,
    baseSubset: props.names?.baseSubset,
    podLabels: props.podLabels,
    versions: props.versions,
    defaultRoute: props.defaultRoute,
    routes: props.routes,
    routePolicy: props.routePolicy,
    trafficPolicy: props.trafficPolicy,
    loadBalancer: props.loadBalancer,
    port: props.port,
    containerPort: props.containerPort,
    ports: props.ports,
  });
  problems.addAll(plan.problems);
  if (props.versions !== undefined && props.baseVersion !== undefined) {
    problems.add('baseVersion', 'baseVersion names the single base version, but versions are given', 'drop baseVersion: the default route\'s version is the base');
  }
  if (!plan.ports.some((p) => isHttpFamily(p.protocol))) {
    for (const prop of ['gateway', 'release'] as const) {
      if (props[prop] !== undefined) problems.add(prop, 'the service has no HTTP, HTTP2 or GRPC port; ingress routes and Kruise\'s canary rules are http rules', `drop ${prop}, or add an HTTP-family port`);
    }
  }
  // Each version's workload overrides are checked by ServiceWorkloads (checkVersionProps).
  problems.throwIfAny();
  return plan;
}

/** Where the base version lives. */
export interface BaseVersion {
  readonly versionLabel: string;
  readonly baseVersion: string;
  readonly baseSubset: string;
}

/** The routing model: one subset per version, the default route, the policy, the own rules. */
export function buildRouting(host: string, path: string, base: BaseVersion, props: GrayServiceProps, plan: ServicePlan): ServiceRouting {
  const routing = new ServiceRouting(host, { name: base.baseSubset, labels: { [base.versionLabel]: base.baseVersion } }, path, {
    baseVersion: base.baseVersion,
    defaultRuleName: plan.explicitVersions ? 'default' : 'base',
  });
  for (const v of plan.versions) {
    if (v.name !== base.baseVersion) routing.addVersion(v.name, { name: v.subset, labels: { [base.versionLabel]: v.name } });
    const policy = props.versions?.find((x) => x.name === v.name)?.trafficPolicy;
    if (policy) routing.setSubsetPolicy(routing.subsetOf(v.name)!, policy);
  }
  routing.setDefaultRoute(plan.defaultRoute);
  routing.setPolicy(props.routePolicy ?? {});
  routing.setPorts(plan.ports);
  plan.rules.forEach((r) => routing.addServiceRule(r));
  return routing;
}
