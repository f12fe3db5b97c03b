import type { ServiceWorkloadProps } from './workload-props';
import { IstioApiVersion, KruiseApiVersion, LoadBalancer } from '../../model/api-versions';
import { CanaryStep, HeaderMatch } from '../../model/kruise/canary-step';
import { IngressGateway } from '../ingress/ingress-gateway';

/** Progressive delivery of a GrayService through an OpenKruise Rollout. */
export interface ProgressiveReleaseOptions {
  /**
   * Canary steps of the Rollout.
   * @default [CanaryStep.replicas(1)] - one canary pod, then wait for approval (the seed)
   */
  readonly steps?: readonly CanaryStep[];
  /**
   * Header conditions (ANDed) under which a request reaches the canary, written to the
   * TrafficRouting. A TrafficLane in progressive mode sets this for its members.
   * @default - none (give a weight, or add the service to a progressive TrafficLane)
   */
  readonly matches?: readonly HeaderMatch[];
  /**
   * Percentage of traffic the TrafficRouting sends to the canary (0-100). When matches are
   * also given, Kruise uses the matches.
   * @default - none
   */
  readonly weight?: number;
  /**
   * Value of the version label on canary pods; it replaces the base value so a canary pod is
   * never in the base subset.
   * @default 'canary'
   */
  readonly canaryVersion?: string;
  /**
   * apiVersion of the Rollout.
   * @default KruiseApiVersion.V1ALPHA1
   */
  readonly apiVersion?: KruiseApiVersion;
}

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

/** Props of {@link GrayService}; the pod recipe is in {@link ServiceWorkloadProps}. */
export interface GrayServiceProps extends ServiceWorkloadProps {
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
  /** Port of the Service (named `http`). */
  readonly port: number;
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
   * Load-balancing algorithm of the DestinationRule.
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
   * Progressive delivery through an OpenKruise Rollout and TrafficRouting.
   * @default - no Rollout
   */
  readonly release?: ProgressiveReleaseOptions;
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
