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
export * from './lint-security';
export * from './mermaid';
export { simulateKruiseRelease, releaseUnits, rolloutWorkload, type ReleaseUnit, type SimulatedRelease } from '../model/kruise/istio-contract';
export * from '../model/kruise/kruise-views';
export { ignoreDifferencesFor, toArgoCdIgnoreDifference, type IgnoreDifference, type ManifestLike } from '../model/argocd/ignore-differences';
export { withSyncWaves, syncWaveOf, SyncWave, SYNC_WAVE_ANNOTATION } from '../model/argocd/sync-waves';
