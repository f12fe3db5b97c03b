/**
 * Where a service's requests go: to one version, or split by weight across versions, with the
 * route's own policy.
 *
 * ```ts
 * Route.to('v2')
 * Route.split({ v1: 50, v3: 50 })
 * Route.to('v1', { mirror: { version: 'v2' } })
 * ```
 */
import { Match, matchProblems } from './match';
import { RoutePolicy, mergePolicies, policyProblems } from './policy';
import { ModelProblem, problem } from '../problem';

/** One version and its share of a route's traffic. */
export interface WeightedVersion {
  readonly version: string;
  /** Share in percent (the shares of a route sum to 100). */
  readonly weight: number;
}

/** A destination (one version or a weighted split) with the route's policy. */
export class Route {
  /** Every request to `version`. */
  public static to(version: string, policy: RoutePolicy = {}): Route {
    return new Route([{ version, weight: 100 }], policy, false);
  }

  /**
   * Requests split across versions by percentage, in the order given; the shares must sum
   * to 100 (e.g. `{ v1: 50, v3: 50 }`).
   */
  public static split(weights: Readonly<Record<string, number>>, policy: RoutePolicy = {}): Route {
    return new Route(Object.entries(weights).map(([version, weight]) => ({ version, weight })), policy, true);
  }

  private constructor(
    /** The versions and their shares. */
    public readonly destinations: readonly WeightedVersion[],
    /** The route's own policy (a service's policy applies under it). */
    public readonly policy: RoutePolicy,
    /** Whether the route was given as a split (its weights are written even for one version). */
    public readonly isSplit: boolean,
  ) {}

  /** This route with `policy` merged over its own. */
  public withPolicy(policy: RoutePolicy): Route {
    return new Route(this.destinations, mergePolicies(this.policy, policy), this.isSplit);
  }

  /** The versions the route serves from. */
  public get versions(): string[] {
    return this.destinations.map((d) => d.version);
  }

  /** The route in words: `v2` or `v1 50% / v3 50%`. */
  public get describe(): string {
    return this.isSplit ? this.destinations.map((d) => `${d.version} ${d.weight}%`).join(' / ') : this.destinations[0]?.version ?? '';
  }

  /** A rule name from the destination: `to-v2` or `split-v1-v3`. */
  public get defaultName(): string {
    return this.isSplit ? `split-${this.versions.join('-')}` : `to-${this.versions[0]}`;
  }
}

/** An ordered rule of a service: requests matching any of `match` take `route`. */
export interface RouteRule {
  /**
   * Name of the rule (`http[].name`), unique within the service.
   * @default - from the destination: `to-<version>` or `split-<versions>`
   */
  readonly name?: string;
  /** Conditions: the rule applies when any one match holds (each match is an AND of conditions). */
  readonly match: Match | readonly Match[];
  /** Where matching requests go. */
  readonly route: Route;
}

/** The rule's matches as a list. */
export function matchesOf(rule: RouteRule): readonly Match[] {
  const m = rule.match as Match | readonly Match[] | undefined;
  if (m === undefined) return [];
  return m instanceof Match ? [m] : m;
}

/**
 * What is wrong with a route given the service's versions and policy: unknown versions, shares
 * that do not sum to 100, a bad policy, a mirror to a version the route serves from.
 */
export function routeProblems(prop: string, route: Route, versions: readonly string[], servicePolicy?: RoutePolicy): ModelProblem[] {
  if (!(route instanceof Route)) return [problem(prop, 'not a Route', 'use Route.to("v1") or Route.split({ v1: 90, v2: 10 })')];
  const out: ModelProblem[] = [];
  const known = `the versions are ${versions.join(', ')}`;
  if (route.destinations.length === 0) out.push(problem(prop, 'the route has no destination', 'give at least one version, e.g. Route.to("v1")'));
  for (const d of route.destinations) {
    if (!versions.includes(d.version)) out.push(problem(prop, `routes to the unknown version ${JSON.stringify(d.version)}; ${known}`, 'route to one of the service\'s versions, or add the version to versions'));
    if (!Number.isInteger(d.weight) || d.weight < 0 || d.weight > 100) out.push(problem(prop, `the weight ${d.weight} of ${d.version} is not an integer from 0 to 100`, 'give whole percentages'));
  }
  const total = route.destinations.reduce((s, d) => s + d.weight, 0);
  if (route.destinations.length > 0 && total !== 100) {
    out.push(problem(prop, `the weights sum to ${total} (${route.describe}), not 100`, 'make the shares add up to 100, e.g. Route.split({ v1: 50, v3: 50 })'));
  }
  out.push(...policyProblems(prop, route.policy));
  const mirror = mergePolicies(servicePolicy, route.policy).mirror;
  if (mirror) {
    if (!versions.includes(mirror.version)) {
      out.push(problem(`${prop}.mirror`, `mirrors to the unknown version ${JSON.stringify(mirror.version)}; ${known}`, 'mirror to one of the service\'s versions'));
    } else if (route.versions.includes(mirror.version)) {
      out.push(problem(`${prop}.mirror`, `mirrors to ${mirror.version}, which also serves the route: it would get every request twice`, 'mirror to a version the route does not send traffic to'));
    }
  }
  return out;
}

/** What is wrong with a rule (its matches and its route). */
export function ruleProblems(prop: string, rule: RouteRule, versions: readonly string[], servicePolicy?: RoutePolicy): ModelProblem[] {
  const matches = matchesOf(rule);
  const out: ModelProblem[] = [];
  if (matches.length === 0) {
    out.push(problem(`${prop}.match`, 'a rule without a match would catch every request, and the rules after it would never apply', 'give a match; requests that match no rule take the defaultRoute'));
  }
  matches.forEach((m, i) => out.push(...matchProblems(`${prop}.match${matches.length > 1 ? `[${i}]` : ''}`, m)));
  out.push(...routeProblems(`${prop}.route`, rule.route, versions, servicePolicy));
  return out;
}
