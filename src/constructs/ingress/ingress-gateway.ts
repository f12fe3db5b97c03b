import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GatewaySpec, toJson_GatewaySpec } from '../../../imports/istio-networking';
import { IstioApiVersion } from '../../model/api-versions';
import { isDns1123Label, isDns1123Subdomain, requireDns1123Label, requireInt, requireLabel } from '../../model/names';
import { Problems } from '../../model/problem';
import { GatewayProtocol, GatewayServer, GatewayServerProps, renderServers, resolveServers } from '../../model/routing/gateway';
import { meshObject } from '../core/mesh-object';
import { addChecks, ChartState, problemsAt } from '../core/state';

export { GatewayProtocol, GatewayTlsMode, type GatewayServer, type GatewayServerProps } from '../../model/routing/gateway';

/** A JWT issuer whose tokens the gateway verifies (a RequestAuthentication on its pods, see JwtIssuer). */
export interface IGatewayJwtIssuer {
  /** The issuer (`iss` claim) of the verified tokens. */
  readonly issuer: string;
}

/** Props of {@link IngressGateway}. */
export interface IngressGatewayProps {
  /**
   * Name of the Gateway object (a DNS-1123 label, no dots).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Gateway object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Hosts the gateway accepts, in Istio's `[namespace/]host` form (`shop.example.com`,
   * `*.example.com`). The catch-all `*` accepts any Host header: it is only allowed with
   * `allowAnyHost: true`, so that exposing everything is a conscious choice.
   */
  readonly hosts: readonly string[];
  /**
   * Accept the catch-all host `*` (the seed's `sample-gateway` does).
   * @default false
   */
  readonly allowAnyHost?: boolean;
  /**
   * Labels of the ingress gateway pods this Gateway configures.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * HTTP port of the single HTTP server (the seed's form; give `servers` for more).
   * @default 80
   */
  readonly port?: number;
  /**
   * The servers: HTTP (with an optional redirect to HTTPS), HTTPS, TLS passthrough.
   * @default - one HTTP server on `port` for `hosts`
   */
  readonly servers?: readonly GatewayServerProps[];
  /**
   * apiVersion of the Gateway object.
   * @default IstioApiVersion.V1BETA1
   */
  readonly apiVersion?: IstioApiVersion;
}

const HOST = /^(\*|\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/**
 * An Istio `Gateway` on the ingress gateway: HTTP and/or HTTPS servers (and TLS passthrough),
 * each with its hosts. Services are exposed through it with `GrayService`'s `gateway` prop,
 * which writes a gateway-bound VirtualService (the seed's `vs-mocka`), or by path with
 * {@link GatewayRoutes}.
 *
 * @see https://istio.io/v1.23/docs/reference/config/networking/gateway/
 */
export class IngressGateway extends Construct {
  /** Name of the Gateway object. */
  public readonly name: string;
  /** Namespace of the Gateway object, if set. */
  public readonly namespace?: string;
  /** Hosts the gateway accepts: every server's hosts, in order. */
  public readonly hosts: readonly string[];
  /** The servers. */
  public readonly servers: readonly GatewayServer[];
  /** Labels of the ingress gateway pods this Gateway configures. */
  public readonly selector: Readonly<Record<string, string>>;
  /** The underlying `Gateway` object. */
  public readonly apiObject: ApiObject;

  private readonly issuers: IGatewayJwtIssuer[] = [];

  public constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    const p = problemsAt(this);
    this.name = props.name ?? id;
    requireDns1123Label(p, 'name', this.name);
    if (props.namespace !== undefined) requireDns1123Label(p, 'namespace', props.namespace);
    this.namespace = props.namespace;
    if (!props.hosts || props.hosts.length === 0) {
      p.fail('hosts', 'no host given', 'list the hosts clients use, e.g. hosts: ["shop.example.com"]');
    }
    checkHosts(p, 'hosts', props.hosts, props.allowAnyHost);
    const selector = props.selector ?? { istio: 'ingressgateway' };
    if (Object.keys(selector).length === 0) p.add('selector', 'an empty selector would configure every gateway pod', 'name the ingress gateway pods, e.g. { istio: "ingressgateway" }');
    for (const [k, v] of Object.entries(selector)) requireLabel(p, 'selector', k, v);
    this.selector = { ...selector };
    this.servers = this.resolveServers(p, props);
    this.hosts = [...new Set(this.servers.flatMap((s) => s.hosts))];
    p.throwIfAny();

    const spec: GatewaySpec = { selector: { ...selector }, servers: renderServers(this.servers) };
    this.apiObject = meshObject(this, 'Resource', {
      apiVersion: props.apiVersion ?? IstioApiVersion.V1BETA1,
      kind: 'Gateway',
      metadata: { name: this.name, namespace: this.namespace },
      spec: () => toJson_GatewaySpec(spec),
    });
    addChecks(this, () => ChartState.of(this).uniquenessProblems(this));
  }

  /** The JWT issuers whose tokens the gateway pods verify (each a RequestAuthentication, see JwtIssuer). */
  public get jwtIssuers(): readonly IGatewayJwtIssuer[] {
    return [...this.issuers];
  }

  /**
   * Records an issuer whose tokens the gateway verifies.
   * @internal called by JwtIssuer
   */
  public _addJwtIssuer(issuer: IGatewayJwtIssuer): void {
    this.issuers.push(issuer);
  }

  /** The servers: `servers`, or the seed's single HTTP server on `port`. */
  private resolveServers(p: Problems, props: IngressGatewayProps): GatewayServer[] {
    if (props.servers === undefined) {
      const port = props.port ?? 80;
      requireInt(p, 'port', port, 1, 65535);
      return [{ name: 'http', port, protocol: GatewayProtocol.HTTP, hosts: [...props.hosts] }];
    }
    if (props.port !== undefined) p.add('port', 'both port and servers are given', 'give the HTTP port in servers');
    const resolved = resolveServers('servers', props.servers, props.hosts);
    p.addAll(resolved.problems);
    props.servers.forEach((s, i) => { if (s.hosts) checkHosts(p, `servers[${i}].hosts`, s.hosts, props.allowAnyHost); });
    return resolved.servers;
  }

  /** How a VirtualService in `fromNamespace` refers to this gateway (`name` or `namespace/name`). */
  public refFrom(fromNamespace: string | undefined): string {
    return this.namespace && this.namespace !== fromNamespace ? `${this.namespace}/${this.name}` : this.name;
  }
}

/** Checks hosts in Istio's `[namespace/]host` form; the catch-all `*` only with `allowAnyHost`. */
function checkHosts(p: Problems, prop: string, hosts: readonly string[], allowAnyHost: boolean | undefined): void {
  for (const h of hosts) {
    const [ns, host, extra] = h.split('/');
    const hostPart = host === undefined ? ns : host;
    if (extra !== undefined || (host !== undefined && ns !== '*' && ns !== '.' && !isDns1123Label(ns)) || !HOST.test(hostPart) || (!hostPart.startsWith('*') && !isDns1123Subdomain(hostPart))) {
      p.add(prop, `${JSON.stringify(h)} is not in Istio's [namespace/]host form`, 'use a DNS name such as "shop.example.com" or "*.example.com", optionally prefixed by "namespace/"');
    }
    if (hostPart === '*' && !allowAnyHost) {
      p.add(prop, 'the catch-all host "*" accepts requests for any Host header', 'list the real hosts, or set allowAnyHost: true to expose everything on purpose');
    }
  }
  if (new Set(hosts).size !== hosts.length) p.add(prop, 'a host is listed twice', 'list each host once');
}
