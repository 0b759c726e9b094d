export * from './context.js';
export * from './train/index.js';
export * from './evaluate/index.js';
export * from './report/index.js';
export * from './pipeline/index.js';
