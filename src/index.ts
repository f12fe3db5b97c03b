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
// Traffic lanes
export * from './lanes/traffic-lane-props';
export * from './lanes/traffic-lane';
