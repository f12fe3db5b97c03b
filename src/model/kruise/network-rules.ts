/**
 * What Kruise's Istio Lua scripts need from the VirtualServices and DestinationRule of a canary
 * release (rule R23 of the notes), checked on the objects as they will be applied. From
 * openkruise/rollouts v0.6.2 `lua_configuration/networking.istio.io/VirtualService/trafficRouting.lua`
 * and `.../DestinationRule/trafficRouting.lua`:
 *
 * - match mode inserts rules with `table.insert(spec.http, 1, ...)`: `spec.http` must exist;
 * - weight mode (`GetRulesToPatch`) walks `ipairs(rule.route)` of every match-less rule of
 *   `http`, `tcp` and `tls`: a match-less rule without `route` is a Lua error, and a rule with two
 *   destinations on the stable host is selected twice (rescaled twice, two canary destinations:
 *   at 20% the canary gets 36%);
 * - the DestinationRule script appends to `spec.subsets`, which must exist, and a subset already
 *   named `canary` would be duplicated.
 */
import { ModelProblem, problem } from '../problem';
import { WellKnown } from '../well-known';

/** The part of a routing object the scripts read. */
export interface NetworkObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string };
  readonly spec?: unknown;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The host a destination names, cut at the first "." as the script's `GetHost` does. */
function hostOf(route: unknown): string {
  return String(obj(obj(route).destination).host ?? '').split('.')[0];
}

/**
 * Problems Kruise's scripts would hit on `objects` (the refs of one release) for a release of
 * `service` whose steps use header matches (`usesMatches`) and/or traffic weights (`usesTraffic`).
 */
export function networkObjectProblems(objects: readonly NetworkObject[], service: string, usesMatches: boolean, usesTraffic: boolean, prop = 'release.steps'): ModelProblem[] {
  const out: ModelProblem[] = [];
  for (const o of objects) {
    const name = o.metadata?.name ?? '?';
    const spec = obj(o.spec);
    if (o.kind === 'DestinationRule') {
      if (!Array.isArray(spec.subsets)) out.push(problem(prop, `the DestinationRule ${name} has no subsets; Kruise's script appends to that list and fails without it`, 'give the DestinationRule a subset'));
      else if (spec.subsets.some((s) => obj(s).name === WellKnown.KRUISE_CANARY_SUBSET)) out.push(problem(prop, `the DestinationRule ${name} already has a subset "canary", which Kruise appends during a release`, 'rename the subset'));
      continue;
    }
    if (usesMatches && !Array.isArray(spec.http)) out.push(problem(prop, `the VirtualService ${name} has no http list; Kruise's script inserts its header rules there and fails without it`, 'route the service over HTTP, or use traffic steps only'));
    if (!usesTraffic) continue;
    for (const kind of ['http', 'tcp', 'tls']) {
      for (const [i, raw] of list(spec[kind]).entries()) {
        const rule = obj(raw);
        if (rule.match !== undefined) continue;
        if (!Array.isArray(rule.route)) {
          out.push(problem(prop, `the VirtualService ${name} ${kind}[${i}] has no match and no route (a redirect or direct response); Kruise's weight script fails on it ("bad argument to 'ipairs'")`, 'give that rule a match, or use header steps only'));
          continue;
        }
        const onStable = rule.route.filter((r) => hostOf(r) === service).length;
        if (onStable > 1) {
          out.push(problem(prop, `the VirtualService ${name} ${kind}[${i}] has no match and ${onStable} destinations on ${service}; Kruise's weight script selects such a rule once per destination, rescales it ${onStable} times and adds ${onStable} canary destinations, so the canary would get more than the step's traffic`,
            'route the service\'s match-less rule to one destination, or use header steps only'));
        }
      }
    }
  }
  return out;
}
