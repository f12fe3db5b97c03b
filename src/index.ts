export * from './core/well-known';
export * from './core/validation';
export * from './core/workload';
export * from './core/mesh-target';
export * from './dynamic-subset/fallback-policy';
export * from './dynamic-subset/istio-expansion';
export * from './dynamic-subset/dynamic-subset-routing';
