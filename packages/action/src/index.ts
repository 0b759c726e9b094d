export * from './inputs.js';
export * from './run-action.js';
export * from './not-available.js';
export * from './artifacts.js';
export * from './workspace.js';
