export { escapeMarkdown, escapeMermaidLabel, inlineCode, reportMarker, sanitizeTerminal } from './escape.js';
export {
  displayUnit,
  formatCi,
  formatDelta,
  formatDuration,
  formatLevel,
  formatNumber,
  formatValue,
  shortDigest,
} from './format.js';
export { describeChange, directionOf } from './change.js';
export type { Change } from './change.js';
export { xyChart } from './mermaid.js';
export type { XyChart, XySeries } from './mermaid.js';
export { STATUS_ICON, details, statusCell, table } from './table.js';
export {
  genericSection,
  testsSection,
  timing,
  isObj,
  keyValueTable,
  num,
  stageHeading,
  str,
  valuesTable,
} from './frame.js';
export { renderReport, safeUrl, SECTION_SEPARATOR } from './render.js';
export type { RenderOptions, RenderedReport, ReportSection } from './render.js';
export { truncateReport, COMMENT_LIMIT, SUMMARY_LIMIT_BYTES } from './truncate.js';
export type { TruncateOptions } from './truncate.js';
export { renderTerminal } from './terminal.js';
