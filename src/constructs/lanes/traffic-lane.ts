import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TrafficColoring } from './traffic-coloring';
import { ILaneColoring, LaneMemberOptions, LaneMode, TrafficLaneProps, WeightedEntryOptions } from './traffic-lane-props';
import { HeaderMatch, HeaderMatchType } from '../../model/kruise/canary-step';
import { ReleaseMode } from '../../model/kruise/release';
import { ColoringRule } from '../../model/lanes/coloring-rule';
import { requireLaneHeader, requireLaneName, requireLaneValue } from '../../model/lanes/lane-rules';
import { isEnvName, isImageReference, isJsObjectKey, requireDns1123Label, requireInt } from '../../model/names';
import { ModelProblem, problem } from '../../model/problem';
import { LaneDeclaration } from '../../model/routing/service-routing';
import { WellKnown } from '../../model/well-known';
import { checkOverrides } from '../../model/workload-checks';
import { addChecks, AppState, problemsAt } from '../core/state';
import { GrayService } from '../service/gray-service';
import { callerGraph, callersDroppingHeader } from '../service/propagation';

/** One service's part in a lane. */
export interface LaneMember {
  /** The service. */
  readonly service: GrayService;
  /** The lane Deployment (static lanes only). */
  readonly deployment?: kplus.Deployment;
  /** The lane subset of the service's DestinationRule (static lanes only). */
  readonly subset?: string;
}

/**
 * A traffic lane: one request, one lane, across every service. A request whose lane header has
 * the lane's value reaches the lane version of every member, and the base version of every
 * service that has none in the lane (fallback to base, like ASM's permissive swim lanes).
 *
 * - `LaneMode.STATIC`: each member gets a lane Deployment (`<service>-<lane>`, pods labelled
 *   with the service's version label = lane name and `gray-release.io/lane` = lane name), a
 *   DestinationRule subset `lane-<lane>` selecting the lane label, and in each VirtualService a
 *   rule `lane-<lane>`: header = value -> that subset, ahead of the base route. Several lanes may
 *   share a service; each gets its own rule. Non-members need nothing.
 * - `LaneMode.PROGRESSIVE`: each member's Kruise TrafficRouting matches the lane's header and
 *   value (exactly the same match for every member); Kruise adds the canary routes during a
 *   release.
 *
 * Istio does not copy headers from a service's incoming request to its outgoing calls: every
 * member, and every service listed in `services`, is told to propagate the header
 * ({@link GrayService.propagateHeader}); at synth, a service that calls a member (directly or
 * through others) without propagating the header is an error.
 *
 * Requests enter a lane with the header set by the client, by an ingress coloring
 * ({@link enterByColoring}), or by weight at the gateway ({@link enterByWeight}).
 */
export class TrafficLane extends Construct {
  /** Name of the lane. */
  public readonly name: string;
  /** The header that carries the lane. */
  public readonly header: string;
  /** The header value of the lane. */
  public readonly value: string;
  /** How the lane's versions run. */
  public readonly mode: LaneMode;

  /** The members by service, in the order they were added (a Map keeps insertion order). */
  private readonly memberByService = new Map<GrayService, LaneMember>();
  /** Insertion-ordered. */
  private readonly propagators = new Set<GrayService>();
  private readonly colorings: ILaneColoring[] = [];
  private readonly entryServices: GrayService[] = [];

  public constructor(scope: Construct, id: string, props: TrafficLaneProps) {
    super(scope, id);
    const problems = problemsAt(this);
    requireLaneName(problems, props.name);
    requireLaneHeader(problems, props.header);
    this.name = props.name;
    this.header = props.header;
    this.value = props.value ?? props.name;
    requireLaneValue(problems, this.value);
    this.mode = props.mode ?? LaneMode.STATIC;
    if (!Object.values(LaneMode).includes(this.mode)) {
      problems.add('mode', `${JSON.stringify(this.mode)} is not a lane mode`, 'use LaneMode.STATIC or LaneMode.PROGRESSIVE');
    }
    problems.throwIfAny();
    for (const s of props.services ?? []) this.addPropagator(s);
    addChecks(this, () => this.validateLane());
  }

