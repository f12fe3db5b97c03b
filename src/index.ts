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
// Analysis over manifests: explain, lanes, lint, Mermaid
export * from './analysis';
// Ingress colouring and its Lua generator
export * from './lua';
export * from './lanes/coloring-rule';
export * from './lanes/coloring-script';
export * from './lanes/traffic-coloring';
