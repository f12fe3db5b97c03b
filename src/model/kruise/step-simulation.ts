/**
 * One step of a Kruise release, simulated on manifests: what the mesh looks like once Kruise has
 * routed step N of a service's release, and what requests meet before that. The routing objects
 * are rewritten by the Kruise contract of `istio-contract.ts` (one reading of Kruise's Lua); this
 * file chooses which step Kruise applies and what it does around it:
 *
 * - canary release (the Rollout's own trafficRoutings): step N's traffic or matches, applied
 *   once step N's canary pods are ready; until then step N-1's routing holds (none before step
 *   1). A step with neither traffic nor matches makes Kruise restore the original routing
 *   (`FinalisingTrafficRouting`, pkg/controller/rollout/rollout_canary.go:77-90). With the
 *   generated `<service>-canary` Service, Kruise also narrows the stable Service to the stable
 *   pods (`pod-template-hash`), which is simulated with a marker label.
 * - lane release (TrafficRouting): the TrafficRouting's one strategy, whatever the step, applied
 *   as soon as the release starts: until the canary pods are ready, the requests it routes to
 *   the canary get 503 ({@link RELEASE_TIMING}).
 *
 * The CLI (`gray-release explain --release SERVICE --step N`) is wired by the tools.
 */
import { field, isJsonObject, items, JsonObject, num, str } from '../json';
import { clone, indexManifests, Manifest, namespaceOf } from '../manifest';
import { WellKnown } from '../well-known';
import { releaseUnits, rolloutWorkload, simulateKruiseRelease } from './istio-contract';
import { KruiseStep, rolloutSpec } from './kruise-views';
import { RELEASE_TIMING, ReleaseMode, ReleaseTiming } from './release';

/** How step N ends. */
export interface SimulatedPause {
  /** Seconds Kruise waits before the next step; undefined for a manual approval. */
  readonly seconds?: number;
  /** Kruise skips the pause of a last step with replicas "100%" (rollout_canary.go doCanaryPaused). */
  readonly skipped: boolean;
}

/** One step of one service's release, simulated. */
export interface SimulatedStep {
  /** The released service. */
  readonly service: string;
  /** The Rollout (`Rollout/namespace/name`). */
  readonly rollout: string;
  /** The release mode the manifests use. */
  readonly mode: ReleaseMode;
  /** The step (1-based). */
  readonly step: number;
  /** How many steps the release has. */
  readonly steps: number;
  /** The step's replicas (count or percentage), as Kruise reads them. */
  readonly replicas?: number | string;
  /** The step's traffic share in percent, if it routes by weight (canary releases). */
  readonly traffic?: number;
  /** How requests reach the canary at this step. */
  readonly routing: 'matches' | 'traffic' | 'restored' | 'traffic-routing';
  /** How the step ends. */
  readonly pause: SimulatedPause;
  /** When Kruise routes in this mode. */
  readonly timing: ReleaseTiming;
  /** What the requests Kruise routes to the canary meet while this step's canary pods start. */
  readonly untilReady: string;
  /** The manifests once Kruise has applied the step (VS/DR rewritten, canary workload added). */
  readonly manifests: Manifest[];
  /** What Kruise does or would fail at, in words. */
  readonly notes: string[];
}

/** The mode a Rollout manifest uses: own trafficRoutings (canary) or the TrafficRouting annotation (lanes). */
export function releaseModeOf(rollout: Manifest): ReleaseMode | undefined {
  if ((rolloutSpec(rollout).strategy?.canary?.trafficRoutings ?? []).length > 0) return ReleaseMode.CANARY;
  return rollout.metadata.annotations?.[WellKnown.KRUISE_TRAFFIC_ROUTING_ANNOTATION] ? ReleaseMode.LANES : undefined;
}

/** A step as JSON (`replicas` and `pause` are read here, the routing fields through the view). */
function rawSteps(rollout: Manifest): unknown[] {
  return items(field(field(field(rollout.spec, 'strategy'), 'canary'), 'steps'));
}

/** A step's traffic percent (v1beta1 `traffic: "N%"`, v1alpha1 `weight: N`), if any. */
function trafficOf(s: KruiseStep): number | undefined {
  if (s.traffic !== undefined && /^[0-9]+%$/.test(s.traffic)) return Number(s.traffic.slice(0, -1));
  return s.weight;
}

function routes(s: KruiseStep): boolean {
  return trafficOf(s) !== undefined || (s.matches ?? []).length > 0;
}

function replicasOf(raw: unknown): number | string | undefined {
  const r = field(raw, 'replicas');
  return typeof r === 'number' || typeof r === 'string' ? r : undefined;
}

/**
 * The mesh at step `step` (1-based) of the release of `service`. Throws when no Rollout
 * releases the service or the step does not exist.
 */