  /** The header condition of the lane, as Kruise and the VirtualService rules match it. */
  public get match(): HeaderMatch {
    return { name: this.header, value: this.value, type: HeaderMatchType.EXACT };
  }

  /** Name of the lane's subset and rule at every static member: `lane-<name>`. */
  public get subsetName(): string {
    return `lane-${this.name}`;
  }

  /** The members, in the order they were added. */
  public get members(): readonly LaneMember[] {
    return [...this.memberByService.values()];
  }

  /** The services that propagate the lane header: members and the listed `services`. */
  public get propagatingServices(): readonly GrayService[] {
    return [...new Set([...this.memberByService.keys(), ...this.propagators])];
  }

  /**
   * Adds a service with a version in the lane.
   *
   * Static lane: creates the lane Deployment from the service's props and `options`, the lane
   * subset and the lane rule. Progressive lane: adds the lane's header match to the service's
   * Kruise release (which must exist and must not match anything else); `options` are refused.
   */
  public addMember(service: GrayService, options: LaneMemberOptions = {}): LaneMember {
    if (this.memberByService.has(service)) {
      this.fail('addMember', `the service ${service.name} is already a member of the lane ${this.name}`, 'add each service once');
    }
    if (!service.routing.routesHttp) {
      this.fail('addMember', `the service ${service.name} has no HTTP, HTTP2 or GRPC port, and a lane is an http rule on a header`, `add an HTTP-family port to ${service.name}, or leave it out of the lane`);
    }
    const member = this.mode === LaneMode.STATIC ? this.addStaticMember(service, options) : this.addProgressiveMember(service, options);
    service.routing.declareLane(this.declaration);
    AppState.of(this).touch();
    service.propagateHeader(this.header);
    this.memberByService.set(service, member);
    AppState.of(this).touch();
    return member;
  }

  /**
   * Declares a service on the lane's call paths that has no version in the lane: it only copies
   * the lane header to its outgoing calls. Its requests in the lane reach its base version.
   */
  public addPropagator(service: GrayService): void {
    service.propagateHeader(this.header);
    this.propagators.add(service);
    AppState.of(this).touch();
  }

  /**
   * Sends `percent` of the gateway traffic of `service` (a static member exposed through an
   * ingress gateway) into the lane, setting the lane header on that share so every later hop
   * stays in the lane. Only requests without any lane header are split: the others keep their
   * lane. The rest of the traffic goes to the base subset.
   *
   * Per request by default (Istio weights). With `options.stickyBy`, the share is a sticky cohort
   * of the gateway's coloring instead, decided by a hash of the user key (see
   * {@link WeightedEntryOptions.stickyBy}); `percent` may then have two decimals.
   */
  public enterByWeight(service: GrayService, percent: number, options: WeightedEntryOptions = {}): void {
    if (options.stickyBy !== undefined) return this.enterByCohort(service, percent, options);
    if (options.coloring !== undefined) {
      this.fail('enterByWeight', 'a coloring is given without stickyBy, so it would not be used', 'give stickyBy (the user key of the sticky cohort), or leave the coloring out');
    }
    if (this.mode !== LaneMode.STATIC) {
      this.fail('enterByWeight', `the lane ${this.name} is progressive: its canary subset exists only while Kruise runs a release, so no static route can point at it`,
        'enter a progressive lane by ingress coloring (enterByColoring), by a sticky cohort (enterByWeight with stickyBy) or use release.weight; or make the lane LaneMode.STATIC');
    }
    const p = problemsAt(this);
    requireInt(p, 'enterByWeight percent', percent, 1, 100);
    p.throwIfAny();
    const member = this.memberByService.get(service);
    if (!member) {
      this.fail('enterByWeight', `the service ${service.name} is not a member of the lane ${this.name}, so it has no lane version to send the share to`, `call lane.addMember(${service.name}) first, or enter at a member`);
    }
    if (!service.gatewayVirtualService) {
      this.fail('enterByWeight', `the service ${service.name} has no gateway-bound VirtualService`, `give ${service.name} the gateway prop, or enter the lane at a service exposed through the gateway`);
    }
    if (this.entryServices.includes(service)) {
      this.fail('enterByWeight', `the lane ${this.name} already has a weighted entry at ${service.name}`, 'give one weighted entry per service');
    }
    service.routing.addWeightedEntry({ lane: this.declaration, subset: member.subset!, percent });
    AppState.of(this).touch();
    this.entryServices.push(service);
  }

