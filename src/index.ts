// Core
export * from './core/api-versions';
export * from './core/validation';
export * from './core/well-known';
export * from './core/matching';
// Services and the ingress
export * from './gray-service';
export * from './gray-service-props';
export * from './ingress-gateway';
// OpenKruise progressive delivery
export * from './kruise/canary-step';
export * from './kruise/kruise-release';
// Routing model shared by the constructs
export * from './routing/service-routing';
// Analysis over manifests: explain, lanes, lint, Mermaid
export * from './analysis';
// Ingress colouring and its Lua generator
export * from './lua';
export * from './lanes/coloring-rule';
export * from './lanes/coloring-script';
export * from './lanes/traffic-coloring';
// ASM dynamic subsets, and their static expansion for open-source Istio
export * from './core/workload';
export * from './core/mesh-target';
export * from './dynamic-subset/fallback-policy';
export * from './dynamic-subset/istio-expansion';
export * from './dynamic-subset/dynamic-subset-routing';
// Traffic lanes across a call chain
export * from './lanes/traffic-lane-props';
export * from './lanes/traffic-lane';
// Argo CD: Application with exact ignoreDifferences, sync waves
export * from './argocd/argocd-application';
export * from './argocd/ignore-differences';
export * from './argocd/sync-waves';
