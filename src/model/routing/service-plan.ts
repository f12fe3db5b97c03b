/**
 * A service's routing props checked and resolved in one place: its versions (Deployment and
 * subset names, pod labels), its ports, its default route and its own rules. Every problem is
 * returned at once, naming the prop; the construct adds its path.
 */
import { RoutePolicy, policyProblems } from './policy';
import { isHttpFamily, PortInput, resolvePorts, ServicePort, Protocol } from './protocol';
import { matchesOf, Route, RouteRule, routeProblems, ruleProblems } from './route';
import { RuleScope, ServiceRule } from './service-routing';
import { TrafficPolicy, trafficPolicyProblems } from './traffic-policy';
import { isDns1123Label, isLabelValue } from '../names';
import { ModelProblem, problem } from '../problem';
import { WellKnown } from '../well-known';

/** One version of a service, resolved. */
export interface ServiceVersion {
  /** Version name (the version label value). */
  readonly name: string;
  /** Name of its Deployment. */
  readonly deploymentName: string;
  /** Name of its DestinationRule subset. */
  readonly subset: string;
  /** Labels its pods carry (besides the workload label). */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** What the plan reads from the service's props. */
export interface PlanInput {
  readonly service: string;
  readonly versionLabel: string;
  /** The seed's single version (used when `versions` is not given). */
  readonly baseVersion: string;
  readonly baseDeployment?: string;
  readonly baseSubset?: string;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly versions?: readonly { readonly name: string; readonly trafficPolicy?: TrafficPolicy }[];
  readonly defaultRoute?: Route;
  readonly routes?: readonly RouteRule[];
  readonly routePolicy?: RoutePolicy;
  readonly trafficPolicy?: TrafficPolicy;
  readonly loadBalancer?: unknown;
  readonly port?: number;
  readonly containerPort?: number;
  readonly ports?: readonly PortInput[];
}

/** The resolved routing of a service. */
export interface ServicePlan {
  /** Whether the versions were given (Istio's naming), or the seed's single base version. */
  readonly explicitVersions: boolean;
  readonly versions: readonly ServiceVersion[];
  /** The version the base Deployment (and a Kruise release) is: the default route's, or the first. */
  readonly primary: ServiceVersion;
  readonly ports: readonly ServicePort[];
  /** Whether the ports were given (written with names and appProtocol), or the seed's one port. */
  readonly explicitPorts: boolean;
  readonly defaultRoute: Route;
  readonly rules: readonly ServiceRule[];
  readonly problems: readonly ModelProblem[];
}

/** Checks and resolves the routing props of a service. */
export function planService(i: PlanInput): ServicePlan {
  const out: ModelProblem[] = [];
  const explicitVersions = i.versions !== undefined;
  const versions = explicitVersions ? resolveVersions(i, out) : [seedVersion(i)];
  const names = versions.map((v) => v.name);
  const defaultRoute = i.defaultRoute ?? Route.to(names[0] ?? i.baseVersion);
  if (i.defaultRoute !== undefined) out.push(...routeProblems('defaultRoute', defaultRoute, names, i.routePolicy));
  const primaryName = defaultRoute instanceof Route && !defaultRoute.isSplit ? defaultRoute.versions[0] : names[0];
  const primary = versions.find((v) => v.name === primaryName) ?? versions[0] ?? seedVersion(i);
  out.push(...policyProblems('routePolicy', i.routePolicy), ...trafficPolicyProblems('trafficPolicy', i.trafficPolicy));
  (i.versions ?? []).forEach((v, n) => out.push(...trafficPolicyProblems(`versions[${n}].trafficPolicy`, v.trafficPolicy)));
  if (i.loadBalancer !== undefined && i.trafficPolicy?.loadBalancer !== undefined) {
    out.push(problem('trafficPolicy.loadBalancer', 'both loadBalancer and trafficPolicy.loadBalancer are given', 'give one: trafficPolicy.loadBalancer (it also offers consistent hashing)'));
  }
  const { ports, explicitPorts } = resolveServicePorts(i, out);
  const rules = resolveRules(i, names, ports, out);
  return { explicitVersions, versions, primary, ports, explicitPorts, defaultRoute, rules, problems: out };
}

function seedVersion(i: PlanInput): ServiceVersion {
  return {
    name: i.baseVersion,
    deploymentName: i.baseDeployment ?? `${i.service}-${i.baseVersion}`,
    subset: i.baseSubset ?? `version-${i.baseVersion}`,
    podLabels: { ...(i.podLabels ?? {}), [WellKnown.APP_LABEL]: i.service, [i.versionLabel]: i.baseVersion },
  };
}

function resolveVersions(i: PlanInput, out: ModelProblem[]): ServiceVersion[] {
  const given = i.versions ?? [];
  if (given.length === 0) out.push(problem('versions', 'no version given', 'list at least one version, e.g. [{ name: "v1" }], or leave versions unset for the single base version'));
  if (i.baseDeployment !== undefined || i.baseSubset !== undefined) {
    out.push(problem('names', 'names.deployment and names.baseSubset name the single base version, but versions are given', 'drop them: with versions, Deployments are <service>-<version> and subsets are named after the version'));
  }
  const seen = new Set<string>();
  given.forEach((v, n) => {
    const prop = `versions[${n}].name`;
    if (!isDns1123Label(v.name) || !isLabelValue(v.name)) {
      out.push(problem(prop, `${JSON.stringify(v.name)} is not a version name`, 'use lowercase letters, digits and "-" (it is a label value, a subset name and part of the Deployment name), e.g. "v2"'));
    } else if (`${i.service}-${v.name}`.length > 63) {
      out.push(problem(prop, `the Deployment name ${i.service}-${v.name} is longer than 63 characters`, 'shorten the version or service name'));
    }
    if (v.name === WellKnown.KRUISE_CANARY_SUBSET) out.push(problem(prop, `"${v.name}" is the subset Kruise appends during a release`, 'name the version otherwise'));
    if (seen.has(v.name)) out.push(problem(prop, `the version ${v.name} is listed twice`, 'give every version its own name'));
    seen.add(v.name);
  });
  return given.map((v) => ({
    name: v.name,
    deploymentName: `${i.service}-${v.name}`,
    subset: v.name,
    podLabels: { ...(i.podLabels ?? {}), [WellKnown.APP_LABEL]: i.service, [i.versionLabel]: v.name },
  }));
}

function resolveServicePorts(i: PlanInput, out: ModelProblem[]): { ports: ServicePort[]; explicitPorts: boolean } {
  if (i.ports !== undefined) {
    if (i.port !== undefined || i.containerPort !== undefined) out.push(problem('ports', 'both port (or containerPort) and ports are given', 'give ports only (port is the short form of one HTTP port named "http")'));
    const resolved = resolvePorts('ports', i.ports);
    out.push(...resolved.problems);
    return { ports: resolved.ports, explicitPorts: true };
  }
  if (i.port === undefined) out.push(problem('port', 'no port given', 'give port (one HTTP port), or ports'));
  const port = i.port ?? 80;
  return { ports: [{ name: 'http', port, targetPort: i.containerPort ?? port, protocol: Protocol.HTTP, appProtocol: 'http' }], explicitPorts: false };
}

function resolveRules(i: PlanInput, versions: readonly string[], ports: readonly ServicePort[], out: ModelProblem[]): ServiceRule[] {
  const given = i.routes ?? [];
  if (given.length > 0 && !ports.some((p) => isHttpFamily(p.protocol))) {
    out.push(problem('routes', `the service has no HTTP, HTTP2 or GRPC port (${ports.map((p) => `${p.name} ${p.protocol}`).join(', ')}), so no request rule can apply`, 'drop routes (TCP and TLS ports take the defaultRoute), or add an HTTP-family port'));
    return [];
  }
  const names = new Set<string>();
  return given.map((r, n) => {
    const prop = `routes[${n}]`;
    out.push(...ruleProblems(prop, r, versions, i.routePolicy));
    const matches = matchesOf(r);
    if (matches.some((m) => m.needsGateway)) {
      out.push(problem(`${prop}.match`, 'a JWT claim match works only at an ingress gateway (sidecars have no JWT filter to fill the claims), but a service\'s rules also apply in the mesh',
        'match the claim on a GatewayRoutes rule (with a JwtIssuer for the gateway, which writes its RequestAuthentication)'));
    }
    let name = r.name ?? (r.route instanceof Route ? r.route.defaultName : `route-${n + 1}`);
    if (r.name === undefined) for (let k = 2; names.has(name); k++) name = `${r.route.defaultName}-${k}`;
    if (names.has(name)) out.push(problem(`${prop}.name`, `the rule name ${name} is used twice`, 'give every rule its own name'));
    names.add(name);
    const meshOnly = matches.some((m) => m.meshOnly);
    return { name, matches, route: r.route, scope: meshOnly ? RuleScope.MESH : RuleScope.ALL };
  });
}
