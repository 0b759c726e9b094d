import {
  escapeMarkdown,
  inlineCode,
  isObj,
  stageHeading,
  table,
  timing,
  details as fold,
} from '@mlops-actions/core';
import type { StageResult } from '@mlops-actions/core';
import type { PromoteDetails } from './run.js';

const short = (d: string | null | undefined): string => (d ? inlineCode(d.slice(0, 19)) : '—');

/** The promote section: what moved where, who approved, which gates stood, where the audit lives. */
export function promoteSection(result: StageResult): string {
  const parts = [stageHeading(result.details?.action === 'rollback' ? 'Rollback' : 'Promote', result)];
  const d = result.details as unknown as PromoteDetails | undefined;
  if (!d || !isObj(result.details)) return parts.join('\n\n');
  const rows: string[][] = [
    ['registry', inlineCode(d.registry)],
    [`${inlineCode(d.channel)} before`, short(d.from)],
    [`${inlineCode(d.channel)} now`, d.blocked ? `${short(d.from)} (unchanged)` : short(d.to)],
    [inlineCode(d.previousTag), short(d.previous)],
  ];
  if (d.model)
    rows.push([
      'model',
      `${escapeMarkdown(d.model.name)} ${short(d.model.digest)} (weights ${short(d.model.weights)})`,
    ]);
  if (d.version) rows.push(['version tag', inlineCode(d.version)]);
  const a = d.approval;
  if (a) {
    const who = a.by ? ` by @${escapeMarkdown(a.by)}` : '';
    const where = a.url
      ? ` ([comment](${a.url}))`
      : a.environment
        ? ` (environment ${inlineCode(a.environment)})`
        : '';
    rows.push(['approval', `${escapeMarkdown(a.method)}: ${escapeMarkdown(a.decision)}${who}${where}`]);
  }
  if (d.image)
    rows.push([
      `image ${inlineCode(d.channel)}`,
      `${inlineCode(d.image.location)} ${short(d.image.from)} → ${short(d.image.to)}`,
    ]);
  if (d.audit) rows.push(['audit record', inlineCode(d.audit.reference)]);
  parts.push(table(['', ''], rows));
  if (d.blocked) parts.push(`**Not moved:** ${escapeMarkdown(d.blocked)}`);
  if (d.gates.length) {
    parts.push(
      table(
        ['stage', 'status', 'summary'],
        d.gates.map((g) => [
          `${escapeMarkdown(g.stage)}${g.required ? ' (required)' : ''}`,
          escapeMarkdown(g.status),
          escapeMarkdown(g.summary),
        ]),
      ),
    );
  }
  if (a && a.ignored.length) {
    parts.push(
      fold(
        `Ignored comments (${a.ignored.length})`,
        table(
          ['user', 'reason'],
          a.ignored.map((i) => [`@${escapeMarkdown(i.login)}`, escapeMarkdown(i.reason)]),
        ),
      ),
    );
  }
  parts.push(timing(result));
  return parts.join('\n\n');
}
