/**
 * What OpenKruise Rollout writes into objects that are also in git, as Argo CD
 * `ignoreDifferences` entries: a pure function over manifests, so it works on YAML this library
 * did not write as well as on a chart's objects.
 *
 * The rule for an entry: Kruise changes a value that git also sets, so Argo CD would report the
 * object OutOfSync during a release and a sync (or self-heal) would undo Kruise's change.
 * Fields that only Kruise sets (its bookkeeping annotations and labels, the stable Service's
 * `pod-template-hash` selector key, finalizers, status) are left out on purpose: Argo CD never
 * reports a field the desired manifest does not set, and an apply does not remove a field the
 * last-applied configuration never had.
 *
 * The entries make the diff (and so `ApplyOutOfSyncOnly` and self-heal) leave Kruise's edits
 * alone. They are not meant for `RespectIgnoreDifferences=true`, which the library refuses: for
 * array elements it applies git's whole array or the live one, never both (argo-cd v3.5.1
 * `controller/sync.go` normalizeTargetResources, restoreNonIgnoredFields; issues #9678, #17694).
 *
 * Behaviour checked against openkruise/rollouts v0.6.2 (the version of the CRDs we import):
 * `lua_configuration/networking.istio.io/{VirtualService,DestinationRule}/trafficRouting.lua`,
 * `pkg/webhook/workload/mutating/workload_update_handler.go` and
 * `pkg/controller/batchrelease/control/canarystyle/deployment/stable.go`.
 */
import type { ApplicationSpecIgnoreDifferences } from '../../../imports/argocd';
import { virtualServiceSpec } from '../istio-views';
import { releaseUnits, rolloutWorkload } from '../kruise/istio-contract';
import { rolloutSpec } from '../kruise/kruise-views';
import { Manifest, indexManifests, namespaceOf } from '../manifest';
import { WellKnown } from '../well-known';

/** A manifest: a Kubernetes object as plain JSON (only those with apiVersion, kind and metadata.name are read). */
export interface ManifestLike {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: unknown;
  readonly [key: string]: unknown;
}

/**
 * One entry of an Argo CD Application's `spec.ignoreDifferences`, scoped to one object, with the
 * reason it exists (not emitted; for documentation and review).
 */
