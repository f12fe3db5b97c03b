import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GatewaySpec, toJson_GatewaySpec } from '../../../imports/istio-networking';
import { IstioApiVersion } from '../../model/api-versions';
import { isDns1123Label, isDns1123Subdomain, requireDns1123Label, requireInt, requireLabel } from '../../model/names';
import { meshObject } from '../core/mesh-object';
import { addChecks, ChartState, problemsAt } from '../core/state';

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
   * HTTP port of the server.
   * @default 80
   */
  readonly port?: number;
  /**
   * apiVersion of the Gateway object.
   * @default IstioApiVersion.V1BETA1
   */
  readonly apiVersion?: IstioApiVersion;
}

/**
 * One server of a Gateway, as the colorings and policies bound to it read it (minimal form of
 * #12's contract: the construct writes one plain-HTTP server).
 */
export interface GatewayServer {
  /** Port name, unique within the Gateway. */
  readonly name: string;
  /** Port number of the server (the gateway Service's port). */
  readonly port: number;
  /** Protocol of the port (`HTTP`, `HTTPS`, `HTTP2`, `GRPC`, `TLS`, ...). */
  readonly protocol: string;
  /** Hosts the server accepts, `[namespace/]host`. */
  readonly hosts: readonly string[];
}

/** A JWT issuer whose tokens the gateway verifies (a RequestAuthentication on its pods). */
export interface IGatewayJwtIssuer {
  /** The issuer (`iss` claim) of the verified tokens. */
  readonly issuer: string;
}

const HOST = /^(\*|\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

/**
 * An Istio `Gateway` on the ingress gateway: one plain-HTTP server with its hosts.
 * Services are exposed through it with `GrayService`'s `gateway` prop, which writes a
 * gateway-bound VirtualService (the seed's `vs-mocka`).
 *
 * @see https://istio.io/v1.23/docs/reference/config/networking/gateway/
 */
export class IngressGateway extends Construct {
  /** Name of the Gateway object. */
  public readonly name: string;
  /** Namespace of the Gateway object, if set. */
  public readonly namespace?: string;
  /** Hosts the gateway accepts. */
  public readonly hosts: readonly string[];
  /** The underlying `Gateway` object. */
  public readonly apiObject: ApiObject;
  /** Labels of the gateway pods the Gateway configures. */
  public readonly selector: Readonly<Record<string, string>>;
  /** The servers of the Gateway. */
  public readonly servers: readonly GatewayServer[];

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
    for (const h of props.hosts) {
      const [ns, host, extra] = h.split('/');
      const hostPart = host === undefined ? ns : host;
      if (extra !== undefined || (host !== undefined && ns !== '*' && ns !== '.' && !isDns1123Label(ns)) || !HOST.test(hostPart) || (!hostPart.startsWith('*') && !isDns1123Subdomain(hostPart))) {
        p.add('hosts', `${JSON.stringify(h)} is not in Istio's [namespace/]host form`, 'use a DNS name such as "shop.example.com" or "*.example.com", optionally prefixed by "namespace/"');
      }
      if (hostPart === '*' && !props.allowAnyHost) {
        p.add('hosts', 'the catch-all host "*" accepts requests for any Host header', 'list the real hosts, or set allowAnyHost: true to expose everything on purpose');
      }
    }
    if (new Set(props.hosts).size !== props.hosts.length) p.add('hosts', 'a host is listed twice', 'list each host once');
    this.hosts = [...props.hosts];
    const selector = props.selector ?? { istio: 'ingressgateway' };
    if (Object.keys(selector).length === 0) p.add('selector', 'an empty selector would configure every gateway pod', 'name the ingress gateway pods, e.g. { istio: "ingressgateway" }');
    for (const [k, v] of Object.entries(selector)) requireLabel(p, 'selector', k, v);
    const port = props.port ?? 80;
    requireInt(p, 'port', port, 1, 65535);
    p.throwIfAny();

    this.selector = { ...selector };
    this.servers = [{ name: 'http', port, protocol: 'HTTP', hosts: [...this.hosts] }];
    const spec: GatewaySpec = {
      selector: { ...selector },
      servers: [{ hosts: [...this.hosts], port: { name: 'http', number: port, protocol: 'HTTP' } }],
    };
    this.apiObject = meshObject(this, 'Resource', {
      apiVersion: props.apiVersion ?? IstioApiVersion.V1BETA1,
      kind: 'Gateway',
      metadata: { name: this.name, namespace: this.namespace },
      spec: () => toJson_GatewaySpec(spec),
    });
    addChecks(this, () => ChartState.of(this).uniquenessProblems(this));
  }

  /** The JWT issuers whose tokens the gateway pods verify (each a RequestAuthentication). */
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

  /** How a VirtualService in `fromNamespace` refers to this gateway (`name` or `namespace/name`). */
  public refFrom(fromNamespace: string | undefined): string {
    return this.namespace && this.namespace !== fromNamespace ? `${this.namespace}/${this.name}` : this.name;
  }
}
