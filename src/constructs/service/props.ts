import type { ServiceRoutingProps } from './routing-props';
import type { ServiceWorkloadProps } from './workload-props';
import { IstioApiVersion, LoadBalancer } from '../../model/api-versions';
import { ProgressiveReleaseOptions, Release } from '../../model/kruise/release';
import { IngressGateway } from '../ingress/ingress-gateway';

/** Names of the objects a GrayService writes; each defaults from the service name. */
export interface GrayServiceNames {
  /** @default '<name>-<baseVersion>' (the seed's `mocka-base`) */
  readonly deployment?: string;
  /** @default 'dr-<name>' */
  readonly destinationRule?: string;
  /** Mesh VirtualService. @default 'vs-<name>' */
  readonly virtualService?: string;
  /** Gateway-bound VirtualService. @default 'vs-<name>-gateway' */
  readonly gatewayVirtualService?: string;
  /** @default 'rollouts-<name>' */
  readonly rollout?: string;
  /** @default '<name>-tr' */
  readonly trafficRouting?: string;
  /** Name of the base subset. @default 'version-<baseVersion>' */
  readonly baseSubset?: string;
}

/**
 * Props of {@link GrayService}; the pod recipe is in {@link ServiceWorkloadProps}, the versions,
 * routes, policies and ports in {@link ServiceRoutingProps}.
 */
export interface GrayServiceProps extends ServiceWorkloadProps, ServiceRoutingProps {
  /**
   * Name of the service: the Service name, the `app` label and the mesh host.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Port of the Service (one HTTP port named `http`). Give either `port` or `ports`.
   * @default - none (give `ports`)
   */
  readonly port?: number;
  /**
   * Port the container listens on.
   * @default - the same as `port`
   */
  readonly containerPort?: number;
  /**
   * Pod label that tells versions apart.
   * @default 'version'
   */
  readonly versionLabel?: string;
  /**
   * Value of the version label on base pods.
   * @default 'base'
   */
  readonly baseVersion?: string;
  /**
   * Load-balancing algorithm of the DestinationRule (`trafficPolicy.loadBalancer` offers
   * consistent hashing too; give one of them).
   * @default LoadBalancer.ROUND_ROBIN
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Services this one calls (the call graph the route explainer follows), written to the
   * Deployment annotation `gray-release.io/calls`.
   * @default - none
   */
  readonly calls?: ReadonlyArray<GrayServiceRef>;
  /**
   * Expose the service through this ingress gateway, with a gateway-bound VirtualService.
   * @default - not exposed
   */
  readonly gateway?: IngressGateway;
  /**
   * Hosts of the gateway-bound VirtualService; each must be accepted by the gateway.
   * @default - the gateway's hosts
   */
  readonly gatewayHosts?: readonly string[];
  /**
   * Progressive delivery through an OpenKruise Rollout: `Release.lanes({...})` (a TrafficRouting
   * with header matches for the whole release, shared by progressive TrafficLanes; the seed's) or
   * `Release.canary({ steps })` (the Rollout's own trafficRoutings, routed step by step). The
   * plain-object form `{ matches, steps }` is a lane release.
   * @default - no Rollout
   */
  readonly release?: Release | ProgressiveReleaseOptions;
  /**
   * apiVersion of the Istio objects.
   * @default IstioApiVersion.V1BETA1
   */
  readonly istioApiVersion?: IstioApiVersion;
  /**
   * Names of the objects.
   * @default - derived from the service name
   */
  readonly names?: GrayServiceNames;
}

/** A service another one calls: a GrayService, or the host of a service outside the chart. */
export type GrayServiceRef = { readonly host: string } | string;
