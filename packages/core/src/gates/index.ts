export * from './types.js';
export { evaluateGates, overallStatus } from './evaluate.js';
export { describeGate } from './describe.js';
export { parseExpression } from './expression.js';
export type { ExpressionUnit, Operator, ParsedExpression } from './expression.js';
export { readJUnitFile, parseJUnit } from './junit.js';
export { aliasesOf } from './lookup.js';
export { metricDirection, metricUnit } from './directions.js';
