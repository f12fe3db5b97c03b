// Core
export * from './core/api-versions';
export * from './core/validation';
export * from './core/well-known';
// Services and the ingress
export * from './gray-service';
export * from './gray-service-props';
export * from './ingress-gateway';
// OpenKruise progressive delivery
export * from './kruise/canary-step';
export * from './kruise/kruise-release';
// Routing model shared by the constructs
export * from './routing/service-routing';
// Argo CD: the Application, ignoreDifferences for Kruise, sync waves
export * from './argocd/argocd-application';
export * from './argocd/ignore-differences';
export * from './argocd/sync-waves';
