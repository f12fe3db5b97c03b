/**
 * What the lanes of a chart have written into one GrayService: the lanes it takes part in (for
 * the `gray-release.io/lanes` annotation of its routing objects) and the weighted lane entries
 * of its gateway-bound VirtualService. One record per service, shared by every lane.
 */
import { Lazy } from 'cdk8s';
import { fail } from '../core/validation';
import { WellKnown } from '../core/well-known';
import type { GrayService } from '../gray-service';
import { RouteDestination, RuleScope } from '../routing/service-routing';

/** A lane as the routing objects of a member declare it. */
export interface LaneDeclaration {
  readonly name: string;
  readonly header: string;
  readonly value: string;
}

/** One lane's share of the gateway traffic of a service. */
export interface WeightedEntry {
  readonly lane: LaneDeclaration;
  /** The lane's subset at this service. */
  readonly subset: string;
  /** Percentage of the requests without a lane header sent into the lane. */
  readonly percent: number;
}

/**
 * Name of the gateway rule that splits requests without a lane header between base and lanes
 * (not of the form `lane-<name>`, so no lane's rule can take it).
 */
export const ENTRY_RULE = 'weighted-lane-entry';

const records = new WeakMap<GrayService, ServiceLanes>();

export class ServiceLanes {
  /** The record of `service`, created on first use. */
  public static of(service: GrayService): ServiceLanes {
    let r = records.get(service);
    if (!r) {
      r = new ServiceLanes(service);
      records.set(service, r);
    }
    return r;
  }

  private readonly declared: LaneDeclaration[] = [];
  private readonly entries: WeightedEntry[] = [];

  private constructor(private readonly service: GrayService) {}

  /** The lanes the service takes part in, in the order they were added. */
  public get lanes(): readonly LaneDeclaration[] {
    return [...this.declared];
  }

  /** The weighted entries of the service's gateway-bound VirtualService. */
  public get weightedEntries(): readonly WeightedEntry[] {
    return [...this.entries];
  }

  /** Declares a lane on the service's VirtualServices and DestinationRule. */
  public declare(lane: LaneDeclaration): void {
    if (this.declared.length === 0) {
      const objects = [this.service.virtualService, this.service.destinationRule, this.service.gatewayVirtualService];
      const text = Lazy.any({ produce: () => this.declared.map((l) => `${l.name}=${l.header}:${l.value}`).sort().join(',') }) as unknown as string;
      for (const o of objects) o?.metadata.addAnnotation(WellKnown.LANES_ANNOTATION, text);
    }
    this.declared.push(lane);
  }

  /**
   * Sends `percent` of the gateway requests that carry no lane header into a lane, setting the
   * lane header on that share so the next hops see it. One gateway rule holds every lane's
   * share (a second rule would never see the requests the first one took); requests that already
   * carry a lane header skip it, so they keep their lane and are never re-split.
   *
   * @param laneHeaders produces, at synth, every header any lane of the app uses
   */
  public addWeightedEntry(entry: WeightedEntry, laneHeaders: () => readonly string[]): void {
    if (this.entries.length === 0) {
      const entries = this.entries;
      const baseSubset = this.service.names.baseSubset;
      // Destinations and absent headers are read when the VirtualService is rendered.
      const error = this.service.routing.addRule({
        name: ENTRY_RULE,
        scope: RuleScope.GATEWAY,
        get withoutHeaders() {
          return [...new Set(laneHeaders())].sort();
        },
        get destinations(): RouteDestination[] {
          const lanes = entries.reduce((sum, e) => sum + e.percent, 0);
          const base: RouteDestination[] = lanes < 100 ? [{ subset: baseSubset, weight: 100 - lanes }] : [];
          return [...base, ...entries.map((e) => ({ subset: e.subset, weight: e.percent, setRequestHeaders: { [e.lane.header]: e.lane.value } }))];
        },
      });
      if (error) fail(this.service, 'routing', error, `rename the rule "${ENTRY_RULE}" of the service; the lanes' weighted entry needs that name`);
    }
    this.entries.push(entry);
  }
}
