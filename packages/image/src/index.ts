export * from './tar.js';
export * from './layer.js';
export * from './config.js';
export * from './base.js';
export * from './content.js';
export * from './build.js';
export * from './docker.js';
export * from './host-base.js';