export interface IgnoreDifference {
  /** API group (`apps`, `networking.istio.io`). */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** @default - any namespace (the manifest has none: it lands in the Application's destination) */
  readonly namespace?: string;
  /** RFC 6901 pointers Argo CD removes before comparing. @default - none */
  readonly jsonPointers?: readonly string[];
  /** jq path expressions; Argo CD evaluates `del(<expression>)` before comparing. @default - none */
  readonly jqPathExpressions?: readonly string[];
  /** Why Kruise changes these fields, and what would go wrong without the entry. */
  readonly reason: string;
}

/** The subset name Kruise's Istio scripts add to a DestinationRule and route canary traffic to. */
const CANARY_SUBSET = WellKnown.KRUISE_CANARY_SUBSET;
/** Route lists of a VirtualService that Kruise's script may change (weight mode patches all three). */
const ROUTE_LISTS = ['http', 'tcp', 'tls'] as const;

const REASON = {
  deploymentPaused:
    'Kruise\'s workload webhook sets spec.paused=true when the Deployment\'s template changes, so the native controller does not roll every pod; ' +
    'Kruise sets it back to false when the release finishes. If the manifest ever states spec.paused, a sync during a release would un-pause the ' +
    'Deployment and replace every pod at once.',
  deploymentStrategy:
    'Partition-style releases (no extra canary Deployment) make the webhook set spec.strategy.type=Recreate and move rollingUpdate into an ' +
    'annotation while the release progresses; the manifest\'s RollingUpdate strategy would be a diff.',
  virtualService:
    'Kruise\'s VirtualService script inserts header-match rules routing to subset "canary" (or adds a weighted "canary" destination to the ' +
    'match-less rules that route to the service) and restores the stored original when the release finishes. The expression removes exactly ' +
    'the rules that route to the canary, which git never writes, so every other change to the routes is still compared and synced.',
  destinationRule:
    'Kruise\'s DestinationRule script appends the subset {name: canary, labels: {istio.service.tag: gray}} and removes it when the release ' +
    'finishes. The expression removes only that subset; git\'s own subsets are still compared and synced.',
} as const;

/**
 * The `ignoreDifferences` entries an Argo CD Application needs for the Kruise Rollouts among
 * `manifests`, one entry per object Kruise will change, scoped by group, kind, name (and
 * namespace when the manifest has one). Empty when there is no Rollout: static lanes are edited
 * by no controller and need nothing.
 *
 * For every `Rollout` (v1alpha1 or v1beta1):
 * - its workload Deployment: `/spec/paused` (and `/spec/strategy` for partition style);
 * - the TrafficRouting named by its `rollouts.kruise.io/trafficrouting` annotation, or its inline
 *   `trafficRoutings`: only the first reference is used by Kruise, as in Kruise itself; each
 *   Istio VirtualService of it gets a jq expression removing the rules routed to the canary,
 *   each DestinationRule one removing the `canary` subset.
 *
 * Entries are sorted (kind, namespace, name) and merged per object, so the output is stable.
 */
export function ignoreDifferencesFor(manifests: readonly ManifestLike[]): IgnoreDifference[] {
  const entries = new Map<string, MutableEntry>();
  const add = (e: Omit<IgnoreDifference, 'jsonPointers' | 'jqPathExpressions'>, pointers: string[], jq: string[]) => {
    const key = `${e.kind}|${e.namespace ?? ''}|${e.name}`;
    const entry = entries.get(key) ?? { ...e, jsonPointers: [], jqPathExpressions: [], reasons: [] };
    pointers.forEach((p) => { if (!entry.jsonPointers.includes(p)) entry.jsonPointers.push(p); });
    jq.forEach((q) => { if (!entry.jqPathExpressions.includes(q)) entry.jqPathExpressions.push(q); });
    if (!entry.reasons.includes(e.reason)) entry.reasons.push(e.reason);
    entries.set(key, entry);
  };

  // Kruise's objects are read with the analysis's model of them (one reading of the contract).
  const index = indexManifests(manifests);
  for (const rollout of index.rollouts) {
    const workload = rolloutWorkload(rollout);
    if (!workload || workload.kind !== 'Deployment') continue;
    const ns = rollout.metadata.namespace;
    add({ group: 'apps', kind: 'Deployment', name: workload.name, namespace: ns, reason: REASON.deploymentPaused }, ['/spec/paused'], []);
    if (!isCanaryStyle(rollout)) add({ group: 'apps', kind: 'Deployment', name: workload.name, namespace: ns, reason: REASON.deploymentStrategy }, ['/spec/strategy'], []);
  }
  // Only what a Rollout progresses: a TrafficRouting no Rollout names is never applied.
  for (const unit of releaseUnits(index.all).filter((u) => u.rollouts.length > 0)) {
    const ns = unit.rollouts[0].metadata.namespace;
    const canary = unit.canaryService === unit.service ? { host: unit.service, subset: CANARY_SUBSET } : { host: unit.canaryService };
    for (const net of unit.customNetworkRefs) {
      if (groupOf(net.apiVersion) !== 'networking.istio.io') continue;
      if (net.kind === 'VirtualService') {
        const vs = index.virtualServices.find((m) => m.metadata.name === net.name && namespaceOf(m) === unit.namespace);
        // Only lists the VirtualService has can gain canary rules; without the manifest, cover all three.
        const spec = vs && virtualServiceSpec(vs);
        const lists = spec ? ROUTE_LISTS.filter((l) => spec[l] !== undefined) : [...ROUTE_LISTS];
        add({ group: 'networking.istio.io', kind: 'VirtualService', name: net.name, namespace: ns, reason: REASON.virtualService }, [], lists.flatMap((l) => canaryRouteExpressions(l, canary)));
      } else if (net.kind === 'DestinationRule') {
        add({ group: 'networking.istio.io', kind: 'DestinationRule', name: net.name, namespace: ns, reason: REASON.destinationRule }, [], [canarySubsetExpression()]);
      }
    }
  }

  return [...entries.values()]
    .sort((a, b) => `${a.kind}|${a.namespace ?? ''}|${a.name}`.localeCompare(`${b.kind}|${b.namespace ?? ''}|${b.name}`))
    .map((e) => ({
      group: e.group,
      kind: e.kind,
      name: e.name,
      ...(e.namespace ? { namespace: e.namespace } : {}),
      ...(e.jsonPointers.length > 0 ? { jsonPointers: e.jsonPointers } : {}),
      ...(e.jqPathExpressions.length > 0 ? { jqPathExpressions: e.jqPathExpressions } : {}),
      reason: e.reasons.join(' '),
    }));
}

/** The entry as Argo CD's schema has it (drops `reason`). */
export function toArgoCdIgnoreDifference(e: IgnoreDifference): ApplicationSpecIgnoreDifferences {
  return {
    group: e.group,
    kind: e.kind,
    name: e.name,
    namespace: e.namespace,
    jsonPointers: e.jsonPointers ? [...e.jsonPointers] : undefined,
    jqPathExpressions: e.jqPathExpressions ? [...e.jqPathExpressions] : undefined,
  };
}

/**
 * jq path expressions, applied in order, that remove from `spec.<list>` exactly what Kruise adds
 * during a release (the canary destination is `host` and, in TrafficRouting mode, subset
 * `canary`):
 *
 * 1. match mode: the rules Kruise prepends, whose every destination is the canary;
 * 2. weight mode: the weights of the match-less rules Kruise gave a canary destination (it
 *    rescales the stable weights and weighs the canary);
 * 3. weight mode: the canary destinations themselves.
 *
 * The second runs before the third, which removes what the second selects by. Git's own rules
 * are left as they are, so a route change made in git is still compared.
 */
export function canaryRouteExpressions(list: 'http' | 'tcp' | 'tls', canary: { host: string; subset?: string }): string[] {
  const test = canary.subset === undefined
    ? `.destination.host == ${jqString(canary.host)}`
    : `.destination.host == ${jqString(canary.host)} and .destination.subset == ${jqString(canary.subset)}`;
  return [
    `.spec.${list}[]? | select((.route // []) as $r | ($r | length) > 0 and all($r[]; ${test}))`,
    `.spec.${list}[]? | select(any(.route[]?; ${test})) | .route[]?.weight`,
    `.spec.${list}[]?.route[]? | select(${test})`,
  ];
}

/** jq path expression selecting the DestinationRule subset Kruise appends. */
export function canarySubsetExpression(): string {
  return `.spec.subsets[]? | select(.name == ${jqString(CANARY_SUBSET)})`;
}

/** The one escaping function for strings put into jq: a JSON string literal is a jq string literal. */
function jqString(s: string): string {
  return JSON.stringify(s);
}

interface MutableEntry {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly jsonPointers: string[];
  readonly jqPathExpressions: string[];
  readonly reasons: string[];
}

function groupOf(apiVersion: string | undefined): string {
  const parts = (apiVersion ?? '').split('/');
  return parts.length === 2 ? parts[0] : '';
}

/**
 * Canary style (an extra canary Deployment): v1beta1 `enableExtraWorkloadForCanary: true`, or
 * v1alpha1 with annotation `rollouts.kruise.io/rolling-style: canary`. Anything else on a
 * Deployment is partition style.
 */
function isCanaryStyle(rollout: Manifest): boolean {
  if (rollout.apiVersion === 'rollouts.kruise.io/v1alpha1') {
    return rollout.metadata.annotations?.[WellKnown.KRUISE_ROLLING_STYLE_ANNOTATION] === 'canary';
  }
  return rolloutSpec(rollout).strategy?.canary?.enableExtraWorkloadForCanary === true;
}