  /** The sticky form of {@link enterByWeight}: a cohort rule in the coloring of the service's gateway. */
  private enterByCohort(service: GrayService, percent: number, options: WeightedEntryOptions): void {
    const gateway = service.gateway;
    if (!gateway) {
      this.fail('enterByWeight', `the service ${service.name} is not exposed through a gateway, so no ingress coloring sees its requests`, `give ${service.name} the gateway prop`);
    }
    const colorings = this.node.root.node.findAll().filter((c): c is TrafficColoring => c instanceof TrafficColoring && c.gateway === gateway && c.header === this.header);
    const coloring = options.coloring ?? (colorings.length === 1 ? colorings[0] : undefined);
    if (!coloring) {
      this.fail('enterByWeight', `${colorings.length === 0 ? 'no' : 'more than one'} TrafficColoring is bound to the gateway ${gateway.name} with the lane header ${this.header}, so the sticky cohort has no single place to go`,
        `create one with new TrafficColoring(chart, 'coloring', { gateway, header: '${this.header}', ... }), or pass options.coloring`);
    }
    if (coloring.gateway !== gateway || coloring.header !== this.header) {
      this.fail('enterByWeight', `the coloring ${coloring.node.path} is not bound to the gateway ${gateway.name} with the lane header ${this.header}`, 'pass the coloring of the service\'s gateway that sets the lane header');
    }
    coloring.addRule(ColoringRule.cohort(options.stickyBy!, percent, this.value));
    this.enterByColoring(coloring);
  }

  /**
   * Declares the ingress coloring that puts requests in this lane. It must set the lane's
   * header (checked now) and be able to set the lane's value (checked at synth).
   */
  public enterByColoring(coloring: ILaneColoring): void {
    if (coloring.header !== this.header) {
      this.fail('enterByColoring', `the coloring sets the header "${coloring.header}" but the lane ${this.name} is carried by "${this.header}", so colored requests would never match the lane`,
        `color with the header "${this.header}", or give the lane header "${coloring.header}"`);
    }
    if (!this.colorings.includes(coloring)) this.colorings.push(coloring);
    AppState.of(this).touch();
  }

  /** Throws one problem at the lane's path (for the checks of one method call). */
  private fail(prop: string, what: string, fix: string): never {
    return problemsAt(this).fail(prop, what, fix);
  }

  private get declaration(): LaneDeclaration {
    return { name: this.name, header: this.header, value: this.value };
  }