export function simulateKruiseStep(manifests: readonly unknown[], service: string, step: number): SimulatedStep {
  const unit = releaseUnits(manifests).find((u) => u.service === service && u.rollouts.length > 0);
  if (!unit) throw new Error(`no Kruise Rollout releases the service ${service} (neither its own trafficRoutings nor a TrafficRouting it names)`);
  const rollout = unit.rollouts[0];
  const mode = unit.source.startsWith('Rollout/') ? ReleaseMode.CANARY : ReleaseMode.LANES;
  const steps = rolloutSpec(rollout).strategy?.canary?.steps ?? [];
  const raw = rawSteps(rollout);
  if (!Number.isInteger(step) || step < 1 || step > steps.length) {
    throw new Error(`the release of ${service} has ${steps.length} step(s); step ${step} does not exist (give 1 to ${steps.length})`);
  }
  const s = steps[step - 1];
  const traffic = trafficOf(s);
  const replicas = replicasOf(raw[step - 1]);
  const base = {
    service,
    rollout: `Rollout/${namespaceOf(rollout)}/${rollout.metadata.name}`,
    mode,
    step,
    steps: steps.length,
    replicas: replicas ?? (traffic !== undefined && mode === ReleaseMode.CANARY ? `${traffic}%` : undefined),
    timing: RELEASE_TIMING[mode],
    pause: { seconds: num(field(field(raw[step - 1], 'pause'), 'duration')), skipped: step === steps.length && replicas === '100%' },
  };
  if (mode === ReleaseMode.LANES) {
    const sim = simulateKruiseRelease(manifests, [service]);
    return { ...base, traffic: undefined, routing: 'traffic-routing', untilReady: RELEASE_TIMING[mode].untilCanaryReady, manifests: sim.manifests, notes: sim.notes };
  }
  const routed = steps.slice(0, step - 1).some(routes);
  const untilReady = !routed
    ? 'no canary routing yet: every request reaches the stable pods until this step\'s canary pods are ready'
    : `step ${step - 1}'s routing (${describe(steps[step - 2])}) until this step's canary pods are ready`;
  const sim = simulateOwnStep(manifests, rollout, raw[step - 1], routes(s));
  const notes = [...sim.notes];
  if (!routes(s) && routed) {
    notes.push(`step ${step} has neither traffic nor matches: Kruise restores the original routing (rollout_canary.go FinalisingTrafficRouting), so the canary gets no requests`);
  }
  if (traffic !== undefined && (s.matches ?? []).length > 0) notes.push(`step ${step} has traffic and matches: Kruise's Istio script uses the matches and ignores the traffic`);
  const routing = !routes(s) ? 'restored' : (s.matches ?? []).length > 0 ? 'matches' : 'traffic';
  return { ...base, traffic, routing, untilReady, manifests: sim.manifests, notes };
}

function describe(s: KruiseStep): string {
  if ((s.matches ?? []).length > 0) return 'header matches';
  const traffic = trafficOf(s);
  return traffic === undefined ? 'none' : `${traffic}% of requests`;
}

/**
 * A canary release at one step: the Rollout is narrowed to that step (so the contract applies its
 * routing), or, for a step that routes nothing, to no network refs (canary pods, original routes).
 */
function simulateOwnStep(manifests: readonly unknown[], rollout: Manifest, step: unknown, routesNow: boolean): { manifests: Manifest[]; notes: string[] } {
  const all = clone(indexManifests(manifests).all);
  const ns = namespaceOf(rollout);
  const isMine = (m: Manifest) => m.kind === 'Rollout' && m.metadata.name === rollout.metadata.name && namespaceOf(m) === ns;
  const canary = field(field(all.find(isMine)?.spec, 'strategy'), 'canary');
  const ref = items(field(canary, 'trafficRoutings'))[0];
  const service = str(field(ref, 'service')) ?? '';
  if (isJsonObject(canary)) canary.steps = [step];
  if (!routesNow && isJsonObject(ref)) ref.customNetworkRefs = [];
  const sim = simulateKruiseRelease(all, [service]);
  // Put the Rollout back as it is in the manifests.
  const out = sim.manifests.map((m) => (isMine(m) ? clone(rollout) : m));
  if (routesNow && field(canary, 'disableGenerateCanaryService') !== true) narrowStableService(out, rollout, service, ns);
  return { manifests: out, notes: sim.notes };
}

/**
 * Kruise adds `pod-template-hash: <stable revision>` to the stable Service's selector, so only
 * the stable pods stay behind it (manager.go PatchStableService). Simulated by a marker label on
 * the stable Deployment's pods and in the Service's selector.
 */
function narrowStableService(all: Manifest[], rollout: Manifest, service: string, ns: string): void {
  const workload = rolloutWorkload(rollout)?.name;
  const i = all.findIndex((m) => m.kind === 'Deployment' && m.metadata.name === workload && namespaceOf(m) === ns);
  const j = all.findIndex((m) => m.kind === 'Service' && m.apiVersion === 'v1' && m.metadata.name === service && namespaceOf(m) === ns);
  if (i < 0 || j < 0) return;
  const marker = { [WellKnown.SIMULATED_STABLE_LABEL]: all[i].metadata.name };
  const template: JsonObject = { ...asObject(field(all[i].spec, 'template')) };
  const metadata = asObject(template.metadata);
  template.metadata = { ...metadata, labels: { ...asObject(metadata.labels), ...marker } };
  all[i] = { ...all[i], spec: { ...asObject(all[i].spec), template } };
  const selector = field(all[j].spec, 'selector');
  if (!isJsonObject(selector)) return;
  all[j] = { ...all[j], spec: { ...asObject(all[j].spec), selector: { ...selector, ...marker } } };
}

function asObject(v: unknown): JsonObject {
  return isJsonObject(v) ? v : {};
}
