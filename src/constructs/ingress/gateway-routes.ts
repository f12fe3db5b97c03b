/**
 * One gateway-bound VirtualService that sends different paths (or other request conditions) to
 * different services, as Istio's Bookinfo gateway does (`/productpage`, `/static`, `/login`,
 * `/logout`, `/api/v1/products` → productpage; anything else 404).
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { IngressGateway } from './ingress-gateway';
import { toJson_VirtualServiceSpec, VirtualServiceSpecHttp, VirtualServiceSpecTls } from '../../../imports/istio-networking';
import { IstioApiVersion } from '../../model/api-versions';
import { requireDns1123Label } from '../../model/names';
import { ModelProblem, problem } from '../../model/problem';
import { GatewayTlsMode } from '../../model/routing/gateway';
import { Match, matchProblems } from '../../model/routing/match';
import { mergePolicies, policyProblems, RoutePolicy } from '../../model/routing/policy';
import { isHttpFamily, Protocol } from '../../model/routing/protocol';
import { WellKnown } from '../../model/well-known';
import { meshObject } from '../core/mesh-object';
import { addChecks, ChartState, problemsAt } from '../core/state';
import { gatewayHostsOf } from '../service/checks';
import type { GrayService } from '../service/gray-service';
import { lazyString } from '../service/workloads';

/** Requests matching `match` go to `service`, through the service's own routing. */
export interface GatewayRouteProps {
  /**
   * Name of the route; it prefixes the name of every rule written for it.
   * @default - the service's name
   */
  readonly name?: string;
  /**
   * Conditions: the route applies when any one match holds. There is no catch-all: a request
   * no route matches gets 404 from the gateway.
   */
  readonly match: Match | readonly Match[];
  /** The service the requests go to. Its versions, rules, lanes and default route apply. */
  readonly service: GrayService;
  /**
   * The service port, written on every destination when the service has several ports.
   * @default - the service's first HTTP, HTTP2 or GRPC port
   */
  readonly port?: number;
  /**
   * Policy on this route: over the service's `routePolicy`, under each of its rules' own.
   * @default - the service's routePolicy only
   */
  readonly policy?: RoutePolicy;
}

/** TLS streams a PASSTHROUGH server forwards by SNI to a service's TLS port. */
export interface GatewayTlsRouteProps {
  /** The service (with a TLS port). */
  readonly service: GrayService;
  /** The service's TLS port. */
  readonly port: number;
  /**
   * SNI names forwarded.
   * @default - the hosts of the routes' VirtualService
   */
  readonly sniHosts?: readonly string[];
}

/** Props of {@link GatewayRoutes}. */
export interface GatewayRoutesProps {
  /** The gateway whose servers the routes apply to. */
  readonly gateway: IngressGateway;
  /**
   * Name of the VirtualService.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the VirtualService: the services' namespace (hosts are their short names).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Hosts of the VirtualService; each must be accepted by the gateway.
   * @default - the gateway's hosts
   */
  readonly hosts?: readonly string[];
  /** Routes, in matching order. @default - none (add them with addRoute) */
  readonly routes?: readonly GatewayRouteProps[];
  /** @default - none */
  readonly tlsRoutes?: readonly GatewayTlsRouteProps[];
  /** @default IstioApiVersion.V1BETA1 */
  readonly istioApiVersion?: IstioApiVersion;
}

interface Entry {
  readonly name: string;
  readonly matches: readonly Match[];
  readonly service: GrayService;
  readonly port?: number;
  readonly policy?: RoutePolicy;
}

/**
 * A gateway-bound VirtualService routing by path (and any other match) to several services.
 * Each route expands the target service's http rules (lanes, version rules, default route)
 * with the route's conditions ANDed into every match, so versions, lanes and policies hold at
 * the gateway hop exactly as in the mesh.
 *
 * A service with a Kruise release is refused: this VirtualService routes several services, so
 * it cannot be in one service's `customNetworkRefs` (Kruise's match-mode rule, put first without
 * the path condition, would catch every path of every service), and left out, gateway requests
 * would never reach the canary. Expose a released service with its own `gateway` prop.
 */