  private addStaticMember(service: GrayService, options: LaneMemberOptions): LaneMember {
    if (service.versions.some((v) => v.name === this.name)) {
      this.fail('name', `the lane is named "${this.name}", a version of ${service.name}: its pods (labelled ${service.versionLabel}: ${this.name}) would join that version's subset`, 'rename the lane');
    }
    const taken = service.versions.find((v) => v.subset === this.subsetName);
    if (taken) {
      this.fail('addMember', `the version ${taken.name} of ${service.name} has the subset "${taken.subset}", the subset this lane needs (lane-<name>)`, 'rename the version or the lane');
    }
    if (service.routing.lanes.some((l) => l.name === this.name)) {
      this.fail('addMember', `the service ${service.name} is already in another lane named ${this.name}`, 'give every lane its own name');
    }
    const deploymentName = options.deploymentName ?? `${service.name}-${this.name}`;
    if (options.deploymentName === undefined && deploymentName.length > 63) {
      this.fail('addMember', `the lane Deployment name "${deploymentName}" is longer than 63 characters`, 'give options.deploymentName, or shorten the lane or service name');
    }
    const p = problemsAt(this);
    requireDns1123Label(p, 'addMember deploymentName', deploymentName);
    if (service.workloads.some((w) => w.name === deploymentName)) {
      this.fail('addMember', `the service ${service.name} already has a Deployment named ${deploymentName}`, 'give options.deploymentName');
    }
    if (options.image !== undefined && !isImageReference(options.image)) {
      this.fail('addMember image', `${JSON.stringify(options.image)} is not an image reference`, 'give an image such as "registry.example.com/team/app:1.2.3-lane"');
    }
    if (options.replicas !== undefined) requireInt(p, 'addMember replicas', options.replicas, 0, 10000);
    // A lane overrides only image, env, replicas and resources of the service's pod recipe.
    checkOverrides(p, 'addMember', options);
    p.throwIfAny();
    for (const k of Object.keys(options.env ?? {})) {
      if (!isEnvName(k) || isJsObjectKey(k) || k === WellKnown.PROPAGATE_HEADERS_ENV) {
        this.fail('addMember env', `"${k}" is not an environment variable name the lane may set`, `use letters, digits, "_", "-" and "." (not ${WellKnown.PROPAGATE_HEADERS_ENV}, which the library sets)`);
      }
    }
    const subset = this.subsetName;
    const deployment = service._addWorkload(`Lane-${this.name}`, {
      name: deploymentName,
      labels: { [service.versionLabel]: this.name, [WellKnown.LANE_LABEL]: this.name },
      image: options.image,
      replicas: options.replicas,
      env: options.env,
      resources: options.resources,
    });
    service.routing.addSubset({ name: subset, labels: { [WellKnown.LANE_LABEL]: this.name } });
    service.routing.addRule({ name: subset, headers: { [this.header]: { exact: this.value } }, destinations: [{ subset }] });
    return { service, deployment, subset };
  }

  private addProgressiveMember(service: GrayService, options: LaneMemberOptions): LaneMember {
    if (Object.values(options).some((v) => v !== undefined)) {
      this.fail('addMember', `image, env, replicas, resources and deploymentName shape a static lane's Deployment, but the lane ${this.name} is progressive (its canary comes from the Rollout)`,
        'drop the options, or make the lane LaneMode.STATIC');
    }
    const release = service.release;
    if (!release) {
      this.fail('addMember', `the service ${service.name} has no release, so the progressive lane ${this.name} has no Rollout to drive`, `give ${service.name} the release prop, or make the lane LaneMode.STATIC`);
    }
    if (release.mode !== ReleaseMode.LANES) {
      this.fail('addMember', `the release of ${service.name} is a canary release (the Rollout's own trafficRoutings, routed step by step), but a progressive lane needs a lane release (a TrafficRouting matching ${this.header}: ${this.value})`,
        `give ${service.name} release: Release.lanes(), or make the lane LaneMode.STATIC`);
    }
    const existing = release.trafficMatches;
    if (existing.length > 0 && !isOnly(existing, this.match)) {
      this.fail('addMember', `the release of ${service.name} already matches ${describeMatches(existing)}; Kruise runs one canary per service, so it cannot also serve the lane ${this.name} (${this.header}: ${this.value})`,
        `remove release.matches from ${service.name}, or match exactly ${this.header}: ${this.value}`);
    }
    if (existing.length === 0) release.addMatch([this.match]);
    return { service };
  }

