import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, readStageResults, renderReport, renderTerminal } from '@mlops-actions/core';
import type { RenderedReport, Spec, StageResult } from '@mlops-actions/core';

export interface RenderedResults {
  results: StageResult[];
  report: RenderedReport;
  terminal: string;
  /** Where the full markdown was written: `<resultsDir>/report.md`. */
  markdownFile: string;
}

/** Reads every stage result in a directory and renders the one report, kept next to the results. */
export async function renderResults(
  resultsDir: string,
  opts: {
    /** This run's results; default: every result in the directory. */
    results?: StageResult[];
    spec?: Spec;
    title?: string;
    key?: string;
    runUrl?: string;
    commit?: string;
  } = {},
): Promise<RenderedResults> {
  const results = opts.results ?? (await readStageResults(resultsDir)).filter((r) => r.stage !== 'report');
  if (results.length === 0) {
    throw new InputError(`${resultsDir}: no stage results to report (expected files like evaluate.json)`);
  }
  const report = renderReport(results, {
    title: opts.title ?? opts.spec?.report.title,
    key: opts.key ?? opts.spec?.report.key,
    runUrl: opts.runUrl,
    commit: opts.commit,
    maxSlices: opts.spec?.report.maxSlices,
  });
  await mkdir(resultsDir, { recursive: true });
  const markdownFile = join(resultsDir, 'report.md');
  await writeFile(markdownFile, report.markdown);
  return { results, report, terminal: renderTerminal(results), markdownFile };
}
