export * from './ast';
export * from './escape';
export * from './render';
