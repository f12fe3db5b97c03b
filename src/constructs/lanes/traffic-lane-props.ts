import * as kplus from 'cdk8s-plus-27';
import type { TrafficColoring } from './traffic-coloring';
import type { UserKey } from '../../model/lanes/user-key';
import type { GrayService } from '../service/gray-service';

/** How a lane's versions come to exist and who routes requests into them. */
export enum LaneMode {
  /**
   * Static lane: every member gets a lane Deployment, a lane subset in its DestinationRule and
   * a rule `header = value -> lane subset` ahead of the base route in its VirtualServices. No
   * controller edits anything, so the manifests stay as synthesized (drift-free under Argo CD).
   */
  STATIC = 'static',
  /**
   * Progressive lane: every member's OpenKruise Rollout/TrafficRouting matches the lane's
   * header and value, and Kruise adds the canary route while a release runs.
   */
  PROGRESSIVE = 'progressive',
}

/** Props of {@link TrafficLane}. */
export interface TrafficLaneProps {
  /**
   * Name of the lane: a DNS-1123 label of at most 58 characters. A static lane uses it for the
   * lane Deployments (`<service>-<name>`), the version label and lane label of their pods, the
   * subset and the rule (`lane-<name>`).
   */
  readonly name: string;
  /**
   * The request header that carries the lane (lowercase), e.g. the seed's `my-request-id`.
   * Several lanes may share a header with different values.
   */
  readonly header: string;
  /**
   * The header value that puts a request in this lane (matched exactly).
   * @default - the lane name
   */
  readonly value?: string;
  /**
   * How the lane's versions are run.
   * @default LaneMode.STATIC
   */
  readonly mode?: LaneMode;
  /**
   * Services on the lane's call paths that have no version in the lane but must still copy the
   * lane header to their outgoing calls (e.g. the middle of a chain whose ends are members).
   * Members propagate the header without being listed.
   * @default - none
   */
  readonly services?: readonly GrayService[];
}

/** Options of one member of a static lane: how its lane version differs from the base. */
export interface LaneMemberOptions {
  /**
   * Image of the lane version.
   * @default - the service's image
   */
  readonly image?: string;
  /**
   * Environment added to (and overriding) the service's environment.
   * @default - the service's environment
   */
  readonly env?: Readonly<Record<string, kplus.EnvValue>>;
  /**
   * Replicas of the lane Deployment.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Resource requests and limits of the lane version.
   * @default - the service's resources
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Name of the lane Deployment.
   * @default '<service name>-<lane name>'
   */
  readonly deploymentName?: string;
}

/**
 * What a lane needs to know about the ingress coloring that puts requests in it (for example
 * a `TrafficColoring`): the header it sets and the values it can set.
 */
export interface ILaneColoring {
  /** The header the coloring sets. */
  readonly header: string;
  /** The values the coloring can set. */
  readonly laneValues: readonly string[];
}

/** Options of {@link TrafficLane.enterByWeight}. */
export interface WeightedEntryOptions {
  /**
   * Decide the share by a stable hash of this user key instead of per request, so that a user
   * stays in the lane from one request to the next. The share becomes a sticky cohort rule
   * (`ColoringRule.cohort`) of the ingress coloring, which sets the lane header before the
   * gateway routes; the gateway VirtualService gets no weighted rule. Istio's weights are drawn
   * per request and its consistent hash picks pods within a subset, not subsets, so neither can
   * keep a user in a lane.
   *
   * @default - per request (Istio route weights): a user may switch lanes between requests
   */
  readonly stickyBy?: UserKey;
  /**
   * The coloring that carries the sticky cohort (with `stickyBy` only).
   * @default - the TrafficColoring of the app bound to the service's gateway that sets the lane's header
   */
  readonly coloring?: TrafficColoring;
}
