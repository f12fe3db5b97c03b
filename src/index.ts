export * from './core/well-known';
export * from './core/validation';
export * from './lua';
export * from './lanes/coloring-rule';
export * from './lanes/coloring-script';
export * from './lanes/traffic-coloring';
