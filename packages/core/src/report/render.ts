import type { Verdict } from '../gates/types.js';
import type { StageResult } from '../stage-result/types.js';
import { escapeMarkdown, inlineCode, reportMarker } from './escape.js';
import { shortDigest } from './format.js';
import { gatesSection, genericSection, testsSection } from './frame.js';

export interface RenderOptions {
  title?: string;
  /** Identifies the sticky comment; one comment per key per PR. */
  key?: string;
  runUrl?: string;
  commit?: string;
  /** How many worst slices to list (default 10). */
  maxSlices?: number;
  /** Where the untruncated report lives (job summary or artifact), for the truncation note. */
  fullReportUrl?: string;
  /** Stage names in pipeline order, so a report reads the way the model travelled. */
  order?: readonly string[];
  /** A stage's own sections; undefined for a stage this renderer does not know (generic table). */
  sectionsFor?: (result: StageResult) => ReportSection[] | undefined;
}

export interface ReportSection {
  id: string;
  markdown: string;
}

export interface RenderedReport {
  markdown: string;
  sections: ReportSection[];
}

export const SECTION_SEPARATOR = '\n\n';

function sortResults(results: StageResult[], order: readonly string[]): StageResult[] {
  const rank = (s: string) => {
    const i = order.indexOf(s);
    return i === -1 ? order.length : i;
  };
  return [...results].sort((a, b) => rank(a.stage) - rank(b.stage));
}

interface Failing {
  stage: string;
  verdict: Verdict;
}

/** Links come from result files, which may come from an untrusted PR's artifact. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https?:\/\/[^\s()<>[\]"'`]+$/.test(url) ? url : undefined;
}

function headline(results: StageResult[]): string {
  const failing: Failing[] = results.flatMap((r) =>
    r.verdicts.filter((v) => v.status === 'fail').map((verdict) => ({ stage: r.stage, verdict })),
  );
  const errors = results.filter((r) => r.status === 'error');
  const failedWithoutGate = results.filter(
    (r) => r.status === 'failed' && !r.verdicts.some((v) => v.status === 'fail'),
  );
  const warnings = results.flatMap((r) => r.verdicts.filter((v) => v.status === 'warn'));
  if (!results.length) return '⚠️ **No stage results** were found to report on.';
  if (failing.length || errors.length || failedWithoutGate.length) {
    const lines: string[] = [];
    if (failing.length) {
      const names = failing.map((f) => `${inlineCode(f.verdict.gate)} (${escapeMarkdown(f.stage)})`);
      lines.push(
        `❌ **Failed**: ${failing.length} gate${failing.length === 1 ? '' : 's'} failed: ${names.join(', ')}`,
      );
    } else {
      lines.push('❌ **Failed**');
    }
    for (const r of errors) {
      lines.push(`💥 ${escapeMarkdown(r.stage)} could not run: ${escapeMarkdown(r.error ?? r.summary)}`);
    }
    for (const r of failedWithoutGate)
      lines.push(`❌ ${escapeMarkdown(r.stage)}: ${escapeMarkdown(r.summary)}`);
    return lines.join('\n\n');
  }
  const gates = results.reduce((n, r) => n + r.verdicts.length, 0);
  const warn = warnings.length ? ` with ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : '';
  return `✅ **Passed**${warn}: ${gates} gate${gates === 1 ? '' : 's'} checked across ${results.length} stage${results.length === 1 ? '' : 's'}.`;
}

function stageLine(results: StageResult[]): string {
  const icon = { passed: '✅', failed: '❌', error: '💥', skipped: '⏭️' };
  return results.map((r) => `${icon[r.status]} ${escapeMarkdown(r.stage)}`).join(' · ');
}

function footer(results: StageResult[], opts: RenderOptions): string {
  const bits: string[] = [];
  const withModel = results.find((r) => r.model);
  if (withModel?.model) {
    const digest = withModel.model.sha256 ? ` ${inlineCode(shortDigest(withModel.model.sha256))}` : '';
    bits.push(`model ${escapeMarkdown(withModel.model.name)}${digest}`);
  }
  const withBaseline = results.find((r) => r.baselineModel?.sha256);
  if (withBaseline?.baselineModel?.sha256)
    bits.push(`baseline ${inlineCode(shortDigest(withBaseline.baselineModel.sha256))}`);
  // The data a model was measured on identifies what the headline means; the inputs of a stage
  // that measures nothing (training) are in its model card.
  const data = new Map<string, string>();
  for (const r of results) {
    if (!r.headline) continue;
    for (const [role, f] of Object.entries(r.inputs)) {
      if (role === 'model' || role === 'baseline') continue;
      if (!data.has(role)) data.set(role, f.sha256);
    }
  }
  for (const [role, sha] of [...data].slice(0, 4))
    bits.push(`${escapeMarkdown(role)} ${inlineCode(shortDigest(sha))}`);
  const commit = opts.commit ?? results.find((r) => r.git?.commit)?.git?.commit;
  if (commit)
    bits.push(
      `commit ${/^[0-9a-f]{7,64}$/i.test(commit) ? inlineCode(commit.slice(0, 7)) : escapeMarkdown(commit)}`,
    );
  const url = safeUrl(opts.runUrl ?? results.find((r) => r.run?.url)?.run?.url);
  if (url) bits.push(`[workflow run](${url})`);
  const tool = results[0]?.tool;
  const by = tool ? `mlops-actions ${escapeMarkdown(tool.version)}` : 'mlops-actions';
  return `<sub>${bits.join(' · ')}${bits.length ? ' · ' : ''}${by}</sub>`;
}

/**
 * One report from whatever stage results exist. Sections are kept separate so a comment that
 * would exceed GitHub's limit can be cut between them (truncateReport) rather than mid-table.
 */
export function renderReport(results: StageResult[], opts: RenderOptions = {}): RenderedReport {
  const ordered = sortResults(results, opts.order ?? []);
  const title = escapeMarkdown(opts.title ?? 'mlops report');
  const sections: ReportSection[] = [];
  const head = [reportMarker(opts.key), `## ${title}`, headline(ordered)];
  if (ordered.length) head.push(stageLine(ordered));
  sections.push({ id: 'headline', markdown: head.join('\n\n') });

  const gates = gatesSection(ordered);
  if (gates) sections.push({ id: 'gates', markdown: gates });

  for (const r of ordered) {
    const own = opts.sectionsFor?.(r);
    if (own) sections.push(...own);
    else sections.push({ id: `stage-${r.stage.replace(/[^a-z0-9-]/gi, '_')}`, markdown: genericSection(r) });
    // A stage may place its JUnit table itself (evaluate: before its slices); otherwise it follows.
    const tests = own?.some((s) => s.id === `${r.stage}-tests`) ? '' : testsSection([r]);
    if (tests) sections.push({ id: `${r.stage}-tests`, markdown: tests });
  }
  sections.push({ id: 'footer', markdown: footer(ordered, opts) });
  return { markdown: sections.map((s) => s.markdown).join(SECTION_SEPARATOR) + '\n', sections };
}
