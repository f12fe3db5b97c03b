export * from './manifests';
export * from './match';
export * from './subsets';
export * from './kruise-release';
export * from './explain';
export * from './format';
