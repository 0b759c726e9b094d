export { renderResults } from './render-results.js';
export type { RenderedResults } from './render-results.js';
