export type { ModelCache } from './types.js';
export { LocalDirCache } from './local-dir-cache.js';
export { ActionsCache } from './actions-cache.js';
export type { ActionsCacheOptions } from './actions-cache.js';
