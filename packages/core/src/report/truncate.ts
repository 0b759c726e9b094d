import type { ReportSection } from './render.js';
import { SECTION_SEPARATOR, safeUrl } from './render.js';

/** GitHub's limit on an issue or PR comment body, in characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub drops a step summary over 1 MiB entirely; stay under it in UTF-8 bytes. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface TruncateOptions {
  /** `chars` for comments (GitHub counts characters), `utf8-bytes` for the step summary file. */
  unit?: 'chars' | 'utf8-bytes';
  /** Link to the full report; without it the note points to the job summary and artifact. */
  fullReportUrl?: string;
}

function measure(s: string, unit: TruncateOptions['unit']): number {
  return unit === 'utf8-bytes' ? Buffer.byteLength(s, 'utf8') : s.length;
}

function note(omitted: ReportSection[], opts: TruncateOptions): string {
  const where = safeUrl(opts.fullReportUrl)
    ? `the [full report](${opts.fullReportUrl})`
    : "the full report in this run's job summary and its `mlops-report` artifact";
  const ids = omitted.map((s) => s.id).join(', ');
  return `> [!NOTE]\n> This report was shortened to fit GitHub's size limit; ${omitted.length} section${omitted.length === 1 ? '' : 's'} (${ids}) left out. See ${where}.`;
}

/** Cuts a single over-long block at a line boundary, keeping code fences and details balanced. */
function cutBlock(markdown: string, budget: number, unit: TruncateOptions['unit']): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    const next = [...kept, line].join('\n');
    if (measure(next, unit) > budget - 64) break;
    kept.push(line);
  }
  let out = kept.join('\n');
  if ((out.match(/^```/gm)?.length ?? 0) % 2 === 1) out += '\n```';
  const open = (out.match(/<details/g)?.length ?? 0) - (out.match(/<\/details>/g)?.length ?? 0);
  for (let i = 0; i < open; i++) out += '\n\n</details>';
  return out;
}

/**
 * Keeps whole sections, in order, while they fit under `limit`, always keeping the first
 * (headline, with the marker) and the last (footer), and says what was left out and where the
 * full report is. Returns the markdown unchanged when it already fits.
 */
export function truncateReport(sections: ReportSection[], limit: number, opts: TruncateOptions = {}): string {
  const unit = opts.unit ?? 'chars';
  const full = sections.map((s) => s.markdown).join(SECTION_SEPARATOR) + '\n';
  if (measure(full, unit) <= limit) return full;
  const first = sections[0];
  const last = sections.length > 1 ? sections[sections.length - 1] : undefined;
  const middle = sections.slice(first ? 1 : 0, last ? -1 : undefined);
  const worstNote = note(middle, opts);
  const reserved =
    measure(worstNote, unit) + (last ? measure(last.markdown, unit) : 0) + 3 * SECTION_SEPARATOR.length + 1;
  const kept: ReportSection[] = [];
  let used = first ? measure(first.markdown, unit) : 0;
  let i = 0;
  for (; i < middle.length; i++) {
    const s = middle[i] as ReportSection;
    const cost = measure(s.markdown, unit) + SECTION_SEPARATOR.length;
    if (used + cost + reserved > limit) break;
    kept.push(s);
    used += cost;
  }
  const omitted = middle.slice(i);
  const head =
    first && used + reserved > limit ? cutBlock(first.markdown, limit - reserved, unit) : first?.markdown;
  const parts = [head, ...kept.map((s) => s.markdown), note(omitted, opts), last?.markdown].filter(
    (p): p is string => p !== undefined,
  );
  return parts.join(SECTION_SEPARATOR) + '\n';
}
