import { stageHeading, escapeMarkdown, formatNumber, table, xyChart } from '@mlops-actions/core';
import type { ReportSection, StageResult } from '@mlops-actions/core';
import type { CheckResult } from '@mlops-actions/deploy';
import type { DeployCanaryDetails } from './run.js';

const ICON: Record<CheckResult['verdict'], string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  inconclusive: '❔ inconclusive',
  'no-data': '⚪ no-data',
};

/**
 * The canary's report section: the decision, a Mermaid step chart (canary weight per analysis
 * window, and the share of checks that passed), and a table of every window's verdicts with the
 * sample sizes they rest on.
 */
export function deployCanarySections(result: StageResult): ReportSection[] {
  const d = result.details as unknown as DeployCanaryDetails | undefined;
  if (!d?.outcome) return [{ id: 'deploy-canary', markdown: stageHeading('Deploy canary', result) }];
  const o = d.outcome;
  const head = o.decision === 'promoted' ? '✅ **promoted** to 100%' : '❌ **rolled back** to 0%';
  const lines: string[] = [
    `### Deploy canary ${result.status === 'passed' ? '✅' : '❌'}`,
    '',
    `${head} on \`${d.target}\`: ${escapeMarkdown(o.reason)}`,
    '',
  ];
  if (d.aa) lines.push('> A/A run: stable and canary served the same model file.', '');
  if (o.analyses.length > 0) {
    // The last point is where the decision left the canary: 100 promoted, 0 rolled back.
    const labels = [...o.analyses.map((a, i) => `${i + 1}: ${a.weight}%`), o.decision];
    const passShare = o.analyses.map((a) =>
      a.checks.length ? (100 * a.checks.filter((c) => c.verdict === 'pass').length) / a.checks.length : 0,
    );
    const chart = xyChart({
      title: 'Canary weight (bars, %) and checks passed (line, %) per analysis window',
      labels,
      yLabel: 'percent',
      series: [
        { kind: 'bar', values: [...o.analyses.map((a) => a.weight), o.finalWeight] },
        { kind: 'line', values: [...passShare, passShare.at(-1) ?? 0] },
      ],
    });
    if (chart) lines.push(chart, '');
    const names = [...new Set(o.analyses.flatMap((a) => a.checks.map((c) => c.name)))];
    lines.push(
      table(
        ['#', 'weight', 'verdict', ...names.map(escapeMarkdown), 'requests canary / stable'],
        o.analyses.map((a, i) => [
          String(i + 1),
          `${a.weight}%`,
          ICON[a.verdict],
          ...names.map((n) => {
            const c = a.checks.find((x) => x.name === n);
            return c ? ICON[c.verdict] : '';
          }),
          `${formatNumber(a.traffic.canary.requests)} / ${formatNumber(a.traffic.stable.requests)}`,
        ]),
        ['r', 'r', 'l', ...names.map(() => 'l' as const), 'r'],
      ),
      '',
    );
    const last = o.analyses.at(-1)!;
    lines.push(`**Last window at ${last.weight}%**`, '');
    for (const c of last.checks) lines.push(`- ${ICON[c.verdict]}: ${escapeMarkdown(c.reason)}`);
    lines.push('');
  }
  if (o.approvals.length > 0) {
    lines.push(
      '**Approvals**: ' +
        o.approvals
          .map(
            (a) =>
              `step ${a.step + 1} ${a.approved ? 'approved' : 'not approved'}${a.by ? ` by ${escapeMarkdown(a.by)}` : ''}${a.reason ? ` (${escapeMarkdown(a.reason)})` : ''}`,
          )
          .join('; '),
      '',
    );
  }
  if (d.traffic) {
    lines.push(
      `Traffic: ${formatNumber(d.traffic.sent)} requests at ${formatNumber(d.traffic.rate)}/s, ${formatNumber(d.traffic.errors)} failed as the client saw them.`,
      '',
    );
  }
  return [{ id: 'deploy-canary', markdown: lines.join('\n') }];
}
