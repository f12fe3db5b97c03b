/**
 * Synth-time checks of a GrayService's Kruise release, which need the whole app: the routing
 * objects as they will be written, the call graph, and the lanes.
 */
import { ApiObject } from 'cdk8s';
import type { GrayService } from './gray-service';
import { CallerGraph, callersDroppingHeader } from './propagation';
import { networkObjectProblems } from '../../model/kruise/network-rules';
import { ReleaseMode } from '../../model/kruise/release';
import { ModelProblem, problem } from '../../model/problem';
import type { KruiseRelease } from '../kruise/kruise-release';

/** Every problem of `service`'s release `release` at synth; `callers` is the call graph of every GrayService of the app. */
export function releaseChecks(service: GrayService, release: KruiseRelease, callers: CallerGraph<GrayService>): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (release.mode === ReleaseMode.LANES && release.trafficMatches.length === 0) {
    out.push(problem('release', 'the TrafficRouting has no header match, so no request would reach the canary',
      'give the lane release matches (Release.lanes({ matches })), or add the service to a progressive TrafficLane; for a share of all requests use Release.canary'));
  }
  out.push(...propagationProblems(service, release, callers));
  if (release.mode === ReleaseMode.CANARY) {
    const steps = release.release.steps;
    const objects = [service.virtualService, service.gatewayVirtualService, service.destinationRule]
      .filter((o): o is ApiObject => o !== undefined)
      .map((o) => o.toJson());
    const usesTraffic = steps.some((s) => s.trafficPercent !== undefined);
    out.push(...networkObjectProblems(objects, service.name, steps.some((s) => s.headerMatches.length > 0), usesTraffic));
    if (usesTraffic && service.routing.weightedEntries.length > 0) {
      // Kruise's weight script rescales only match-less rules; the weighted lane entry matches every request without a lane header first.
      out.push(problem('release.steps', `the weighted lane entry at the gateway (${service.routing.weightedEntries.map((e) => e.lane.name).join(', ')}) routes every request without a lane header before the match-less rule Kruise rescales, so at the gateway the canary would get none of a step's traffic`,
        'route the canary by header steps, or remove the weighted lane entry while the service has traffic steps'));
    }
  }
  return out;
}

/**
 * Release headers are checked like lane headers: every service that calls the released one,
 * directly or through others, must forward each header the release matches on, or the requests
 * it forwards lose it and never reach the canary. Headers of the service's lanes are left to the
 * lanes, which report the same callers.
 */
function propagationProblems(service: GrayService, release: KruiseRelease, callers: CallerGraph<GrayService>): ModelProblem[] {
  const laneHeaders = new Set(service.routing.lanes.map((l) => l.header));
  const headers = release.releaseHeaders.filter((h) => !laneHeaders.has(h));
  if (headers.length === 0) return [];
  const prop = release.mode === ReleaseMode.LANES ? 'release.matches' : 'release.steps';
  return headers.flatMap((header) => callersDroppingHeader(callers, [service], header).map(({ caller, callee }) =>
    problem(prop, `${caller.name} calls ${callee.name}, on the path to the release of ${service.name}, but does not propagate ${header}, which the release matches on: the requests it forwards would never reach the canary`,
      `call ${caller.name}.propagateHeader('${header}') and make its application copy the header, or match on a header every caller forwards`)));
}
