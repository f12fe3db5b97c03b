/**
 * `cdk8s-gray-release/analysis`: tools over plain manifests (ours or hand-written YAML). They read
 * manifests into the model and never import a construct.
 */
export * from '../model/manifest';
export * from '../model/istio-views';
export * from './load';
export * from './match';
export * from './subsets';
export * from './explain';
export * from './format';
export * from './lanes';
export * from './lint';
export * from './diff';
export * from './diff-classes';
export * from './diff-format';
export { LuaScripts, runEnvoyOnRequest, INSTRUCTION_LIMIT, type LuaRequest, type LuaRun, type HeaderEdit } from './lua-vm';
export { gatewayFilters, gatewayPodLabels, filterSelectsGateway, runColoring, describeEdits, type GatewayFilter, type ColoringStep, type Colored } from './coloring';
export { probeColoring, luaStringLiterals, type ColoringProbe } from './coloring-probe';
export * from '../model/lint-ignore';
export * from './lint-security';
export * from './mermaid';
export * from './dead-rules';
export { hostLookup, type HostLookup } from './host-lookup';
export { simulateKruiseRelease, releaseUnits, rolloutWorkload, type ReleaseUnit, type SimulatedRelease } from '../model/kruise/istio-contract';
export * from '../model/kruise/kruise-views';
export { simulateKruiseStep, releaseModeOf, type SimulatedStep, type SimulatedPause } from '../model/kruise/step-simulation';
export { RELEASE_TIMING, type ReleaseTiming } from '../model/kruise/release';
export { ignoreDifferencesFor, toArgoCdIgnoreDifference, type IgnoreDifference, type ManifestLike } from '../model/argocd/ignore-differences';
export { withSyncWaves, syncWaveOf, SyncWave, SYNC_WAVE_ANNOTATION } from '../model/argocd/sync-waves';
