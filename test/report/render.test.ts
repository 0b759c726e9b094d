import { describe, expect, it } from 'vitest';
import {
  COMMENT_LIMIT,
  escapeMarkdown,
  escapeMermaidLabel,
  formatDelta,
  formatNumber,
  formatValue,
  renderTerminal,
  reportMarker,
  truncateReport,
} from '../../packages/core/src/report/index.js';
import type { StageResult } from '../../packages/core/src/stage-result/types.js';
import { renderStageReport } from '../../packages/stages/src/index.js';

/** The report as every caller renders it: the shared frame with each stage's own sections. */
const renderReport = (results: StageResult[], opts: Parameters<typeof renderStageReport>[2] = {}) =>
  renderStageReport(results, undefined, opts);
import { fixture, pipeline } from './load-fixtures.js';

const HOSTILE = '| <img src=x onerror=alert(1)> @org/team [x](http://evil.example)';

/** Cells in a markdown table row, counting only unescaped pipes. */
function cellCount(row: string): number {
  return row.replace(/\\\|/g, '').split('|').length - 2;
}

function tableRows(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  const rows: string[] = [];
  for (let i = start; i >= 0 && i < lines.length && lines[i]?.startsWith('|'); i++)
    rows.push(lines[i] as string);
  return rows;
}

describe('renderReport snapshots', () => {
  it('renders a whole failing pipeline', async () => {
    const { markdown } = renderReport(pipeline(true), { key: 'churn', title: 'Model report: churn' });
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/pipeline-fail.md');
  });

  it('renders a passing evaluation alone', async () => {
    const { markdown } = renderReport([fixture('evaluate-pass')], { key: 'churn', maxSlices: 3 });
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/evaluate-pass.md');
  });

  it('renders the terminal view with aligned columns and no markdown tables', async () => {
    const text = renderTerminal(pipeline(true));
    expect(text).not.toMatch(/^\s*\|/m);
    await expect(text).toMatchFileSnapshot('./__snapshots__/pipeline-fail.txt');
  });
});

