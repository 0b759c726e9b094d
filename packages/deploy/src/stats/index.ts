export * from './normal.js';
export * from './samples.js';
export * from './mann-whitney.js';
export * from './two-proportion.js';
