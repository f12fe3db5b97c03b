/**
 * The Istio objects of one GrayService: its DestinationRule, its mesh VirtualService and,
 * when exposed, its gateway-bound VirtualService, all rendered at synth from the service's
 * routing model. Owned by {@link GrayService}; the objects are children of the service.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { gatewayHostsOf } from './checks';
import { toJson_DestinationRuleSpec, toJson_VirtualServiceSpec } from '../../../imports/istio-networking';
import { IstioApiVersion, LoadBalancer } from '../../model/api-versions';
import { Problems } from '../../model/problem';
import { isHttpFamily } from '../../model/routing/protocol';
import { RenderContext, ServiceRouting } from '../../model/routing/service-routing';
import { renderTrafficPolicy, TrafficPolicy } from '../../model/routing/traffic-policy';
import { meshObject } from '../core/mesh-object';
import { ChartState } from '../core/state';
import type { IngressGateway } from '../ingress/ingress-gateway';

/** What the routing objects need to know about their service. */
export interface ServiceRoutingObjectsProps {
  readonly host: string;
  readonly namespace?: string;
  readonly apiVersion: IstioApiVersion;
  readonly names: { readonly destinationRule: string; readonly virtualService: string; readonly gatewayVirtualService: string };
  readonly loadBalancer: LoadBalancer;
  /** The service's traffic policy (its load balancer replaces `loadBalancer`). */
  readonly trafficPolicy?: TrafficPolicy;
  readonly gateway?: IngressGateway;
  readonly gatewayHosts?: readonly string[];
  /** Every header a lane of the app is carried by, read at synth. */
  readonly laneHeaders: () => readonly string[];
}

export class ServiceRoutingObjects {
  public readonly destinationRule: ApiObject;
  public readonly virtualService: ApiObject;
  public readonly gatewayVirtualService?: ApiObject;

  public constructor(scope: Construct, problems: Problems, private readonly routing: ServiceRouting, private readonly o: ServiceRoutingObjectsProps) {
    this.destinationRule = meshObject(scope, 'DestinationRule', {
      apiVersion: o.apiVersion,
      kind: 'DestinationRule',
      metadata: { name: o.names.destinationRule, namespace: o.namespace },
      spec: () => toJson_DestinationRuleSpec({
        host: o.host,
        trafficPolicy: renderTrafficPolicy(o.trafficPolicy, o.loadBalancer),
        subsets: routing.renderSubsets(),
      }),
    });
    this.virtualService = meshObject(scope, 'VirtualService', {
      apiVersion: o.apiVersion,
      kind: 'VirtualService',
      metadata: { name: o.names.virtualService, namespace: o.namespace },
      spec: () => toJson_VirtualServiceSpec({
        hosts: [o.host],
        http: routing.renderHttp(this.renderContext(false)),
        tcp: routing.renderTcp(),
        tls: routing.renderTls(),
      }),
    });
    if (o.gateway) {
      const gateway = o.gateway;
      const hosts = gatewayHostsOf(scope, problems, gateway, o.namespace, o.gatewayHosts);
      for (const h of hosts) {
        ChartState.of(scope).claim(scope, {
          key: `gateway|${gateway.node.path}|${h}`,
          prop: 'gatewayHosts',
          what: `the host ${h} on the gateway ${gateway.name}`,
          fix: 'expose each host through one service (give the others gatewayHosts of their own), or route the paths of one host from one service',
        });
      }
      const gatewayRef = gateway.refFrom(o.namespace);
      this.gatewayVirtualService = meshObject(scope, 'GatewayVirtualService', {
        apiVersion: o.apiVersion,
        kind: 'VirtualService',
        metadata: { name: o.names.gatewayVirtualService, namespace: o.namespace },
        spec: () => toJson_VirtualServiceSpec({ hosts: [...hosts], gateways: [gatewayRef], http: routing.renderHttp(this.renderContext(true)) }),
      });
    }
  }

  /** Every routing object, in a stable order. */
  public get all(): readonly ApiObject[] {
    return [this.virtualService, this.destinationRule, ...(this.gatewayVirtualService ? [this.gatewayVirtualService] : [])];
  }

  /** What the VirtualServices need at synth besides the service's own routing. */
  private renderContext(gateway: boolean): RenderContext {
    return {
      gateway,
      laneHeaders: gateway && this.routing.weightedEntries.length > 0 ? this.o.laneHeaders() : [],
      // A gateway has no port of the service to keep: with several ports, name the HTTP one.
      destinationPort: gateway && this.routing.ports.length > 1 ? this.routing.ports.find((p) => isHttpFamily(p.protocol))?.port : undefined,
    };
  }
}
