import {
  escapeMarkdown,
  formatValue,
  inlineCode,
  isObj,
  shortDigest,
  stageHeading,
  table,
  timing,
  type StageResult,
} from '@mlops-actions/core';
import type { ImageDetails, LayerChange } from './run.js';

const ROLE_LABEL: Record<string, string> = {
  base: 'base image',
  server: 'model server (mlops CLI + onnxruntime-node)',
  model: 'model + model card',
  'serve-config': 'serving config',
};

const CHANGE_LABEL: Record<LayerChange['status'], string> = {
  same: 'unchanged',
  changed: '**changed**',
  added: '**added**',
  removed: '**removed**',
};

function layersTable(layers: ImageDetails['platforms'][number]['layers']): string {
  const total = layers.reduce((n, l) => n + l.size, 0);
  const rows = layers.map((l) => [
    escapeMarkdown(ROLE_LABEL[l.role] ?? l.role),
    inlineCode(shortDigest(l.digest)),
    formatValue(l.size, 'bytes'),
    total > 0 ? `${((100 * l.size) / total).toFixed(1)}%` : '—',
  ]);
  rows.push(['**total**', '', `**${formatValue(total, 'bytes')}**`, '']);
  return table(['layer', 'digest', 'size (compressed)', 'share'], rows, ['l', 'l', 'r', 'r']);
}

function changesTable(previous: NonNullable<ImageDetails['previous']>): string {
  const rows = previous.changes.map((c) => [
    escapeMarkdown(ROLE_LABEL[c.role] ?? c.role),
    CHANGE_LABEL[c.status],
    c.previous ? inlineCode(shortDigest(c.previous)) : '—',
    c.digest ? inlineCode(shortDigest(c.digest)) : '—',
  ]);
  return table(['layer', 'change', 'before', 'now'], rows);
}

export function imageSection(result: StageResult): string {
  const parts = [stageHeading('Build image', result)];
  const d = (isObj(result.details) ? result.details : {}) as Partial<ImageDetails>;
  if (d.image) {
    const facts: string[][] = [
      ['image', inlineCode(d.image.reference)],
      ['written to', inlineCode(d.image.location)],
      ['tags', d.image.tags.map((t) => inlineCode(t)).join(', ')],
    ];
    if (d.base) facts.push(['base', `${inlineCode(d.base.ref)} (${inlineCode(shortDigest(d.base.digest))})`]);
    if (d.model)
      facts.push([
        'model',
        `${escapeMarkdown(d.model.name)} ${inlineCode(`sha256:${shortDigest(d.model.sha256)}`)}`,
      ]);
    if (d.builder === 'docker-buildx') facts.push(['builder', 'docker buildx (Dockerfile)']);
    parts.push(table(['', ''], facts));
  }
  const platforms = d.platforms ?? [];
  if (platforms.length === 1 && platforms[0]) {
    parts.push(
      `**Size by layer** (${escapeMarkdown(platforms[0].platform)})\n\n${layersTable(platforms[0].layers)}`,
    );
  } else {
    for (const p of platforms)
      parts.push(`**Size by layer: ${escapeMarkdown(p.platform)}**\n\n${layersTable(p.layers)}`);
  }
  if (d.base?.skipped.length) {
    parts.push(
      `Base platforms left out: ${d.base.skipped.map((s) => `${escapeMarkdown(s.platform)} (${escapeMarkdown(s.reason)})`).join('; ')}.`,
    );
  }
  if (d.previous) {
    const changed = d.previous.changes.filter((c) => c.status !== 'same');
    const head =
      changed.length === 0
        ? `Same image as before (${inlineCode(shortDigest(d.previous.digest))}).`
        : `**Changes since the previous image** (${inlineCode(shortDigest(d.previous.digest))}, same tag):`;
    parts.push(changed.length === 0 ? head : `${head}\n\n${changesTable(d.previous)}`);
  } else if (d.image) {
    parts.push('No previous image under this tag: nothing to compare.');
  }
  parts.push(timing(result));
  return parts.join('\n\n');
}