export class GatewayRoutes extends Construct {
  /** Name of the VirtualService. */
  public readonly name: string;
  /** Hosts of the VirtualService. */
  public readonly hosts: readonly string[];
  /** The gateway. */
  public readonly gateway: IngressGateway;
  /** The VirtualService. */
  public readonly apiObject: ApiObject;
  private readonly entries: Entry[] = [];
  private readonly tlsEntries: GatewayTlsRouteProps[] = [];
  private readonly namespace?: string;

  public constructor(scope: Construct, id: string, props: GatewayRoutesProps) {
    super(scope, id);
    const p = problemsAt(this);
    this.name = props.name ?? id;
    this.gateway = props.gateway;
    this.namespace = props.namespace;
    requireDns1123Label(p, 'name', this.name);
    if (props.namespace !== undefined) requireDns1123Label(p, 'namespace', props.namespace);
    p.throwIfAny();
    this.hosts = gatewayHostsOf(this, p, props.gateway, props.namespace, props.hosts);
    for (const h of this.hosts) {
      ChartState.of(this).claim(this, {
        key: `gateway|${props.gateway.node.path}|${h}`,
        prop: 'hosts',
        what: `the host ${h} on the gateway ${props.gateway.name}`,
        fix: 'route each host of a gateway from one place: put the paths in one GatewayRoutes, or give the services other hosts',
      });
    }
    const gatewayRef = props.gateway.refFrom(props.namespace);
    this.apiObject = meshObject(this, 'Resource', {
      apiVersion: props.istioApiVersion ?? IstioApiVersion.V1BETA1,
      kind: 'VirtualService',
      metadata: { name: this.name, namespace: props.namespace },
      spec: () => toJson_VirtualServiceSpec({ hosts: [...this.hosts], gateways: [gatewayRef], http: this.renderHttp(), tls: this.renderTls() }),
    });
    this.apiObject.metadata.addAnnotation(WellKnown.LANES_ANNOTATION, lazyString(() => this.lanesAnnotation()));
    for (const r of props.routes ?? []) this.addRoute(r);
    for (const r of props.tlsRoutes ?? []) this.addTlsRoute(r);
    addChecks(this, () => [...this.synthProblems(), ...ChartState.of(this).uniquenessProblems(this)]);
  }

  /** Adds a route after the others (the first route whose match holds wins). */
  public addRoute(route: GatewayRouteProps): void {
    const p = problemsAt(this);
    const at = `routes[${this.entries.length}]`;
    const s = route.service;
    const matches = route.match instanceof Match ? [route.match] : [...(route.match ?? [])];
    if (matches.length === 0) p.add(`${at}.match`, 'a route without a match would catch every request (no request would get 404)', 'give the paths, e.g. Match.uri.prefix("/static")');
    matches.forEach((m, i) => p.addAll(matchProblems(`${at}.match[${i}]`, m)));
    if (matches.some((m) => m instanceof Match && m.meshOnly)) {
      p.add(`${at}.match`, 'at the gateway, port and sourceLabels would test the gateway\'s own port and pods', 'match on paths, headers, methods, query parameters or JWT claims here');
    }
    if (s.release) {
      p.add(`${at}.service`, `${s.name} has a Kruise release: its Rollout cannot list this VirtualService, which routes several services (Kruise's canary rule carries no path and would take every path), and without it gateway requests never reach the canary`,
        `expose ${s.name} with its own gateway prop (its gateway VirtualService is in the Rollout's customNetworkRefs), or release it without Kruise`);
    }
    const effective = (c: Construct) => (c === this ? this.namespace : s.namespace) ?? Chart.of(c).namespace;
    if (effective(this) !== effective(s)) {
      p.add(`${at}.service`, `${s.name} is in namespace ${effective(s) ?? '(unset)'} and this VirtualService in ${effective(this) ?? '(unset)'}; routes name services by their short host`, 'give GatewayRoutes the services\' namespace');
    }
    const port = route.port ?? s.ports.find((x) => isHttpFamily(x.protocol))?.port;
    if (!s.ports.some((x) => x.port === port && isHttpFamily(x.protocol))) {
      p.add(`${at}.port`, `${s.name} has no HTTP, HTTP2 or GRPC port ${route.port ?? ''}`.trim(), `give one of ${s.ports.map((x) => `${x.port} (${x.protocol})`).join(', ')} that is HTTP-family`);
    }
    p.addAll(policyProblems(`${at}.policy`, route.policy));
    const mirror = route.policy?.mirror;
    if (mirror && !s.routing.subsetOf(mirror.version)) p.add(`${at}.policy.mirror`, `${s.name} has no version ${mirror.version}`, `mirror to one of ${s.routing.versions.join(', ')}`);
    const name = route.name ?? s.name;
    requireDns1123Label(p, `${at}.name`, name);
    if (this.entries.some((e) => e.name === name)) p.add(`${at}.name`, `two routes are named ${name}`, 'give each route its own name');
    p.throwIfAny();
    this.entries.push({ name, matches, service: s, port, policy: route.policy });
  }

