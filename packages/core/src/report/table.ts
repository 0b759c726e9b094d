import { markdownTable } from 'markdown-table';
import type { VerdictStatus } from '../gates/types.js';

/**
 * Cells must already be escaped (escapeMarkdown); this only lays the table out. Delimiters are
 * not padded: padding costs characters of the 65,536 a comment may hold and renders the same.
 */
export function table(header: string[], rows: string[][], align?: ('l' | 'r' | 'c')[]): string {
  return markdownTable([header, ...rows], { align, alignDelimiters: false });
}

export const STATUS_ICON: Record<VerdictStatus, string> = { pass: '✅', warn: '⚠️', fail: '❌' };

export function statusCell(status: VerdictStatus): string {
  return `${STATUS_ICON[status]} ${status}`;
}

/** `<details>` needs blank lines around its markdown body or GitHub renders it as raw text. */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
