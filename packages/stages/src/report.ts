import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, readStageResults, renderReport, renderTerminal } from '@mlops-actions/core';
import type { RenderOptions, RenderedReport, Spec, StageResult } from '@mlops-actions/core';
import { STAGE_LIST, stageNamed } from './list.js';

export interface RenderedResults {
  results: StageResult[];
  report: RenderedReport;
  terminal: string;
  /** Where the full markdown was written: `<resultsDir>/report.md`. */
  markdownFile: string;
}

/** Options for the one report, from the spec (title, key, slices) and the caller. */
export function reportOptions(
  spec: Spec | undefined,
  opts: Omit<RenderOptions, 'order' | 'sectionsFor'> = {},
): RenderOptions {
  const maxSlices = opts.maxSlices ?? spec?.report.maxSlices ?? 10;
  return {
    ...opts,
    title: opts.title ?? spec?.report.title,
    key: opts.key ?? spec?.report.key,
    maxSlices,
    order: STAGE_LIST.map((s) => s.name),
    sectionsFor: (result) => {
      // Results may come from another run's artifact, written by another version: a section that
      // cannot read its details falls back to the generic table instead of losing the report.
      try {
        return stageNamed(result.stage)?.report(result, { maxSlices });
      } catch {
        return undefined;
      }
    },
  };
}

/** The one report from these results, rendered with each stage's own sections in pipeline order. */
export function renderStageReport(
  results: StageResult[],
  spec?: Spec,
  opts: Omit<RenderOptions, 'order' | 'sectionsFor'> = {},
): RenderedReport {
  return renderReport(results, reportOptions(spec, opts));
}

/** Reads every stage result in a directory and renders the one report, kept next to the results. */
export async function renderResults(
  resultsDir: string,
  opts: { results?: StageResult[]; spec?: Spec } & Omit<RenderOptions, 'order' | 'sectionsFor'> = {},
): Promise<RenderedResults> {
  const { results: given, spec, ...render } = opts;
  const results = given ?? (await readStageResults(resultsDir));
  if (results.length === 0) {
    throw new InputError(`${resultsDir}: no stage results to report (expected files like evaluate.json)`);
  }
  const report = renderStageReport(results, spec, render);
  await mkdir(resultsDir, { recursive: true });
  const markdownFile = join(resultsDir, 'report.md');
  await writeFile(markdownFile, report.markdown);
  return { results, report, terminal: renderTerminal(results), markdownFile };
}
