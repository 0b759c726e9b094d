export type { DataFormat, EvalData, LoadEvalDataOptions, Task } from './types.js';
export { loadEvalData, formatOf } from './load.js';
export { parseStrictNumber } from './numbers.js';
