/**
 * The routing props of a GrayService (issue #12): versions, the default route and the
 * service's own rules, the policies, and the ports. `GrayServiceProps` extends this interface.
 */
import type { VersionWorkloadProps } from './workload-props';
import { RoutePolicy } from '../../model/routing/policy';
import { Protocol } from '../../model/routing/protocol';
import { Route, RouteRule } from '../../model/routing/route';
import { TrafficPolicy } from '../../model/routing/traffic-policy';

/**
 * One version of a service: a Deployment `<service>-<name>` built from the service's pod recipe
 * with the version's overrides (image, env, replicas, resources, autoscaling: #13's
 * {@link VersionWorkloadProps}), and a subset named `<name>`.
 */
export interface ServiceVersionProps extends VersionWorkloadProps {
  /**
   * Traffic policy of this version's subset (it applies on top of the service's).
   * @default - the service's traffic policy only
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/** A port of the service and the protocol Istio routes on it. */
export interface ServicePortProps {
  /**
   * Port name, which must say the protocol as Istio reads it: `http`, `http2`, `grpc`, `tcp`,
   * `tls` or `https`, optionally followed by `-<suffix>` (at most 15 characters: the container
   * port gets the same name).
   */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /**
   * Container port.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
  /** Protocol: HTTP, HTTP2 and GRPC ports are routed by http rules; TCP and TLS ports go to the default route's versions. */
  readonly protocol: Protocol;
}

/** Routing props of {@link GrayService}. */
export interface ServiceRoutingProps {
  /**
   * The versions the service runs. Each is a Deployment `<service>-<version>` whose pods carry
   * `<versionLabel>: <version>`, and a DestinationRule subset named after the version (Istio's
   * convention). The Kruise release, if any, releases the default route's version.
   * @default - one version named `baseVersion` from `image` (Deployment `names.deployment`, subset `names.baseSubset`)
   */
  readonly versions?: readonly ServiceVersionProps[];
  /**
   * Where requests go that match no rule: one version or a weighted split (`Route.split`).
   * @default - Route.to(the first version)
   */
  readonly defaultRoute?: Route;
  /**
   * The service's own rules, in routing order, after any lane's rules and before the default
   * route: `{ match: Match.header('end-user').exact('jason'), route: Route.to('v2') }`.
   * @default - none
   */
  readonly routes?: readonly RouteRule[];
  /**
   * Policy (timeout, retries, fault, mirror, header changes, CORS) applied to EVERY rule the
   * library writes for the service: its own rules, lane rules, the weighted lane entry and the
   * default route. A rule's own route policy overrides it field by field.
   * @default - none
   */
  readonly routePolicy?: RoutePolicy;
  /**
   * The DestinationRule's traffic policy: load balancing (including consistent hash),
   * connection pool, outlier detection, TLS to the upstream.
   * @default - round robin (the `loadBalancer` prop) and Istio's defaults
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Ports of the Service, each with its protocol; every workload exposes the same container
   * ports. Give either `port` or `ports`.
   * @default - one HTTP port named `http` from `port` and `containerPort`
   */
  readonly ports?: readonly ServicePortProps[];
}