  /** Forwards TLS streams of the gateway's PASSTHROUGH servers to a service's TLS port, by SNI. */
  public addTlsRoute(route: GatewayTlsRouteProps): void {
    const p = problemsAt(this);
    const at = `tlsRoutes[${this.tlsEntries.length}]`;
    if (!this.gateway.servers.some((x) => x.tls?.mode === GatewayTlsMode.PASSTHROUGH)) {
      p.add(at, `the gateway ${this.gateway.name} has no PASSTHROUGH server`, 'add a server { protocol: GatewayProtocol.TLS, port: 8443 } to the gateway');
    }
    if (!route.service.ports.some((x) => x.port === route.port && x.protocol === Protocol.TLS)) {
      p.add(`${at}.port`, `${route.service.name} has no TLS port ${route.port}`, 'give a port of the service with Protocol.TLS');
    }
    if (route.sniHosts && route.sniHosts.length === 0) p.add(`${at}.sniHosts`, 'no SNI host given', 'list hosts, or leave sniHosts unset for the VirtualService hosts');
    p.throwIfAny();
    this.tlsEntries.push(route);
  }

  private renderHttp(conflicts?: string[]): VirtualServiceSpecHttp[] | undefined {
    if (this.entries.length === 0) return undefined;
    return this.entries.flatMap((e) => e.service._gatewayHttp({ within: e.matches, destinationPort: e.port, policy: e.policy, namePrefix: e.name, conflicts }));
  }

  private renderTls(): VirtualServiceSpecTls[] | undefined {
    if (this.tlsEntries.length === 0) return undefined;
    return this.tlsEntries.map((t) => ({
      match: [{ sniHosts: [...(t.sniHosts ?? this.hosts)] }],
      route: [{ destination: { host: t.service.host, port: { number: t.port } } }],
    }));
  }

  private lanesAnnotation(): string | undefined {
    const items = new Set(this.entries.flatMap((e) => e.service.routing.lanesAnnotation()?.split(',') ?? []));
    return items.size === 0 ? undefined : [...items].sort().join(',');
  }

  /** Checks that need the whole app: conflicting conditions, JWT issuers, mirrors, hosts. */
  private synthProblems(): ModelProblem[] {
    const out: ModelProblem[] = [];
    const conflicts: string[] = [];
    this.renderHttp(conflicts);
    for (const c of [...new Set(conflicts)]) {
      out.push(problem('routes', `a route's condition and the rule ${c.split(':')[0]} of its service both set ${c.split(': ')[1]}, which one Istio match cannot hold twice`, 'match on another field at the gateway (e.g. headers), or drop the condition from the service\'s rule'));
    }
    const claims = this.entries.some((e) => e.matches.some((m) => m.needsGateway));
    if (claims && this.gateway.jwtIssuers.length === 0) {
      out.push(problem('routes', `a route matches a JWT claim, but the gateway ${this.gateway.name} validates no JWT, so the claims are never set`, `add new JwtIssuer(scope, id, { gateway: ${this.gateway.name}, issuer, jwksUri }) (it writes the gateway's RequestAuthentication)`));
    }
    for (const e of this.entries) {
      const mirror = mergePolicies(e.service.routing.policy, e.policy).mirror;
      if (mirror && e.service.routing.defaultRoute.versions.includes(mirror.version)) {
        out.push(problem(`routes ${e.name}`, `mirrors to ${mirror.version}, which serves ${e.service.name}'s default route`, 'mirror to a version the route does not send traffic to'));
      }
    }
    if (this.entries.length === 0 && this.tlsEntries.length === 0) {
      out.push(problem('routes', 'no route given, so every request gets 404', 'add routes with addRoute({ match, service })'));
    }
    return out;
  }
}

