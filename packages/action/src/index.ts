export * from './inputs.js';
export * from './run-action.js';
export * from './stage-action.js';
export * from './artifacts.js';
export * from './workspace.js';
export * from './ort-install.js';