describe('renderReport content', () => {
  it('starts with the hidden marker and names the failing gates in the headline', () => {
    const { markdown, sections } = renderReport(pipeline(true), { key: 'churn' });
    expect(markdown.split('\n')[0]).toBe('<!-- mlops-actions:report key=churn -->');
    expect(sections[0]?.id).toBe('headline');
    const headline = sections[0]?.markdown ?? '';
    expect(headline).toContain('❌ **Failed**: 3 gates failed');
    expect(headline).toContain('roc_auc max-drop 0.01 (significant)');
    expect(headline).not.toContain('(load-test)');
    expect(sections.map((s) => s.id)).toEqual([
      'headline',
      'gates',
      'train',
      'evaluate-metrics',
      'evaluate-tests',
      'evaluate-slices',
      'load-test',
      'image',
      'deploy-canary',
      'promote',
      'drift',
      'footer',
    ]);
  });

  it('says passed with warnings when no gate failed', () => {
    const { markdown } = renderReport([fixture('evaluate-pass')]);
    expect(markdown).toContain('✅ **Passed** with 1 warning: 6 gates checked across 1 stage.');
  });

  it('marks changes by direction and significance', () => {
    const { markdown } = renderReport([fixture('evaluate-fail')]);
    const row = (metric: string) => markdown.split('\n').find((l) => l.startsWith(`| ${metric} `)) ?? '';
    // log_loss fell: lower is better, and the CI excludes 0.
    expect(row('log_loss')).toContain('−0.0114 ▲ better, significant');
    expect(row('f1')).toContain('▼ worse, within noise');
    expect(row('brier')).toContain('−1.23e-5');
    expect(markdown).toContain('| 95% CI of Δ |');
  });

  it('takes the CI level from the measurements', () => {
    const r = fixture('evaluate-pass');
    for (const m of Object.values(r.values)) m.ciLevel = 0.9;
    expect(renderReport([r]).markdown).toContain('| 90% CI of Δ |');
  });

  it('renders a hostile slice value inert and keeps the table shape', () => {
    const r = fixture('evaluate-fail');
    const slice = r.slices?.find((s) => s.value === 'LATAM');
    if (!slice) throw new Error('fixture lost its LATAM slice');
    slice.value = `@org ${HOSTILE}`;
    slice.column = 'region`\n## injected';
    r.tests?.[0]?.failures.push({ name: 'test_x @org/team', message: '<script>alert(1)</script> see #123' });
    delete r.run; // the footer's own run link is the one legitimate link
    const { markdown } = renderReport([r], { maxSlices: 10 });
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toContain('<script');
    expect(markdown).not.toContain('](http');
    expect(markdown).not.toMatch(/@org/);
    expect(markdown).not.toMatch(/#123/);
    expect(markdown).not.toMatch(/^## injected/m);
    const rows = tableRows(markdown, '| column | value |');
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) expect(cellCount(row)).toBe(7);
    // The mermaid label for the same slice cannot end the string or the fence.
    const chart = markdown.slice(markdown.indexOf('```mermaid', markdown.indexOf('Worst slices')));
    const xAxis = chart.split('\n').find((l) => l.includes('x-axis')) ?? '';
    expect(xAxis).not.toContain('`');
    expect(xAxis.match(/"/g)?.length).toBe(2 * 7);
  });

  it('escapes every special character the same way', () => {
    const s = escapeMarkdown(HOSTILE);
    expect(s).toBe(
      '\\| &lt;img src=x onerror=alert(1)&gt; @\u200borg/team &#91;x&#93;(http:\u200b//evil.example)',
    );
    expect(escapeMarkdown('!image')).toBe('\\!image');
    expect(escapeMarkdown('a\nb')).toBe('a<br>b');
    expect(escapeMarkdown('roc_auc')).toBe('roc_auc');
    expect(escapeMarkdown('_x_')).toBe('\\_x\\_');
    expect(escapeMarkdown('fixes #12 and GH-3 `code`')).toBe('fixes #\u200b12 and GH-3 &#96;code&#96;');
    expect(escapeMermaidLabel('say "hi" `x` <b>')).toBe('"say #quot;hi#quot; #96;x#96; #lt;b#gt;"');
  });

  it('keeps the key from closing the marker comment', () => {
    const m = reportMarker('a --> <b> x');
    expect(m.startsWith('<!-- ')).toBe(true);
    expect(m.slice(4, -4)).not.toMatch(/--|>/);
    expect(m.endsWith(' -->')).toBe(true);
    expect(reportMarker('churn')).not.toBe(reportMarker('churn2'));
  });

  it('renders an unknown stage generically and an errored stage with its error', () => {
    const drift = {
      ...fixture('image'),
      stage: 'drift',
      summary: 'population stability checked',
      details: { psi: { tenure: 0.031, plan: 0.2 }, columns: ['tenure', 'plan'] },
    } as unknown as StageResult;
    const broken: StageResult = {
      ...fixture('load-test'),
      status: 'error',
      error: 'server did not become ready in 30s',
      verdicts: [],
    };
    const { markdown } = renderReport([drift, broken]);
    expect(markdown).toContain('### drift ✅');
    expect(markdown).toContain('| psi.tenure | 0.031 |');
    expect(markdown).toContain('| columns | &#91;"tenure","plan"&#93; |');
    expect(markdown).toContain('💥 load-test could not run: server did not become ready in 30s');
  });

  it('says so when there are no results', () => {
    expect(renderReport([]).markdown).toContain('No stage results');
    expect(renderTerminal([])).toContain('no stage results');
  });

  it('drops links that are not plain http(s) URLs', () => {
    const r = fixture('evaluate-pass');
    r.run = { url: 'javascript:alert(1)' };
    expect(renderReport([r]).markdown).not.toContain('javascript:');
    expect(renderReport([r], { runUrl: 'https://ghe.example.com/o/r/actions/runs/1' }).markdown).toContain(
      '[workflow run](https://ghe.example.com/o/r/actions/runs/1)',
    );
  });
});

describe('number formatting', () => {
  it('uses sensible precision', () => {
    expect(formatNumber(0.91234)).toBe('0.9123');
    expect(formatNumber(0.0000123)).toBe('1.23e-5');
    expect(formatNumber(12.3456)).toBe('12.35');
    expect(formatNumber(123456)).toBe('123456');
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatValue(0.00042, 'ratio')).toBe('0.042%');
    expect(formatValue(61.4, 'ms')).toBe('61.4 ms');
    expect(formatValue(96468992, 'bytes')).toBe('92 MiB');
    expect(formatDelta(0.0012, 'ratio')).toBe('+0.12 pp');
    expect(formatDelta(-0.5, 'ms')).toBe('−0.5 ms');
    expect(formatDelta(0)).toBe('±0');
  });
});

describe('truncateReport', () => {
  function big(): ReturnType<typeof renderReport> {
    const r = fixture('evaluate-fail');
    // Many slices with long values make the slice section alone larger than a comment.
    r.slices = Array.from({ length: 3000 }, (_, i) => ({
      column: 'customer_segment',
      value: `segment-${i}-${'x'.repeat(40)}`,
      rows: 100 + i,
      values: { roc_auc: { candidate: 0.5 + (i % 400) / 1000, baseline: 0.8 } },
    }));
    return renderReport([fixture('train'), r, fixture('load-test')], { key: 'churn', maxSlices: 3000 });
  }

  it('returns the report unchanged when it fits', () => {
    const { markdown, sections } = renderReport(pipeline(false));
    expect(truncateReport(sections, COMMENT_LIMIT)).toBe(markdown);
  });

  it('cuts at a section boundary, keeps headline and footer, and points to the full report', () => {
    const { markdown, sections } = big();
    expect(markdown.length).toBeGreaterThan(COMMENT_LIMIT);
    const cut = truncateReport(sections, COMMENT_LIMIT, {
      fullReportUrl: 'https://github.com/o/r/actions/runs/5',
    });
    expect(cut.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(cut.startsWith('<!-- mlops-actions:report key=churn -->')).toBe(true);
    expect(cut).toContain('### Metrics');
    expect(cut).not.toContain('Worst slices');
    expect(cut).toContain('left out. See the [full report](https://github.com/o/r/actions/runs/5).');
    expect(cut).toContain('(evaluate-slices, load-test)');
    expect(cut.trimEnd().endsWith('</sub>')).toBe(true);
    // Every kept section is whole.
    for (const s of sections) if (cut.includes(s.markdown.slice(0, 40))) expect(cut).toContain(s.markdown);
  });

  it('measures the step summary in UTF-8 bytes', () => {
    const { sections } = big();
    const limit = 40_000;
    const cut = truncateReport(sections, limit, { unit: 'utf8-bytes' });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
    expect(cut).toContain('job summary and its `mlops-report` artifact');
  });

  it('cuts even a headline that alone exceeds the limit, closing what it opened', () => {
    const cut = truncateReport(
      [
        {
          id: 'headline',
          markdown: `<!-- m -->\n\n<details><summary>x</summary>\n\n${'line\n'.repeat(5000)}</details>`,
        },
        { id: 'footer', markdown: '<sub>f</sub>' },
      ],
      2000,
    );
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut).toContain('</details>');
    expect(cut.startsWith('<!-- m -->')).toBe(true);
  });
});