  private validateLane(): ModelProblem[] {
    const errors: ModelProblem[] = [];
    if (this.memberByService.size === 0) {
      errors.push(problem('members', `the lane ${this.name} has no member, so its requests reach only base versions`, 'add services with lane.addMember(service)'));
    }
    // The validation pass's walk of the construct tree serves both app-wide checks.
    const constructs = AppState.of(this).constructs;
    errors.push(...this.validateAgainstOtherLanes(constructs.filter((c): c is TrafficLane => c instanceof TrafficLane)));
    for (const m of this.memberByService.values()) {
      const release = m.service.release;
      if (this.mode === LaneMode.PROGRESSIVE && release && !isOnly(release.trafficMatches, this.match)) {
        errors.push(problem(`member ${m.service.name}`, `its release matches ${describeMatches(release.trafficMatches)}, not only the lane's ${this.header}: ${this.value}`, 'do not add release matches to a member of a progressive lane'));
      }
      if (this.mode === LaneMode.STATIC && release?.trafficMatches.some((ms) => ms.some((h) => h.name === this.header && h.value === this.value))) {
        errors.push(problem(`member ${m.service.name}`, `its Kruise release also matches ${this.header}: ${this.value}, so during a release the lane's requests would go to the Kruise canary`, 'give the release another match, or the lane another value'));
      }
    }
    for (const c of this.colorings) {
      if (!c.laneValues.includes(this.value)) {
        errors.push(problem('enterByColoring', `the coloring of "${this.header}" never sets the lane's value ${JSON.stringify(this.value)} (it sets ${c.laneValues.map((v) => JSON.stringify(v)).join(', ') || 'nothing'})`, `add a coloring rule that sets "${this.value}"`));
      }
    }
    for (const s of this.entryServices) {
      const entries = s.routing.weightedEntries;
      const total = entries.reduce((sum, e) => sum + e.percent, 0);
      if (total > 100 && entries[entries.length - 1].lane.name === this.name) {
        errors.push(problem('enterByWeight', `the lanes entering at ${s.name} take ${total}% of its gateway traffic (${entries.map((e) => `${e.lane.name} ${e.percent}%`).join(', ')})`, 'make the shares add up to 100 or less'));
      }
    }
    errors.push(...this.validatePropagation(constructs.filter((c): c is GrayService => c instanceof GrayService)));
    return errors;
  }

  /** Conflicts with lanes created earlier (each conflict is reported once, by the later lane). */
  private validateAgainstOtherLanes(lanes: readonly TrafficLane[]): ModelProblem[] {
    const errors: ModelProblem[] = [];
    for (const other of lanes.slice(0, lanes.indexOf(this))) {
      if (other.name === this.name) {
        errors.push(problem('name', `another lane is also named ${this.name} (${other.node.path})`, 'give every lane its own name'));
      }
      if (other.header === this.header && other.value === this.value) {
        errors.push(problem('value', `the lane ${other.name} (${other.node.path}) is carried by the same ${this.header}: ${this.value}, so a request could not tell the lanes apart`, 'give each lane its own value (or header)'));
      }
      if (other.header === this.header && other.mode !== this.mode) {
        errors.push(problem('mode', `the header ${this.header} carries the ${other.mode} lane ${other.name} and this ${this.mode} lane`, 'use one mode per lane header, or give this lane another header'));
      }
    }
    return errors;
  }

  /** Every service that calls a member, directly or through others, must propagate the header. */
  private validatePropagation(services: readonly GrayService[]): ModelProblem[] {
    return callersDroppingHeader(callerGraph(services), this.memberByService.keys(), this.header).map(({ caller, callee }) =>
      problem('services', `${caller.name} calls ${callee.name}, on the path to the lane ${this.name}, but does not propagate ${this.header}: its calls would leave the lane`,
        `add ${caller.name} to the lane's services (or call ${caller.name}.propagateHeader('${this.header}')), and make its application copy the header`));
  }
}

function isOnly(matches: readonly (readonly HeaderMatch[])[], m: HeaderMatch): boolean {
  return matches.length === 1 && matches[0].length === 1 && matches[0][0].name === m.name && matches[0][0].value === m.value
    && (matches[0][0].type ?? HeaderMatchType.EXACT) === HeaderMatchType.EXACT;
}

function describeMatches(matches: readonly (readonly HeaderMatch[])[]): string {
  return matches.map((ms) => ms.map((h) => `${h.name}: ${h.value}`).join(' and ')).join(' or ') || 'nothing';
}

