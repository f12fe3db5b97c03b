export * from './core/well-known';
export * from './core/validation';
export * from './analysis';
